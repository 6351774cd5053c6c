// Requests of the pipeline: under the guard's policy and a call's budget, tracked while they may
// still land, and what their errors say about what was written.
import { isCircuitOpenError } from '../errors'
import { errorFacts } from '../resilience/classifyError'
import { executeUnder } from '../resilience/wrap'
import type { ExecutionPolicy } from '../resilience/policy'
import { CallBudget, raceAbort } from './budget'
import type { CallSignal } from './budget'
import { capture } from './report'
import type { PipelineRuntime } from './types'
import type { BackendRow } from '../backend/appwriteBackend'

/** Runs one request under `policy`, each attempt bounded by `signal`. */
function under<T>(
  policy: ExecutionPolicy,
  request: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  if (signal instanceof CallBudget) {
    return executeUnder(policy, () => raceAbort(request, signal), signal)
  }
  return policy.execute((attempt) => raceAbort(request, attempt.signal), { signal })
}

/** Runs one request under the guard's retry policy and breaker, bounded by `signal`. @internal */
export function remote<T>(
  rt: Pick<PipelineRuntime, 'policy'>,
  request: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  return under(rt.policy, request, signal)
}

/**
 * Runs one cleanup request (compensation, rollback, tombstone) under the retry policy only, never
 * the breaker: see {@link PipelineRuntime.cleanupPolicy}. @internal
 */
export function cleanup<T>(
  rt: PipelineRuntime,
  request: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  return under(rt.cleanupPolicy, request, signal)
}

/**
 * Whether a failed request may still have been applied by the server: no answer (network,
 * timeout, abandoned), or a 5xx. A 4xx answer, or a call the breaker refused, wrote nothing.
 *
 * @internal
 */
export function mayHaveWritten(error: unknown): boolean {
  if (isCircuitOpenError(error)) return false
  const verdict = errorFacts(error)
  const status = verdict.status
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) return false
  return verdict.category !== 'schema' && verdict.category !== 'auth'
}

/** Whether `error` is a 404 (row, table or route missing, or unreadable for this user). @internal */
export function isNotFound(error: unknown): boolean {
  return errorFacts(error).status === 404
}

/** Whether `error` says the row itself does not exist (not its table or database). @internal */
export function isRowMissing(error: unknown): boolean {
  const type = errorFacts(error).type
  return type === 'row_not_found' || type === 'document_not_found'
}

/** Whether `error` is a unique-index violation (a taken slot). @internal */
export function isUniqueViolation(error: unknown): boolean {
  const type = errorFacts(error).type
  return (
    type === 'row_unique_constraint_violation' || type === 'document_unique_constraint_violation'
  )
}

/**
 * The attempts of one write request: remembers whether any of them may have written (an
 * ambiguous failure), and keeps the requests still in flight, so the pipeline never undoes a
 * write that may yet land ({@link WriteAttempts.settle}).
 *
 * @internal
 */
export class WriteAttempts<T> {
  /** Whether an attempt failed in a way that may still have written (network, 5xx, abandoned). */
  ambiguous = false
  /** Requests sent and not settled yet: the budget stopped waiting for them, the server may not have. */
  readonly #inflight = new Set<Promise<unknown>>()
  readonly run: () => Promise<T>

  constructor(request: () => Promise<T>, signal: CallSignal) {
    this.run = async () => {
      try {
        return await raceAbort(() => this.#track(request()), signal)
      } catch (error) {
        if (mayHaveWritten(error)) this.ambiguous = true
        throw error
      }
    }
  }

  /** Whether a request of this write is still in flight. */
  get unsettled(): boolean {
    return this.#inflight.size > 0
  }

  /**
   * Waits until every request of this write has settled, or `signal` aborts. Resolves to whether
   * they all settled.
   */
  async settle(signal: CallSignal): Promise<boolean> {
    while (this.#inflight.size > 0) {
      const pending = [...this.#inflight]
      try {
        await raceAbort(() => Promise.allSettled(pending), signal)
      } catch {
        return false
      }
    }
    return true
  }

  #track(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise)
    const done = () => {
      this.#inflight.delete(promise)
    }
    promise.then(done, done)
    return promise
  }
}

/** Waits, within `compensationTimeoutMs`, for every request of a write to settle. @internal */
export async function settled(
  rt: PipelineRuntime,
  write: WriteAttempts<unknown>,
): Promise<boolean> {
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    return await write.settle(budget)
  } finally {
    budget.dispose()
  }
}

/**
 * Waits for a write that may still land, then sends the same update again (idempotent), both
 * within `compensationTimeoutMs` and never refused by the breaker. Resolves to the updated row, or
 * `undefined` when it could not be done.
 *
 * @internal
 */
export async function settleThenUpdate(
  rt: PipelineRuntime,
  write: WriteAttempts<unknown>,
  bookingId: string,
  patch: Record<string, unknown>,
): Promise<BackendRow | undefined> {
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    await write.settle(budget)
    return await cleanup(rt, () => rt.backend.update(rt.tables.booking, bookingId, patch), budget)
  } catch (error) {
    capture(rt, error, 'booking', 'warning', 'pipeline.deliver', { bookingId })
    return undefined
  } finally {
    budget.dispose()
  }
}

/** Runs one operation under the guard's policy, cancelled by `signal`. @internal */
export function execute<T>(
  rt: PipelineRuntime,
  fn: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  if (signal instanceof CallBudget) return executeUnder(rt.policy, fn, signal)
  return rt.policy.execute(fn, { signal })
}

/**
 * Deletes a row; `row_not_found` counts as done (a missing table does not: the delete proves
 * nothing then). Resolves to the error, or `undefined` on success.
 *
 * @internal
 */
export async function removeRow(
  rt: PipelineRuntime,
  tableId: string,
  rowId: string,
  signal: CallSignal,
): Promise<unknown> {
  try {
    await cleanup(rt, () => rt.backend.remove(tableId, rowId), signal)
    return undefined
  } catch (error) {
    return isRowMissing(error) ? undefined : (error ?? new Error('delete failed'))
  }
}
