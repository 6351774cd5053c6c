import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock, systemFakeClock } from '../fake/clock'
import { AppwriteException } from '../fake/errors'
import { DEFAULT_FAULT_LOG_SIZE, FaultInjector } from '../fake/faults'
import type { FaultCallContext } from '../fake/faults'
import { createFakeRandom } from '../fake/random'
import type { RealtimeRowEvent } from '../fake/realtime'
import { appwriteError, flush } from './helpers'

const START = Date.parse('2026-01-01T00:00:00.000Z')

const call = (overrides: Partial<FaultCallContext> = {}): FaultCallContext => ({
  api: 'tablesDB',
  operation: 'createRow',
  databaseId: 'main',
  tableId: 'notifications',
  rowId: 'n1',
  params: {},
  ...overrides,
})

function setup() {
  const clock = createManualClock({ now: START })
  const faults = new FaultInjector({ clock })
  return { clock, faults }
}

/** Runs a call through the injector: 'ok' when it may proceed, else the error it got. */
async function outcome(faults: FaultInjector, ctx: FaultCallContext = call()): Promise<unknown> {
  try {
    await faults.beforeCall(ctx)
    return 'ok'
  } catch (error) {
    return error
  }
}

/** Settles a promise into a state that can be read synchronously after a flush. */
function track(promise: Promise<void> | undefined) {
  const state: { status: 'pending' | 'resolved' | 'rejected'; error?: unknown } = {
    status: 'pending',
  }
  if (promise === undefined) state.status = 'resolved'
  else
    promise.then(
      () => (state.status = 'resolved'),
      (error: unknown) => Object.assign(state, { status: 'rejected', error }),
    )
  return state
}

describe('faults', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('should return undefined, not a promise, when no rule applies', () => {
    const { faults } = setup()
    expect(faults.beforeCall(call())).toBeUndefined()

    faults.fail({ table: 'bookings' })
    expect(faults.beforeCall(call())).toBeUndefined()
    expect(faults.log).toEqual([])
  })

  it('should fail the next N matching calls with the Appwrite error, then let calls through', async () => {
    const { faults } = setup()
    const rule = faults.fail({
      operation: 'createRow',
      table: 'notifications',
      times: 2,
      error: 'general_server_error',
    })

    const first = await outcome(faults)
    const second = await outcome(faults)
    const third = await outcome(faults)

    expect(first).toBeInstanceOf(AppwriteException)
    expect(first).toMatchObject(
      appwriteError(500, 'general_server_error', 'An internal server error occurred.'),
    )
    expect(second).toMatchObject(appwriteError(500, 'general_server_error'))
    expect(second).not.toBe(first)
    expect(third).toBe('ok')
    expect(rule.hits).toBe(2)
    expect(rule.active).toBe(false)
    expect(faults.rules).toEqual([])
  })

  it('should log each injected failure with time, kind, rule and call', async () => {
    const { faults, clock } = setup()
    const rule = faults.fail({
      table: 'notifications',
      error: 'table_not_found',
      name: 'missing table',
    })
    await clock.advance(1_000)

    await outcome(faults)

    expect(faults.log).toEqual([
      {
        time: START + 1_000,
        kind: 'error',
        ruleId: rule.id,
        name: 'missing table',
        api: 'tablesDB',
        operation: 'createRow',
        databaseId: 'main',
        table: 'notifications',
        rowId: 'n1',
        error: 'table_not_found',
      },
    ])
    expect(rule.id).toBe('fault-1')
  })

  it('should default to general_server_error and accept a custom message', async () => {
    const { faults } = setup()
    faults.fail({ times: 1 })
    faults.fail({
      times: 1,
      error: 'row_invalid_structure',
      message: 'Unknown attribute: "therapistId"',
    })

    expect(await outcome(faults)).toMatchObject({ type: 'general_server_error', code: 500 })
    expect(await outcome(faults)).toMatchObject({
      type: 'row_invalid_structure',
      code: 400,
      message: 'Unknown attribute: "therapistId"',
    })
  })

  it('should inject a network error as fetch reports it', async () => {
    const { faults } = setup()
    faults.fail({ error: 'network' })

    const error = await outcome(faults)

    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET' } })
    expect(faults.log[0]).toMatchObject({ kind: 'network', error: 'network' })
  })

  it('should throw a given error instance, or a fresh one from a factory', async () => {
    const { faults } = setup()
    const custom = new RangeError('boom')
    faults.fail({ times: 1, error: custom })
    faults.fail({
      times: 2,
      error: () => new AppwriteException('throttled', 429, 'general_rate_limit_exceeded'),
    })

    expect(await outcome(faults)).toBe(custom)
    const a = await outcome(faults)
    const b = await outcome(faults)
    expect(a).toMatchObject(appwriteError(429, 'general_rate_limit_exceeded'))
    expect(a).not.toBe(b)
    expect(faults.log.map((entry) => entry.error)).toEqual([
      'RangeError',
      'general_rate_limit_exceeded',
      'general_rate_limit_exceeded',
    ])
  })

  it('should log a network error given as an instance as a network fault', async () => {
    const { faults } = setup()
    faults.fail({ error: new TypeError('fetch failed') })
    await outcome(faults)
    expect(faults.log[0]).toMatchObject({ kind: 'network', error: 'network' })
  })

  it('should scope rules by operation, api, table, database, row and predicate', async () => {
    const { faults } = setup()
    faults.fail({
      operation: ['createRow', 'upsertRow'],
      api: 'tablesDB',
      table: ['notifications'],
      database: 'main',
      row: 'n1',
    })
    faults.fail({ operation: '*', when: (ctx) => ctx.params['flag'] === 'fail' })

    expect(await outcome(faults, call())).toBeInstanceOf(AppwriteException)
    expect(await outcome(faults, call({ operation: 'upsertRow' }))).toBeInstanceOf(
      AppwriteException,
    )
    expect(await outcome(faults, call({ operation: 'getRow' }))).toBe('ok')
    expect(await outcome(faults, call({ api: 'databases' }))).toBe('ok')
    expect(await outcome(faults, call({ tableId: 'bookings' }))).toBe('ok')
    expect(await outcome(faults, call({ tableId: undefined }))).toBe('ok')
    expect(await outcome(faults, call({ databaseId: 'other' }))).toBe('ok')
    expect(await outcome(faults, call({ rowId: 'n2' }))).toBe('ok')
    expect(
      await outcome(faults, call({ operation: 'listRows', params: { flag: 'fail' } })),
    ).toBeInstanceOf(AppwriteException)
  })

  it('should match the collection id of Databases API calls with table', async () => {
    const { faults } = setup()
    faults.fail({ table: 'notifications' })
    expect(
      await outcome(faults, call({ api: 'databases', operation: 'createDocument' })),
    ).toBeInstanceOf(AppwriteException)
  })

  it('should skip the first matching calls with after', async () => {
    const { faults } = setup()
    faults.fail({ after: 2, times: 1 })

    const results = [
      await outcome(faults),
      await outcome(faults),
      await outcome(faults),
      await outcome(faults),
    ]

    expect(results.map((r) => r === 'ok')).toEqual([true, true, false, true])
  })

  it('should fail a seeded, reproducible fraction of calls with rate', async () => {
    const run = async (seed: number) => {
      const { faults } = setup()
      faults.fail({ rate: 0.3, seed, error: 'network' })
      const results: boolean[] = []
      for (let i = 0; i < 200; i++) results.push((await outcome(faults)) !== 'ok')
      return results
    }

    const first = await run(1)
    const again = await run(1)
    const other = await run(2)

    expect(again).toEqual(first)
    expect(other).not.toEqual(first)
    const failures = first.filter(Boolean).length
    expect(failures).toBeGreaterThan(40)
    expect(failures).toBeLessThan(80)
    // The rule draws once per matching call from the seeded source.
    const random = createFakeRandom(1)
    expect(first).toEqual(first.map(() => random() < 0.3))
  })

  it('should default the seed to the rule number, so runs repeat without choosing one', async () => {
    const pattern = async () => {
      const { faults } = setup()
      faults.fail({ rate: 0.5 })
      const results: boolean[] = []
      for (let i = 0; i < 50; i++) results.push((await outcome(faults)) !== 'ok')
      return results
    }
    expect(await pattern()).toEqual(await pattern())
  })

  it('should never fail at rate 0 and always at rate 1', async () => {
    const { faults } = setup()
    const never = faults.fail({ rate: 0, table: 'a' })
    const always = faults.fail({ rate: 1, table: 'b' })
    for (let i = 0; i < 20; i++) {
      await outcome(faults, call({ tableId: 'a' }))
      await outcome(faults, call({ tableId: 'b' }))
    }
    expect(never.hits).toBe(0)
    expect(always.hits).toBe(20)
  })

  it('should reject invalid options with a RangeError', () => {
    const { faults } = setup()
    expect(() => faults.fail({ rate: 1.5 })).toThrow(RangeError)
    expect(() => faults.fail({ times: 0 })).toThrow(/positive integer/)
    expect(() => faults.fail({ after: -1 })).toThrow(/non-negative integer/)
    expect(() => faults.latency({ ms: -5 })).toThrow(/milliseconds/)
    expect(() => faults.realtime.duplicate({ copies: 1.5 })).toThrow(RangeError)
  })

  it('should add latency on the injected clock', async () => {
    const { faults, clock } = setup()
    faults.latency({ ms: 20, name: 'slow' })

    const state = track(faults.beforeCall(call()))
    await clock.advance(19)
    expect(state.status).toBe('pending')
    await clock.advance(1)
    expect(state.status).toBe('resolved')
    expect(faults.log).toMatchObject([{ kind: 'latency', ms: 20, name: 'slow' }])
  })

  it('should add latency under vi fake timers with the system clock', async () => {
    vi.useFakeTimers()
    const faults = new FaultInjector({ clock: systemFakeClock })
    faults.latency({ ms: 250 })

    const state = track(faults.beforeCall(call()))
    await vi.advanceTimersByTimeAsync(249)
    expect(state.status).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    expect(state.status).toBe('resolved')
  })

  it('should sum the latencies of several rules, then fail', async () => {
    const { faults, clock } = setup()
    faults.latency({ ms: 10 })
    faults.latency({ ms: 15, operation: 'createRow' })
    faults.fail({ error: 'general_rate_limit_exceeded' })

    const state = track(faults.beforeCall(call()))
    await clock.advance(24)
    expect(state.status).toBe('pending')
    await clock.advance(1)
    expect(state).toMatchObject({ status: 'rejected', error: { code: 429 } })
    expect(faults.log.map((entry) => entry.kind)).toEqual(['latency', 'latency', 'error'])
  })

  it('should apply only the first failing rule and leave the others unspent', async () => {
    const { faults } = setup()
    faults.fail({ times: 1, error: 'table_not_found' })
    const second = faults.fail({ times: 1, error: 'general_server_error' })

    expect(await outcome(faults)).toMatchObject({ type: 'table_not_found' })
    expect(second.hits).toBe(0)
    expect(await outcome(faults)).toMatchObject({ type: 'general_server_error' })
  })

  it('should hold a hung call until released', async () => {
    const { faults } = setup()
    const hang = faults.hang({ operation: 'createRow', table: 'chat_rooms' })

    const state = track(faults.beforeCall(call({ tableId: 'chat_rooms' })))
    await flush()
    expect(state.status).toBe('pending')
    expect(hang.pending).toBe(1)
    expect(faults.beforeCall(call({ tableId: 'bookings' }))).toBeUndefined()

    hang.release()
    await flush()
    expect(state.status).toBe('resolved')
    expect(hang.pending).toBe(0)
    expect(faults.log.map((entry) => entry.kind)).toEqual(['hang', 'hang.release'])
  })

  it('should reject hung calls on abort, with a network error by default or the given error', async () => {
    const { faults } = setup()
    const hang = faults.hang()

    const first = track(faults.beforeCall(call()))
    hang.abort()
    await flush()
    expect(first.status).toBe('rejected')
    expect(first.error).toMatchObject({ name: 'TypeError', message: 'fetch failed' })

    const second = track(faults.beforeCall(call()))
    const reason = new Error('timed out')
    hang.abort(reason)
    await flush()
    expect(second.error).toBe(reason)
    expect(faults.log.filter((e) => e.kind === 'hang.abort').map((e) => e.error)).toEqual([
      'network',
      'Error',
    ])
  })

  it('should abort calls still held when the hang rule is removed or the faults cleared', async () => {
    const { faults } = setup()
    const hang = faults.hang({ table: 'a' })
    faults.hang({ table: 'b' })

    const removed = track(faults.beforeCall(call({ tableId: 'a' })))
    const cleared = track(faults.beforeCall(call({ tableId: 'b' })))
    hang.remove()
    await flush()
    expect(removed).toMatchObject({ status: 'rejected', error: { message: 'fetch failed' } })
    expect(cleared.status).toBe('pending')

    faults.clear()
    await flush()
    expect(cleared).toMatchObject({ status: 'rejected', error: { message: 'fetch failed' } })
    expect(faults.beforeCall(call({ tableId: 'b' }))).toBeUndefined()
  })

  it('should keep holding the calls of a hang rule whose times are used up until released', async () => {
    const { faults } = setup()
    const hang = faults.hang({ times: 2 })

    const first = track(faults.beforeCall(call()))
    const second = track(faults.beforeCall(call()))
    expect(faults.beforeCall(call())).toBeUndefined()
    await flush()
    expect(hang.active).toBe(false)
    expect([first.status, second.status]).toEqual(['pending', 'pending'])

    hang.release()
    await flush()
    expect([first.status, second.status]).toEqual(['resolved', 'resolved'])
  })

  it('should abort the calls of a spent hang rule on clear()', async () => {
    const { faults } = setup()
    faults.hang({ times: 1 })
    const held = track(faults.beforeCall(call()))

    faults.clear()
    await flush()

    expect(held.status).toBe('rejected')
  })

  it('should stop a rule on remove() and all rules on clear(), keeping the log', async () => {
    const { faults } = setup()
    const rule = faults.fail({ table: 'notifications' })
    faults.latency({ ms: 5, table: 'other' })
    faults.realtime.drop()
    await outcome(faults)

    rule.remove()
    expect(rule.active).toBe(false)
    expect(faults.rules).toHaveLength(2)

    faults.clear()
    expect(faults.rules).toEqual([])
    expect(faults.beforeCall(call())).toBeUndefined()
    expect(faults.log.length).toBeGreaterThan(0)
  })

  it('should empty the log and restart rule numbering on reset()', async () => {
    const { faults } = setup()
    faults.fail()
    await outcome(faults)

    faults.reset()

    expect(faults.log).toEqual([])
    expect(faults.fail().id).toBe('fault-1')
  })

  it('should hand out a log that later faults do not change', async () => {
    const { faults } = setup()
    faults.fail()
    const before = faults.log
    await outcome(faults)
    expect(before).toEqual([])
    expect(faults.log).toHaveLength(1)
  })

  describe('realtime decisions', () => {
    const event = (overrides: Partial<RealtimeRowEvent> = {}): RealtimeRowEvent => ({
      action: 'create',
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
      row: { $id: 'b1' },
      ...overrides,
    })
    const channels = ['rows', 'databases.main.tables.bookings.rows']

    it('should decide nothing without realtime rules', () => {
      const { faults } = setup()
      faults.fail()
      expect(faults.decideRealtime(event(), channels)).toBeUndefined()
    })

    it('should settle drops first and leave delay and duplicate rules unspent', () => {
      const { faults } = setup()
      const delay = faults.realtime.delay({ ms: 100 })
      faults.realtime.drop({ times: 1 })

      expect(faults.decideRealtime(event(), channels)).toEqual({
        drop: true,
        delayMs: 0,
        copies: 0,
      })
      expect(delay.hits).toBe(0)
      expect(faults.decideRealtime(event(), channels)).toEqual({
        drop: false,
        delayMs: 100,
        copies: 0,
      })
    })

    it('should add up delays and copies', () => {
      const { faults } = setup()
      faults.realtime.delay({ ms: 100 })
      faults.realtime.delay({ ms: 50 })
      faults.realtime.duplicate({})
      faults.realtime.duplicate({ copies: 2 })

      expect(faults.decideRealtime(event(), channels)).toEqual({
        drop: false,
        delayMs: 150,
        copies: 3,
      })
    })

    it('should scope realtime rules by table, database, row, action, channel and predicate', () => {
      const { faults } = setup()
      faults.realtime.drop({
        table: 'bookings',
        database: 'main',
        row: ['b1', 'b2'],
        action: ['create', 'update'],
        channel: 'databases.main.tables.bookings.rows',
        when: (e) => e.row['$id'] === 'b1',
      })

      expect(faults.decideRealtime(event(), channels)?.drop).toBe(true)
      expect(faults.decideRealtime(event({ tableId: 'chat_rooms' }), channels)).toBeUndefined()
      expect(faults.decideRealtime(event({ databaseId: 'other' }), channels)).toBeUndefined()
      expect(faults.decideRealtime(event({ rowId: 'b3' }), channels)).toBeUndefined()
      expect(faults.decideRealtime(event({ action: 'delete' }), channels)).toBeUndefined()
      expect(faults.decideRealtime(event(), ['rows'])).toBeUndefined()
      expect(faults.decideRealtime(event({ row: { $id: 'b2' } }), channels)).toBeUndefined()
    })

    it('should drop a seeded fraction of events', () => {
      const { faults } = setup()
      faults.realtime.drop({ rate: 0.5, seed: 7 })
      const random = createFakeRandom(7)
      for (let i = 0; i < 50; i++)
        expect(faults.decideRealtime(event(), channels)?.drop ?? false).toBe(random() < 0.5)
    })

    it('should refuse a disconnect without a realtime hub', () => {
      const { faults } = setup()
      expect(() => faults.realtime.disconnect()).toThrow(/needs a realtime hub/)
    })

    it('should start and end outages on the attached hub and log both', async () => {
      const { faults, clock } = setup()
      const target = { startOutage: vi.fn(), endOutage: vi.fn() }
      faults.attachRealtime(target)

      const outage = faults.realtime.disconnect({ forMs: 1_000, name: 'wifi' })
      expect(target.startOutage).toHaveBeenCalledWith(outage.id, undefined)
      await clock.advance(1_000)
      expect(target.endOutage).toHaveBeenCalledWith(outage.id)
      outage.remove()

      expect(target.endOutage).toHaveBeenCalledTimes(1)
      expect(faults.log).toEqual([
        { time: START, kind: 'realtime.disconnect', ruleId: outage.id, name: 'wifi', ms: 1_000 },
        { time: START + 1_000, kind: 'realtime.reconnect', ruleId: outage.id, name: 'wifi' },
      ])
    })

    it('should end every outage on reconnect() and cancel their timers', async () => {
      const { faults, clock } = setup()
      const target = { startOutage: vi.fn(), endOutage: vi.fn() }
      faults.attachRealtime(target)
      faults.realtime.disconnect({ forMs: 5_000 })
      faults.realtime.disconnect()

      faults.realtime.reconnect()

      expect(target.endOutage).toHaveBeenCalledTimes(2)
      expect(clock.pendingTimers()).toBe(0)
      expect(faults.rules).toEqual([])
    })
  })

  it('should keep the newest logSize entries and count every fault, also the evicted ones', async () => {
    const clock = createManualClock({ now: START })
    const faults = new FaultInjector({ clock, logSize: 3 })
    faults.fail({ error: 'general_server_error', times: 4 })
    faults.fail({ error: 'network', times: 1 })
    for (let i = 0; i < 5; i++) {
      await clock.advance(1)
      await outcome(faults, call({ rowId: `r${i}` }))
    }
    expect(faults.log.map((entry) => entry.rowId)).toEqual(['r2', 'r3', 'r4'])
    expect(faults.counts).toEqual({
      total: 5,
      evicted: 2,
      byKind: { error: 4, network: 1 },
    })
    faults.reset()
    expect(faults.log).toEqual([])
    expect(faults.counts).toEqual({ total: 0, evicted: 0, byKind: {} })
  })

  it('should bound the log at 1,000 entries by default', async () => {
    const { faults } = setup()
    faults.fail({ error: 'general_server_error' })
    for (let i = 0; i < 1_005; i++) await outcome(faults, call({ rowId: `r${i}` }))
    const log = faults.log
    expect(log).toHaveLength(DEFAULT_FAULT_LOG_SIZE)
    expect(DEFAULT_FAULT_LOG_SIZE).toBe(1_000)
    expect(log[0]?.rowId).toBe('r5')
    expect(log.at(-1)?.rowId).toBe('r1004')
    expect(faults.counts.total).toBe(1_005)
  })

  it('should refuse a logSize that is not a whole number', () => {
    expect(() => new FaultInjector({ clock: systemFakeClock, logSize: -1 })).toThrow(RangeError)
  })
})
