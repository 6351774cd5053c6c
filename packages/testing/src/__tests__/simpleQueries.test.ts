import { describe, expect, it } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import { rejection } from './helpers'

const q = (method: string, attribute: string | undefined, values: unknown[]) =>
  JSON.stringify({ method, ...(attribute === undefined ? {} : { attribute }), values })

async function withUsers() {
  const fake = createFakeAppwrite({ seed: 1 })
  // The users list's queries come with the account features.
  installAccountFeatures(fake)
  for (const name of ['Ada', 'Bob', 'Cy']) {
    await fake.users.create({ userId: name.toLowerCase(), name })
  }
  return fake
}

describe('simpleQueries', () => {
  it('should page, order and filter users with limit, offset, orderDesc and notEqual', async () => {
    const fake = await withUsers()
    const page = await fake.users.list({
      queries: [
        q('notEqual', 'name', ['Bob']),
        q('orderDesc', 'name', []),
        q('limit', undefined, [1]),
        q('offset', undefined, [1]),
      ],
    })
    expect(page.total).toBe(2)
    expect(page.users.map((user) => user.$id)).toEqual(['ada'])
  })

  it('should refuse a query that is not JSON, a method users do not take and an unknown attribute', async () => {
    const fake = await withUsers()
    await expect(rejection(fake.users.list({ queries: ['not json'] }))).resolves.toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `queries` param: Invalid query: Invalid query: Syntax error',
    })
    // The server's users list takes every filter (`between` included) but no `select`.
    const between = await fake.users.list({ queries: [q('between', 'name', ['A', 'B'])] })
    expect(between.users.map((user) => user.$id)).toEqual(['ada'])
    await expect(
      rejection(fake.users.list({ queries: [q('select', undefined, [['name']])] })),
    ).resolves.toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `queries` param: Invalid query method: select',
    })
    await expect(
      rejection(fake.users.list({ queries: [q('equal', 'password', ['x'])] })),
    ).resolves.toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `queries` param: Invalid query: Attribute not found in schema: password',
    })
  })

  it('should filter function executions with equal and refuse other methods', async () => {
    const fake = createFakeAppwrite({ seed: 1 })
    fake.functions.register('echo', () => ({ body: 'ok' }))
    await fake.functions.createExecution({ functionId: 'echo', method: 'GET' })
    await fake.functions.createExecution({ functionId: 'echo', method: 'POST' })
    const posts = await fake.functions.listExecutions({
      functionId: 'echo',
      queries: [q('equal', 'requestMethod', ['POST'])],
    })
    expect(posts.executions.map((execution) => execution.requestMethod)).toEqual(['POST'])
    await expect(
      rejection(
        fake.functions.listExecutions({
          functionId: 'echo',
          queries: [q('orderAsc', 'requestMethod', [])],
        }),
      ),
    ).resolves.toMatchObject({
      type: 'general_query_invalid',
      message: 'Invalid query method: orderAsc',
    })
  })
})
