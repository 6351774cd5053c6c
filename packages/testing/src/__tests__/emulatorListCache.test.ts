import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream/upstream'
import type { Answer } from './upstream/upstream'
import { tablesSuite } from './upstream/tables'

// The list cache's edges the upstream cases do not reach (see listCache.upstream.test.ts for those).
const t = tablesSuite('Cache Database', (user) => [
  permission.create(`user:${user.$id}`),
  permission.read('users'),
])
const cacheOf = (answer: Answer) => answer.headers.get('x-appwrite-cache')
let tableId: string
const queries = [Query.orderAsc('title')]
const list = (headers: Record<string, string>, extra: Record<string, unknown> = { ttl: 60 }) =>
  t.up.call('GET', t.db.rows(tableId), headers, { queries, ...extra })
const titles = (answer: Answer) =>
  (answer.body.rows as Array<{ title: string }>).map((r) => r.title)

/** Makes the table `cached` (again) with one row titled `title`. */
async function cachedTable(title: string): Promise<void> {
  const made = await t.up.call('POST', `/tablesdb/${t.db.databaseId}/tables`, t.up.key, {
    tableId: 'cached',
    name: 'cached',
    rowSecurity: false,
    permissions: [permission.read('users'), permission.create('users')],
  })
  expect(made.status).toBe(201)
  tableId = made.body.$id as string
  const column = { key: 'title', size: 64, required: false }
  expect(
    (await t.up.call('POST', `${t.db.columns(tableId)}/string`, t.up.key, column)).status,
  ).toBe(202)
  expect((await t.db.write(tableId, t.up.key, { title })).status).toBe(201)
}

describe('emulator list cache', () => {
  beforeAll(async () => {
    await cachedTable('first')
  })

  it('should keep callers apart: another user and the API key miss what one user cached', async () => {
    expect(cacheOf(await list(t.user.headers))).toBe('miss')
    expect(cacheOf(await list(t.user.headers))).toBe('hit')
    const other = await t.up.signUp('Other')
    expect(cacheOf(await list(other.headers))).toBe('miss')
    expect(cacheOf(await list(t.up.key))).toBe('miss')
  })

  it('should refuse a ttl outside 0 to 86,400 as the server does, and bypass the cache in a transaction', async () => {
    const refused = await list(t.up.key, { ttl: 86_401 })
    expect(refused.status).toBe(400)
    expect(refused.body.message).toBe(
      'Invalid `ttl` param: Value must be a valid range between 0 and 86,400',
    )
    const tx = await t.up.call('POST', '/tablesdb/transactions', t.up.key, {})
    expect(tx.status).toBe(201)
    const inTx = await list(t.up.key, { ttl: 60, transactionId: tx.body.$id as string })
    expect(inTx.status).toBe(200)
    expect(inTx.headers.has('x-appwrite-cache')).toBe(false)
  })

  it('should not serve a deleted table from the cache, nor its answers to the table made again', async () => {
    expect(titles(await list(t.up.key))).toEqual(['first'])
    expect(
      (await t.up.call('DELETE', `/tablesdb/${t.db.databaseId}/tables/${tableId}`, t.up.key))
        .status,
    ).toBe(204)
    expect((await list(t.up.key)).status).toBe(404)
    await cachedTable('second')
    const again = await list(t.up.key)
    expect(cacheOf(again)).toBe('miss')
    expect(titles(again)).toEqual(['second'])
  })

  it('should start empty after fake.reset()', async () => {
    expect(cacheOf(await list(t.up.key))).toBe('hit')
    t.up.emulator.fake.reset()
    // reset() also drops the database: make it and the table again under the same ids.
    const database = await t.up.call('POST', '/tablesdb', t.up.key, {
      databaseId: t.db.databaseId,
      name: 'Cache Database',
    })
    expect(database.status).toBe(201)
    await cachedTable('third')
    const fresh = await list(t.up.key)
    expect(cacheOf(fresh)).toBe('miss')
    expect(titles(fresh)).toEqual(['third'])
  })
})
