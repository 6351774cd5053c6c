// The fault matrix: every write step × every kind of fault × both modes. Each case
// must end either complete, or with an error naming the step and storage holding no half-made
// booking (or one left pending that a single reconcile pass completes).
import type { FaultCallScope, FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { PipelineStep } from '../errors'
import { isBookingGuardError } from '../errors'
import type { PipelineFailureDetails } from '../errors'
import type { Harness } from './pipelineFixtures'
import { bookingInput, fulfilled, harness, rejected } from './pipelineFixtures'

type FaultKind =
  'network' | '5xx' | '429' | 'table missing' | 'permission denied' | 'hang' | 'commit conflict'

const FAULTS: readonly FaultKind[] = [
  'network',
  '5xx',
  '429',
  'table missing',
  'permission denied',
  'hang',
  'commit conflict',
]

const ERROR_OF: Record<Exclude<FaultKind, 'hang'>, FaultError> = {
  network: 'network',
  '5xx': 'general_server_error',
  '429': 'general_rate_limit_exceeded',
  'table missing': 'table_not_found',
  'permission denied': 'user_unauthorized',
  'commit conflict': 'transaction_conflict',
}

/** Where each saga step's write goes. */
const SAGA_STEPS: ReadonlyArray<[PipelineStep, FaultCallScope]> = [
  ['booking', { operation: 'createRow', table: 'bookings' }],
  ['chatRoom', { operation: 'createRow', table: 'chat_rooms' }],
  ['systemMessage', { operation: 'createRow', table: 'chat_messages' }],
  ['notification', { operation: 'createRow', table: 'notifications' }],
  ['deliver', { operation: 'updateRow', table: 'bookings' }],
]

/** Where each transaction step's request goes. */
const TRANSACTION_STEPS: ReadonlyArray<[PipelineStep, FaultCallScope]> = [
  ['transaction', { operation: 'createTransaction' }],
  ['transaction', { operation: 'createOperations' }],
  ['commit', { operation: 'updateTransaction', when: (call) => call.params.commit === true }],
]

function inject(h: Harness, kind: FaultKind, scope: FaultCallScope): void {
  if (kind === 'hang') h.fake.faults.hang(scope)
  else h.fake.faults.fail({ ...scope, error: ERROR_OF[kind] })
}

function transactionsAvailable(): boolean {
  return typeof harness().fake.tablesDB.createTransaction === 'function'
}

/**
 * The matrix's promise: complete, or an error naming the step with nothing half-made left (or a
 * pending booking one reconcile pass completes once the fault is gone).
 */
async function expectAllOrNothing(
  h: Harness,
  outcome: PromiseSettledResult<unknown>,
  step: PipelineStep,
): Promise<void> {
  if (outcome.status === 'fulfilled') {
    expect(h.completeBookingViolations()).toEqual([])
    expect(h.rows('bookings').map((row) => row.pipelineStatus)).toEqual(['delivered'])
    return
  }
  const error = outcome.reason as PipelineFailureDetails & Error
  expect(isBookingGuardError(error)).toBe(true)
  expect(error.failedStep).toBe(step)
  if (error.compensated) {
    expect(h.rows('bookings').filter((row) => row.pipelineStatus !== 'failed')).toEqual([])
    expect(h.invariantViolations()).toEqual([])
    return
  }
  // Left for the reconciler: once the fault is gone, one pass finishes the job, forward (a
  // delivered booking with every row) or back (a void booking, no row of it left).
  expect(error.pendingReconcile).toBe(true)
  h.fake.faults.clear()
  await h.clock.advance(61_000)
  fulfilled(await h.settle(h.guard.reconcile()))
  expect(h.invariantViolations()).toEqual([])
  expect(h.completeBookingViolations()).toEqual([])
  const statuses = h.rows('bookings').map((row) => row.pipelineStatus)
  expect(statuses.length === 0 || statuses[0] === 'delivered' || statuses[0] === 'failed').toBe(
    true,
  )
  expect(statuses).not.toContain('pending')
}

describe('faultMatrix', () => {
  describe('saga mode', () => {
    for (const [step, scope] of SAGA_STEPS) {
      for (const kind of FAULTS) {
        it(`should stay all-or-nothing when ${step} meets a persistent ${kind}`, async () => {
          const h = harness({ mode: 'saga' })
          inject(h, kind, scope)
          const outcome = await h.settle(h.guard.createBooking(bookingInput()))
          // A fault that never clears cannot produce a booking.
          expect(outcome.status).toBe('rejected')
          expect(rejected(outcome)).toMatchObject({
            code: kind === 'hang' ? 'PIPELINE_TIMEOUT' : 'BOOKING_PIPELINE',
          })
          await expectAllOrNothing(h, outcome, step)
        })
      }
      for (const kind of ['network', '5xx', '429'] as const) {
        it(`should complete when ${step} meets a transient ${kind}`, async () => {
          const h = harness({ mode: 'saga' })
          h.fake.faults.fail({ ...scope, times: 2, error: ERROR_OF[kind] })
          const outcome = await h.settle(h.guard.createBooking(bookingInput()))
          expect(outcome.status).toBe('fulfilled')
          await expectAllOrNothing(h, outcome, step)
        })
      }
    }

    it('should report a timeout within the 15 s budget plus compensation, far under 60 s', async () => {
      const h = harness({ mode: 'saga' })
      h.fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
      const started = h.clock.now()
      const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
      expect(error).toMatchObject({
        code: 'PIPELINE_TIMEOUT',
        failedStep: 'chatRoom',
        timeoutMs: 15_000,
      })
      expect(h.clock.now() - started).toBeLessThan(15_000 + 5_000 + 100)
    })

    it('should sweep a write that lands after its call was abandoned and undone', async () => {
      const h = harness({ mode: 'saga' })
      const hang = h.fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
      const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
      // Undone, but the chat room's create is still in flight: the caller is not told that
      // nothing was kept, only that the reconciler finishes the job.
      expect(error).toMatchObject({
        code: 'PIPELINE_TIMEOUT',
        compensated: false,
        pendingReconcile: true,
      })
      expect(h.rows('bookings')).toEqual([expect.objectContaining({ pipelineStatus: 'failed' })])
      hang.release()
      await h.clock.advance(10)
      expect(h.rows('chat_rooms')).toHaveLength(1) // the late write landed
      expect(h.invariantViolations()).toEqual([expect.stringMatching(/orphan chat room/)])
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.orphans.removed).toHaveLength(1)
      expect(h.invariantViolations()).toEqual([])
    })

    it('should honour the caller signal like the budget', async () => {
      const h = harness({ mode: 'saga' })
      h.fake.faults.hang({ operation: 'createRow', table: 'notifications' })
      const controller = new AbortController()
      const call = h.guard.createBooking(bookingInput(), { signal: controller.signal })
      await h.clock.advance(100)
      controller.abort(new Error('user left the page'))
      const error = rejected(await h.settle(call))
      // The notification's create is still held: undone, but not "nothing was kept".
      expect(error).toMatchObject({
        code: 'BOOKING_PIPELINE',
        failedStep: 'notification',
        compensated: false,
        pendingReconcile: true,
      })
      expect(h.invariantViolations()).toEqual([])
    })
  })

  describe('table missing per step in both modes', () => {
    const tableOf: ReadonlyArray<[PipelineStep, string]> = [
      ['booking', 'bookings'],
      ['chatRoom', 'chat_rooms'],
      ['systemMessage', 'chat_messages'],
      ['notification', 'notifications'],
    ]
    for (const mode of ['saga', 'transaction'] as const) {
      for (const [step, table] of tableOf) {
        it.runIf(mode === 'saga' || transactionsAvailable())(
          `should name ${step} when table ${table} does not exist (${mode})`,
          async () => {
            const h = harness({ mode }, { undeclared: [table] })
            const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
            expect(error).toMatchObject({ failedStep: step, compensated: true, mode })
            expect(String((error as Error).message)).toMatch(/provision/)
            expect(h.rows('bookings').filter((row) => row.pipelineStatus !== 'failed')).toEqual([])
            expect(h.invariantViolations()).toEqual([])
          },
        )
      }
    }
  })

  describe.runIf(transactionsAvailable())('transaction mode', () => {
    it('should commit all four rows in three round trips', async () => {
      const h = harness({ mode: 'transaction' })
      const result = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(result.mode).toBe('transaction')
      expect(result.timings.roundTrips).toBe(3)
      expect(h.completeBookingViolations()).toEqual([])
      expect(h.rows('bookings').map((row) => row.pipelineStatus)).toEqual(['delivered'])
    })

    for (const [step, scope] of TRANSACTION_STEPS) {
      for (const kind of FAULTS) {
        it(`should stay all-or-nothing when ${String(scope.operation)} meets a persistent ${kind}`, async () => {
          const h = harness({ mode: 'transaction' })
          inject(h, kind, scope)
          const outcome = await h.settle(h.guard.createBooking(bookingInput()))
          await expectAllOrNothing(h, outcome, step)
          // A transaction never leaves a partial booking, whatever happened.
          expect(h.rows('chat_rooms').length).toBe(h.rows('bookings').length)
        })
      }
      for (const kind of ['network', '5xx', '429'] as const) {
        it(`should complete when ${String(scope.operation)} meets a transient ${kind}`, async () => {
          const h = harness({ mode: 'transaction' })
          h.fake.faults.fail({ ...scope, times: 1, error: ERROR_OF[kind] })
          const outcome = await h.settle(h.guard.createBooking(bookingInput()))
          expect(outcome.status).toBe('fulfilled')
          await expectAllOrNothing(h, outcome, step)
        })
      }
    }

    it('should fall back to saga in auto mode when no transaction can start, without remembering it', async () => {
      const h = harness({ mode: 'auto' })
      h.fake.faults.fail({
        operation: 'createTransaction',
        times: 3,
        error: 'general_server_error',
      })
      const first = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(first.mode).toBe('saga')
      const second = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(second.mode).toBe('transaction')
      expect(h.guard.mode).toBe('transaction')
      expect(h.completeBookingViolations()).toEqual([])
    })
  })
})
