import { Client, Query, Users } from 'node-appwrite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import type { FunctionContext } from '../../fake/functions'
import { must, permission, startUpstream } from './upstream'
import type { SignedUpUser, Upstream } from './upstream'

// Facts from tests/e2e/Services/Functions/FunctionsCustomClientTest.php (appwrite 1.9.6), as a
// signed-in user, and the event trigger of FunctionsCustomServerTest.php. Upstream creates its functions through the Functions API, which the emulator
// does not serve: they are registered here. A function created without a deployment is one
// registered without a handler; `event-handler` (tests/resources/functions/event-handler) logs
// the `$id` and `name` of the document it is given.
const CLIENT = 'tests/e2e/Services/Functions/FunctionsCustomClientTest.php'
const SERVER = 'tests/e2e/Services/Functions/FunctionsCustomServerTest.php'

/** `log-error-truncation`: logs and errors 1,000,001 chars in 8,000-char chunks, answers JSON. */
function logErrorTruncation({ res, log, error }: FunctionContext) {
  const long = 'z' + 'a'.repeat(1_000_000)
  for (let i = 0; i < long.length; i += 8000) log(long.slice(i, i + 8000))
  for (let i = 0; i < long.length; i += 8000) error(long.slice(i, i + 8000))
  return res.json({ motto: 'Build like a team of hundreds_' })
}

/** The logging half of `basic`: what it logs of the request, and its error line. */
function basicLogs({ req, res, log, error }: FunctionContext) {
  log('log-works')
  error('error-log-works')
  log(`body-is-${req.bodyText}`)
  log(`custom-header-is-${req.headers['x-custom-header'] ?? ''}`)
  log(`method-is-${req.method.toLowerCase()}`)
  log(`path-is-${req.path}`)
  return res.json({ ok: true })
}

/** `ephemeral-api-key`: lists the users with the execution's own key, and answers the list. */
async function ephemeralApiKey({ req, res, log }: FunctionContext) {
  const client = new Client()
    .setEndpoint(process.env.APPWRITE_FUNCTION_API_ENDPOINT ?? '')
    .setProject(process.env.APPWRITE_FUNCTION_PROJECT_ID ?? '')
    .setKey(req.headers['x-appwrite-key'] ?? '')
  const response = await new Users(client).list()
  log(JSON.stringify(response))
  return res.json(response)
}

function eventHandler({ req, res, log }: FunctionContext) {
  const body = req.body as { $id: string; name: string }
  log(body.$id)
  log(body.name)
  return res.empty()
}

const clock = createManualClock()
let up: Upstream
let user: SignedUpUser

beforeAll(async () => {
  up = await startUpstream({
    fake: createFakeAppwrite({ strict: true, clock }),
    functions: {
      undeployed: { name: 'Test', execute: [], timeout: 10 },
      truncation: { name: 'Test Log Truncation', handler: logErrorTruncation, timeout: 15 },
      executionLogs: { name: 'Execution logs', handler: basicLogs, timeout: 15 },
      scopes: {
        name: 'Test Scopes executions',
        handler: ephemeralApiKey,
        scopes: ['users.read'],
        timeout: 15,
      },
      clientEvents: {
        name: 'Test Client Event Trigger',
        handler: eventHandler,
        events: ['databases.*.collections.*.documents.*.create'],
        timeout: 15,
      },
    },
  })
  user = await up.signUp()
})

afterAll(async () => {
  await up.close()
})

describe('Functions from a client, as the server tests them', () => {
  it(`${CLIENT} testCreateExecutionNoDeployment: should answer 404 for a function without a deployment`, async () => {
    const execution = await up.call('POST', '/functions/undeployed/executions', user.headers, {
      async: true,
    })
    expect(execution.status).toBe(404)
  })

  it(`${CLIENT} testEventTriggerWithClientAuth: should let a client create the document a function listens to`, async () => {
    const database = await up.call('POST', '/databases', up.key, {
      databaseId: 'unique()',
      name: 'Test Database',
    })
    expect(database.status).toBe(201)
    const databaseId = database.body.$id as string
    const collection = await up.call('POST', `/databases/${databaseId}/collections`, up.key, {
      collectionId: 'unique()',
      name: 'Test Collection',
      permissions: [permission.create('users')],
      documentSecurity: false,
    })
    expect(collection.status).toBe(201)
    const collectionId = collection.body.$id as string
    const attributes = `/databases/${databaseId}/collections/${collectionId}/attributes`
    const attribute = await up.call('POST', `${attributes}/string`, up.key, {
      key: 'name',
      size: 255,
      required: false,
    })
    expect(attribute.status).toBe(202)
    const available = must(
      await up.call('GET', `${attributes}/name`, up.key),
      200,
      'reading the attribute',
    )
    expect(available.body.status).toBe('available')

    const document = await up.call(
      'POST',
      `/databases/${databaseId}/collections/${collectionId}/documents`,
      user.headers,
      { documentId: 'unique()', data: { name: 'Test Document' } },
    )
    expect(document.status).toBe(201)
    expect((await up.call('DELETE', `/databases/${databaseId}`, up.key)).status).toBe(204)
  })

  it(`${SERVER} testEventTrigger: should run the function on users.*.create, logging the new user's id and name`, async () => {
    // Registered now, as upstream sets the function up at the start of the case.
    up.emulator.fake.functions.register('userEvents', {
      name: 'Test Event executions',
      handler: eventHandler,
      events: ['users.*.create'],
      timeout: 15,
    })
    const created = await up.call('POST', '/users', up.key, {
      userId: 'unique()',
      name: 'Event User',
    })
    expect(created.status).toBe(201)
    const userId = created.body.$id as string
    await clock.advance(0)
    const executions = await up.call('GET', '/functions/userEvents/executions', up.key)
    expect(executions.status).toBe(200)
    const [execution] = executions.body.executions
    expect(execution.status).toBe('completed')
    expect(execution.logs).toContain(userId)
    expect(execution.logs).toContain('Event User')
    expect((await up.call('DELETE', `/users/${userId}`, up.key)).status).toBe(204)
  })

  it(`${SERVER} testLogAndErrorTruncation: should keep at most the limit of logs and errors, each behind a truncation warning`, async () => {
    const execution = await up.call('POST', '/functions/truncation/executions', up.key, {
      async: 'false',
    })
    expect(execution.status).toBe(201)
    expect(execution.body.responseStatusCode).toBe(200)
    const { logs, errors } = execution.body as { logs: string; errors: string }
    expect(logs.length).toBeLessThanOrEqual(1_000_000)
    expect(logs.startsWith('[WARNING] Logs truncated')).toBe(true)
    expect(logs).toContain('a')
    expect(errors.length).toBeLessThanOrEqual(1_000_000)
    expect(errors.startsWith('[WARNING] Errors truncated')).toBe(true)
    expect(errors).toContain('a')
  })

  it(`${SERVER} testExecutionLogsPersistAndCanBeManaged: should keep an async execution's logs, find it by $id, delete it, then 404`, async () => {
    const path = '/functions/executionLogs/executions'
    const queued = await up.call('POST', path, up.key, {
      async: true,
      path: '/execution-logs',
      method: 'PATCH',
      body: 'execution-body',
      headers: { 'x-custom-header': 'execution-header' },
    })
    expect(queued.status).toBe(202)
    const executionId = queued.body.$id as string
    await clock.advance(0)
    const done = await up.call('GET', `${path}/${executionId}`, up.key)
    expect(done.status).toBe(200)
    expect(done.body.status).toBe('completed')
    for (const line of [
      'body-is-execution-body',
      'custom-header-is-execution-header',
      'path-is-/execution-logs',
    ])
      expect(done.body.logs).toContain(line)
    expect(done.body.errors).toContain('error-log-works')
    const listed = await up.call('GET', path, up.key, {
      queries: [Query.equal('$id', [executionId])],
    })
    expect(listed.status).toBe(200)
    expect(listed.body.executions.map((e: { $id: string }) => e.$id)).toEqual([executionId])
    expect((await up.call('DELETE', `${path}/${executionId}`, up.key)).status).toBe(204)
    expect((await up.call('GET', `${path}/${executionId}`, up.key)).status).toBe(404)
  })

  // Upstream also reads the deployment's build logs: the emulator builds nothing.
  it(`${SERVER} testScopes: should let the function list users with its execution key, synchronously and asynchronously`, async () => {
    const path = '/functions/scopes/executions'
    const execution = await up.call('POST', path, up.key, { async: 'false' })
    expect(execution.status).toBe(201)
    expect(execution.body.status).toBe('completed')
    expect(execution.body.responseStatusCode).toBe(200)
    expect(execution.body.duration).toBeGreaterThan(0)
    expect(execution.body.responseBody).not.toBe('')
    expect(execution.body.responseBody).toContain('total')
    const queued = await up.call('POST', path, up.key, { async: true })
    expect(queued.status).toBe(202)
    expect(queued.body.$id).not.toBe('')
    await clock.advance(0)
  })
})
