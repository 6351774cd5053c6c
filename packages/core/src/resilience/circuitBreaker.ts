import { systemClock } from '../clock'
import type { Clock } from '../clock'
import { BookingGuardError, CircuitOpenError } from '../errors'
import type { CircuitOpenErrorOptions } from '../errors'
import { errorFacts } from './classifyError'
import { Emitter } from './emitter'
import { attemptContext, sourceOf } from './policy'
import type { AttemptContext, ExecuteOptions, ExecutionPolicy, Operation } from './policy'
import { SlidingWindow } from './slidingWindow'
import type { SlidingWindowState } from './slidingWindow'

/**
 * State of a circuit breaker.
 *
 * - `'closed'`: calls go through; failures are counted.
 * - `'open'`: calls fail fast with a {@link CircuitOpenError} until `halfOpenAfter` has passed.
 * - `'halfOpen'`: one probe call is in flight; its success closes the circuit, its failure
 *   reopens it; other calls fail fast meanwhile.
 * - `'isolated'`: held open by {@link CircuitBreaker.isolate} until released.
 */
export type CircuitState = 'closed' | 'open' | 'halfOpen' | 'isolated'

/** Opens after `threshold` consecutive counted failures (the default breaker). */
export interface ConsecutiveBreakerOptions {
  kind: 'consecutive'
  /** Consecutive counted failures that open the circuit, an integer ≥ 1. Defaults to `5`. */
  threshold?: number
}

/** Opens when the failure ratio over a sliding window reaches `threshold`, given enough calls. */
export interface SamplingBreakerOptions {
  kind: 'sampling'
  /** Failure ratio in `(0, 1]` that opens the circuit (failures ÷ calls in the window). Defaults to `0.5`. */
  threshold?: number
  /** Length of the sliding window in milliseconds (10 buckets). Defaults to `10_000`. */
  duration?: number
  /** Calls needed in the window before the ratio may open the circuit. Defaults to `10`. */
  minimumThroughput?: number
}

/** Options for {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * Milliseconds the circuit stays open before one probe call is let through. The switch to
   * half-open happens lazily, on the first call after that time (no timer runs). Defaults to `30_000`.
   */
  halfOpenAfter?: number
  /** When to open. Defaults to `{ kind: 'consecutive', threshold: 5 }`. */
  breaker?: ConsecutiveBreakerOptions | SamplingBreakerOptions
  /**
   * Whether an error counts against the circuit. Errors that do not count are treated as
   * successes: Appwrite answered, so it is up (a 404 for a missing row must not open the
   * breaker). Defaults to `classifyAppwriteError(error).retryable` (network, 5xx, 429).
   */
  isFailure?: (error: unknown) => boolean
  /** State saved by {@link CircuitBreaker.toJSON}, to carry the circuit across restarts (serverless). */
  initialState?: CircuitBreakerState
  /** Name used in error messages, e.g. the backend it guards. Defaults to `'appwrite'`. */
  name?: string
  /** Source of time for `halfOpenAfter` and sampling windows. Defaults to {@link systemClock}. */
  clock?: Clock
}

/** Serializable breaker state from {@link CircuitBreaker.toJSON}; treat as opaque. */
export interface CircuitBreakerState {
  /** Format version. */
  readonly version: 1
  /** Automatic state; half-open is saved as open with its probe due, isolation is not saved. */
  readonly state: 'closed' | 'open'
  /** Epoch milliseconds when the circuit opened (when `state` is `'open'`). */
  readonly openedAt?: number
  /** Consecutive counted failures so far (consecutive breaker). */
  readonly failures: number
  /** Sampling buckets (sampling breaker). */
  readonly window?: SlidingWindowState
}

/** Emitted when the circuit opens, automatically or through `isolate()`. */
export interface BreakEvent {
  /** `true` when opened by `isolate()`. */
  readonly isolated: boolean
  /** The failure that opened the circuit; `undefined` when isolated. */
  readonly error: unknown
  /** Epoch milliseconds from which a probe is allowed; `undefined` when isolated. */
  readonly nextProbeAt: number | undefined
}

/** Emitted on every state change. */
export interface StateChangeEvent {
  /** The new state. */
  readonly state: CircuitState
  /** The state before. */
  readonly previous: CircuitState
}

/**
 * A circuit breaker: after repeated failures it fails calls fast with a {@link CircuitOpenError}
 * instead of hammering a backend that is down, then lets one probe call through to test
 * recovery. Build one with {@link createCircuitBreaker} and share it for everything that talks
 * to the same backend.
 *
 * Listeners (`onBreak`, `onReset`, `onHalfOpen`, `onStateChange`) return a function that removes
 * them; a listener that throws is reported on `console.error` and never fails the call.
 */
export class CircuitBreaker implements ExecutionPolicy {
  readonly #halfOpenAfter: number
  readonly #consecutiveThreshold: number
  readonly #window: SlidingWindow | undefined
  readonly #ratio: number
  readonly #minimumThroughput: number
  readonly #isFailure: (error: unknown) => boolean
  readonly #name: string
  readonly #clock: Clock
  readonly #breakEmitter = new Emitter<BreakEvent>()
  readonly #resetEmitter = new Emitter<void>()
  readonly #halfOpenEmitter = new Emitter<void>()
  readonly #stateEmitter = new Emitter<StateChangeEvent>()

  #state: 'closed' | 'open' | 'halfOpen' = 'closed'
  #isolations = 0
  // Bumped on every transition: results of calls admitted under an older generation are ignored.
  #generation = 0
  #failures = 0
  #openedAt = 0
  #probeStartedAt = 0
  #openReason = ''
  // The start of the open-circuit message, built at the first refusal of each open period.
  #openMessage: string | undefined
  #lastFailure: unknown

  /** @internal Use {@link createCircuitBreaker}. */
  constructor(options: CircuitBreakerOptions = {}) {
    const kind = options.breaker ?? { kind: 'consecutive' }
    this.#halfOpenAfter = options.halfOpenAfter ?? 30_000
    this.#isFailure = options.isFailure ?? defaultIsFailure
    this.#name = options.name ?? 'appwrite'
    this.#clock = options.clock ?? systemClock
    const problems: string[] = []
    if (!(this.#halfOpenAfter >= 0))
      problems.push(`halfOpenAfter must be ≥ 0 ms (got ${this.#halfOpenAfter})`)
    if (kind.kind === 'sampling') {
      this.#consecutiveThreshold = Infinity
      this.#ratio = kind.threshold ?? 0.5
      this.#minimumThroughput = kind.minimumThroughput ?? 10
      const duration = kind.duration ?? 10_000
      if (!(this.#ratio > 0 && this.#ratio <= 1))
        problems.push(`breaker.threshold must be in (0, 1] (got ${this.#ratio})`)
      if (!(duration > 0 && Number.isFinite(duration)))
        problems.push(`breaker.duration must be > 0 ms (got ${duration})`)
      if (!(Number.isInteger(this.#minimumThroughput) && this.#minimumThroughput >= 1)) {
        problems.push(
          `breaker.minimumThroughput must be an integer ≥ 1 (got ${this.#minimumThroughput})`,
        )
      }
      this.#window = new SlidingWindow(duration, 10)
    } else if (kind.kind === 'consecutive') {
      this.#consecutiveThreshold = kind.threshold ?? 5
      this.#ratio = 1
      this.#minimumThroughput = 1
      this.#window = undefined
      if (!(Number.isInteger(this.#consecutiveThreshold) && this.#consecutiveThreshold >= 1)) {
        problems.push(
          `breaker.threshold must be an integer ≥ 1 (got ${this.#consecutiveThreshold})`,
        )
      }
    } else {
      throw new BookingGuardError(
        'CONFIGURATION',
        `createCircuitBreaker: breaker.kind must be 'consecutive' or 'sampling' (got ${String((kind as { kind?: unknown }).kind)})`,
      )
    }
    if (problems.length > 0) {
      throw new BookingGuardError('CONFIGURATION', `createCircuitBreaker: ${problems.join('; ')}`)
    }
    if (options.initialState !== undefined) this.#restore(options.initialState)
  }

  /** Current state. `'open'` turns into `'halfOpen'` only when a call arrives after `halfOpenAfter`. */
  get state(): CircuitState {
    return this.#isolations > 0 ? 'isolated' : this.#state
  }

  /** The last counted failure, or `undefined` if none yet. */
  get lastFailure(): unknown {
    return this.#lastFailure
  }

  /** Epoch milliseconds from which a probe is allowed while open; `undefined` when closed or isolated. */
  get nextProbeAt(): number | undefined {
    if (this.#isolations > 0) return undefined
    if (this.#state === 'open') return this.#openedAt + this.#halfOpenAfter
    if (this.#state === 'halfOpen') return this.#probeStartedAt + this.#halfOpenAfter
    return undefined
  }

  /** Listens for the circuit opening (including through `isolate()`). */
  onBreak(listener: (event: BreakEvent) => void): () => void {
    return this.#breakEmitter.add(listener)
  }

  /** Listens for the circuit closing again (probe succeeded, or isolation released). */
  onReset(listener: () => void): () => void {
    return this.#resetEmitter.add(listener)
  }

  /** Listens for the switch to half-open, just before the probe call runs. */
  onHalfOpen(listener: () => void): () => void {
    return this.#halfOpenEmitter.add(listener)
  }

  /** Listens for every state change. */
  onStateChange(listener: (event: StateChangeEvent) => void): () => void {
    return this.#stateEmitter.add(listener)
  }

  /**
   * Runs `fn` once if the circuit lets it through, recording the outcome; otherwise rejects at
   * once with a {@link CircuitOpenError} without calling `fn`. `fn` receives `{ signal, attempt: 1 }`.
   * A refusal's `stack` is only its first line: during an outage every call is refused, and
   * capturing stack frames was most of a refusal's cost; its `cause` is the failure that opened
   * the circuit, with that failure's own stack.
   *
   * Inside another policy, pass the outer attempt's context as the options:
   * `retry.execute((attempt) => breaker.execute(call, attempt))` (what `wrap` does) runs every
   * attempt through the breaker, and `call` receives that context as it is, with the outer
   * attempt number. A call that fails after the signal aborted is not counted: the caller gave
   * up, which says nothing about the backend.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const source = sourceOf(options)
    const signal = source === undefined ? options?.signal : undefined
    const abort = source ?? signal
    if (abort?.aborted) return Promise.reject(abort.reason as Error)
    let permit: number
    let result: T | PromiseLike<T>
    try {
      permit = this.#enter()
    } catch (refused) {
      return Promise.reject(refused as Error)
    }
    try {
      result = fn(isAttempt(options) ? options : attemptContext(source, signal, 1))
    } catch (error) {
      this.#failure(permit, error, abort?.aborted === true)
      return Promise.reject(error as Error)
    }
    // Settled with `then` rather than in an `async` frame, which holds more memory while the
    // call is in flight: a wrapped call pays for one of these per attempt.
    return Promise.resolve(result).then(
      (value) => {
        this.#success(permit)
        return value
      },
      (error: unknown) => {
        this.#failure(permit, error, abort?.aborted === true)
        throw error
      },
    )
  }

  /**
   * Holds the circuit open: every call fails fast with a {@link CircuitOpenError} (state
   * `'isolated'`) until the returned function is called. Isolations nest; the circuit closes
   * when the last one is released. Use it as a kill switch during maintenance.
   */
  isolate(): () => void {
    const previous = this.state
    this.#isolations++
    if (this.#isolations === 1) {
      this.#generation++
      this.#breakEmitter.emit({ isolated: true, error: undefined, nextProbeAt: undefined })
      this.#stateEmitter.emit({ state: 'isolated', previous })
    }
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.#isolations > 0) return
      this.#state = 'closed'
      this.#clearCounts()
      this.#generation++
      this.#resetEmitter.emit()
      this.#stateEmitter.emit({ state: 'closed', previous: 'isolated' })
    }
  }

  /**
   * Saves the automatic state (closed or open, with counts) as a plain JSON-safe object; pass it
   * back as `initialState` after a restart. A half-open circuit is saved as open with its probe
   * due at once. Isolation is not saved: its release handle cannot cross a restart, so the code
   * that isolates must isolate again.
   */
  toJSON(): CircuitBreakerState {
    const window = this.#window?.toJSON()
    if (this.#state === 'closed') {
      return window
        ? { version: 1, state: 'closed', failures: this.#failures, window }
        : { version: 1, state: 'closed', failures: this.#failures }
    }
    const openedAt =
      this.#state === 'open' ? this.#openedAt : this.#clock.now() - this.#halfOpenAfter
    return window
      ? { version: 1, state: 'open', openedAt, failures: this.#failures, window }
      : { version: 1, state: 'open', openedAt, failures: this.#failures }
  }

  #enter(): number {
    if (this.#isolations > 0) {
      throw refusal(
        `circuit breaker "${this.#name}" is isolated (held open by isolate()): calls fail until it is released`,
        { state: 'isolated', nextProbeAt: undefined },
      )
    }
    if (this.#state === 'closed') return this.#generation
    const now = this.#clock.now()
    if (this.#state === 'open') {
      const due = this.#openedAt + this.#halfOpenAfter
      if (now < due) {
        this.#openMessage ??= `circuit breaker "${this.#name}" is open ${this.#openReason}: calls fail fast until ${new Date(due).toISOString()}`
        throw refusal(
          `${this.#openMessage} (in ${due - now} ms), then one probe call is let through`,
          { state: 'open', nextProbeAt: due, cause: this.#lastFailure },
        )
      }
      this.#state = 'halfOpen'
      this.#probeStartedAt = now
      this.#generation++
      this.#halfOpenEmitter.emit()
      this.#stateEmitter.emit({ state: 'halfOpen', previous: 'open' })
      return ~this.#generation
    }
    // Half-open: a probe is in flight. One that never settles must not wedge the circuit, so
    // after another `halfOpenAfter` the next call becomes the probe and the old one is ignored.
    const due = this.#probeStartedAt + this.#halfOpenAfter
    if (now < due) {
      throw refusal(
        `circuit breaker "${this.#name}" is half-open and its probe call is in flight: calls fail fast until the probe succeeds`,
        { state: 'halfOpen', nextProbeAt: due, cause: this.#lastFailure },
      )
    }
    this.#probeStartedAt = now
    this.#generation++
    return ~this.#generation
  }

  #success(permit: number): void {
    if (permit >= 0) {
      if (permit !== this.#generation || this.#state !== 'closed') return
      if (this.#window) this.#window.record(this.#clock.now(), true)
      else this.#failures = 0
      return
    }
    if (~permit !== this.#generation || this.#state !== 'halfOpen') return
    const previous = this.#state
    this.#state = 'closed'
    this.#clearCounts()
    this.#generation++
    this.#resetEmitter.emit()
    this.#stateEmitter.emit({ state: 'closed', previous })
  }

  #failure(permit: number, error: unknown, aborted: boolean): void {
    if (aborted) {
      // The caller gave up: nothing was learnt about the backend. A probe frees its slot.
      if (permit < 0 && ~permit === this.#generation && this.#state === 'halfOpen') {
        this.#probeStartedAt = -Infinity
      }
      return
    }
    if (!this.#isFailure(error)) {
      this.#success(permit)
      return
    }
    if (permit >= 0) {
      if (permit !== this.#generation || this.#state !== 'closed') return
      this.#lastFailure = error
      if (this.#window) {
        const now = this.#clock.now()
        this.#window.record(now, false)
        this.#window.sum(now)
        const total = this.#window.ok + this.#window.failed
        if (total >= this.#minimumThroughput && this.#window.failed >= this.#ratio * total) {
          this.#open(
            error,
            `after ${this.#window.failed} failures in ${total} calls over ${this.#window.duration} ms`,
          )
        }
      } else if (++this.#failures >= this.#consecutiveThreshold) {
        this.#open(error, `after ${this.#failures} consecutive failures`)
      }
      return
    }
    if (~permit !== this.#generation || this.#state !== 'halfOpen') return
    this.#lastFailure = error
    this.#open(error, 'after its probe call failed')
  }

  #open(error: unknown, reason: string): void {
    const previous = this.#state
    this.#state = 'open'
    this.#openedAt = this.#clock.now()
    this.#openReason = reason
    this.#openMessage = undefined
    this.#failures = 0
    this.#generation++
    const nextProbeAt = this.#openedAt + this.#halfOpenAfter
    this.#breakEmitter.emit({ isolated: false, error, nextProbeAt })
    this.#stateEmitter.emit({ state: 'open', previous })
  }

  #clearCounts(): void {
    this.#failures = 0
    this.#window?.reset()
  }

  #restore(saved: CircuitBreakerState): void {
    const valid =
      typeof saved === 'object' &&
      saved !== null &&
      saved.version === 1 &&
      (saved.state === 'closed' ||
        (saved.state === 'open' && typeof saved.openedAt === 'number')) &&
      typeof saved.failures === 'number' &&
      (saved.window === undefined || Array.isArray(saved.window))
    if (!valid) {
      throw new BookingGuardError(
        'CONFIGURATION',
        `createCircuitBreaker: initialState is not a state saved by toJSON() (got ${safeJson(saved)})`,
      )
    }
    this.#state = saved.state
    this.#failures = saved.failures
    if (saved.state === 'open') {
      this.#openedAt = saved.openedAt!
      this.#openReason = 'since before a restart'
      this.#openMessage = undefined
    }
    if (this.#window && saved.window) this.#window.restore(saved.window)
  }
}

/**
 * Creates a {@link CircuitBreaker}. Consecutive-failure breaker by default (opens after 5
 * counted failures, probes after 30 s); a sampling breaker opens on a failure ratio over a
 * window. Only failures the classifier calls retryable count (network, 5xx, 429).
 *
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ halfOpenAfter: 10_000, initialState: await kv.get('breaker') })
 * breaker.onStateChange(() => kv.set('breaker', breaker.toJSON()))
 * const row = await breaker.execute(() => tablesDB.getRow({ databaseId: 'main', tableId: 'bookings', rowId }))
 * ```
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(options)
}

/**
 * The error of a refused call, built without capturing a stack trace. While a backend is down
 * every call is refused, and walking the stack was most of the cost of a refusal; its frames
 * would only point into the breaker, and `cause` keeps the failure that opened the circuit, with
 * its own stack. `stack` is then just `CircuitOpenError: <message>`.
 */
function refusal(message: string, options: CircuitOpenErrorOptions): CircuitOpenError {
  if (!(canScopeStackTraceLimit ??= stackTraceLimitIsWritable())) {
    return new CircuitOpenError(message, options)
  }
  const limit = ErrorWithLimit.stackTraceLimit
  ErrorWithLimit.stackTraceLimit = 0
  try {
    return new CircuitOpenError(message, options)
  } finally {
    ErrorWithLimit.stackTraceLimit = limit
  }
}

// `Error.stackTraceLimit` is V8's (and JavaScriptCore's); where it is missing, or the intrinsics
// are frozen, the error is built as usual.
const ErrorWithLimit = Error as ErrorConstructor & { stackTraceLimit?: number }
let canScopeStackTraceLimit: boolean | undefined

function stackTraceLimitIsWritable(): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')
  return (
    descriptor !== undefined && descriptor.writable === true && typeof descriptor.value === 'number'
  )
}

/** Whether `execute` options are an attempt's context from an outer policy. */
function isAttempt(options: ExecuteOptions | undefined): options is AttemptContext {
  return typeof (options as Partial<AttemptContext> | undefined)?.attempt === 'number'
}

function defaultIsFailure(error: unknown): boolean {
  return errorFacts(error).retryable
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
