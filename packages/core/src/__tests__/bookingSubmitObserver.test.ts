import { appwriteError, networkError } from '@booking-guard/testing'
import { describe, expect, it, vi } from 'vitest'
import {
  BookingGuardError,
  BookingPipelineError,
  BookingStateError,
  CircuitOpenError,
  isCircuitOpenError,
  IdempotencyConflictError,
  PipelineTimeoutError,
  SchemaLockError,
  SlotTakenError,
  describeBookingError,
} from '../index'
import { createBookingSubmitObserver } from '../observers/index'
import type { CreateBookingResult } from '../index'
import type { BookingSubmitSnapshot } from '../observers/index'
import { bookingInput, harness, settle } from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'

/** Advances the clock 10 ms at a time until `check` holds (at most `maxMs`). */
async function until(h: Harness, check: () => boolean, maxMs = 2_000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > maxMs) throw new Error('condition not reached')
    await h.clock.advance(10)
  }
}

/** Submits a booking whose booking write hangs, and waits until it does: the hang and the call. */
async function submitHanging(h: ReturnType<typeof setup>) {
  const hang = h.fake.faults.hang({ operation: 'createRow', table: 'bookings' })
  const call = h.observer.submit(bookingInput())
  await until(h, () => hang.pending === 1)
  return { hang, call }
}

/** A creation that failed at its first step and was rolled back. */
const FAILURE = {
  bookingId: 'b1',
  operation: 'createBooking',
  failedStep: 'booking',
  compensated: true,
  pendingReconcile: false,
  mode: 'saga',
} as const

const pipelineError = (cause: unknown) => new BookingPipelineError({ ...FAILURE, cause }, 'failed')

/** A guard that retries nothing itself, so every failure reaches the observer. */
function setup(options: { maxAttempts?: number } = {}) {
  const h = harness({ retry: { maxAttempts: 1 } })
  const onSuccess = vi.fn<(result: CreateBookingResult) => void>()
  const observer = createBookingSubmitObserver({
    guard: h.guard,
    clock: h.clock,
    onSuccess,
    ...options,
  })
  const seen: string[] = []
  observer.subscribe(() => {
    const { status, attempt } = observer.getSnapshot()
    const last = `${status}:${attempt}`
    if (seen[seen.length - 1] !== last) seen.push(last)
  })
  return { ...h, observer, onSuccess, seen }
}

describe('bookingSubmitObserver', () => {
  describe('describeBookingError', () => {
    it('should list the invalid fields of a schema lock error', () => {
      const error = new SchemaLockError(
        [
          { path: ['customerName'], code: 'too_small', message: 'Too short' },
          { path: ['durationMinutes'], code: 'invalid_type', message: 'Expected a number' },
        ],
        { kind: 'bookingInput' },
      )
      expect(describeBookingError(error)).toEqual({
        kind: 'invalid',
        retryable: false,
        message: 'Please check these details: customerName, durationMinutes.',
        fields: { customerName: 'Too short', durationMinutes: 'Expected a number' },
      })
    })

    it('should advise a retry for no answer, 5xx and timeouts only', () => {
      expect(describeBookingError(networkError())).toMatchObject({
        kind: 'network',
        retryable: true,
      })
      expect(describeBookingError(pipelineError(networkError()))).toMatchObject({
        kind: 'network',
        retryable: true,
      })
      expect(
        describeBookingError(pipelineError(appwriteError('general_server_error'))),
      ).toMatchObject({ kind: 'unavailable', retryable: true })
      const timeout = new PipelineTimeoutError({ ...FAILURE, timeoutMs: 15_000 })
      expect(describeBookingError(timeout)).toMatchObject({ kind: 'unavailable', retryable: true })
      expect(describeBookingError(pipelineError(appwriteError('table_not_found')))).toMatchObject({
        kind: 'unknown',
        retryable: false,
      })
    })

    it('should call a refusal forbidden, never advising a retry that cannot help', () => {
      const refusals = [
        new BookingStateError('only the provider may answer', {
          reason: 'forbidden',
          bookingId: 'b1',
        }),
        new BookingGuardError('UNAUTHENTICATED', 'no valid session'),
        appwriteError('user_unauthorized'),
        pipelineError(appwriteError('user_unauthorized')),
        pipelineError(appwriteError('general_unauthorized_scope')),
      ]
      for (const error of refusals) {
        expect(describeBookingError(error)).toEqual({
          kind: 'forbidden',
          retryable: false,
          message:
            'Your account is not allowed to do this. Check that you are signed in with the right account.',
          fields: {},
        })
      }
      expect(describeBookingError(refusals[0], { forbidden: 'Nicht erlaubt.' }).message).toBe(
        'Nicht erlaubt.',
      )
      // Other state errors stay what they were.
      expect(
        describeBookingError(
          new BookingStateError('already answered', { reason: 'invalidState', bookingId: 'b1' }),
        ),
      ).toMatchObject({ kind: 'unknown', retryable: false })
    })

    it('should call an open circuit unavailable without advising a retry, also as a cause', () => {
      const open = new CircuitOpenError('open', { state: 'open', nextProbeAt: 1_000 })
      expect(describeBookingError(open)).toMatchObject({
        kind: 'unavailable',
        retryable: false,
        retryAt: 1_000,
      })
      expect(describeBookingError(pipelineError(open))).toMatchObject({
        kind: 'unavailable',
        retryable: false,
        retryAt: 1_000,
      })
    })

    it('should advise sending again after a failure that was not undone, whatever its cause', () => {
      const conflict = appwriteError('transaction_conflict')
      const undecided = (details: { compensated: boolean; pendingReconcile: boolean }) =>
        new BookingPipelineError({ ...FAILURE, ...details, cause: conflict }, 'failed')
      // Undone: a conflict is not fixed by sending again.
      expect(
        describeBookingError(undecided({ compensated: true, pendingReconcile: false })),
      ).toMatchObject({ kind: 'unknown', retryable: false })
      // Not undone: the booking may exist (a concurrent call with the key) or be finished by the
      // reconciler; the same key returns it.
      expect(
        describeBookingError(undecided({ compensated: false, pendingReconcile: false })),
      ).toMatchObject({ kind: 'unknown', retryable: true })
      expect(
        describeBookingError(undecided({ compensated: false, pendingReconcile: true })),
      ).toMatchObject({ kind: 'unknown', retryable: true })
    })

    it('should give no retry time for an isolated circuit or a failure without one', () => {
      const isolated = new CircuitOpenError('isolated', {
        state: 'isolated',
        nextProbeAt: undefined,
      })
      expect(describeBookingError(isolated)).toMatchObject({
        kind: 'unavailable',
        retryable: false,
      })
      expect(describeBookingError(isolated).retryAt).toBeUndefined()
      expect(describeBookingError(networkError()).retryAt).toBeUndefined()
    })

    it('should name a taken slot and a conflicting resubmit, and take translated messages', () => {
      const slot = new SlotTakenError({
        providerId: 'p1',
        scheduledAt: '2026-01-01T10:00:00.000Z',
        slotKey: 'k',
        bookingId: 'b1',
        compensated: true,
      })
      expect(describeBookingError(slot)).toMatchObject({
        kind: 'slotTaken',
        message: 'This time slot was just taken. Please choose another time.',
      })
      const conflict = new IdempotencyConflictError({ idempotencyKey: 'k1', bookingId: 'b1' })
      expect(describeBookingError(conflict).kind).toBe('conflict')
      expect(describeBookingError(slot, { slotTaken: 'Jadwal sudah terisi.' }).message).toBe(
        'Jadwal sudah terisi.',
      )
      expect(describeBookingError(new Error('boom'))).toMatchObject({ kind: 'unknown' })
    })
  })

  it('should have no side effect until submit, and report idle', () => {
    const { observer, rows } = setup()
    expect(observer.getSnapshot()).toMatchObject({ status: 'idle', attempt: 0, maxAttempts: 3 })
    expect(observer.getServerSnapshot()).toBe(observer.getSnapshot())
    expect(rows('bookings')).toHaveLength(0)
  })

  it('should run onSuccess before the snapshot says success, and resolve with the result', async () => {
    const h = setup()
    let statusDuringSuccess: string | undefined
    h.onSuccess.mockImplementation(() => {
      statusDuringSuccess = h.observer.getSnapshot().status
    })
    const outcome = await h.settle(h.observer.submit(bookingInput(), { source: 'bookingButton' }))
    const result = outcome.status === 'fulfilled' ? outcome.value : undefined
    expect(result?.booking.source).toBe('bookingButton')
    expect(h.onSuccess).toHaveBeenCalledTimes(1)
    expect(h.onSuccess.mock.calls[0]![0]).toBe(result)
    expect(statusDuringSuccess).toBe('submitting')
    expect(h.observer.getSnapshot()).toMatchObject({ status: 'success', attempt: 1, result })
    expect(h.seen).toEqual(['submitting:1', 'success:1'])
  })

  it('should retry a failure a retry can fix with the same key, reporting each attempt', async () => {
    const h = setup()
    h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 2, error: 'network' })
    const snapshots: BookingSubmitSnapshot[] = []
    h.observer.subscribe(() => snapshots.push(h.observer.getSnapshot()))
    const started = h.clock.now()
    const outcome = await h.settle(h.observer.submit(bookingInput()))
    expect(outcome.status).toBe('fulfilled')
    expect(h.seen).toEqual(['submitting:1', 'retrying:2', 'retrying:3', 'success:3'])
    const retrying = snapshots.find((s) => s.status === 'retrying')!
    expect(retrying).toMatchObject({
      errorKind: 'network',
      userMessage: 'We could not reach the booking service. Check your connection and try again.',
    })
    // 1 s, then 2 s between attempts, on the injected clock.
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(3_000)
    expect(h.rows('bookings').filter((row) => row.pipelineStatus === 'delivered')).toHaveLength(1)
    expect(new Set(h.rows('bookings').map((row) => row.$id)).size).toBe(1)
    expect(h.onSuccess).toHaveBeenCalledTimes(1)
  })

  it('should end an open circuit in error at once, saying when the breaker probes again', async () => {
    const h = setup({ maxAttempts: 3 })
    h.fake.faults.fail({ error: 'network' })
    // The guard's default breaker opens after 5 consecutive failures (its retry makes 1 attempt).
    for (let submit = 0; submit < 5; submit++) await h.settle(h.observer.submit(bookingInput()))
    h.seen.length = 0

    await h.settle(h.observer.submit(bookingInput()))

    expect(h.seen).toEqual(['submitting:1', 'error:1'])
    const snapshot = h.observer.getSnapshot()
    const open = snapshot.error?.cause
    expect(isCircuitOpenError(open)).toBe(true)
    expect(snapshot).toMatchObject({
      errorKind: 'unavailable',
      retryAt: (open as CircuitOpenError).nextProbeAt,
    })
    // The default breaker probes again 30 s after it opened, during the submits above.
    expect(snapshot.retryAt).toBeGreaterThan(h.clock.now())
    expect(snapshot.retryAt).toBeLessThanOrEqual(h.clock.now() + 30_000)
    h.observer.reset()
    expect(h.observer.getSnapshot().retryAt).toBeUndefined()
  })

  it('should give up after maxAttempts with the last failure described', async () => {
    const h = setup({ maxAttempts: 2 })
    h.fake.faults.fail({ operation: 'createRow', table: 'bookings', error: 'general_server_error' })
    const outcome = await h.settle(h.observer.submit(bookingInput()))
    expect(outcome).toEqual({ status: 'fulfilled', value: undefined })
    expect(h.seen).toEqual(['submitting:1', 'retrying:2', 'error:2'])
    expect(h.observer.getSnapshot()).toMatchObject({
      errorKind: 'unavailable',
      userMessage: 'The booking service is temporarily unavailable. Please try again in a moment.',
    })
    expect(h.onSuccess).not.toHaveBeenCalled()
  })

  it('should not retry invalid input, and list its fields', async () => {
    const h = setup()
    await h.settle(h.observer.submit(bookingInput({ customerName: '', durationMinutes: 0 })))
    expect(h.seen).toEqual(['submitting:1', 'error:1'])
    const snapshot = h.observer.getSnapshot()
    expect(snapshot.errorKind).toBe('invalid')
    expect(Object.keys(snapshot.fieldErrors).sort()).toEqual(['customerName', 'durationMinutes'])
    expect(snapshot.userMessage).toContain('customerName')
    expect(h.rows('bookings')).toHaveLength(0)
  })

  it('should return the same promise for a second submit under way, booking once', async () => {
    const h = setup()
    const input = bookingInput()
    const first = h.observer.submit(input)
    const second = h.observer.submit({ ...input, notes: 'double click' })
    expect(second).toBe(first)
    await h.settle(first)
    expect(h.rows('bookings')).toHaveLength(1)
  })

  it('should keep the key when the same form is sent again after a failure, and renew it after a success', async () => {
    const h = setup({ maxAttempts: 1 })
    const input = bookingInput()
    h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 1, error: 'network' })
    await h.settle(h.observer.submit(input))
    expect(h.observer.getSnapshot().status).toBe('error')
    const again = await h.settle(h.observer.submit({ ...input }))
    const first = again.status === 'fulfilled' ? again.value : undefined
    expect(first?.booking.pipelineStatus).toBe('delivered')
    expect(new Set(h.rows('bookings').map((row) => row.$id))).toEqual(new Set([first!.booking.$id]))
    const next = await h.settle(h.observer.submit({ ...input }))
    const second = next.status === 'fulfilled' ? next.value : undefined
    expect(second?.booking.$id).not.toBe(first!.booking.$id)
    expect(second?.replayed).toBe(false)
  })

  it('should take a new key for a changed form, and the caller key when given', async () => {
    const h = setup({ maxAttempts: 1 })
    h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 1, error: 'network' })
    await h.settle(h.observer.submit(bookingInput({ notes: 'a' })))
    const changed = await h.settle(h.observer.submit(bookingInput({ notes: 'b' })))
    expect(changed.status === 'fulfilled' && changed.value?.booking.notes).toBe('b')
    const keyed = await h.settle(h.observer.submit(bookingInput(), { idempotencyKey: 'form-42' }))
    expect(keyed.status === 'fulfilled' && keyed.value?.booking.idempotencyKey).toBe('form-42')
  })

  it('should stop retrying after reset', async () => {
    const h = setup()
    h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 1, error: 'network' })
    const call = h.observer.submit(bookingInput())
    await until(h, () => h.observer.getSnapshot().status === 'retrying')
    h.observer.reset()
    expect(h.observer.getSnapshot()).toMatchObject({ status: 'idle', attempt: 0 })
    expect(await h.settle(call)).toEqual({ status: 'fulfilled', value: undefined })
    await h.clock.advance(5_000)
    expect(h.observer.getSnapshot().status).toBe('idle')
    expect(h.rows('bookings').filter((row) => row.pipelineStatus === 'delivered')).toHaveLength(0)
  })

  it('should still run onSuccess for a booking that lands after reset, leaving the snapshot idle', async () => {
    const h = setup()
    const { hang, call } = await submitHanging(h)
    h.observer.reset()
    hang.release()
    hang.remove()
    const outcome = await h.settle(call)
    expect(outcome.status === 'fulfilled' && outcome.value?.booking.pipelineStatus).toBe(
      'delivered',
    )
    expect(h.onSuccess).toHaveBeenCalledTimes(1)
    expect(h.observer.getSnapshot().status).toBe('idle')
  })

  it('should stop waiting between attempts when the signal aborts', async () => {
    const h = setup()
    h.fake.faults.fail({ operation: 'createRow', table: 'bookings', error: 'network' })
    const controller = new AbortController()
    const call = h.observer.submit(bookingInput(), { signal: controller.signal })
    await until(h, () => h.observer.getSnapshot().status === 'retrying')
    controller.abort()
    expect(await settle(h.clock, call, 100)).toEqual({ status: 'fulfilled', value: undefined })
    expect(h.observer.getSnapshot()).toMatchObject({
      status: 'error',
      attempt: 1,
      errorKind: 'network',
    })
  })

  it('should report a throwing onSuccess and still succeed', async () => {
    const h = setup()
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    h.onSuccess.mockImplementation(() => {
      throw new Error('chat broke')
    })
    await h.settle(h.observer.submit(bookingInput()))
    expect(h.observer.getSnapshot().status).toBe('success')
    expect(report).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ message: 'chat broke' }),
    )
  })

  it('should use replaced options for later submits', async () => {
    const h = setup()
    const replaced = vi.fn()
    h.observer.setOptions({ onSuccess: replaced, messages: { invalid: () => 'Periksa data.' } })
    await h.settle(h.observer.submit(bookingInput()))
    expect(replaced).toHaveBeenCalledTimes(1)
    expect(h.onSuccess).not.toHaveBeenCalled()
    await h.settle(h.observer.submit(bookingInput({ customerName: '' })))
    expect(h.observer.getSnapshot().userMessage).toBe('Periksa data.')
  })

  describe('TanStack parity', () => {
    /** `setup` with every callback and every call of the guard's createBooking recorded. */
    function recorded(options: { maxAttempts?: number } = {}) {
      const h = setup(options)
      const calls: string[] = []
      h.onSuccess.mockImplementation((result) => calls.push(`success:${result.booking.$id}`))
      h.observer.setOptions({
        onError: (error, { input }) =>
          calls.push(`error:${error.code}:${input.customerId}:${h.observer.getSnapshot().status}`),
        onSettled: (result, error, { idempotencyKey }) =>
          calls.push(
            `settled:${result?.booking.$id ?? '-'}:${error === null ? 'null' : error.code}:${idempotencyKey}`,
          ),
      })
      const original = h.guard.createBooking
      const keys: string[] = []
      const signals: AbortSignal[] = []
      vi.spyOn(h.guard, 'createBooking').mockImplementation((input, callOptions = {}) => {
        keys.push(callOptions.idempotencyKey!)
        signals.push(callOptions.signal!)
        return original(input, callOptions)
      })
      return { ...h, calls, keys, signals }
    }

    it('should call onError and onSettled once, after the final attempt, before status says error', async () => {
      const h = recorded({ maxAttempts: 3 })
      h.fake.faults.fail({ operation: 'createRow', table: 'bookings', error: 'network' })
      await h.settle(h.observer.submit(bookingInput()))
      expect(h.keys).toHaveLength(3)
      expect(h.calls).toEqual([
        'error:BOOKING_PIPELINE:cust1:retrying',
        `settled:-:BOOKING_PIPELINE:${h.keys[0]}`,
      ])
      expect(h.observer.getSnapshot()).toMatchObject({ status: 'error', isError: true })
    })

    it('should call onSuccess then onSettled with (result, null, variables)', async () => {
      const h = recorded()
      const outcome = await h.settle(h.observer.submit(bookingInput()))
      const id = outcome.status === 'fulfilled' ? outcome.value?.booking.$id : undefined
      expect(h.calls).toEqual([`success:${id}`, `settled:${id}:null:${h.keys[0]}`])
    })

    it('should derive isIdle, isPending, isSuccess and isError from status', async () => {
      const h = setup()
      h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 1, error: 'network' })
      const flags: string[] = []
      h.observer.subscribe(() => {
        const { status, isIdle, isPending, isSuccess, isError } = h.observer.getSnapshot()
        const line = `${status}:${[isIdle, isPending, isSuccess, isError].map(Number).join('')}`
        if (flags.at(-1) !== line) flags.push(line)
      })
      expect(h.observer.getSnapshot()).toMatchObject({ isIdle: true, isPending: false })
      await h.settle(h.observer.submit(bookingInput()))
      await h.settle(h.observer.submit(bookingInput({ customerName: '' })))
      h.observer.reset()
      expect(flags).toEqual([
        'submitting:0100',
        'retrying:0100',
        'success:0010',
        'submitting:0100',
        'error:0001',
        'idle:1000',
      ])
    })

    it('should send one idempotency key across its own retries, and a fresh one after success and reset', async () => {
      const h = recorded()
      h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 2, error: 'network' })
      await h.settle(h.observer.submit(bookingInput()))
      expect(h.keys).toHaveLength(3)
      expect(new Set(h.keys).size).toBe(1)
      expect(h.rows('bookings').map((row) => row.idempotencyKey)).toEqual([h.keys[0]])
      // The same form again after success: a new booking, with a new key.
      await h.settle(h.observer.submit(bookingInput({ notes: 'same' })))
      h.observer.reset()
      await h.settle(h.observer.submit(bookingInput({ notes: 'same' })))
      expect(new Set(h.keys).size).toBe(3)
    })

    it('should abort the attempt under way on cancel, make no other, and go back to idle', async () => {
      const h = recorded()
      const { hang, call } = await submitHanging(h)
      h.observer.cancel()
      expect(h.signals[0]!.aborted).toBe(true)
      expect(h.observer.getSnapshot()).toMatchObject({ status: 'idle', isIdle: true, attempt: 0 })
      expect(await settle(h.clock, call, 1_000)).toEqual({ status: 'fulfilled', value: undefined })
      hang.release()
      hang.remove()
      await h.clock.advance(10_000)
      expect(h.keys).toHaveLength(1)
      expect(h.calls).toEqual([])
      expect(h.observer.getSnapshot().status).toBe('idle')
      expect(h.rows('bookings').filter((row) => row.pipelineStatus === 'delivered')).toEqual([])
    })

    it('should stop retrying on cancel while waiting, and keep the key for the same form', async () => {
      const h = recorded()
      h.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 1, error: 'network' })
      const input = bookingInput()
      const call = h.observer.submit(input)
      await until(h, () => h.observer.getSnapshot().status === 'retrying')
      h.observer.cancel()
      expect(await settle(h.clock, call, 100)).toEqual({ status: 'fulfilled', value: undefined })
      await h.clock.advance(10_000)
      expect(h.keys).toHaveLength(1)
      expect(h.observer.getSnapshot().status).toBe('idle')
      await h.settle(h.observer.submit({ ...input }))
      expect(h.keys).toEqual([h.keys[0], h.keys[0]])
      expect(h.observer.getSnapshot().status).toBe('success')
      // Nothing to cancel: no change.
      const before = h.observer.getSnapshot()
      h.observer.cancel()
      expect(h.observer.getSnapshot()).toBe(before)
    })
  })
})
