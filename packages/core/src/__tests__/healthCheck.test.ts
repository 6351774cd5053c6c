import { createFakeAppwrite } from '@booking-guard/testing'
import type { FakeAppwrite, ManualClock } from '@booking-guard/testing'
import { describe, expect, it, vi } from 'vitest'
import type { HealthCheckResult } from '../index'
import type { HealthCheckOptions, SyntheticBookingWriter } from '../realtime/index'
import { createSchemaLock, isBookingGuardError } from '../index'
import { bookingIdForKey, childIds } from '../pipeline/ids'
import { createFeedManager } from '../realtime/feed'
import { createHealthCheck } from '../realtime/healthCheck'
import type { HealthCheck } from '../realtime/healthCheck'
import { DB as db, MINIMAL_INPUT, T0, realtimeBase, settle } from './realtimeFixtures'

const TABLES = ['bookings', 'chat_rooms', 'chat_messages', 'notifications'] as const

/** Runs one check to its end, moving the fake clock in 100 ms steps while it runs. */
async function runToEndOf(clock: ManualClock, run: () => Promise<HealthCheckResult>) {
  let result: HealthCheckResult | undefined
  void run().then((r) => (result = r))
  for (let i = 0; i < 1_000 && result === undefined; i++) {
    await settle()
    if (result === undefined) await clock.advance(100)
  }
  return result!
}

/** The rows a check left in the pipeline's tables, as `table/id`. */
const leftoversIn = (fake: FakeAppwrite) =>
  TABLES.flatMap((t) => (fake.snapshot()[db]?.[t] ?? []).map((r) => `${t}/${String(r.$id)}`))

/**
 * A stand-in for the booking pipeline: writes booking, chat room, system message and
 * notification with the pipeline's derived ids, one after the other, without compensation
 * (so cleanup has something to remove when a later write fails).
 */
function stubPipeline(fake: FakeAppwrite, skip: readonly string[] = []): SyntheticBookingWriter {
  return async (input, { idempotencyKey, synthetic }) => {
    const bookingId = bookingIdForKey(idempotencyKey)
    const write = (tableId: string, rowId: string, data: Record<string, unknown>) =>
      skip.includes(tableId)
        ? Promise.resolve()
        : fake.tablesDB.createRow({ databaseId: db, tableId, rowId, data })
    await write('bookings', bookingId, { ...input, status: 'pending', synthetic })
    await write('chat_rooms', childIds.chatRoom(bookingId), {
      bookingId,
      providerId: input.providerId,
    })
    await write('chat_messages', childIds.systemMessage(bookingId, 'created'), {
      roomId: childIds.chatRoom(bookingId),
      bookingId,
      senderType: 'system',
      content: 'Booking received',
    })
    await write('notifications', childIds.notification(bookingId, 'created'), {
      recipientId: input.providerId,
      bookingId,
    })
    return { bookingId }
  }
}

function setup(overrides: Partial<HealthCheckOptions> = {}, skip: readonly string[] = []) {
  const { clock, fake, monitor, metrics, lock, wiring } = realtimeBase(5)
  const check = createHealthCheck({
    createBooking: stubPipeline(fake, skip),
    ...wiring,
    monitor,
    metrics,
    ...overrides,
  })
  const runToEnd = (target: HealthCheck = check) => runToEndOf(clock, () => target.run())
  const leftovers = () => leftoversIn(fake)
  return { clock, fake, monitor, metrics, lock, check, runToEnd, leftovers }
}

/** Every step of a check, in order, passed. */
const ALL_STEPS_OK = [
  'subscribe:ok',
  'createBooking:ok',
  'booking:ok',
  'chatRoom:ok',
  'systemMessage:ok',
  'notification:ok',
  'realtime:ok',
  'cleanup:ok',
]

const names = (result: HealthCheckResult) =>
  result.steps.map((s) => `${s.name}:${s.ok ? 'ok' : 'failed'}`)

describe('healthCheck', () => {
  it('should pass on a healthy backend, verify every row and the realtime event, and clean up', async () => {
    const { check, runToEnd, leftovers, metrics, fake } = setup()
    const written: Record<string, unknown>[] = []
    await fake.realtime.subscribe('databases.main.collections.bookings.documents', (event) => {
      written.push(event.payload)
    })
    const result = await runToEnd()

    expect(result.ok).toBe(true)
    expect(result.failedStep).toBeUndefined()
    expect(names(result)).toEqual(ALL_STEPS_OK)
    expect(result.steps.find((s) => s.name === 'realtime')!.ms).toBeLessThanOrEqual(5_000)
    expect(result.bookingId).toMatch(/^k[0-9a-f]{31}$/)
    expect(leftovers()).toEqual([])
    expect(written[0]).toMatchObject({
      $id: result.bookingId,
      providerId: 'booking-guard-synthetic-provider',
      synthetic: true,
    })
    expect(metrics.snapshot().rates.healthCheckPass).toMatchObject({ total: 1, totalFailures: 0 })
    expect(check.getSnapshot()).toMatchObject({ running: false, last: result })
  })

  type Fault = (fake: FakeAppwrite) => void
  const faults: Array<[string, Fault, string, string]> = [
    [
      'a failing pipeline write',
      (fake) => fake.faults.fail({ operation: 'createRow', table: 'notifications' }),
      'createBooking',
      'booking',
    ],
    [
      'an unreadable booking',
      (fake) => fake.faults.fail({ operation: 'getRow', table: 'bookings' }),
      'booking',
      'booking',
    ],
    [
      'an unreadable chat room',
      (fake) => fake.faults.fail({ operation: 'getRow', table: 'chat_rooms', error: 'network' }),
      'chatRoom',
      'chat',
    ],
    [
      'an unreadable system message',
      (fake) => fake.faults.fail({ operation: 'getRow', table: 'chat_messages' }),
      'systemMessage',
      'chat',
    ],
    [
      'an unreadable notification',
      (fake) => fake.faults.fail({ operation: 'getRow', table: 'notifications' }),
      'notification',
      'notification',
    ],
    [
      'a dropped realtime event',
      (fake) => fake.faults.realtime.drop({ table: 'bookings' }),
      'realtime',
      'realtime',
    ],
    [
      'a realtime event later than the budget',
      (fake) => fake.faults.realtime.delay({ table: 'bookings', ms: 6_000 }),
      'realtime',
      'realtime',
    ],
    ['a realtime outage', (fake) => fake.faults.realtime.disconnect({}), 'realtime', 'realtime'],
  ]

  it.each(faults)(
    'should fail at the right step and still clean up everything on %s',
    async (_, inject, step, category) => {
      const { runToEnd, leftovers, monitor, metrics, fake } = setup()
      inject(fake)
      const result = await runToEnd()

      expect(result.ok).toBe(false)
      expect(result.failedStep).toBe(step)
      const failed = result.steps.find((s) => s.name === step)!
      expect(failed.ok).toBe(false)
      expect(failed.error).toEqual(expect.any(String))
      // Nothing runs after the failed step but the cleanup, which passes.
      expect(result.steps.at(-2)).toBe(failed)
      expect(result.steps.at(-1)).toMatchObject({ name: 'cleanup', ok: true })
      expect(leftovers()).toEqual([])
      expect(monitor.entries().at(-1)).toMatchObject({
        category,
        operation: 'healthCheck',
        context: { step, bookingId: result.bookingId },
      })
      expect(metrics.snapshot().rates.healthCheckPass).toMatchObject({ total: 1, totalFailures: 1 })
    },
  )

  it('should fail the step that finds a row missing, naming the row', async () => {
    const { runToEnd, leftovers } = setup({}, ['chat_messages'])
    const result = await runToEnd()

    expect(result.failedStep).toBe('systemMessage')
    expect(result.steps.find((s) => s.name === 'systemMessage')!.error).toMatch(
      /could not be found/,
    )
    expect(leftovers()).toEqual([])
  })

  it('should fail createBooking when the pipeline hangs past the budget, then clean up what it wrote', async () => {
    const { runToEnd, leftovers, fake, clock } = setup({ timeoutMs: 10_000 })
    const hang = fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
    const result = await runToEnd()

    expect(result.failedStep).toBe('createBooking')
    expect(result.steps.find((s) => s.name === 'createBooking')).toMatchObject({
      ms: 10_000,
      error: 'the health check ran out of its 10000 ms budget',
    })
    expect(result.startedAt + result.durationMs).toBe(clock.now())
    expect(leftovers()).toEqual([])
    hang.abort()
  })

  it('should report a cleanup that cannot remove a row as a failure', async () => {
    const { runToEnd, leftovers, fake } = setup()
    fake.faults.fail({ operation: 'deleteRow', table: 'chat_rooms', error: 'general_server_error' })
    const result = await runToEnd()

    expect(result.ok).toBe(false)
    expect(result.failedStep).toBe('cleanup')
    expect(result.steps.at(-1)!.error).toMatch(/^could not remove chat_rooms\/k[0-9a-f]{31}: /)
    expect(leftovers()).toEqual([`chat_rooms/${result.bookingId}`])
  })

  it('should ping the heartbeat URL on success and its /fail URL on failure', async () => {
    const fetch = vi.fn(async () => ({ ok: true, status: 200 }))
    const { runToEnd, fake } = setup({ heartbeatUrl: 'https://hc.example/abc', fetch })
    const passed = await runToEnd()
    expect(passed.ping).toEqual({ url: 'https://hc.example/abc', ok: true })
    fake.faults.realtime.drop({ table: 'bookings' })
    const failed = await runToEnd()

    expect(failed.ping).toEqual({ url: 'https://hc.example/abc/fail', ok: true })
    expect(fetch.mock.calls.map((call) => (call as unknown[])[0])).toEqual([
      'https://hc.example/abc',
      'https://hc.example/abc/fail',
    ])
    expect(fetch.mock.calls[1]).toEqual([
      'https://hc.example/abc/fail',
      expect.objectContaining({
        method: 'POST',
        body: expect.stringMatching(/^failed at realtime: no realtime event for booking/),
      }),
    ])
  })

  it('should keep the verdict when the ping fails, and report the ping', async () => {
    const fetch = vi.fn(async () => ({ ok: false, status: 503 }))
    const { runToEnd, monitor } = setup({ heartbeatUrl: 'https://hc.example/abc', fetch })
    const result = await runToEnd()

    expect(result.ok).toBe(true)
    expect(result.ping).toEqual({
      url: 'https://hc.example/abc',
      ok: false,
      error: 'the heartbeat URL answered 503',
    })
    expect(monitor.entries().at(-1)).toMatchObject({
      operation: 'healthCheck.ping',
      severity: 'warning',
    })
  })

  it('should run on a schedule without overlapping, and stop', async () => {
    const { check, clock, metrics } = setup()
    const results: HealthCheckResult[] = []
    check.onResult((result) => results.push(result))
    const stop = check.start({ intervalMs: 60_000 })
    expect(check.getSnapshot()).toMatchObject({ scheduled: true, running: true })
    for (let t = 0; t < 130_000; t += 100) {
      await settle()
      await clock.advance(100)
    }
    expect(results.map((r) => r.startedAt - T0)).toEqual([0, 60_000, 120_000])
    stop()
    expect(check.getSnapshot().scheduled).toBe(false)
    for (let t = 0; t < 130_000; t += 1_000) {
      await settle()
      await clock.advance(1_000)
    }
    expect(results).toHaveLength(3)
    expect(metrics.snapshot().rates.healthCheckPass).toMatchObject({ total: 3, totalFailures: 0 })
  })

  it('should join the run in progress instead of starting a second one', async () => {
    const { check, runToEnd } = setup()
    const first = check.run()
    const second = check.run()
    expect(second).toBe(first)
    const result = await runToEnd()
    expect(result.ok).toBe(true)
  })

  it('should never let a synthetic booking reach a provider feed', async () => {
    const { runToEnd, fake, clock, lock } = setup()
    const feeds = createFeedManager({
      tablesDB: fake.tablesDB,
      realtime: fake.realtime,
      databaseId: db,
      lock,
      clock,
      reconcileIntervalMs: 1_000,
    })
    const delivered: string[] = []
    feeds.subscribeToProviderBookings('booking-guard-synthetic-provider', (event) => {
      delivered.push(event.booking.$id)
    })
    const result = await runToEnd()

    expect(result.ok).toBe(true)
    expect(delivered).toEqual([])
    expect(feeds.providerFeed('booking-guard-synthetic-provider').getSnapshot().bookings).toEqual(
      [],
    )
  })

  it('should have an optional `synthetic` booking column that a caller’s input cannot set', () => {
    const lock = createSchemaLock({ onIssue: () => {} })
    expect(lock.columns('booking').find((c) => c.key === 'synthetic')).toEqual({
      key: 'synthetic',
      type: 'boolean',
      required: false,
      array: false,
      default: false,
    })
    let error: unknown
    try {
      lock.parse('bookingInput', { ...MINIMAL_INPUT, synthetic: true })
    } catch (caught) {
      error = caught
    }
    expect(isBookingGuardError(error, 'SCHEMA_LOCK')).toBe(true)
    expect((error as { issues: unknown[] }).issues).toEqual([
      {
        path: ['synthetic'],
        code: 'unknown_field',
        message: 'Unknown field `synthetic`: set by the pipeline, never by the caller',
      },
    ])
  })

  it('should reject an invalid configuration at creation', () => {
    const fake = createFakeAppwrite()
    const base: HealthCheckOptions = {
      createBooking: stubPipeline(fake),
      tablesDB: fake.tablesDB,
      realtime: fake.realtime,
      databaseId: db,
    }
    expect(() => createHealthCheck({ ...base, syntheticProviderId: 'no spaces allowed' })).toThrow(
      /providerId/,
    )
    expect(() => createHealthCheck({ ...base, realtimeBudgetMs: 0 })).toThrow(/realtimeBudgetMs/)
    vi.stubGlobal('fetch', undefined)
    let error: unknown
    try {
      createHealthCheck({ ...base, heartbeatUrl: 'https://hc.example/abc' })
    } catch (caught) {
      error = caught
    }
    expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    expect((error as Error).message).toMatch(/`heartbeatUrl` needs a `fetch`/)
  })

  describe('guard', () => {
    function guardSetup(mode: 'saga' | 'auto') {
      const base = realtimeBase(13, { declared: true })
      const { clock, fake, metrics } = base
      const guard = base.guard({
        metrics,
        mode,
        retry: { clock, jitter: 'none' },
        healthCheck: { heartbeatUrl: 'https://hc.example/x', fetch: async () => ({ ok: true }) },
      })
      const run = () => runToEndOf(clock, () => guard.runHealthCheck())
      const leftovers = () => leftoversIn(fake)
      return { clock, fake, guard, metrics, run, leftovers }
    }

    it.each(['saga', 'auto'] as const)(
      'should pass through the real pipeline (%s mode) and leave nothing behind',
      async (mode) => {
        const { run, leftovers, metrics } = guardSetup(mode)
        const result = await run()

        expect(names(result)).toEqual(ALL_STEPS_OK)
        expect(result.ping).toEqual({ url: 'https://hc.example/x', ok: true })
        expect(leftovers()).toEqual([])
        expect(metrics.snapshot().rates.healthCheckPass).toMatchObject({
          total: 1,
          totalFailures: 0,
        })
      },
    )

    it.each(['saga', 'auto'] as const)(
      'should write its booking flagged `synthetic: true` (%s mode)',
      async (mode) => {
        const { run, fake } = guardSetup(mode)
        const written: unknown[] = []
        // An API-key subscriber sees every row event, including the health check's own writes.
        await fake.realtime.subscribe(`databases.${db}.tables.bookings.rows`, (event) => {
          if (event.events.some((name) => name.endsWith('.create'))) written.push(event.payload)
        })
        const result = await run()

        expect(result.ok).toBe(true)
        expect(written).toHaveLength(1)
        expect(written[0]).toMatchObject({
          providerId: 'booking-guard-synthetic-provider',
          synthetic: true,
        })
      },
    )

    it('should fail at createBooking when the pipeline cannot write, and leave nothing behind', async () => {
      const { run, leftovers, fake } = guardSetup('saga')
      fake.faults.fail({
        operation: 'createRow',
        table: 'notifications',
        error: 'general_server_error',
      })
      const result = await run()

      expect(result.failedStep).toBe('createBooking')
      expect(result.steps.find((s) => s.name === 'createBooking')!.error).toMatch(
        /createBooking failed at step `notification`/,
      )
      expect(result.ping).toEqual({ url: 'https://hc.example/x/fail', ok: true })
      expect(leftovers()).toEqual([])
    })

    it('should run on a schedule and report every run to onResult until stopped', async () => {
      const { guard, clock } = guardSetup('saga')
      const results: HealthCheckResult[] = []
      const stop = guard.startHealthChecks({ intervalMs: 30_000, onResult: (r) => results.push(r) })
      for (let t = 0; t < 65_000; t += 100) {
        await settle()
        await clock.advance(100)
      }
      stop()
      for (let t = 0; t < 65_000; t += 1_000) {
        await settle()
        await clock.advance(1_000)
      }

      expect(results.map((r) => [r.ok, r.startedAt - T0])).toEqual([
        [true, 0],
        [true, 30_000],
        [true, 60_000],
      ])
    })
  })
})
