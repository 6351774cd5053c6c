import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import type { FunctionContext } from '../../fake/functions'
import { must, startUpstream } from './upstream'
import type { SignedUpUser, Upstream } from './upstream'

// Facts from tests/e2e/Services/Functions/FunctionsCustomServerTest.php and
// FunctionsCustomClientTest.php (appwrite 1.9.6): executions of their test functions, registered
// here as handlers answering what `tests/resources/functions/{basic,cookies,node}` answer.
const CLIENT = 'tests/e2e/Services/Functions/FunctionsCustomClientTest.php'
const SERVER = 'tests/e2e/Services/Functions/FunctionsCustomServerTest.php'

/** `basic`: the function's name, runtime and trigger, as JSON. */
function basic({ req, res }: FunctionContext) {
  return res.json({
    APPWRITE_FUNCTION_NAME: process.env.APPWRITE_FUNCTION_NAME ?? '',
    APPWRITE_FUNCTION_RUNTIME_NAME: process.env.APPWRITE_FUNCTION_RUNTIME_NAME ?? '',
    APPWRITE_FUNCTION_RUNTIME_VERSION: process.env.APPWRITE_FUNCTION_RUNTIME_VERSION ?? '',
    APPWRITE_FUNCTION_TRIGGER: req.headers['x-appwrite-trigger'] ?? '',
  })
}

const USER_ID = 'executions-user'
const clock = createManualClock()
let up: Upstream
let user: SignedUpUser
let release: (() => void) | undefined

const executions = (functionId: string) => `/functions/${functionId}/executions`

beforeAll(async () => {
  up = await startUpstream({
    fake: createFakeAppwrite({ strict: true, clock }),
    functions: {
      Test1: { handler: basic, execute: ['any'], timeout: 10 },
      userOnly: { handler: basic, execute: [`user:${USER_ID}`], timeout: 10 },
      // `cookies`: answers the cookie header it was given.
      cookies: {
        handler: ({ req, res }: FunctionContext) => res.send(req.headers.cookie ?? ''),
        execute: ['any'],
        timeout: 15,
      },
      // `node` (testCreateCustomExecution): answers `OK`, logs nothing.
      ok: { handler: ({ res }: FunctionContext) => res.send('OK'), execute: ['any'], timeout: 15 },
      // Runs until the case lets it finish, so its execution is still in progress.
      slow: {
        handler: ({ res }: FunctionContext) =>
          new Promise((resolve) => {
            release = () => resolve(res.send('done'))
          }),
        execute: ['any'],
        timeout: 15,
      },
    },
  })
  user = await up.signUp('User Name', USER_ID)
})

afterAll(async () => {
  release?.()
  await up.close()
})

describe('Functions executions, as the server tests them (continued)', () => {
  it(`${SERVER} testSyncCreateExecution: should run synchronously by default and answer the function's output`, async () => {
    const execution = await up.call('POST', executions('Test1'), up.key, {})
    expect(execution.status).toBe(201)
    expect(execution.body).toMatchObject({ status: 'completed', responseStatusCode: 200 })
    const body = execution.body.responseBody as string
    // The runtime version is the Node.js that runs the handler (22 on the server's node-22).
    for (const part of ['Test1', 'http', 'Node.js', process.versions.node])
      expect(body).toContain(part)
  })

  it(`${SERVER} testDeleteExecution: should delete a finished execution, then answer 404 for it`, async () => {
    const execution = must(
      await up.call('POST', executions('Test1'), up.key, { async: false }),
      201,
      'running the function',
    )
    const url = `${executions('Test1')}/${execution.body.$id as string}`
    const deleted = await up.call('DELETE', url, up.key)
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
    const gone = await up.call('GET', url, up.key)
    expect(gone.status).toBe(404)
    expect(gone.body.message).toContain('Execution with the requested ID could not be found')
  })

  it(`${SERVER} testDeleteExecution: should refuse to delete an execution still running with 400 execution_in_progress`, async () => {
    const execution = await up.call('POST', executions('slow'), up.key, { async: true })
    expect(execution.status).toBe(202)
    const refused = await up.call(
      'DELETE',
      `${executions('slow')}/${execution.body.$id as string}`,
      up.key,
    )
    expect(refused.status).toBe(400)
    expect(refused.body.type).toBe('execution_in_progress')
    expect(refused.body.message).toContain("Can't delete ongoing execution.")
  })

  it(`${SERVER} testCreateCustomExecution: should answer OK with no logs, then list the execution without its response body`, async () => {
    const execution = await up.call('POST', executions('ok'), up.key, { async: false })
    expect(execution.status).toBe(201)
    expect(execution.body).toMatchObject({
      responseStatusCode: 200,
      responseBody: 'OK',
      logs: '',
      errors: '',
    })
    const listed = await up.call('GET', executions('ok'), up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(1)
    expect(listed.body.executions).toHaveLength(1)
    expect(listed.body.executions[0]).toMatchObject({
      $id: execution.body.$id,
      trigger: 'http',
      responseStatusCode: 200,
      responseBody: '',
    })
  })

  it(`${SERVER} testCookieExecution: should hand the function the cookie header as sent`, async () => {
    const cookie =
      'cookieName=cookieValue; cookie2=value2; cookie3=value=3; cookie4=val:ue4; cookie5=value5'
    const execution = await up.call('POST', executions('cookies'), up.key, {
      async: false,
      headers: { cookie },
    })
    expect(execution.status).toBe(201)
    expect(execution.body).toMatchObject({
      status: 'completed',
      responseStatusCode: 200,
      responseBody: cookie,
    })
    expect(execution.body.duration).toBeGreaterThan(0)
  })

  it(`${CLIENT} testCreateHeadExecution: should refuse a guest with 401 and answer the user's HEAD with 200 and no body`, async () => {
    const guest = await up.call('POST', executions('userOnly'), up.guest, { async: true })
    expect(guest.status).toBe(401)
    const head = await fetch(`${up.emulator.endpoint}${executions('userOnly')}`, {
      method: 'HEAD',
      headers: user.headers,
    })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})
