// The transaction: the pipeline's writes staged in one Appwrite transaction (server ≥ 1.8) and
// committed at once, so nothing is applied unless everything is. What creation and transitions
// share: the three requests, the rollback, and rows built from the staged data.
import type { BackendRow, BackendTransactions, StagedWrite } from '../backend/appwriteBackend'
import type { PipelineCall } from './call'
import { classifyAppwriteError } from '../resilience/classifyError'
import type { PipelineRuntime, WriteSpec } from './types'
import { execute, settled, WriteAttempts } from './writes'

/** A create-or-get write as a staged create. @internal */
export function staged(spec: WriteSpec): StagedWrite {
  return {
    action: 'create',
    tableId: spec.tableId,
    rowId: spec.rowId,
    data: spec.data,
    permissions: spec.permissions,
  }
}

/**
 * A row as the server would return it, for writes whose response carries no row (a commit).
 * Completes the write's own `data` in place: each call builds its writes' data afresh, and
 * nothing reads it once the write has settled, so a copy of each row is spared.
 *
 * @internal
 */
export function synthesize(rt: PipelineRuntime, spec: WriteSpec, now: string): BackendRow {
  const row = spec.data as BackendRow
  row.$id = spec.rowId
  row.$createdAt = now
  row.$updatedAt = now
  row.$permissions = spec.permissions.slice()
  row.$databaseId = rt.backend.databaseId
  row.$tableId = spec.tableId
  return row
}

/** Opens a transaction (step `transaction`); resolves to its id. @internal */
export function begin(call: PipelineCall, transactions: BackendTransactions): Promise<string> {
  call.roundTrips++
  return call.step('transaction', () =>
    call.remote(() => transactions.begin(call.rt.settings.transactionTtlSeconds)),
  )
}

/** Stages `operations` (step `transaction`); nothing is applied before the commit. @internal */
export function stage(
  call: PipelineCall,
  transactions: BackendTransactions,
  transactionId: string,
  operations: readonly StagedWrite[],
): Promise<unknown> {
  call.roundTrips++
  return call.step('transaction', () =>
    call.remote(() => transactions.stage(transactionId, operations)),
  )
}

/**
 * Commits (step `commit`). Resolves to whether the commit's outcome is known: `true` once it was
 * answered; after a failure, `settled` says whether every commit request has settled (waited for
 * within `compensationTimeoutMs` when one may still land), so a caller never claims a commit that
 * can still be applied did not happen.
 *
 * @internal
 */
export class Commit {
  readonly #call: PipelineCall
  readonly #attempts: WriteAttempts<unknown>

  constructor(call: PipelineCall, transactions: BackendTransactions, transactionId: string) {
    this.#call = call
    this.#attempts = new WriteAttempts(() => transactions.commit(transactionId), call.budget)
  }

  /** Sends the commit under the guard's policy and the call's budget. */
  run(): Promise<unknown> {
    const call = this.#call
    call.roundTrips++
    return call.step('commit', () => execute(call.rt, this.#attempts.run, call.budget))
  }

  /**
   * After a failed commit: waits for a commit request still in flight. Resolves to whether the
   * commit can no longer land (every request settled).
   */
  settled(): Promise<boolean> {
    return settled(this.#call.rt, this.#attempts)
  }
}

/**
 * Rolls a transaction back within `compensationTimeoutMs`, never refused by the breaker.
 * Resolves to whether it is certainly not committed.
 *
 * @internal
 */
export async function rollback(
  call: PipelineCall,
  transactions: BackendTransactions,
  transactionId: string,
): Promise<boolean> {
  const budget = call.cleanupBudget()
  try {
    await call.cleanup(() => transactions.rollback(transactionId), budget)
    return true
  } catch (error) {
    return classifyAppwriteError(error).type === 'transaction_not_found'
  } finally {
    budget.dispose()
  }
}
