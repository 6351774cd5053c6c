import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import type { FunctionContext } from '../../fake/functions'
import { must, startUpstream } from './upstream'
import type { SignedUpUser, Upstream } from './upstream'

// Facts from tests/e2e/Services/Functions/FunctionsCustomClientTest.php and
// FunctionsCustomServerTest.php (appwrite 1.9.6). Their function `basic`
// (tests/resources/functions/basic) logs, errors, and answers JSON naming what the runtime gave it;
// `basic` below answers the same keys from the same sources, registered with the emulator.
const CLIENT = 'tests/e2e/Services/Functions/FunctionsCustomClientTest.php'
const SERVER = 'tests/e2e/Services/Functions/FunctionsCustomServerTest.php'

function basic({ req, res, log, error }: FunctionContext) {
  log('log-works')
  error('error-log-works')
  const env = process.env
  if (req.path === '/custom-response')
    return res.send(req.query.body ?? '', Number(req.query.code ?? '200'))
  return res.json(
    {
      APPWRITE_FUNCTION_ID: env.APPWRITE_FUNCTION_ID ?? '',
      APPWRITE_FUNCTION_NAME: env.APPWRITE_FUNCTION_NAME ?? '',
      APPWRITE_FUNCTION_DEPLOYMENT: env.APPWRITE_FUNCTION_DEPLOYMENT ?? '',
      APPWRITE_FUNCTION_TRIGGER: req.headers['x-appwrite-trigger'] ?? '',
      APPWRITE_FUNCTION_RUNTIME_NAME: env.APPWRITE_FUNCTION_RUNTIME_NAME,
      APPWRITE_VERSION: env.APPWRITE_VERSION ?? '',
      APPWRITE_REGION: env.APPWRITE_REGION ?? '',
      APPWRITE_FUNCTION_EVENT: req.headers['x-appwrite-event'] ?? '',
      APPWRITE_FUNCTION_DATA: req.bodyRaw,
      APPWRITE_FUNCTION_USER_ID: req.headers['x-appwrite-user-id'] ?? '',
      APPWRITE_FUNCTION_JWT: req.headers['x-appwrite-user-jwt'] ?? '',
      APPWRITE_FUNCTION_PROJECT_ID: env.APPWRITE_FUNCTION_PROJECT_ID,
      APPWRITE_FUNCTION_EXECUTION_ID: req.headers['x-appwrite-execution-id'] ?? '',
      APPWRITE_FUNCTION_CLIENT_IP: req.headers['x-appwrite-client-ip'] ?? '',
      GLOBAL_VARIABLE: env.GLOBAL_VARIABLE ?? '',
    },
    Number(req.query.code ?? '200'),
  )
}

const USER_ID = 'functions-user'
const clock = createManualClock()
let up: Upstream
let user: SignedUpUser

const executions = (functionId: string) => `/functions/${functionId}/executions`

beforeAll(async () => {
  up = await startUpstream({
    fake: createFakeAppwrite({ strict: true, clock }),
    functions: {
      // Executable by the signed-in user only, as `Role::user($this->getUser()['$id'])` upstream.
      userOnly: { handler: basic, execute: [`user:${USER_ID}`], timeout: 10 },
      Test: { handler: basic, execute: ['any'], timeout: 10 },
      Test1: {
        handler: basic,
        execute: ['any'],
        timeout: 10,
        variables: { GLOBAL_VARIABLE: 'Global Variable Value' },
      },
      timeout: {
        handler: () => new Promise(() => {}),
        execute: ['any'],
        timeout: 5,
      },
    },
  })
  user = await up.signUp('User Name', USER_ID)
})

afterAll(async () => {
  await up.close()
})

const header = (
  execution: { responseHeaders: Array<{ name: string; value: string }> },
  name: string,
) => execution.responseHeaders.find((h) => h.name === name)?.value

describe('Functions executions, as the server tests them', () => {
  it(`${CLIENT} testCreateExecution: should refuse a guest with 401 and accept the user's async execution with 202`, async () => {
    const guest = await up.call('POST', executions('userOnly'), up.guest, { async: true })
    expect(guest.status).toBe(401)
    const mine = await up.call('POST', executions('userOnly'), user.headers, { async: true })
    expect(mine.status).toBe(202)
  })

  it(`${CLIENT} testCreateCustomExecution: should run synchronously and hand the function who, what and where`, async () => {
    const execution = await up.call('POST', executions('Test'), user.headers, {
      body: 'foobar',
      async: 'false',
    })
    expect(execution.status).toBe(201)
    expect(header(execution.body, 'x-appwrite-execution-id')).toBe(execution.body.$id)
    expect(execution.body).toMatchObject({ responseStatusCode: 200, status: 'completed' })
    expect(execution.body.duration).toBeGreaterThan(0)
    const output = JSON.parse(execution.body.responseBody as string) as Record<string, string>
    expect(output).toMatchObject({
      APPWRITE_FUNCTION_ID: 'Test',
      APPWRITE_FUNCTION_TRIGGER: 'http',
      APPWRITE_FUNCTION_RUNTIME_NAME: 'Node.js',
      APPWRITE_VERSION: '1.9.6',
      APPWRITE_REGION: 'default',
      APPWRITE_FUNCTION_EVENT: '',
      APPWRITE_FUNCTION_DATA: 'foobar',
      APPWRITE_FUNCTION_USER_ID: user.$id,
      APPWRITE_FUNCTION_PROJECT_ID: up.emulator.projectId,
      APPWRITE_FUNCTION_EXECUTION_ID: execution.body.$id,
    })
    expect(output.APPWRITE_FUNCTION_JWT).not.toBe('')
    expect(output.APPWRITE_FUNCTION_CLIENT_IP).not.toBe('')
  })

  it(`${CLIENT} testCreateCustomExecution: should complete an async execution with status 200`, async () => {
    const queued = await up.call('POST', executions('Test'), user.headers, {
      body: 'foobar',
      async: true,
    })
    expect(queued.status).toBe(202)
    await clock.advance(0)
    const done = await up.call(
      'GET',
      `${executions('Test')}/${queued.body.$id as string}`,
      user.headers,
    )
    expect(done.body).toMatchObject({ status: 'completed', responseStatusCode: 200 })
  })

  it(`${CLIENT} testCreateCustomExecutionGuest: should accept a guest's async execution of a function open to any`, async () => {
    const execution = await up.call('POST', executions('Test'), up.guest, { async: true })
    expect(execution.status).toBe(202)
  })

  it(`${CLIENT} testSynchronousExecution: should run synchronously by default and hide logs and errors from a client`, async () => {
    const execution = await up.call('POST', executions('Test'), user.headers, { body: 'foobar' })
    expect(execution.status).toBe(201)
    expect(execution.body).toMatchObject({ status: 'completed', responseStatusCode: 200 })
    const output = JSON.parse(execution.body.responseBody as string) as Record<string, string>
    expect(output.APPWRITE_FUNCTION_DATA).toBe('foobar')
    expect(output.APPWRITE_FUNCTION_USER_ID).toBe(user.$id)
    expect(execution.body.logs).toBe('')
    expect(execution.body.errors).toBe('')
  })

  // The upstream case only asserts that the function never sees OVERRIDDEN; the server gets there
  // by refusing the request (src/Appwrite/Functions/Validator/Headers.php: no key may start with
  // x-appwrite-, answered 400), which is what is asserted here.
  it(`${CLIENT} testNonOverrideOfHeaders: should refuse request headers named x-appwrite-* with 400`, async () => {
    for (const name of [
      'x-appwrite-event',
      'x-appwrite-trigger',
      'x-appwrite-user-id',
      'x-appwrite-user-jwt',
    ]) {
      const execution = await up.call('POST', executions('Test'), user.headers, {
        headers: { [name]: 'OVERRIDDEN' },
      })
      expect({ name, status: execution.status }).toEqual({ name, status: 400 })
    }
  })

  it(`${SERVER} testCreateExecution: should answer the execution with the function's output, logs and errors to the key`, async () => {
    const execution = await up.call('POST', executions('Test1'), up.key, { async: 'false' })
    expect(execution.status).toBe(201)
    expect(header(execution.body, 'x-appwrite-execution-id')).toBe(execution.body.$id)
    expect(execution.body).toMatchObject({
      functionId: 'Test1',
      status: 'completed',
      responseStatusCode: 200,
    })
    expect(execution.body.$createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/)
    for (const text of ['Test1', 'http', 'Node.js', 'Global Variable Value'])
      expect(execution.body.responseBody).toContain(text)
    expect(execution.body.logs).not.toBe('')
    expect(execution.body.errors).not.toBe('')
    expect(execution.body.duration).toBeLessThan(10)
  })

  it(`${SERVER} testCreateExecution: should answer HEAD with an empty body and pass the status code the function chose`, async () => {
    const head = await up.call('POST', executions('Test1'), up.key, {
      async: 'false',
      method: 'HEAD',
    })
    expect(head.status).toBe(201)
    expect(head.body).toMatchObject({ status: 'completed', responseStatusCode: 200 })
    expect(Array.isArray(head.body.responseHeaders)).toBe(true)
    expect(head.body.responseBody).toBe('')
    const failing = await up.call('POST', executions('Test1'), up.key, {
      async: 'false',
      path: '/?code=400',
    })
    expect(failing.status).toBe(201)
    expect(failing.body).toMatchObject({ status: 'completed', responseStatusCode: 400 })
  })

  it(`${SERVER} testListExecutions: should list, count, filter and page the executions`, async () => {
    const created = must(
      await up.call('POST', executions('Test1'), up.key, { async: 'false' }),
      201,
      'creating an execution',
    )
    const all = await up.call('GET', executions('Test1'), up.key)
    expect(all.status).toBe(200)
    expect(all.body.total).toBeGreaterThanOrEqual(1)
    expect(all.body.executions.map((e: { $id: string }) => e.$id)).toContain(created.body.$id)
    const noTotal = await up.call('GET', executions('Test1'), up.key, { total: false })
    expect(noTotal.body.total).toBe(0)
    expect(noTotal.body.executions.length).toBeGreaterThan(0)
    const none = await up.call('GET', executions('Test1'), up.key, {
      queries: ['{"method":"equal","attribute":"deploymentId","values":["some-random-id"]}'],
    })
    expect(none.status).toBe(200)
    expect(none.body.total).toBe(0)
    expect(none.body.executions).toEqual([])
    const one = await up.call('GET', executions('Test1'), up.key, {
      queries: ['{"method":"limit","values":[1]}'],
    })
    expect(one.body.executions).toHaveLength(1)
    const http = await up.call('GET', executions('Test1'), up.key, {
      queries: ['{"method":"equal","attribute":"trigger","values":["http"]}'],
    })
    expect(http.body.executions.length).toBeGreaterThanOrEqual(1)
  })

  it(`${SERVER} testGetExecution: should answer an execution by id and 404 for an unknown one`, async () => {
    const created = must(
      await up.call('POST', executions('Test1'), up.key, { async: 'false' }),
      201,
      'creating an execution',
    )
    const got = await up.call('GET', `${executions('Test1')}/${created.body.$id as string}`, up.key)
    expect(got.status).toBe(200)
    expect(got.body.$id).toBe(created.body.$id)
    expect(got.body.deploymentId).toBe(created.body.deploymentId)
    expect((await up.call('GET', `${executions('Test1')}/x`, up.key)).status).toBe(404)
  })

  it(`${SERVER} testExecutionTimeout: should fail an execution that outlives its timeout with 500 and "timed out"`, async () => {
    const queued = await up.call('POST', executions('timeout'), up.key, { async: true })
    expect(queued.status).toBe(202)
    await clock.advance(0)
    await clock.advance(5_000)
    const failed = await up.call(
      'GET',
      `${executions('timeout')}/${queued.body.$id as string}`,
      up.key,
    )
    expect(failed.status).toBe(200)
    expect(failed.body).toMatchObject({
      status: 'failed',
      responseStatusCode: 500,
      responseBody: '',
      logs: '',
    })
    expect(failed.body.errors).toContain('timed out')
  })
})
