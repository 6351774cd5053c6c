import { systemClock } from '../clock'
import type { Clock, TimerHandle } from '../clock'
import type {
  BookingGuardError,
  BookingPipelineError,
  IdempotencyConflictError,
  PipelineTimeoutError,
  SchemaLockError,
  SlotTakenError,
} from '../errors'
import {
  isBookingGuardError,
  isBookingPipelineError,
  isBookingStateError,
  isCircuitOpenError,
  isIdempotencyConflictError,
  isPipelineTimeoutError,
  isSchemaLockError,
  isSlotTakenError,
} from '../errors'
import type { BookingGuard, CreateBookingInput } from '../guard'
import { randomId } from '../pipeline/ids'
import type { CreateBookingResult } from '../pipeline/createBooking'
import { reportListenerError } from '../resilience/emitter'
import { errorFacts } from '../resilience/classifyError'
import type { SchemaExtensions, SchemaLock } from '../schema/schemaLock'
import type { BookingSource } from '../schema/schemas'
import { ObserverStore } from './store'

/** Where a booking submit stands. */
export type BookingSubmitStatus = 'idle' | 'submitting' | 'retrying' | 'success' | 'error'

/**
 * What kind of failure a user is shown: `network` (no answer), `unavailable` (Appwrite failing or
 * the circuit open, or the call timed out), `invalid` (the input, with its fields), `slotTaken`,
 * `conflict` (the same form was submitted with other details), `forbidden` (the signed-in user may
 * not do this: not their booking or room, no valid session, Appwrite's 401/403) or `unknown`.
 */
export type BookingErrorKind =
  'network' | 'unavailable' | 'invalid' | 'slotTaken' | 'conflict' | 'forbidden' | 'unknown'

/** The user-facing text per {@link BookingErrorKind}; replace any of them to translate. */
export interface BookingErrorMessages {
  network: string
  unavailable: string
  /** Receives the invalid fields' paths (`customerName`, `scheduledAt`). */
  invalid: (fields: readonly string[]) => string
  slotTaken: string
  conflict: string
  forbidden: string
  unknown: string
}

/** The default (English) {@link BookingErrorMessages}. */
export const DEFAULT_BOOKING_ERROR_MESSAGES: Readonly<BookingErrorMessages> = Object.freeze({
  network: 'We could not reach the booking service. Check your connection and try again.',
  unavailable: 'The booking service is temporarily unavailable. Please try again in a moment.',
  invalid: (fields: readonly string[]) =>
    fields.length === 0
      ? 'Some booking details are invalid.'
      : `Please check these details: ${fields.join(', ')}.`,
  slotTaken: 'This time slot was just taken. Please choose another time.',
  conflict: 'This booking was already sent with other details. Please reload the form.',
  forbidden:
    'Your account is not allowed to do this. Check that you are signed in with the right account.',
  unknown: 'The booking could not be completed. Please try again.',
})

/** What {@link describeBookingError} says about an error. */
export interface BookingErrorDescription {
  /** The kind of failure. */
  readonly kind: BookingErrorKind
  /** One sentence for the user. */
  readonly message: string
  /**
   * Whether sending the same booking again right away (same idempotency key) can succeed: no
   * answer, Appwrite 5xx / 429, a timeout, and any pipeline failure that was not undone
   * (`compensated: false`: the booking may have been kept, by a concurrent call with the key or
   * the reconciler, and the same key returns it). The submit hook retries these by itself.
   * `false` for an open circuit (`kind: 'unavailable'`): calls fail fast until Appwrite recovers,
   * so an immediate retry cannot succeed, but the same key is safe to send later (`retryAt`).
   */
  readonly retryable: boolean
  /**
   * For an open circuit: when sending the same booking again can succeed, in epoch milliseconds
   * (the breaker's next probe, on the clock of the process whose breaker opened: the server's,
   * for an error from `createBookingClient`). `undefined` for every other failure, and while the
   * circuit is isolated by hand.
   *
   * @example
   * ```ts
   * const { message, retryAt } = describeBookingError(error)
   * showToast(retryAt === undefined ? message : `${message} (${Math.ceil((retryAt - Date.now()) / 1000)} s)`)
   * ```
   */
  readonly retryAt?: number | undefined
  /** For `invalid`: each invalid field's path (dot-joined) and what is wrong with it. Else `{}`. */
  readonly fields: Readonly<Record<string, string>>
}

const NO_FIELDS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * Turns anything `guard.createBooking` throws into a user-facing kind, message and retry verdict.
 * A retry is advised only where one can succeed with the same idempotency key: no answer,
 * Appwrite 5xx / 429, a timeout, or a pipeline failure that was not undone (the booking may have
 * been kept; the same key returns it). An open circuit is not retried (calls fail fast until
 * Appwrite recovers, and the reconciler finishes what was left pending).
 *
 * @example
 * ```ts
 * try {
 *   await guard.createBooking(input, { idempotencyKey })
 * } catch (error) {
 *   const { message, fields } = describeBookingError(error)
 *   showToast(message)
 *   showFieldErrors(fields) // { customerName: 'Too small: expected string to have >=1 characters' }
 * }
 * ```
 */
export function describeBookingError(
  error: unknown,
  messages: Partial<BookingErrorMessages> = {},
): BookingErrorDescription {
  const text = { ...DEFAULT_BOOKING_ERROR_MESSAGES, ...messages }
  const out = (kind: Exclude<BookingErrorKind, 'invalid'>, retryable: boolean) =>
    Object.freeze({ kind, message: text[kind], retryable, fields: NO_FIELDS })
  if (isSchemaLockError(error)) {
    const fields: Record<string, string> = {}
    for (const issue of error.issues) {
      const path = issue.path.join('.') || '(input)'
      fields[path] ??= issue.message
    }
    return Object.freeze({
      kind: 'invalid',
      message: text.invalid(Object.keys(fields)),
      retryable: false,
      fields: Object.freeze(fields),
    })
  }
  if (isSlotTakenError(error)) return out('slotTaken', false)
  if (isIdempotencyConflictError(error)) return out('conflict', false)
  const cause = isBookingGuardError(error) ? (error.cause as unknown) : undefined
  const open = isCircuitOpenError(error) ? error : isCircuitOpenError(cause) ? cause : undefined
  if (open !== undefined) {
    const retryAt = open.nextProbeAt
    if (retryAt === undefined || !Number.isFinite(retryAt)) return out('unavailable', false)
    return Object.freeze({ ...out('unavailable', false), retryAt })
  }
  if (isPipelineTimeoutError(error)) return out('unavailable', true)
  // A refusal is not fixed by sending again: say so instead of "try again".
  if (isBookingStateError(error) && error.reason === 'forbidden') return out('forbidden', false)
  if (isBookingGuardError(error) && error.code === 'UNAUTHENTICATED') return out('forbidden', false)
  // Other booking-guard errors take their category from the Appwrite error they wrap.
  const { category } = errorFacts(error)
  if (
    isBookingGuardError(error) &&
    error.code !== 'BOOKING_PIPELINE' &&
    error.code !== 'RETRY_BUDGET_EXCEEDED'
  ) {
    return out('unknown', false)
  }
  // Not undone: the booking may be kept (a concurrent call with the key committed it, or the
  // reconciler will deliver it), so the same key must be sent again to learn the outcome; a "no"
  // here could leave a customer told "not booked" beside a booking the provider sees.
  const undecided = isBookingPipelineError(error) && !error.compensated
  if (category === 'auth') return out('forbidden', undecided)
  if (category === 'network') return out('network', true)
  if (category === 'server' || category === 'rate-limit') return out('unavailable', true)
  return out('unknown', undecided)
}

/**
 * What a booking submit can fail with: what `guard.createBooking` rejects with. Narrow it with
 * `isSchemaLockError`, `isSlotTakenError`, … (they survive two copies of the package) or switch
 * on `error.code`.
 * - `SchemaLockError` (`SCHEMA_LOCK`): the input is invalid; nothing was written.
 * - `SlotTakenError` (`SLOT_TAKEN`): another booking holds the slot.
 * - `IdempotencyConflictError` (`IDEMPOTENCY_CONFLICT`): the key was used with another input.
 * - `PipelineTimeoutError` (`PIPELINE_TIMEOUT`): the call ran out of its time budget.
 * - `BookingPipelineError` (`BOOKING_PIPELINE`): a write failed (an open circuit is its `cause`).
 * - `BookingGuardError`: any other code, e.g. `CONFIGURATION` for a misconfigured guard.
 */
export type BookingSubmitError =
  | SchemaLockError
  | SlotTakenError
  | IdempotencyConflictError
  | PipelineTimeoutError
  | BookingPipelineError
  | BookingGuardError

/** What `observer.getSnapshot()` returns. */
export interface BookingSubmitSnapshot {
  /** `idle`, `submitting` (first attempt), `retrying` (waiting for or running a later attempt), `success` or `error`. */
  readonly status: BookingSubmitStatus
  /** 1-based number of the attempt under way (or last made); `0` before the first submit. */
  readonly attempt: number
  /** Attempts a submit makes at most. */
  readonly maxAttempts: number
  /** The created booking, its chat room, system message and notification, after `success`. */
  readonly result: CreateBookingResult | undefined
  /** The last failure: the final one in `error`, the one being retried in `retrying`. */
  readonly error: BookingSubmitError | undefined
  /** The kind of `error`. */
  readonly errorKind: BookingErrorKind | undefined
  /** One sentence about `error` for the user. */
  readonly userMessage: string | undefined
  /**
   * For an open circuit: when the same booking can be sent again, in epoch milliseconds (see
   * {@link BookingErrorDescription.retryAt}); else `undefined`.
   */
  readonly retryAt: number | undefined
  /** For invalid input: each invalid field's path and what is wrong with it. */
  readonly fieldErrors: Readonly<Record<string, string>>
  /** `status === 'idle'`: nothing submitted yet, or after `reset()` / `cancel()`. */
  readonly isIdle: boolean
  /** `status` is `submitting` or `retrying`: a submit is under way (TanStack's `isPending`). */
  readonly isPending: boolean
  /** `status === 'success'`: `result` holds the booking. */
  readonly isSuccess: boolean
  /** `status === 'error'`: `error` holds the final failure. */
  readonly isError: boolean
}

/**
 * The variables of one submit, as `onSuccess`, `onError` and `onSettled` receive them (TanStack's
 * `variables`); `E` are the extensions of the guard's schema lock.
 */
export interface BookingSuccessContext<E extends SchemaExtensions = Record<never, never>> {
  /** The input that was submitted. */
  readonly input: CreateBookingInput<E>
  /** The idempotency key the booking was written with. */
  readonly idempotencyKey: string
}

/** Options of {@link createBookingSubmitObserver}; `E` are the extensions of the guard's schema lock. */
export interface BookingSubmitObserverOptions<E extends SchemaExtensions = Record<never, never>> {
  /**
   * The guard whose `createBooking` runs. Its `schemaLock`, when present, is only read for its
   * type: the lock's extension columns type `submit`'s input.
   */
  guard: Pick<BookingGuard<E>, 'createBooking'> & { readonly schemaLock?: SchemaLock<E> }
  /**
   * Runs once per submit after a booking was created and before `status` becomes `success`, e.g.
   * to open the booking's chat. It runs even when the submit was reset or cancelled meanwhile:
   * the booking exists. A throwing callback is reported on `console.error`; the booking stays a
   * success.
   */
  onSuccess?: (result: CreateBookingResult, context: BookingSuccessContext<E>) => void
  /**
   * Runs once per submit when its final attempt failed (not for the attempts that are retried),
   * before `status` becomes `error`, with the same `error` the snapshot then holds. Not called for
   * a submit that was reset or cancelled. A throwing callback is reported on `console.error`.
   */
  onError?: (error: BookingSubmitError, context: BookingSuccessContext<E>) => void
  /**
   * Runs once per submit after `onSuccess` or `onError`, TanStack's shape: `(result, null, …)`
   * on success, `(undefined, error, …)` on failure. Not called for a failure of a submit that was
   * reset or cancelled. A throwing callback is reported on `console.error`.
   */
  onSettled?: (
    result: CreateBookingResult | undefined,
    error: BookingSubmitError | null,
    context: BookingSuccessContext<E>,
  ) => void
  /**
   * Attempts per submit, the first included, for failures a retry can fix (see
   * {@link describeBookingError}); each repeats the call with the same idempotency key, so a
   * retry never makes a second booking. This comes on top of the guard's own retries of each
   * Appwrite call. Defaults to `3`.
   */
  maxAttempts?: number
  /** Milliseconds to wait after failed attempt `attempt` (1-based). Defaults to `1_000 × 2^(attempt − 1)`. */
  retryDelay?: (attempt: number) => number
  /** Source of time for the waits between attempts; give it the guard's clock. Defaults to the system clock. */
  clock?: Clock
  /** User-facing messages per error kind. Defaults to {@link DEFAULT_BOOKING_ERROR_MESSAGES}. */
  messages?: Partial<BookingErrorMessages>
}

/** Options of one `submit` call. */
export interface BookingSubmitOptions {
  /**
   * The idempotency key. Defaults to one generated per form: kept while the same input is
   * submitted again (so resubmitting after an unclear failure cannot book twice), renewed after
   * a success, a `reset()` or a changed input.
   */
  idempotencyKey?: string
  /** Which UI entry point the booking came from, stored as `source`. Defaults to `'direct'`. */
  source?: BookingSource
  /**
   * Aborts the call (in-flight writes are compensated) and any wait between attempts; the submit
   * then ends in `error` with the last failure. Use `cancel()` to go back to `idle` instead.
   */
  signal?: AbortSignal
}

/**
 * Submits bookings with progress through retries; see {@link createBookingSubmitObserver}. `E` are
 * the extensions of the guard's schema lock, which type the input.
 */
export interface BookingSubmitObserver<E extends SchemaExtensions = Record<never, never>> {
  /** The current snapshot; the same object until something changes. */
  readonly getSnapshot: () => BookingSubmitSnapshot
  /** The idle snapshot, for server rendering. */
  readonly getServerSnapshot: () => BookingSubmitSnapshot
  /** Calls `onChange` after every snapshot change. Returns an unsubscribe function. */
  readonly subscribe: (onChange: () => void) => () => void
  /**
   * Creates the booking, retrying what can be retried. Resolves with the result, or `undefined`
   * when it failed (the failure is in the snapshot); never rejects. While a submit is under way,
   * another call returns the same promise instead of booking twice.
   */
  readonly submit: (
    input: CreateBookingInput<E>,
    options?: BookingSubmitOptions,
  ) => Promise<CreateBookingResult | undefined>
  /**
   * Back to `idle` with a fresh idempotency key, as TanStack's `reset()`: a submit under way is
   * not aborted (its booking, if it lands, still runs `onSuccess`) but makes no further attempt.
   */
  readonly reset: () => void
  /**
   * Stops the submit under way: aborts its current attempt through the `AbortSignal` the guard
   * honours (writes already made are compensated), makes no further attempt, and puts the
   * snapshot back to `idle`, as TanStack's `cancelQueries` reverts a query. The submit's promise
   * resolves with `undefined`, and `onError` / `onSettled` are not called. The idempotency key is
   * kept, so sending the same form again cannot book twice even if the cancelled booking had
   * already been committed (it is then returned with `replayed: true`). Does nothing when no
   * submit is under way.
   */
  readonly cancel: () => void
  /** Replaces options given at creation (callbacks, messages, attempts); `guard` and `clock` stay. */
  setOptions(options: Partial<Omit<BookingSubmitObserverOptions<E>, 'guard' | 'clock'>>): void
}

/** Object keys sorted, so two equal forms compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  )
}

/** The flags TanStack derives from `status`. */
const flagsOf = (status: BookingSubmitStatus) => ({
  isIdle: status === 'idle',
  isPending: status === 'submitting' || status === 'retrying',
  isSuccess: status === 'success',
  isError: status === 'error',
})

const idle = (maxAttempts: number): BookingSubmitSnapshot => ({
  status: 'idle',
  attempt: 0,
  maxAttempts,
  result: undefined,
  error: undefined,
  errorKind: undefined,
  userMessage: undefined,
  retryAt: undefined,
  fieldErrors: NO_FIELDS,
  ...flagsOf('idle'),
})

/** Calls an app callback, reporting (never rethrowing) what it throws. */
function notify<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A) {
  try {
    callback?.(...args)
  } catch (error) {
    reportListenerError(error)
  }
}

/** A signal that aborts with `cancel` and follows the caller's, and its release. */
function linkedSignal(caller: AbortSignal | undefined): {
  controller: AbortController
  release: () => void
} {
  const controller = new AbortController()
  if (caller === undefined) return { controller, release: () => {} }
  const follow = () => controller.abort(caller.reason)
  if (caller.aborted) follow()
  else caller.addEventListener('abort', follow, { once: true })
  return { controller, release: () => caller.removeEventListener('abort', follow) }
}

class BookingSubmitObserverImpl<E extends SchemaExtensions>
  extends ObserverStore<BookingSubmitSnapshot>
  implements BookingSubmitObserver<E>
{
  readonly #guard: Pick<BookingGuard<E>, 'createBooking'>
  readonly #clock: Clock
  #options: BookingSubmitObserverOptions<E>
  #inflight: Promise<CreateBookingResult | undefined> | undefined
  #key: string | undefined
  #keyInput: string | undefined
  #controller: AbortController | undefined
  #run = 0

  constructor(options: BookingSubmitObserverOptions<E>) {
    super(idle(options.maxAttempts ?? 3))
    this.#guard = options.guard
    this.#clock = options.clock ?? systemClock
    this.#options = options
  }

  setOptions(options: Partial<Omit<BookingSubmitObserverOptions<E>, 'guard' | 'clock'>>): void {
    this.#options = { ...this.#options, ...options }
  }

  readonly submit = (
    input: CreateBookingInput<E>,
    options: BookingSubmitOptions = {},
  ): Promise<CreateBookingResult | undefined> => {
    if (this.#inflight !== undefined) return this.#inflight
    const form = canonical([input, options.source])
    if (options.idempotencyKey !== undefined) this.#key = options.idempotencyKey
    else if (this.#key === undefined || this.#keyInput !== form) this.#key = randomId('k')
    this.#keyInput = form
    const run = ++this.#run
    const { controller, release } = linkedSignal(options.signal)
    this.#controller = controller
    const context = { input, idempotencyKey: this.#key }
    const call = this.#attempts(context, options.source, controller.signal, run).finally(() => {
      release()
      if (this.#inflight === call) this.#inflight = undefined
    })
    this.#inflight = call
    return call
  }

  readonly reset = (): void => {
    this.#run++
    this.#inflight = undefined
    this.#key = undefined
    this.#keyInput = undefined
    this.update(idle(this.getSnapshot().maxAttempts))
  }

  readonly cancel = (): void => {
    if (this.#inflight === undefined) return
    this.#run++
    this.#inflight = undefined
    // The platform's own reason: an `AbortError`, what every fetch-like API aborts with.
    this.#controller?.abort()
    this.update(idle(this.getSnapshot().maxAttempts))
  }

  protected override update(patch: Partial<BookingSubmitSnapshot>): void {
    super.update(patch.status === undefined ? patch : { ...patch, ...flagsOf(patch.status) })
  }

  async #attempts(
    context: BookingSuccessContext<E>,
    source: BookingSource | undefined,
    signal: AbortSignal,
    run: number,
  ): Promise<CreateBookingResult | undefined> {
    const { input, idempotencyKey } = context
    const maxAttempts = this.#options.maxAttempts ?? 3
    const current = () => run === this.#run
    this.update({ ...idle(maxAttempts), status: 'submitting', attempt: 1 })
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#guard.createBooking(input, {
          idempotencyKey,
          signal,
          ...(source === undefined ? {} : { source }),
        })
        // The booking exists whatever the UI did meanwhile: the success callbacks (opening its
        // chat) always run, and run before anyone can observe `success`.
        notify(this.#options.onSuccess, result, context)
        notify(this.#options.onSettled, result, null, context)
        if (current()) {
          this.#key = undefined
          this.#keyInput = undefined
          this.update({ ...idle(maxAttempts), status: 'success', attempt, result })
        }
        return result
      } catch (error) {
        if (!current()) return undefined
        const described = describeBookingError(error, this.#options.messages)
        const failure = {
          // `createBooking` rejects only with booking-guard errors (see BookingSubmitError).
          error: error as BookingSubmitError,
          errorKind: described.kind,
          userMessage: described.message,
          retryAt: described.retryAt,
          fieldErrors: described.fields,
        }
        if (!described.retryable || attempt >= maxAttempts || signal.aborted) {
          return this.#fail(failure, attempt, context)
        }
        this.update({ status: 'retrying', attempt: attempt + 1, ...failure })
        const delay = this.#options.retryDelay?.(attempt) ?? 1_000 * 2 ** (attempt - 1)
        const waited = await this.#wait(delay, signal)
        if (!current()) return undefined
        if (!waited) return this.#fail(failure, attempt, context)
      }
    }
  }

  /** Ends a submit in `error`, after telling `onError` and `onSettled`. */
  #fail(
    failure: Pick<
      BookingSubmitSnapshot,
      'errorKind' | 'userMessage' | 'retryAt' | 'fieldErrors'
    > & {
      readonly error: BookingSubmitError
    },
    attempt: number,
    context: BookingSuccessContext<E>,
  ): undefined {
    notify(this.#options.onError, failure.error, context)
    notify(this.#options.onSettled, undefined, failure.error, context)
    this.update({ status: 'error', attempt, ...failure })
    return undefined
  }

  /** Resolves `true` after `ms`, or `false` at once when `signal` aborts. */
  #wait(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false)
      let timer: TimerHandle | undefined = undefined
      const onAbort = () => {
        this.#clock.clearTimeout(timer)
        resolve(false)
      }
      timer = this.#clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve(true)
      }, ms)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }
}

/**
 * Submits bookings through `guard.createBooking` and exposes their progress as a snapshot
 * (`useSyncExternalStore`-ready): `submitting`, `retrying` with the attempt number while a
 * failure a retry can fix is retried with the same idempotency key, then `success` or `error`
 * with a user-facing message per error kind. `onSuccess` runs before the snapshot says
 * `success`, so whatever it does (open the booking's chat) cannot be skipped. Creating one has no
 * side effect.
 *
 * @example
 * ```ts
 * const observer = createBookingSubmitObserver({
 *   guard,
 *   onSuccess: ({ chatRoom }) => openChat(chatRoom.$id),
 * })
 * observer.subscribe(() => render(observer.getSnapshot()))
 * const result = await observer.submit(input, { source: 'bookingButton' })
 * if (!result) showError(observer.getSnapshot().userMessage)
 * ```
 */
export function createBookingSubmitObserver<E extends SchemaExtensions = Record<never, never>>(
  options: BookingSubmitObserverOptions<E>,
): BookingSubmitObserver<E> {
  return new BookingSubmitObserverImpl(options)
}
