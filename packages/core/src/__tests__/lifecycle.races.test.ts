// One transition sent twice at once: a second tab, or a client that retries while its first call
// still runs on the server (a Function keeps running after the client gave up), in saga and in
// transaction mode, with no fault or with one Appwrite call failing or slow at each position in
// turn. After one reconcile pass the booking must tell one story: told ok, the booking has the
// new status and its notice; no row is missing, orphaned or left `pending`. (Before, a call that
// failed undid rows and the status its twin had made and been told ok for.)
//
// Two *different* transitions at once (the provider accepts while the customer cancels) are not
// guaranteed yet: both can be told ok while the booking keeps one of them. See docs/reliability.md,
// "Two transitions of one booking at once".
import type { FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { BookingGuard } from '../guard'
import { bookingInput, everyPosition, fulfilled, harness, toldOf } from './pipelineFixtures'

/** More calls than two transitions make in either mode, so every position is tried. */
const POSITIONS = 30

interface Move {
  readonly name: string
  /** The child id suffix of its notice, and the status it leads to. */
  readonly notice: 'na' | 'nd' | 'nc'
  readonly run: (guard: BookingGuard, id: string) => Promise<unknown>
}

const ACCEPT: Move = {
  name: 'accept',
  notice: 'na',
  run: (guard, id) => guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' }),
}
const DECLINE: Move = {
  name: 'decline',
  notice: 'nd',
  run: (guard, id) => guard.respondToBooking(id, { providerId: 'prov1', response: 'decline' }),
}
const CANCEL: Move = {
  name: 'cancel',
  notice: 'nc',
  run: (guard, id) => guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' }),
}
const STATUS_OF_NOTICE = { na: 'confirmed', nd: 'declined', nc: 'cancelled' } as const

const PAIRS: Record<string, readonly [Move, Move]> = {
  'the provider accepts twice': [ACCEPT, ACCEPT],
  'the provider declines twice': [DECLINE, DECLINE],
  'the customer cancels twice': [CANCEL, CANCEL],
}

type Fault = { readonly error: FaultError } | { readonly latencyMs: number } | undefined
const FAULTS: Record<string, NonNullable<Fault>> = {
  'no answer': { error: 'network' },
  'a 2 s delay': { latencyMs: 2_000 },
}

async function race(
  mode: 'saga' | 'transaction',
  moves: readonly [Move, Move],
  fault: Fault,
  after: number,
) {
  const h = harness({ mode, retry: { maxAttempts: 1 } })
  const other = h.otherGuard({ mode, retry: { maxAttempts: 1 } })
  const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
  const id = booking.$id
  if (fault !== undefined && 'error' in fault) {
    h.fake.faults.fail({ after, times: 1, error: fault.error })
  } else if (fault !== undefined) h.fake.faults.latency({ after, times: 1, ms: fault.latencyMs })
  const outcomes = await Promise.all([
    h.settle(moves[0].run(h.guard, id)),
    h.settle(moves[1].run(other, id)),
  ])
  const fired = h.fake.faults.counts.total
  h.fake.faults.clear()
  await h.clock.advance(100_000)
  const report = fulfilled(await h.settle(h.guard.reconcile()))

  const told = outcomes.map(toldOf)
  const why = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))
  const context = `fault after ${after} calls: ${moves[0].name} told ${told[0]}, ${moves[1].name} told ${told[1]} (${why.join(' | ')})`
  const final = h.rows('bookings').find((row) => row.$id === id)!
  const notices = new Set(
    h
      .rows('notifications')
      .map((row) => String(row.$id))
      .filter((rowId) => rowId.startsWith(`${id}.n`))
      .map((rowId) => rowId.slice(id.length + 1)),
  )
  const problems: string[] = []
  if (final.pipelineStatus !== 'delivered') {
    problems.push(`${context}: booking ${String(final.pipelineStatus)}`)
  }
  const noticeOfFinal = Object.entries(STATUS_OF_NOTICE).find(([, s]) => s === final.status)?.[0]
  if (noticeOfFinal !== undefined && !notices.has(noticeOfFinal)) {
    problems.push(`${context}: ${String(final.status)} without its notice`)
  }
  moves.forEach((move, caller) => {
    if (told[caller] === 'ok' && !notices.has(move.notice)) {
      problems.push(`${context}: ${move.name} told ok, no notice`)
    }
    // Two identical moves share one notice: a "no" to one says nothing of the other.
    const twin = moves[1 - caller]!.notice === move.notice && told[1 - caller] !== 'no'
    if (told[caller] === 'no' && notices.has(move.notice) && !twin) {
      problems.push(`${context}: ${move.name} told no, but its notice is there`)
    }
  })
  // Told ok, it holds (nothing else moves the booking).
  if (told.includes('ok')) {
    const target = STATUS_OF_NOTICE[moves[0].notice]
    if (final.status !== target) problems.push(`${context}: told ok, ${String(final.status)}`)
  }
  for (const failed of [...report.pending.failed, ...report.delivered.failed]) {
    problems.push(`${context}: the reconciler failed ${failed.id}: ${failed.message}`)
  }
  for (const violation of [...h.invariantViolations(), ...h.completeBookingViolations()]) {
    problems.push(`${context}: ${violation}`)
  }
  return { problems, fired }
}

describe.each(['saga', 'transaction'] as const)('one transition twice at once, %s', (mode) => {
  describe.each(Object.entries(PAIRS))('%s', (_name, moves) => {
    it('should keep what either call was told with no fault', async () => {
      expect((await race(mode, moves, undefined, 0)).problems).toEqual([])
    })

    it.each(Object.entries(FAULTS))(
      'should keep what either call was told when the race meets %s',
      async (_fault, fault) => {
        const { problems, hit } = await everyPosition(POSITIONS, (after) =>
          race(mode, moves, fault, after),
        )
        expect(problems).toEqual([])
        // The positions reached real calls (two transitions make fewer than POSITIONS).
        expect(hit).toBeGreaterThan(0)
      },
    )
  })
})

describe('a transition that finds its twin in flight', () => {
  it('should not undo the status and rows a twin still delivering made, when one of its own writes fails', async () => {
    const h = harness({ retry: { maxAttempts: 1 } })
    const other = h.otherGuard({ retry: { maxAttempts: 1 } })
    const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
    // The first accept's deliver is slow; the second finds the first's message and fails to write
    // the notice (a 500 after the first's notice went through).
    h.fake.faults.latency({
      operation: 'updateRow',
      table: 'bookings',
      when: (call) =>
        (call.params.data as Record<string, unknown> | undefined)?.pipelineStatus === 'delivered',
      times: 1,
      ms: 2_000,
    })
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      after: 1,
      times: 1,
      error: 'general_server_error',
    })
    const [first, second] = await Promise.all([
      h.settle(ACCEPT.run(h.guard, booking.$id)),
      h.settle(ACCEPT.run(other, booking.$id)),
    ])
    expect(first.status).toBe('fulfilled')
    // Not undone: the booking is left to the reconciler, which completes it forward.
    expect(second).toMatchObject({
      status: 'rejected',
      reason: { compensated: false, pendingReconcile: true },
    })
    h.fake.faults.clear()
    await h.clock.advance(100_000)
    fulfilled(await h.settle(h.guard.reconcile()))
    expect(h.rows('bookings')[0]).toMatchObject({
      status: 'confirmed',
      pipelineStatus: 'delivered',
    })
    expect(h.rows('notifications').map((row) => row.$id)).toContain(`${booking.$id}.na`)
    expect(h.invariantViolations()).toEqual([])
  })
})
