import type { BackendRow } from '../backend/appwriteBackend'
import { BookingPipelineError, PipelineTimeoutError } from '../errors'
import type { PipelineMode, PipelineStep } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import { BudgetExpired, CallBudget } from './budget'
import { capture, categoryOf, emit } from './report'
import type {
  PipelineEventBase,
  PipelineOperation,
  PipelineRuntime,
  PipelineTimings,
  StepOutcome,
  WriteSpec,
  WriteState,
} from './types'
import {
  cleanup,
  execute,
  isNotFound,
  isUniqueViolation,
  mayHaveWritten,
  remote,
  removeRow,
  WriteAttempts,
} from './writes'

/** What a failed pipeline call reports. @internal */
export interface FailureReport {
  /** The step that failed. */
  readonly step: PipelineStep
  /** Everything the call wrote was undone (or nothing was written). */
  readonly compensated: boolean
  /** The reconciler finishes or undoes what is left. */
  readonly pendingReconcile: boolean
  /** The error behind the failure. */
  readonly cause: unknown
  /** Overrides the reason the error message gives. */
  readonly reason?: string
}

/** How a {@link PipelineCall} is started. @internal */
export interface PipelineCallOptions {
  readonly operation: PipelineOperation
  readonly bookingId: string
  readonly mode: PipelineMode
  /** The caller's signal; the call's budget aborts with it. */
  readonly signal?: AbortSignal | undefined
  /** The call's budget in milliseconds. Defaults to the guard's `timeoutMs`. */
  readonly timeoutMs?: number
}

/**
 * One pipeline call (a booking's creation, a transition, a message, a reconciler's completion),
 * as query-core makes a `Mutation` per execution: it holds the runtime, the call's budget, its
 * mode, timings and round trips, and is the one place that times steps, writes create-or-get,
 * and reports the outcome (events, metrics, the error monitor, the typed error).
 *
 * @internal
 */
export class PipelineCall {
  readonly rt: PipelineRuntime
  readonly operation: PipelineOperation
  readonly bookingId: string
  /** How this call writes; a creation probing `auto` may switch to saga before its first write. */
  mode: PipelineMode
  /** The call's time budget (and the caller's signal): every request of the call races it. */
  readonly budget: CallBudget
  /** When the call started, by the guard's clock. */
  readonly startedAt: number
  /** Milliseconds per step, retries included. */
  readonly timings: Partial<Record<PipelineStep, number>> = {}
  /** Sequential request waves the call waited on. */
  roundTrips = 0
  /** The create-or-get writes this call sent, by step: undoing must know what may still land. */
  readonly #writes: Array<[PipelineStep, WriteAttempts<unknown>]> = []

  constructor(rt: PipelineRuntime, options: PipelineCallOptions) {
    this.rt = rt
    this.operation = options.operation
    this.bookingId = options.bookingId
    this.mode = options.mode
    this.budget = new CallBudget(
      rt.clock,
      options.timeoutMs ?? rt.settings.timeoutMs,
      options.signal,
    )
    this.startedAt = rt.clock.now()
  }

  /** Writes in `mode` from now on; the steps timed so far belonged to the other mode. */
  switchMode(mode: PipelineMode): void {
    if (this.mode === mode) return
    this.mode = mode
    for (const step of Object.keys(this.timings)) delete this.timings[step as PipelineStep]
  }

  /** Emits `pipelineStarted` in the call's current mode. */
  started(): void {
    emit(this.rt, () => ({ type: 'pipelineStarted', ...this.#eventBase() }))
  }

  /** Runs one step: times it and emits `stepSucceeded` or `stepFailed`. */
  async step<T>(step: PipelineStep, run: () => Promise<T>): Promise<T> {
    const started = this.rt.clock.now()
    let value: T
    try {
      value = await run()
    } catch (error) {
      this.#stepEnded(step, this.rt.clock.now() - started, false, error)
      throw error
    }
    this.#stepEnded(step, this.rt.clock.now() - started, false, undefined)
    return value
  }

  /** One request under the guard's policy and breaker, bounded by the call's budget. */
  remote<T>(request: () => Promise<T>): Promise<T> {
    return remote(this.rt, request, this.budget)
  }

  /**
   * Create-or-get: creates the row; on a 409 `already_exists` reads it and, if it matches, counts
   * the step as done (`existing`). Never throws: the outcome says what was left behind. `started`
   * is the step's start on the guard's clock (steps started together share one reading).
   */
  async write(spec: WriteSpec, started: number = this.rt.clock.now()): Promise<StepOutcome> {
    const { rt } = this
    const attempts = new WriteAttempts(
      () => rt.backend.create(spec.tableId, spec.rowId, spec.data, spec.permissions),
      this.budget,
    )
    this.#writes.push([spec.step, attempts])
    let outcome: StepOutcome
    try {
      const row = await execute(rt, attempts.run, this.budget)
      outcome = this.#outcome(spec, started, 'created', row, undefined)
    } catch (error) {
      try {
        outcome = await this.#afterRefusedCreate(spec, started, error)
        if (outcome.state === 'existing' && attempts.ambiguous) {
          outcome = { ...outcome, mayBeOwn: true }
        }
      } catch (failure) {
        const state = attempts.ambiguous || mayHaveWritten(failure) ? 'unknown' : 'clean'
        outcome = this.#outcome(spec, started, state, undefined, failure)
        this.#stepEnded(spec.step, outcome.durationMs, false, failure)
        return outcome
      }
    }
    this.#stepEnded(spec.step, outcome.durationMs, outcome.state === 'existing', undefined)
    return outcome
  }

  /**
   * Removes rows (404 counts as done), in parallel, bounded by `budget` and never refused by the
   * breaker. Resolves to what was removed and the first error, if any.
   */
  async remove(
    targets: ReadonlyArray<{ readonly tableId: string; readonly rowId: string }>,
    budget: CallBudget,
  ): Promise<{ undone: string[]; error: unknown }> {
    const undone: string[] = []
    const errors = await Promise.all(
      targets.map(async ({ tableId, rowId }) => {
        const error = await removeRow(this.rt, tableId, rowId, budget)
        if (error === undefined) undone.push(`${tableId}/${rowId}`)
        return error
      }),
    )
    return { undone, error: errors.find((error) => error !== undefined) }
  }

  /**
   * Whether a create this call sent for a step other than `except` is still in flight: it may
   * land after anything the call undoes (the booking's own create cannot: the void tombstone
   * answers it with a 409).
   */
  writesInFlight(except: PipelineStep): boolean {
    return this.#writes.some(([step, attempts]) => step !== except && attempts.unsettled)
  }

  /** A budget for undoing or finishing this call: `compensationTimeoutMs`, whatever is left of the call's. */
  cleanupBudget(): CallBudget {
    return new CallBudget(this.rt.clock, this.rt.settings.compensationTimeoutMs)
  }

  /** One cleanup request (never refused by the breaker) bounded by `budget`. */
  cleanup<T>(request: () => Promise<T>, budget: CallBudget): Promise<T> {
    return cleanup(this.rt, request, budget)
  }

  /** Emits `compensated`. */
  compensated(ok: boolean, undone: readonly string[], error: unknown): void {
    emit(this.rt, () => ({
      type: 'compensated',
      ...this.#eventBase(),
      ok,
      undone: [...undone],
      error,
    }))
  }

  /**
   * Builds the error for a failed call (`error`, or a `PipelineTimeoutError` when the budget ran
   * out, else a `BookingPipelineError`), records it in the metrics and the error monitor, emits
   * `pipelineFailed`, and returns it to throw.
   */
  fail(report: FailureReport, error?: Error): Error {
    const { rt } = this
    const details = {
      bookingId: this.bookingId,
      operation: this.operation,
      failedStep: report.step,
      compensated: report.compensated,
      pendingReconcile: report.pendingReconcile,
      mode: this.mode,
      cause: report.cause,
    }
    const thrown =
      error ??
      (this.budget.timedOut
        ? new PipelineTimeoutError({ ...details, timeoutMs: rt.settings.timeoutMs })
        : new BookingPipelineError(details, report.reason ?? reasonOf(report.cause)))
    if (this.operation === 'createBooking') {
      rt.metrics?.recordBooking(false)
      if (report.step === 'chatRoom') rt.metrics?.recordChatRoom(false)
      if (report.step === 'notification') rt.metrics?.recordNotification(false)
    } else if (report.step === 'notification' && rt.pushSender === undefined) {
      rt.metrics?.recordNotification(false)
    }
    capture(
      rt,
      thrown,
      categoryOf(report.step),
      report.compensated ? 'error' : 'critical',
      this.operation,
      {
        bookingId: this.bookingId,
        step: report.step,
        mode: this.mode,
        compensated: report.compensated,
        pendingReconcile: report.pendingReconcile,
      },
    )
    emit(rt, () => ({
      type: 'pipelineFailed',
      ...this.#eventBase(),
      step: report.step,
      compensated: report.compensated,
      pendingReconcile: report.pendingReconcile,
      error: thrown,
      durationMs: rt.clock.now() - this.startedAt,
    }))
    return thrown
  }

  /** Emits `pipelineSucceeded` and returns the call's timings. */
  succeed(replayed: boolean): PipelineTimings {
    const { rt } = this
    const totalMs = rt.clock.now() - this.startedAt
    emit(rt, () => ({
      type: 'pipelineSucceeded',
      ...this.#eventBase(),
      replayed,
      durationMs: totalMs,
    }))
    return { totalMs, roundTrips: this.roundTrips, steps: this.timings }
  }

  /** Stops the budget's timer and detaches from the caller's signal. */
  dispose(): void {
    this.budget.dispose()
  }

  /** The fields every event of this call carries, read now. */
  #eventBase(): PipelineEventBase {
    return {
      at: this.rt.clock.now(),
      operation: this.operation,
      bookingId: this.bookingId,
      mode: this.mode,
    }
  }

  /**
   * Records a step's duration and emits `stepSucceeded` (`error === undefined`) or `stepFailed`;
   * builds no event when nobody listens.
   */
  #stepEnded(step: PipelineStep, durationMs: number, existing: boolean, error: unknown): void {
    const { rt } = this
    this.timings[step] = durationMs
    if (rt.events.size === 0) return
    rt.events.emit(
      error === undefined
        ? {
            type: 'stepSucceeded',
            ...this.#eventBase(),
            step,
            durationMs,
            existing,
          }
        : {
            type: 'stepFailed',
            ...this.#eventBase(),
            step,
            durationMs,
            error,
          },
    )
  }

  #outcome(
    spec: WriteSpec,
    started: number,
    state: WriteState,
    row: BackendRow | undefined,
    error: unknown,
  ): StepOutcome {
    return { step: spec.step, state, row, error, durationMs: this.rt.clock.now() - started }
  }

  /**
   * A create was refused: on a 409 (or a unique violation, which may answer before the primary
   * key does) look for the row. Throws the create's error when nothing says the row is there.
   */
  async #afterRefusedCreate(
    spec: WriteSpec,
    started: number,
    error: unknown,
  ): Promise<StepOutcome> {
    const { rt } = this
    if (!classifyAppwriteError(error).alreadyExists && !isUniqueViolation(error)) throw error
    let row: BackendRow
    try {
      row = await this.remote(() => rt.backend.get(spec.tableId, spec.rowId))
    } catch (readError) {
      if (isNotFound(readError) && isUniqueViolation(error)) {
        // No row with this id: another row holds the unique value (a taken slot).
        throw error
      }
      if (isNotFound(readError) || classifyAppwriteError(readError).category === 'auth') {
        if (spec.unreadable === 'existing')
          return this.#outcome(spec, started, 'existing', undefined, undefined)
        return this.#outcome(spec, started, 'foreign', undefined, error)
      }
      // The row exists (409) but could not be read now: a child with a derived id is ours;
      // a booking must never be compensated unverified (it may be another call's).
      if (spec.unreadable === 'existing')
        return this.#outcome(spec, started, 'existing', undefined, undefined)
      return this.#outcome(spec, started, 'unverified', undefined, readError)
    }
    return spec.matches(row, spec)
      ? this.#outcome(spec, started, 'existing', row, undefined)
      : this.#outcome(spec, started, 'foreign', row, error)
  }
}

/** The reason an error message gives for `cause`; none for a budget that ran out. @internal */
export function reasonOf(cause: unknown): string | undefined {
  if (cause instanceof BudgetExpired) return undefined
  return classifyAppwriteError(cause).reason
}
