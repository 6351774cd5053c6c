import { describe, expect, it } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite, createManualClock } from '../index'
import type { FunctionContext } from '../index'
import { appwriteError, rejection } from './helpers'

describe('functions', () => {
  it("should run a handler with the Node runtime's request and response", async () => {
    const seen: Array<Record<string, unknown>> = []
    const fake = createFakeAppwrite({
      functions: {
        echo: ({ req, res, log }: FunctionContext) => {
          seen.push({
            body: req.body,
            bodyText: req.bodyText,
            bodyJson: req.bodyJson,
            method: req.method,
            path: req.path,
            query: req.query,
            queryString: req.queryString,
            trigger: req.headers['x-appwrite-trigger'],
            custom: req.headers['x-custom'],
            executionId: req.headers['x-appwrite-execution-id'],
          })
          log('handled', { path: req.path })
          return res.json({ got: req.bodyJson }, 201, { 'X-Answer': '42' })
        },
      },
    })
    const execution = await fake.functions.createExecution({
      functionId: 'echo',
      body: '{"a":1}',
      xpath: '/items?tag=a%20b&x=1',
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' },
    })
    expect(seen).toEqual([
      {
        body: { a: 1 },
        bodyText: '{"a":1}',
        bodyJson: { a: 1 },
        method: 'PUT',
        path: '/items',
        query: { tag: 'a%20b', x: '1' },
        queryString: 'tag=a%20b&x=1',
        trigger: 'http',
        custom: 'yes',
        executionId: execution.$id,
      },
    ])
    expect(execution).toMatchObject({
      functionId: 'echo',
      trigger: 'http',
      status: 'completed',
      requestMethod: 'PUT',
      requestPath: '/items?tag=a%20b&x=1',
      responseStatusCode: 201,
      responseBody: '{"got":{"a":1}}',
      logs: 'handled {"path":"/items"}',
      errors: '',
      $permissions: [],
    })
    expect(execution.responseHeaders).toEqual(
      expect.arrayContaining([
        { name: 'x-answer', value: '42' },
        { name: 'content-type', value: 'application/json; charset=utf-8' },
        { name: 'x-appwrite-execution-id', value: execution.$id },
      ]),
    )
    // The stored copy keeps no body.
    expect(
      await fake.functions.getExecution({ functionId: 'echo', executionId: execution.$id }),
    ).toMatchObject({ responseBody: '', responseStatusCode: 201 })
  })

  it('should report a throw, a missing return and an unknown function like the runtime', async () => {
    const fake = createFakeAppwrite({
      functions: {
        boom: () => {
          throw new Error('kaput')
        },
        silent: () => undefined,
      },
    })
    const thrown = await fake.functions.createExecution({ functionId: 'boom' })
    expect(thrown).toMatchObject({ status: 'failed', responseStatusCode: 500 })
    expect(thrown.errors).toContain('Error: kaput')
    const silent = await fake.functions.createExecution({ functionId: 'silent' })
    expect(silent).toMatchObject({
      status: 'failed',
      responseStatusCode: 500,
      errors: 'Return statement missing. return context.res.empty() if no response is expected.',
    })
    expect(await rejection(fake.functions.createExecution({ functionId: 'nope' }))).toMatchObject(
      appwriteError(404, 'function_not_found'),
    )
    expect(
      await rejection(
        fake.functions.createExecution({
          functionId: 'boom',
          headers: { 'x-appwrite-user-id': 'forged' },
        }),
      ),
    ).toMatchObject(appwriteError(400, 'general_argument_invalid'))
  })

  it('should let a differently cased x-appwrite-user-id through only beside the real one, as the server does', async () => {
    const seen: Array<Record<string, string>> = []
    const fake = createFakeAppwrite({
      functions: {
        who: ({ req, res }: FunctionContext) => {
          seen.push({ ...req.headers })
          return res.empty()
        },
      },
    })
    const forged = { 'X-Appwrite-User-Id': 'ben', 'Content-Type': 'text/plain' }
    await fake.as('user:eve').functions.createExecution({ functionId: 'who', headers: forged })
    await fake.as('guest').functions.createExecution({ functionId: 'who', headers: forged })

    // A user's forgery is joined with the id Appwrite sets (the runtime's Node joins repeated
    // headers); a guest has no id of its own, so the forged one arrives alone.
    expect(seen.map((h) => h['x-appwrite-user-id'])).toEqual(['ben, eve', 'ben'])
    expect(seen[0]).toMatchObject({ 'content-type': 'text/plain' })
    expect(Object.keys(seen[0]!).every((name) => name === name.toLowerCase())).toBe(true)
    expect(
      await rejection(
        fake.functions.createExecution({
          functionId: 'who',
          headers: { 'x-appwrite-key': 'dynamic_forged' },
        }),
      ),
    ).toMatchObject(appwriteError(400, 'general_argument_invalid'))
  })

  it("should pass a user's id and an execution key, and show executions to their user only", async () => {
    const headers: Array<Record<string, string>> = []
    const fake = createFakeAppwrite({
      functions: {
        who: {
          execute: ['users'],
          handler: ({ req, res }: FunctionContext) => {
            headers.push({ ...req.headers })
            return res.empty()
          },
        },
      },
    })
    const alice = fake.as('user:alice').functions
    const execution = await alice.createExecution({ functionId: 'who' })
    expect(execution).toMatchObject({
      responseStatusCode: 204,
      status: 'completed',
      $permissions: ['read("user:alice")'],
    })
    expect(headers[0]).toMatchObject({
      'x-appwrite-user-id': 'alice',
      'x-appwrite-key': expect.stringMatching(/^dynamic_[\w-]+\.[\w-]+\.[\w-]+$/),
    })
    // No session was presented, so no user JWT: its blank header is not sent at all.
    expect(headers[0]).not.toHaveProperty('x-appwrite-user-jwt')
    expect(
      await rejection(fake.as('guest').functions.createExecution({ functionId: 'who' })),
    ).toMatchObject(appwriteError(401, 'user_unauthorized'))
    expect((await alice.listExecutions({ functionId: 'who' })).total).toBe(1)
    expect((await fake.as('user:bob').functions.listExecutions({ functionId: 'who' })).total).toBe(
      0,
    )
    expect(
      await rejection(
        fake.as('user:bob').functions.getExecution({
          functionId: 'who',
          executionId: execution.$id,
        }),
      ),
    ).toMatchObject(appwriteError(404, 'execution_not_found'))
    expect(
      await rejection(fake.as('guest').functions.listExecutions({ functionId: 'who' })),
    ).toMatchObject(appwriteError(401, 'general_unauthorized_scope'))
  })

  it('should run async executions later and scheduled ones on the clock', async () => {
    const clock = createManualClock({ now: Date.UTC(2026, 0, 1, 10, 2, 30) })
    const triggers: string[] = []
    const fake = createFakeAppwrite({
      clock,
      functions: {
        tick: {
          schedule: '*/5 * * * *',
          handler: ({ req, res }: FunctionContext) => {
            triggers.push(
              `${req.headers['x-appwrite-trigger']}@${new Date(clock.now()).toISOString()}`,
            )
            return res.text('ok')
          },
        },
      },
    })
    const queued = await fake.functions.createExecution({ functionId: 'tick', async: true })
    expect(queued).toMatchObject({ status: 'waiting', responseBody: '' })
    expect(triggers).toEqual([])
    await clock.advance(0)
    expect(
      await fake.functions.getExecution({ functionId: 'tick', executionId: queued.$id }),
    ).toMatchObject({ status: 'completed', responseStatusCode: 200 })
    await clock.advance(10 * 60_000)
    expect(triggers).toEqual([
      'http@2026-01-01T10:02:30.000Z',
      'schedule@2026-01-01T10:05:00.000Z',
      'schedule@2026-01-01T10:10:00.000Z',
    ])
    const { executions } = await fake.functions.listExecutions({
      functionId: 'tick',
      queries: ['{"method":"equal","attribute":"trigger","values":["schedule"]}'],
    })
    expect(executions).toHaveLength(2)
  })

  it('should set the runtime environment during an execution and restore it after', async () => {
    const fake = createFakeAppwrite({
      functions: {
        env: {
          variables: { GREETING: 'hello' },
          handler: ({ res }: FunctionContext) =>
            res.json({
              id: process.env.APPWRITE_FUNCTION_ID,
              greeting: process.env.GREETING,
              runtime: process.env.APPWRITE_FUNCTION_RUNTIME_NAME,
            }),
        },
      },
    })
    const execution = await fake.functions.createExecution({ functionId: 'env' })
    expect(JSON.parse(execution.responseBody)).toEqual({
      id: 'env',
      greeting: 'hello',
      runtime: 'Node.js',
    })
    expect(process.env.APPWRITE_FUNCTION_ID).toBeUndefined()
    expect(process.env.GREETING).toBeUndefined()
  })

  it('should let faults fail and delay executions', async () => {
    const clock = createManualClock()
    const fake = createFakeAppwrite({
      clock,
      functions: { ok: ({ res }: FunctionContext) => res.text('ok') },
    })
    fake.faults.fail({ api: 'functions', operation: 'createExecution', times: 1, error: 'network' })
    expect(await rejection(fake.functions.createExecution({ functionId: 'ok' }))).toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
    })
    fake.faults.latency({ api: 'functions', ms: 500 })
    let done = false
    const pending = fake.functions.createExecution({ functionId: 'ok' }).then(() => (done = true))
    await clock.advance(499)
    expect(done).toBe(false)
    await clock.advance(1)
    await pending
    expect(done).toBe(true)
  })

  it('should run a function on the row events it lists, later, with the row as its body', async () => {
    const clock = createManualClock()
    const seen: Array<Record<string, unknown>> = []
    const fake = createFakeAppwrite({
      clock,
      functions: {
        onBooking: {
          events: ['tablesdb.*.tables.bookings.rows.*.create'],
          execute: [],
          handler: ({ req, res }: FunctionContext) => {
            seen.push({
              trigger: req.headers['x-appwrite-trigger'],
              event: req.headers['x-appwrite-event'],
              user: req.headers['x-appwrite-user-id'],
              body: req.bodyJson,
            })
            return res.empty()
          },
        },
        untouched: () => {
          throw new Error('a function without events ran on a row event')
        },
      },
    })
    const ref = { databaseId: 'main', tableId: 'bookings' }
    await fake.as('user:ada').tablesDB.createRow({ ...ref, rowId: 'b1', data: { status: 'new' } })
    // Never inside the write.
    expect(seen).toEqual([])
    await clock.advance(0)
    expect(seen).toEqual([
      {
        trigger: 'event',
        event: 'tablesdb.main.tables.bookings.rows.b1.create',
        user: undefined,
        body: expect.objectContaining({ $id: 'b1', status: 'new', $tableId: 'bookings' }),
      },
    ])
    // Neither an update nor another table's create matches the listed event.
    await fake.tablesDB.updateRow({ ...ref, rowId: 'b1', data: { status: 'seen' } })
    await fake.tablesDB.createRow({
      databaseId: 'main',
      tableId: 'other',
      rowId: 'o1',
      data: { a: 1 },
    })
    await clock.advance(0)
    expect(seen).toHaveLength(1)
    const { executions } = await fake.functions.listExecutions({ functionId: 'onBooking' })
    expect(executions.map((e) => [e.trigger, e.status])).toEqual([['event', 'completed']])
    expect((await fake.functions.listExecutions({ functionId: 'untouched' })).total).toBe(0)

    // A function registered later listens too.
    const later: string[] = []
    fake.functions.register('later', {
      events: ['databases.*.collections.*.documents.*.delete'],
      handler: ({ req, res }: FunctionContext) => {
        later.push(req.headers['x-appwrite-event'] ?? '')
        return res.empty()
      },
    })
    await fake.tablesDB.deleteRow({ ...ref, rowId: 'b1' })
    await clock.advance(0)
    expect(later).toEqual(['tablesdb.main.tables.bookings.rows.b1.delete'])
  })

  it('should run a function on the user events it lists, with the account features, with the user as its body', async () => {
    const clock = createManualClock()
    const seen: Array<[string | undefined, Record<string, unknown>]> = []
    const fake = createFakeAppwrite({
      clock,
      functions: {
        onUser: {
          events: ['users.*.create', 'users.*.update.prefs'],
          handler: ({ req, res }: FunctionContext) => {
            seen.push([req.headers['x-appwrite-event'], req.bodyJson as Record<string, unknown>])
            return res.empty()
          },
        },
      },
    })
    // User events come with the account features (the emulator installs them itself).
    await fake.account.create({
      userId: 'early',
      email: 'early@example.com',
      password: 'a password',
    })
    installAccountFeatures(fake)
    await fake.users.create({ userId: 'ada', name: 'Ada' })
    await fake.users.updateName({ userId: 'ada', name: 'Ada L.' })
    await fake.users.updatePrefs({ userId: 'ada', prefs: { theme: 'dark' } })
    await clock.advance(0)
    expect(seen.map(([event]) => event)).toEqual(['users.ada.create', 'users.ada.update.prefs'])
    expect(seen[0]?.[1]).toMatchObject({ $id: 'ada', name: 'Ada' })
  })

  it('should report a duration above 0, the fake clock’s when it moved during the execution', async () => {
    const clock = createManualClock()
    const fake = createFakeAppwrite({
      clock,
      functions: {
        instant: ({ res }: FunctionContext) => res.empty(),
        slow: async ({ res }: FunctionContext) => {
          await clock.advance(2_500)
          return res.empty()
        },
      },
    })
    const instant = await fake.functions.createExecution({ functionId: 'instant' })
    expect(instant.duration).toBeGreaterThan(0)
    expect(instant.duration).toBeLessThan(1)
    expect((await fake.functions.createExecution({ functionId: 'slow' })).duration).toBe(2.5)
  })

  it('should keep the last million characters of long logs and errors behind a warning line', async () => {
    const fake = createFakeAppwrite({
      functions: {
        chatty: ({ res, log, error }: FunctionContext) => {
          const long = 'z' + 'a'.repeat(1_000_000)
          for (let i = 0; i < long.length; i += 8000) log(long.slice(i, i + 8000))
          for (let i = 0; i < long.length; i += 8000) error(long.slice(i, i + 8000))
          log('last line')
          return res.empty()
        },
        quiet: ({ res, log }: FunctionContext) => {
          log('a'.repeat(8000))
          return res.empty()
        },
      },
    })
    const execution = await fake.functions.createExecution({ functionId: 'chatty' })
    expect(execution.logs).toHaveLength(1_000_000)
    expect(
      execution.logs.startsWith(
        '[WARNING] Logs truncated. The output exceeded 1000000 characters.\n',
      ),
    ).toBe(true)
    expect(execution.logs.endsWith('a\nlast line')).toBe(true)
    expect(execution.errors).toHaveLength(1_000_000)
    expect(execution.errors.startsWith('[WARNING] Errors truncated.')).toBe(true)
    expect((await fake.functions.createExecution({ functionId: 'quiet' })).logs).toBe(
      'a'.repeat(8000),
    )
  })

  it('should answer 404 deployment_not_found for a function registered without code, before checking execute', async () => {
    const fake = createFakeAppwrite({ functions: { draft: { execute: [] } } })
    for (const functions of [fake.functions, fake.as('guest').functions])
      expect(await rejection(functions.createExecution({ functionId: 'draft' }))).toMatchObject(
        appwriteError(
          404,
          'deployment_not_found',
          'Deployment not found. Create a deployment before trying to execute a function',
        ),
      )
    expect(() => fake.functions.register('cron', { schedule: '* * * * *' })).toThrow(
      'function `cron`: a `schedule` needs a `handler` or a `load` to run',
    )
  })
})
