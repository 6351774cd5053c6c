// Errors sent from a server to the browser as JSON come back as the same typed errors: the
// browser's `describeBookingError` and `classifyAppwriteError` answer as the server's would.
import { describe, expect, it } from 'vitest'
import { bookingErrorFromJSON, bookingErrorToJSON } from '../errorJson'
import type { BookingErrorJSON } from '../errorJson'
import type { SlotTakenError } from '../errors'
import {
  BookingGuardError,
  BookingPipelineError,
  BookingStateError,
  CircuitOpenError,
  IdempotencyConflictError,
  PipelineTimeoutError,
  SchemaLockError,
  isSlotTakenError,
} from '../errors'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import { classifyAppwriteError } from '../resilience/classifyError'
import { bookingInput, harness, rejected } from './pipelineFixtures'

/** What a browser receives: the JSON text a server sent, parsed. */
const overTheWire = (error: unknown): Error =>
  bookingErrorFromJSON(JSON.parse(JSON.stringify(bookingErrorToJSON(error))) as BookingErrorJSON)

function expectSameToTheApp(original: unknown, copy: Error) {
  const source = original as Error
  expect(copy.name).toBe(source.name)
  expect(copy.message).toBe(source.message)
  expect(describeBookingError(copy)).toEqual(describeBookingError(original))
  const { category, retryable, status, type } = classifyAppwriteError(original)
  expect(classifyAppwriteError(copy)).toMatchObject({ category, retryable, status, type })
}

describe('bookingErrorToJSON / bookingErrorFromJSON', () => {
  it('should bring back a SchemaLockError with every issue', async () => {
    const h = harness()
    const error = rejected(
      await h.settle(h.guard.createBooking(bookingInput({ customerName: '', price: -1 }))),
    )
    expect(error).toBeInstanceOf(SchemaLockError)
    const copy = overTheWire(error)
    expect(copy).toBeInstanceOf(SchemaLockError)
    expect((copy as SchemaLockError).issues).toEqual((error as SchemaLockError).issues)
    expect(describeBookingError(copy).fields).toHaveProperty('customerName')
    expectSameToTheApp(error, copy)
  })

  it('should bring back a SlotTakenError from a real slot race', async () => {
    const h = harness({ slotLock: true })
    const scheduled = { bookingType: 'scheduled', scheduledAt: '2030-01-01T10:00:00.000Z' }
    await h.settle(h.guard.createBooking(bookingInput(scheduled)))
    const error = rejected(await h.settle(h.guard.createBooking(bookingInput(scheduled))))
    const copy = overTheWire(error)
    expect(isSlotTakenError(copy)).toBe(true)
    expect(copy).toMatchObject({
      providerId: (error as SlotTakenError).providerId,
      slotKey: (error as SlotTakenError).slotKey,
      compensated: (error as SlotTakenError).compensated,
    })
    expect(describeBookingError(copy).kind).toBe('slotTaken')
    expectSameToTheApp(error, copy)
  })

  it('should bring back a BookingPipelineError with its step and the Appwrite error it wraps', async () => {
    const h = harness({ retry: { maxAttempts: 1 }, breaker: false })
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      error: 'general_server_error',
    })
    const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
    expect(error).toBeInstanceOf(BookingPipelineError)
    const copy = overTheWire(error) as BookingPipelineError
    expect(copy).toBeInstanceOf(BookingPipelineError)
    expect(copy).toMatchObject({
      failedStep: 'notification',
      compensated: true,
      mode: 'saga',
      bookingId: (error as BookingPipelineError).bookingId,
    })
    expect(copy.cause).toMatchObject({ code: 500, type: 'general_server_error' })
    expect(describeBookingError(copy)).toMatchObject({ kind: 'unavailable', retryable: true })
    expectSameToTheApp(error, copy)
  })

  it('should bring back a CircuitOpenError, an IdempotencyConflictError and a BookingStateError', async () => {
    const h = harness()
    const booked = await h.settle(h.guard.createBooking(bookingInput(), { idempotencyKey: 'k1' }))
    expect(booked.status).toBe('fulfilled')
    const conflict = rejected(
      await h.settle(
        h.guard.createBooking(bookingInput({ notes: 'other' }), { idempotencyKey: 'k1' }),
      ),
    )
    const state = rejected(
      await h.settle(
        h.guard.respondToBooking('no-such-booking', { providerId: 'prov1', response: 'accept' }),
      ),
    )
    const open = new CircuitOpenError('circuit open', { state: 'open', nextProbeAt: 1_000 })
    for (const [error, type] of [
      [conflict, IdempotencyConflictError],
      [state, BookingStateError],
      [open, CircuitOpenError],
    ] as const) {
      expect(error).toBeInstanceOf(type)
      const copy = overTheWire(error)
      expect(copy).toBeInstanceOf(type)
      expect(copy).toMatchObject({ ...(error as object) })
      expectSameToTheApp(error, copy)
    }
  })

  it('should bring back a PipelineTimeoutError and a plain Appwrite error', () => {
    const appwrite = Object.assign(new Error('Rate limit for the current endpoint exceeded.'), {
      name: 'AppwriteException',
      code: 429,
      type: 'general_rate_limit_exceeded',
    })
    const timeout = new PipelineTimeoutError({
      timeoutMs: 15_000,
      bookingId: 'b1',
      operation: 'createBooking',
      failedStep: 'chatRoom',
      compensated: false,
      pendingReconcile: true,
      mode: 'saga',
      cause: appwrite,
    })
    const copy = overTheWire(timeout) as PipelineTimeoutError
    expect(copy).toBeInstanceOf(PipelineTimeoutError)
    expect(copy).toMatchObject({
      timeoutMs: 15_000,
      failedStep: 'chatRoom',
      pendingReconcile: true,
    })
    expect(copy.cause).toMatchObject({ code: 429, type: 'general_rate_limit_exceeded' })
    expectSameToTheApp(timeout, copy)
    expectSameToTheApp(appwrite, overTheWire(appwrite))
  })

  it('should keep an unknown code as a BookingGuardError and anything else as a plain Error', () => {
    const configuration = overTheWire(new BookingGuardError('CONFIGURATION', 'bad option'))
    expect(configuration).toBeInstanceOf(BookingGuardError)
    expect(configuration).toMatchObject({ code: 'CONFIGURATION', message: 'bad option' })
    expect(overTheWire('a string')).toMatchObject({ name: 'Error', message: 'a string' })
    const garbage = bookingErrorFromJSON({ nope: true } as unknown as BookingErrorJSON)
    expect(garbage.message).toMatch(/not a BookingErrorJSON/)
  })

  it('should keep a network error’s string code, so it is retried on the other side too', () => {
    const socket = Object.assign(new Error('other side closed'), {
      name: 'SocketError',
      code: 'UND_ERR_SOCKET',
    })
    const error = overTheWire(new TypeError('fetch failed', { cause: socket }))

    expect(error).toMatchObject({ name: 'TypeError', cause: { code: 'UND_ERR_SOCKET' } })
    expect(classifyAppwriteError(error)).toMatchObject({ retryable: true, category: 'network' })
  })

  it('should stop following causes after four levels', () => {
    let error: Error = new Error('root')
    for (let i = 0; i < 10; i++) error = new Error(`level ${i}`, { cause: error })
    let json: BookingErrorJSON | undefined = bookingErrorToJSON(error)
    let depth = 0
    while (json?.cause !== undefined) {
      json = json.cause
      depth++
    }
    expect(depth).toBe(4)
  })
})
