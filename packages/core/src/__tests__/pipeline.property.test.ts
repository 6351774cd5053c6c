// Property test: random fault schedules through createBooking + reconcile. Whatever fails, after
// the faults clear and one reconcile pass runs, storage holds no orphan room, message or
// notification, at most one booking per idempotency key, and every booking is delivered (with all
// its rows) or failed, with every failed booking reported to some caller.
import * as fc from 'fast-check'
import type { FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { Harness } from './pipelineFixtures'
import { bookingInput, harness, settle } from './pipelineFixtures'

const ERRORS: readonly FaultError[] = [
  'network',
  'general_server_error',
  'general_rate_limit_exceeded',
  'table_not_found',
  'user_unauthorized',
  'transaction_conflict',
]
const OPERATIONS = [
  'createRow',
  'updateRow',
  'upsertRow',
  'deleteRow',
  'getRow',
  'createOperations',
  'updateTransaction',
  'createTransaction',
]
const TABLES = ['bookings', 'chat_rooms', 'chat_messages', 'notifications', undefined]

const faultArb = fc.record({
  operation: fc.constantFrom(...OPERATIONS),
  table: fc.constantFrom(...TABLES),
  error: fc.constantFrom(...ERRORS),
  rate: fc.double({ min: 0.1, max: 1, noNaN: true }),
  times: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  seed: fc.integer({ min: 1, max: 1_000 }),
})

const callArb = fc.record({
  key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: undefined }),
  duration: fc.constantFrom(30, 60),
  concurrent: fc.boolean(),
  then: fc.constantFrom('nothing', 'accept', 'decline', 'cancel'),
})

const scheduleArb = fc.record({
  faults: fc.array(faultArb, { maxLength: 4 }),
  hang: fc.option(fc.constantFrom('bookings', 'chat_rooms', 'notifications'), { nil: undefined }),
  releaseHang: fc.boolean(),
  calls: fc.array(callArb, { minLength: 1, maxLength: 5 }),
})

type Schedule = typeof scheduleArb extends fc.Arbitrary<infer T> ? T : never

async function run(mode: 'saga' | 'transaction', schedule: Schedule): Promise<void> {
  const h: Harness = harness({ mode })
  for (const fault of schedule.faults) {
    h.fake.faults.fail({
      operation: fault.operation,
      ...(fault.table === undefined ? {} : { table: fault.table }),
      error: fault.error,
      rate: fault.rate,
      seed: fault.seed,
      ...(fault.times === undefined ? {} : { times: fault.times }),
    })
  }
  const hang =
    schedule.hang === undefined
      ? undefined
      : h.fake.faults.hang({ operation: 'createRow', table: schedule.hang, times: 1 })

  const reported = new Set<string>()
  const succeeded = new Set<string>()
  const pending: Promise<void>[] = []
  const transitions: { id: string; then: 'accept' | 'decline' | 'cancel' }[] = []
  for (const call of schedule.calls) {
    const input = bookingInput({ durationMinutes: call.duration, price: 1000 })
    const options = call.key === undefined ? {} : { idempotencyKey: call.key }
    const attempt = h.settle(h.guard.createBooking(input, options)).then(async (outcome) => {
      if (outcome.status === 'rejected') {
        const id = (outcome.reason as { bookingId?: string }).bookingId
        if (typeof id === 'string') reported.add(id)
        return
      }
      const id = outcome.value.booking.$id
      succeeded.add(id)
      if (call.then !== 'nothing') transitions.push({ id, then: call.then })
    })
    if (call.concurrent) pending.push(attempt)
    else await attempt
  }
  await Promise.all(pending)
  // Lifecycle transitions under the same faults, one at a time: in saga mode two concurrent
  // transitions of one booking are last-writer-wins (Appwrite has no compare-and-set outside
  // transactions), which the README states.
  for (const { id, then } of transitions) {
    if (then === 'cancel')
      await h.settle(h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' }))
    else await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: then }))
  }

  // The outage ends; a held request may still land late.
  if (hang !== undefined && schedule.releaseHang) hang.release()
  h.fake.faults.clear()
  // Late writes land now; the pass below runs once they are older than its `olderThanMs`
  // (a write landing later still is swept by the next pass).
  await h.clock.advance(10)
  await h.clock.advance(61_000)
  await settle(h.clock, h.guard.reconcile())
  await settle(h.clock, h.guard.idle())

  expect(h.invariantViolations()).toEqual([])
  expect(h.completeBookingViolations()).toEqual([])
  const bookings = h.rows('bookings')
  const keys = bookings.map((row) => row.idempotencyKey).filter((key) => typeof key === 'string')
  expect(new Set(keys).size).toBe(keys.length)
  for (const booking of bookings) {
    expect(['delivered', 'failed']).toContain(booking.pipelineStatus)
    if (booking.pipelineStatus === 'failed') expect(reported.has(booking.$id)).toBe(true)
  }
  for (const id of succeeded) {
    expect(bookings.find((row) => row.$id === id)?.pipelineStatus).toBe('delivered')
  }
  // Every transition is whole: the notice pair of the status reached exists, and no pair exists
  // for a transition the booking never made (an accepted booking may be cancelled later).
  const messages = new Set(h.rows('chat_messages').map((row) => row.$id))
  const notices = new Set(h.rows('notifications').map((row) => row.$id))
  const allowed: Record<string, readonly string[]> = {
    a: ['confirmed', 'cancelled'],
    d: ['declined'],
    c: ['cancelled'],
  }
  const required: Record<string, string> = { confirmed: 'a', declined: 'd', cancelled: 'c' }
  for (const booking of bookings) {
    if (booking.pipelineStatus !== 'delivered') continue
    const status = String(booking.status)
    const needed = required[status]
    if (needed !== undefined) {
      expect(messages.has(`${booking.$id}.m${needed}`)).toBe(true)
      expect(notices.has(`${booking.$id}.n${needed}`)).toBe(true)
    }
    for (const [letter, statuses] of Object.entries(allowed)) {
      if (statuses.includes(status)) continue
      expect(messages.has(`${booking.$id}.m${letter}`)).toBe(false)
      expect(notices.has(`${booking.$id}.n${letter}`)).toBe(false)
    }
  }
}

describe('pipeline.property', () => {
  it('should keep the booking invariants under random fault schedules (saga)', async () => {
    await expect(
      fc.assert(
        fc.asyncProperty(scheduleArb, (schedule) => run('saga', schedule)),
        {
          numRuns: 100,
          seed: 20_260_101,
        },
      ),
    ).resolves.toBeUndefined()
  }, 60_000)

  it.runIf(typeof harness().fake.tablesDB.createTransaction === 'function')(
    'should keep the booking invariants under random fault schedules (transaction)',
    async () => {
      await expect(
        fc.assert(
          fc.asyncProperty(scheduleArb, (schedule) => run('transaction', schedule)),
          {
            numRuns: 100,
            seed: 20_260_102,
          },
        ),
      ).resolves.toBeUndefined()
    },
    60_000,
  )
})
