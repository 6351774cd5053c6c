// The contract every policy runs an operation under (cockatiel's `IPolicy`): one `execute(fn,
// options)`, which is also how policies compose — `wrap` hands each attempt's context to the inner
// policy's `execute` as its options.

/** What every attempt of an operation receives. */
export interface AttemptContext {
  /** The caller's signal (a never-aborting one when none was given); pass it on to `fetch` or the SDK. */
  readonly signal: AbortSignal
  /** 1-based number of this attempt: `1` for the first call, `2` for the first retry. */
  readonly attempt: number
}

/** Options of a single `execute` call. */
export interface ExecuteOptions {
  /**
   * Cancels the operation: a pending back-off delay is cancelled at once (no timer is left
   * behind) and the call rejects with `signal.reason`. The signal is also handed to each attempt.
   */
  signal?: AbortSignal
}

/** An operation run under a policy: receives `{ signal, attempt }`, returns a value or a promise. */
export type Operation<T> = (context: AttemptContext) => T | PromiseLike<T>

/** Anything that runs an {@link Operation}: a retry policy, a circuit breaker, or both wrapped. */
export interface ExecutionPolicy {
  /** Runs `fn` under the policy; resolves with its value or rejects with its (last) error. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T>
}

let neverAborted: AbortSignal | undefined

/**
 * The signal attempts get when the caller passed none; created on first use (nothing runs at
 * import time) and shared.
 *
 * @internal
 */
export const neverAbortedSignal = (): AbortSignal => (neverAborted ??= new AbortController().signal)

/**
 * What a call can be cancelled by, besides a plain `AbortSignal`: an object that knows whether it
 * has aborted and builds its `AbortSignal` only when asked (a back-off sleep, or an operation that
 * reads `attempt.signal`). The pipeline's call budgets are one: most calls never need a signal,
 * and creating one is the priciest part of an `AbortController`.
 *
 * @internal
 */
export interface AbortSource {
  readonly aborted: boolean
  readonly reason: unknown
  /** The equivalent `AbortSignal`, created on first use. */
  readonly signal: AbortSignal
}

/**
 * `execute` options cancelled by an {@link AbortSource}: `signal` is built only when read, and the
 * library's own policies read `source` instead, so a composition passes the source from policy to
 * policy without ever building the signal. Any other policy just reads `signal`.
 *
 * @internal
 */
export class SourceOptions implements ExecuteOptions {
  constructor(readonly source: AbortSource) {}

  get signal(): AbortSignal {
    return this.source.signal
  }
}

/**
 * The context of an attempt cancelled by an {@link AbortSource}. Passed on as the `execute`
 * options of a nested policy (as `wrap` does), it hands that policy the source, not a signal.
 *
 * @internal
 */
export class LazyAttempt extends SourceOptions implements AttemptContext {
  constructor(
    source: AbortSource,
    readonly attempt: number,
  ) {
    super(source)
  }
}

/** The {@link AbortSource} carried by `options`, if they are {@link SourceOptions}. @internal */
export function sourceOf(options: ExecuteOptions | undefined): AbortSource | undefined {
  return options instanceof SourceOptions ? options.source : undefined
}

/**
 * The context of attempt number `attempt`: lazy under a `source`, else the caller's `signal` (or
 * the shared never-aborted one).
 *
 * @internal
 */
export function attemptContext(
  source: AbortSource | undefined,
  signal: AbortSignal | undefined,
  attempt: number,
): AttemptContext {
  return source !== undefined
    ? new LazyAttempt(source, attempt)
    : { signal: signal ?? neverAbortedSignal(), attempt }
}

/**
 * Runs `fn` under `policy`, cancelled by `source`: the library's own policies (alone or wrapped)
 * build the source's `AbortSignal` only if an attempt reads `attempt.signal` or a back-off sleep
 * needs it; any other policy reads `signal` and gets it.
 *
 * @internal
 */
export function executeUnder<T>(
  policy: ExecutionPolicy,
  fn: Operation<T>,
  source: AbortSource,
): Promise<T> {
  return policy.execute(fn, new SourceOptions(source))
}
