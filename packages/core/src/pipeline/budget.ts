import type { Clock, TimerHandle } from '../clock'
import { isBookingGuardError, PipelineTimeoutError } from '../errors'
import type { PipelineStep } from '../errors'
import type { AbortSource } from '../resilience/retryPolicy'

/** The abort reason of a call whose budget ran out. @internal */
export class BudgetExpired extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the ${timeoutMs} ms budget ran out`)
    this.name = 'BudgetExpired'
  }
}

/**
 * One call's time budget: aborts when `timeoutMs` passes on the clock or when the caller's
 * signal aborts, whichever comes first. Its `AbortSignal` (an `AbortController`'s) is created
 * only when something asks for it; requests of the call race the budget itself
 * ({@link CallBudget.race}) instead, so a call that never needs a signal never pays for one.
 *
 * @internal
 */
export class CallBudget implements AbortSource {
  #controller: AbortController | undefined
  readonly #clock: Clock
  readonly #timer: TimerHandle
  readonly #caller: AbortSignal | undefined
  readonly #onCallerAbort: (() => void) | undefined
  #aborted = false
  #reason: unknown
  #timedOut = false
  #waiters: Array<(reason: unknown) => void> | undefined

  constructor(
    clock: Clock,
    readonly timeoutMs: number,
    caller?: AbortSignal,
  ) {
    this.#clock = clock
    this.#timer = clock.setTimeout(() => {
      this.#timedOut = true
      this.#abort(new BudgetExpired(timeoutMs))
    }, timeoutMs)
    this.#caller = caller
    if (caller !== undefined) {
      if (caller.aborted) this.#abort(caller.reason)
      else {
        this.#onCallerAbort = () => this.#abort(caller.reason)
        caller.addEventListener('abort', this.#onCallerAbort, { once: true })
      }
    }
  }

  /** Whether the budget ran out or the caller aborted. */
  get aborted(): boolean {
    return this.#aborted
  }

  /** Why it aborted (a {@link BudgetExpired}, or the caller's reason); `undefined` before. */
  get reason(): unknown {
    return this.#reason
  }

  /** Aborts when the budget runs out or the caller aborts; created on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Whether the budget (not the caller) ended the call. */
  get timedOut(): boolean {
    return this.#timedOut
  }

  /**
   * Settles with `promise`, or rejects with the reason as soon as the budget aborts. The budget
   * keeps the rejecter of every request it races (a call makes a handful) and calls them on
   * abort: cheaper than a `Promise.race` against a shared abort promise, which allocates an
   * array and subscribes twice per request.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.#aborted) {
      promise.then(observe, observe)
      return Promise.reject(this.#reason as Error)
    }
    return new Promise<T>((resolve, reject) => {
      ;(this.#waiters ??= []).push(reject)
      // Subscribing settles the race and handles a late rejection of an abandoned request.
      promise.then(resolve, reject)
    })
  }

  /** Stops the timer and detaches from the caller's signal. */
  dispose(): void {
    this.#clock.clearTimeout(this.#timer)
    this.#waiters = undefined
    if (this.#onCallerAbort !== undefined) {
      this.#caller!.removeEventListener('abort', this.#onCallerAbort)
    }
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    const waiters = this.#waiters
    this.#waiters = undefined
    if (waiters !== undefined) for (const reject of waiters) reject(reason)
    this.#controller?.abort(reason)
  }
}

/** What a call can be aborted by: the caller's signal, or a call budget. @internal */
export type CallSignal = AbortSignal | CallBudget

// The outcome of a request the pipeline stopped waiting for is covered by compensation and the
// reconciler's sweep; observing it here only prevents an unhandled rejection.
const observe = (): undefined => undefined

// One rejection per signal, shared by every request raced against it: a listener per request
// would cost two EventTarget operations each on the hot path.
const abortedPromises = new WeakMap<AbortSignal, Promise<never>>()

function abortedPromise(signal: AbortSignal): Promise<never> {
  let promise = abortedPromises.get(signal)
  if (promise === undefined) {
    promise = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
    })
    promise.then(observe, observe)
    abortedPromises.set(signal, promise)
  }
  return promise
}

/**
 * Sends `request` and settles with its answer, or rejects with the abort reason as soon as
 * `signal` aborts: the SDKs take no signal, so an abandoned request is left to finish on its own.
 * An already-aborted signal rejects without sending anything.
 *
 * @internal
 */
export function raceAbort<T>(request: () => Promise<T>, signal: CallSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  const promise = request()
  if (signal instanceof CallBudget) return signal.race(promise)
  // The race subscribes to `promise`, so its late rejection is handled too.
  return Promise.race([promise, abortedPromise(signal)])
}

/** The call a {@link CallBudget} bounds, as a timeout names it. @internal */
export interface BudgetedCall {
  readonly operation: string
  readonly bookingId: string
  readonly failedStep: PipelineStep
  /** What the caller reads in place of the pipeline's wording (a read has no booking outcome). */
  readonly message?: string
}

/**
 * What a call whose budget ran out rejects with: a `PipelineTimeoutError` naming `call` (nothing
 * compensated, nothing left pending: a read, or one idempotent write), in place of the budget's
 * internal abort reason; any other error as it is.
 *
 * @internal
 */
export function overBudget(budget: CallBudget, error: unknown, call: BudgetedCall): unknown {
  if (!budget.timedOut || isBookingGuardError(error)) return error
  const { message, ...details } = call
  const timeout = new PipelineTimeoutError({
    ...details,
    compensated: false,
    pendingReconcile: false,
    mode: 'saga',
    timeoutMs: budget.timeoutMs,
    cause: error,
  })
  if (message !== undefined) timeout.message = message
  return timeout
}
