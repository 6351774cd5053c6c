// The guarantee under late writes: Appwrite has no conditional update, so a write the pipeline
// gave up on can land after the call ended. Whatever lands when, a caller told that nothing was
// kept never ends up with a live booking, every delivered booking has its rows, one provider slot
// holds at most one live booking, and one reconcile pass repairs what a late write broke.
import { createHmac } from 'node:crypto'
import type { FakeAppwrite } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { isSchemaLockError, isSlotTakenError } from '../errors'
import { createBookingGuard } from '../guard'
import type { BookingGuard } from '../guard'
import { defaultSlotKey, hmacSha256Hex } from '../pipeline/ids'
import { isVoided } from '../pipeline/voided'
import { DB, bookingInput, fulfilled, harness, rejected, scheduledInput } from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'
import { recording } from './callProxies'

const SLOT = '2030-03-01T10:00:00.000Z'

/** Live bookings (delivered, not void, still on) per provider slot, keyed `provider@start`. */
function liveBookingsBySlot(h: Harness): Map<string, string[]> {
  const slots = new Map<string, string[]>()
  for (const row of h.rows('bookings')) {
    if (row.pipelineStatus !== 'delivered' || isVoided(row)) continue
    if (row.status !== 'pending' && row.status !== 'confirmed') continue
    if (typeof row.scheduledAt !== 'string') continue
    const key = `${String(row.providerId)}@${Date.parse(row.scheduledAt)}`
    slots.set(key, [...(slots.get(key) ?? []), row.$id])
  }
  return slots
}

/** Every invariant of the guarantee over the fake's storage; empty when all hold. */
function guaranteeViolations(h: Harness, toldNothingKept: readonly string[]): string[] {
  const problems = [
    ...h.invariantViolations(),
    ...h.completeBookingViolations().filter((problem) => {
      // A voided booking is not live: the reconciler fails it again, rows and all.
      const id = /delivered (\S+) has/.exec(problem)?.[1]
      const row = h.rows('bookings').find((booking) => booking.$id === id)
      return row === undefined || !isVoided(row)
    }),
  ]
  for (const id of toldNothingKept) {
    const row = h.rows('bookings').find((booking) => booking.$id === id)
    if (row?.pipelineStatus === 'delivered' && !isVoided(row))
      problems.push(`${id} is live though its caller was told nothing was kept`)
  }
  for (const [slot, ids] of liveBookingsBySlot(h)) {
    if (ids.length > 1) problems.push(`slot ${slot} holds ${ids.length} live bookings`)
  }
  return problems
}

/**
 * Wraps the fake's tablesDB so that `updateRow` on `bookings` answers with a network error at once
 * while the server applies the write `lateMs` later: an HTTP write the client gave up on that
 * lands anyway. Active for the next `forMs` of fake time.
 */
function lateLandingUpdates(fake: FakeAppwrite, lateMs: number, forMs: number) {
  const landed: string[] = []
  const until = fake.clock.now() + forMs
  const tablesDB = new Proxy(fake.tablesDB, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      if (property !== 'updateRow') return (value as (...a: unknown[]) => unknown).bind(target)
      return (params: { tableId: string; rowId: string }) => {
        if (params.tableId !== 'bookings' || fake.clock.now() >= until) {
          return (value as (p: unknown) => Promise<unknown>).call(target, params)
        }
        fake.clock.setTimeout(() => {
          void (value as (p: unknown) => Promise<unknown>).call(target, params).then(() => {
            landed.push(params.rowId)
          })
        }, lateMs)
        return Promise.reject(Object.assign(new TypeError('fetch failed'), { code: 'ECONNRESET' }))
      }
    },
  })
  return { tablesDB, landed }
}

describe('guarantee', () => {
  describe('a write the saga gave up on lands later', () => {
    it('should not compensate under a deliver write that lands after the budget (the reported case)', async () => {
      const h = harness({ slotLock: true, timeoutMs: 1000, compensationTimeoutMs: 1000 })
      h.fake.faults.latency({ operation: 'updateRow', table: 'bookings', ms: 1500, times: 1 })
      const outcome = await h.settle(h.guard.createBooking(scheduledInput(SLOT)))
      await h.clock.advance(5_000)
      const told = outcome.status === 'rejected' ? outcome.reason : undefined
      const nothingKept =
        told !== undefined && (told as { compensated?: boolean }).compensated === true
      const [booking] = h.rows('bookings')
      // The held deliver landed within the compensation wait: the booking is whole and delivered.
      expect(outcome.status).toBe('fulfilled')
      expect(booking).toMatchObject({ pipelineStatus: 'delivered' })
      expect(guaranteeViolations(h, nothingKept ? [booking!.$id] : [])).toEqual([])

      // The slot stays taken.
      const second = rejected(
        await h.settle(h.guard.createBooking(scheduledInput(SLOT, { customerId: 'cust2' }))),
      )
      expect(isSlotTakenError(second)).toBe(true)
      await h.clock.advance(61_000)
      fulfilled(await h.settle(h.guard.reconcile()))
      expect(guaranteeViolations(h, [])).toEqual([])
    })

    it('should leave the booking pending, never compensated, while its deliver write is still held', async () => {
      const h = harness({ slotLock: true, timeoutMs: 1000, compensationTimeoutMs: 1000 })
      h.fake.faults.latency({ operation: 'updateRow', table: 'bookings', ms: 5000, times: 1 })
      const error = rejected(await h.settle(h.guard.createBooking(scheduledInput(SLOT))))
      expect(error).toMatchObject({
        code: 'PIPELINE_TIMEOUT',
        failedStep: 'deliver',
        compensated: false,
        pendingReconcile: true,
      })
      expect(h.rows('bookings')[0]).toMatchObject({ pipelineStatus: 'pending' })
      expect(h.rows('chat_rooms')).toHaveLength(1)
      await h.clock.advance(5_000) // the held write lands
      expect(h.rows('bookings')[0]).toMatchObject({ pipelineStatus: 'delivered' })
      expect(guaranteeViolations(h, [])).toEqual([])
      const second = rejected(
        await h.settle(h.guard.createBooking(scheduledInput(SLOT, { customerId: 'cust2' }))),
      )
      expect(isSlotTakenError(second)).toBe(true)
    })

    it('should go forward, not back, after a deliver write that failed with no answer but landed', async () => {
      const clockHarness = harness()
      const { fake, clock } = clockHarness
      const late = lateLandingUpdates(fake, 3_000, 2_500)
      const guard = createBookingGuard({
        tablesDB: late.tablesDB,
        databaseId: DB,
        clock,
        mode: 'saga',
        timeoutMs: 1000,
        compensationTimeoutMs: 1000,
        slotLock: true,
        retry: { clock, jitter: 'none' },
      })
      const h: Harness = { ...clockHarness, guard }
      const error = rejected(await h.settle(guard.createBooking(scheduledInput(SLOT))))
      expect(error).toMatchObject({
        failedStep: 'deliver',
        compensated: false,
        pendingReconcile: true,
      })
      const id = h.rows('bookings')[0]!.$id
      await h.clock.advance(10_000)
      expect(late.landed).toContain(id)
      expect(h.rows('bookings')[0]).toMatchObject({ pipelineStatus: 'delivered' })
      expect(guaranteeViolations(h, [])).toEqual([])
    })

    it('should leave a transition pending, not restored, while its booking update may still land', async () => {
      const h = harness({ timeoutMs: 1000, compensationTimeoutMs: 1000 })
      const created = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      h.fake.faults.latency({ operation: 'updateRow', table: 'bookings', ms: 5000, times: 1 })
      const error = rejected(
        await h.settle(
          h.guard.cancelBooking(created.booking.$id, { by: 'customer', actorId: 'cust1' }),
        ),
      )
      expect(error).toMatchObject({ compensated: false, pendingReconcile: true })
      await h.clock.advance(5_000) // the held update lands: cancelled, pending
      expect(h.rows('bookings')[0]).toMatchObject({
        status: 'cancelled',
        pipelineStatus: 'pending',
      })
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.pending.completed).toEqual([created.booking.$id])
      expect(h.rows('bookings')[0]).toMatchObject({
        status: 'cancelled',
        pipelineStatus: 'delivered',
      })
      expect(h.rows('chat_messages').map((row) => row.$id)).toContain(`${created.booking.$id}.mc`)
      expect(guaranteeViolations(h, [])).toEqual([])
    })
  })

  describe('one reconcile pass repairs what a late write broke', () => {
    /** A booking the reconciler compensated whose held deliver write then landed. */
    async function revivedBooking(h: Harness): Promise<string> {
      const hang = h.fake.faults.hang({ operation: 'updateRow', table: 'bookings', times: 1 })
      const error = rejected(await h.settle(h.guard.createBooking(scheduledInput(SLOT))))
      expect(error).toMatchObject({ compensated: false, pendingReconcile: true })
      const id = h.rows('bookings')[0]!.$id
      await h.clock.advance(61_000)
      const first = fulfilled(await h.settle(h.guard.reconcile({ pending: 'compensate' })))
      expect(first.pending.compensated).toEqual([id])
      hang.release() // the deliver write the first call gave up on lands now
      await h.clock.advance(10)
      return id
    }

    it('should mark a compensated booking void, so a late deliver cannot make it live', async () => {
      const h = harness({ slotLock: true })
      const id = await revivedBooking(h)
      const row = h.rows('bookings')[0]!
      expect(row).toMatchObject({ $id: id, pipelineStatus: 'delivered' })
      expect(isVoided(row)).toBe(true)
      // The provider's list of bookings leaves it out like a failed one.
      const listed = await h.guard.getProviderBookings('prov1')
      expect(listed.bookings.map((booking) => booking.$id)).not.toContain(id)
      // Meanwhile another customer books the freed slot.
      fulfilled(
        await h.settle(h.guard.createBooking(scheduledInput(SLOT, { customerId: 'cust2' }))),
      )
      expect(guaranteeViolations(h, [id])).toEqual([])
    })

    it('should fail a revived booking again in one pass and remove its rows', async () => {
      const h = harness({ slotLock: true })
      const id = await revivedBooking(h)
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.revived).toMatchObject({ found: 1, voided: [id], failed: [] })
      expect(h.rows('bookings')[0]).toMatchObject({ pipelineStatus: 'failed' })
      expect(h.rows('chat_rooms')).toEqual([])
      expect(guaranteeViolations(h, [id])).toEqual([])
      const again = fulfilled(await h.settle(h.guard.reconcile()))
      expect(again.revived.found).toBe(0)
    })

    it('should write again the missing rows of a delivered booking', async () => {
      const h = harness()
      const created = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const id = created.booking.$id
      await h.fake.tablesDB.deleteRow({ databaseId: DB, tableId: 'chat_rooms', rowId: id })
      await h.fake.tablesDB.deleteRow({ databaseId: DB, tableId: 'notifications', rowId: id })
      expect(h.completeBookingViolations()).toHaveLength(2)
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.delivered).toMatchObject({ checked: 1, completed: [id], failed: [] })
      expect(h.completeBookingViolations()).toEqual([])
    })

    it('should report two live bookings of one provider slot', async () => {
      const h = harness()
      const a = fulfilled(await h.settle(h.guard.createBooking(scheduledInput(SLOT))))
      const b = fulfilled(
        await h.settle(h.guard.createBooking(scheduledInput(SLOT, { customerId: 'cust2' }))),
      )
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.delivered.duplicateSlots).toEqual([
        {
          providerId: 'prov1',
          scheduledAt: SLOT,
          bookingIds: expect.arrayContaining([a.booking.$id, b.booking.$id]) as unknown,
        },
      ])
    })
  })

  describe('an already-aborted signal', () => {
    /** A guard over the fake whose every write method call is counted. */
    function countingGuard(h: Harness, mode: 'saga' | 'transaction'): [BookingGuard, string[]] {
      const { proxy: tablesDB, calls } = recording(h.fake.tablesDB)
      const guard = createBookingGuard({
        tablesDB,
        databaseId: DB,
        clock: h.clock,
        mode,
        retry: { clock: h.clock, jitter: 'none' },
      })
      return [guard, calls]
    }

    for (const mode of ['saga', 'transaction'] as const) {
      it(`should send nothing and reject with an abort error (${mode})`, async () => {
        const h = harness()
        const [guard, calls] = countingGuard(h, mode)
        const reason = new Error('user left the page')
        const error = rejected(
          await h.settle(
            guard.createBooking(bookingInput(), { signal: AbortSignal.abort(reason) }),
          ),
        )
        expect(error).toMatchObject({
          code: 'BOOKING_PIPELINE',
          compensated: true,
          pendingReconcile: false,
          cause: reason,
        })
        expect(String((error as Error).message)).toMatch(/aborted before the call started/)
        expect(calls).toEqual([])
        expect(h.rows('bookings')).toEqual([])
      })
    }

    it('should send nothing for a transition either', async () => {
      const h = harness()
      const created = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const [guard, calls] = countingGuard(h, 'saga')
      const error = rejected(
        await h.settle(
          guard.respondToBooking(created.booking.$id, {
            providerId: 'prov1',
            response: 'accept',
            signal: AbortSignal.abort(),
          }),
        ),
      )
      expect(error).toMatchObject({ code: 'BOOKING_PIPELINE', operation: 'respondToBooking' })
      expect(calls).toEqual([])
      expect(h.rows('bookings')[0]).toMatchObject({ status: 'pending' })
    })
  })

  describe('a reconcile pass drains any backlog', () => {
    /** `count` bookings whose provider missed the deadline, written straight into the fake. */
    async function overdueBookings(h: Harness, count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        fulfilled(await h.settle(h.guard.createBooking(bookingInput()), 1_000))
      }
      await h.clock.advance(26 * 60_000) // past the 25-minute response deadline
    }

    it('should page past the page size in one pass', async () => {
      const h = harness()
      await overdueBookings(h, 250)
      const report = fulfilled(await h.settle(h.guard.reconcile({ limit: 100 })))
      expect(report.expired.found).toBe(250)
      expect(report.expired.expired).toHaveLength(250)
      expect(report).toMatchObject({ complete: true, remaining: [] })
      expect(h.rows('bookings').every((row) => row.status === 'expired')).toBe(true)
    })

    it('should stop at its budget, say what is left, and let the next pass finish', async () => {
      const h = harness()
      await overdueBookings(h, 60)
      h.fake.faults.latency({ operation: 'getRow', table: 'bookings', ms: 200 })
      const first = fulfilled(await h.settle(h.guard.reconcile({ limit: 10, budgetMs: 1_000 })))
      expect(first.complete).toBe(false)
      expect(first.remaining).toContain('expired')
      expect(first.expired.expired.length).toBeGreaterThan(0)
      expect(first.expired.expired.length).toBeLessThan(60)
      const second = fulfilled(await h.settle(h.guard.reconcile({ limit: 10 })))
      expect(second.complete).toBe(true)
      expect(first.expired.expired.length + second.expired.expired.length).toBe(60)
      expect(new Set([...first.expired.expired, ...second.expired.expired]).size).toBe(60)
    })
  })

  describe('slot squatting', () => {
    const secret = 'a-server-side-secret-of-32-chars!'

    it('should compute HMAC-SHA256 as RFC 4231 does', () => {
      expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      )
      // Keys longer than a block are hashed first; non-ASCII text is UTF-8.
      for (const key of ['k', 'x'.repeat(64), 'long key '.repeat(20), 'clé secrète ✓']) {
        for (const message of ['', 'booking-guard/slot/prov1/2030-03-01T10:00:00.000Z']) {
          expect(hmacSha256Hex(key, message)).toBe(
            createHmac('sha256', key).update(message).digest('hex'),
          )
        }
      }
    })

    it('should not let a row written with the public slot key block the real booking', async () => {
      const h = harness({ slotLock: { secret } })
      // A user who could create booking rows (a table opened by hand) squats the slot with the
      // key anyone can compute from public data.
      await h.fake.tablesDB.createRow({
        databaseId: DB,
        tableId: 'bookings',
        rowId: 'squatter',
        data: {
          ...scheduledInput(SLOT),
          customerId: 'mallory',
          status: 'pending',
          providerResponseStatus: 'AwaitingResponse',
          responseDeadline: '2030-03-01T09:00:00.000Z',
          source: 'direct',
          pipelineStatus: 'delivered',
          slotKey: defaultSlotKey('prov1', SLOT),
        },
      })
      const result = fulfilled(await h.settle(h.guard.createBooking(scheduledInput(SLOT))))
      expect(result.booking.slotKey).toBe(defaultSlotKey('prov1', SLOT, secret))
      expect(result.booking.slotKey).not.toBe(defaultSlotKey('prov1', SLOT))
      // The keyed lock still admits one booking per slot.
      const second = rejected(
        await h.settle(h.guard.createBooking(scheduledInput(SLOT, { customerId: 'cust2' }))),
      )
      expect(isSlotTakenError(second)).toBe(true)
    })

    it('should refuse a short or missing secret at construction', () => {
      const h = harness()
      for (const bad of ['short', undefined, 42]) {
        expect(() =>
          createBookingGuard({
            tablesDB: h.fake.tablesDB,
            databaseId: DB,
            slotLock: { secret: bad as unknown as string },
          }),
        ).toThrow(/slotLock\.secret/)
      }
    })
  })

  describe('datetimes', () => {
    it('should make createBooking refuse a start in the past by the guard clock, writing nothing', async () => {
      const h = harness()
      await h.clock.setTime(Date.parse('2026-06-01T12:00:00.000Z'))
      const late = rejected(
        await h.settle(h.guard.createBooking(scheduledInput('2026-06-01T11:54:59.999Z'))),
      )
      expect(isSchemaLockError(late) && late.issues.map((issue) => issue.path)).toEqual([
        ['scheduledAt'],
      ])
      expect(h.rows('bookings')).toEqual([])
      // Within the default 5-minute tolerance: a form submitted a moment after its slot began.
      fulfilled(await h.settle(h.guard.createBooking(scheduledInput('2026-06-01T11:56:00.000Z'))))
    })
  })
})
