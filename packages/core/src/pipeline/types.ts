// The pipeline's types, in one leaf module: everything here is a type (no run-time code), and
// nothing here imports from the rest of pipeline/, so every pipeline module can depend on it.
import type { Backend, BackendRow } from '../backend/appwriteBackend'
import type { Clock } from '../clock'
import type { PipelineMode, PipelineStep } from '../errors'
import type { ErrorMonitor } from '../monitor/errorMonitor'
import type { Metrics } from '../monitor/metrics'
import type { Emitter } from '../resilience/emitter'
import type { ExecutionPolicy } from '../resilience/retryPolicy'
import type { NormalizedRow, SchemaExtensions, SchemaLock } from '../schema/schemaLock'
import type { ReadLock } from '../schema/readLock'
import type {
  Booking,
  ChatMessage,
  ChatRoom,
  Notification,
  NotificationPriority,
  NotificationType,
  RecipientType,
} from '../schema/schemas'

// ------------------------------------------------------------------------------------------------
// The runtime a guard wires once
// ------------------------------------------------------------------------------------------------

/** The table ids the pipeline writes. @internal */
export interface GuardTables {
  readonly booking: string
  readonly chatRoom: string
  readonly chatMessage: string
  readonly notification: string
}

/** What the reconciler does with a booking left `pending`. */
export type PendingAction = 'complete' | 'compensate'

/** Resolved numeric and behavioural settings of a guard. @internal */
export interface PipelineSettings {
  readonly timeoutMs: number
  readonly compensationTimeoutMs: number
  readonly responseDeadlineMs: number
  readonly chatRoomTtlMs: number
  readonly transactionTtlSeconds: number
  readonly slotLock: SlotLockRule | undefined
  readonly generateId: () => string
  readonly pendingAction: PendingAction
  readonly pushTimeoutMs: number
  readonly maxPushAttempts: number
}

/** How the slot key of a scheduled booking is computed. @internal */
export type SlotLockRule = (booking: {
  providerId: string
  scheduledAt: string
  durationMinutes: number
}) => string

/** What the pipeline asks of the mode selector (see `mode.ts`). @internal */
export interface ModeState {
  /** The mode to use now; `'probe'` while `auto` has not decided yet (try a transaction). */
  current(): PipelineMode | 'probe'
  /** Whether the guard may fall back to saga when a transaction cannot start. */
  readonly auto: boolean
  /** `auto`: a transaction started, so the server supports them. */
  supported(): void
  /** `auto`: the server refused transactions; every later call runs as a saga. */
  unsupported(reason: string): void
}

/** The permission lists of each row kind. @internal */
export interface PermissionRules {
  /**
   * A booking: read for both parties. Every write to it runs on the server (an API key): with
   * `update` a customer could accept their own booking, or mark it failed so the reconciler
   * removes its room and notification.
   */
  booking(customerId: string, providerId: string): readonly string[]
  /** A chat room: read and update (read markers) for both parties. */
  participants(customerId: string, providerId: string): readonly string[]
  /** A chat message: read for both parties (messages are immutable once sent). */
  message(customerId: string, providerId: string): readonly string[]
  /** A notification: read and update (mark read) for its recipient only. */
  recipient(userId: string): readonly string[]
  /** The provider's user id. */
  providerUser(providerId: string): string
}

/**
 * Everything a pipeline needs, wired once by `createBookingGuard`.
 *
 * @internal
 */
export interface PipelineRuntime {
  readonly backend: Backend
  readonly lock: SchemaLock<SchemaExtensions>
  readonly tables: GuardTables
  readonly policy: ExecutionPolicy
  /**
   * The retry policy without the breaker, for cleanup (compensation, rollback, tombstones): undoing
   * a half-made booking must still run while the breaker is open, and its successes must not
   * reset the breaker's count of failing forward writes.
   */
  readonly cleanupPolicy: ExecutionPolicy
  readonly clock: Clock
  readonly monitor: ErrorMonitor | undefined
  readonly metrics: Metrics | undefined
  readonly permissions: PermissionRules
  readonly settings: PipelineSettings
  readonly modes: ModeState
  readonly events: Emitter<BookingGuardEvent>
  /** The app's push sender, when configured. */
  readonly pushSender: PushSender | undefined
  /** Retries push attempts (not the Appwrite breaker: the push service is another backend). */
  readonly pushPolicy: ExecutionPolicy
  /** Background work (push deliveries) still running; `guard.idle()` awaits it. */
  readonly background: Set<Promise<unknown>>
}

/**
 * What the reads (a provider's bookings, a room's messages, read markers, communication checks)
 * need of a runtime: the browser's read guard builds only this, so it never loads the pipeline.
 *
 * @internal
 */
export type ReadRuntime = Pick<
  PipelineRuntime,
  'backend' | 'tables' | 'policy' | 'clock' | 'permissions'
> & { readonly lock: ReadLock; readonly settings: Pick<PipelineSettings, 'timeoutMs'> }

// ------------------------------------------------------------------------------------------------
// Writes
// ------------------------------------------------------------------------------------------------

/**
 * What a write step left behind: `created` (this call wrote it), `existing` (it was there and
 * matched), `clean` (failed, nothing written), `unknown` (failed, may have been written),
 * `foreign` (a different row holds the id: never touch it), `unverified` (a row holds the id but
 * could not be read to compare: never touch it either).
 *
 * @internal
 */
export type WriteState = 'created' | 'existing' | 'clean' | 'unknown' | 'foreign' | 'unverified'

/** A settled write step. @internal */
export interface StepOutcome {
  readonly step: PipelineStep
  readonly state: WriteState
  readonly row: BackendRow | undefined
  readonly error: unknown
  /** Milliseconds the step took. */
  readonly durationMs: number
  /**
   * For an `existing` row: an earlier attempt of this very call may have written it (it got no
   * answer), so the row is not known to be another call's.
   */
  readonly mayBeOwn?: boolean
}

/** A write's target. @internal */
export interface WriteSpec {
  readonly step: PipelineStep
  readonly tableId: string
  readonly rowId: string
  readonly data: Record<string, unknown>
  readonly permissions: readonly string[]
  /**
   * Whether an existing row with this id is the one this write means (create-or-get). Given the
   * spec itself, so a module-level function can compare with `spec.data` (no closure per write).
   */
  readonly matches: (row: BackendRow, spec: WriteSpec) => boolean
  /**
   * What a 409 whose row cannot be read means: `existing` for children (the id is derived, so
   * it is ours, only not readable by this user), `foreign` for the booking.
   */
  readonly unreadable: 'existing' | 'foreign'
}

// ------------------------------------------------------------------------------------------------
// Rows and results
// ------------------------------------------------------------------------------------------------

/** A booking row as the guard returns it: canonical fields plus Appwrite's system fields. */
export type BookingRow = NormalizedRow<Booking>
/** A chat room row as the guard returns it. */
export type ChatRoomRow = NormalizedRow<ChatRoom>
/** A chat message row as the guard returns it. */
export type ChatMessageRow = NormalizedRow<ChatMessage>
/** A notification row as the guard returns it. */
export type NotificationRow = NormalizedRow<Notification>

/** How long a pipeline call took, and how many sequential request waves it waited on. */
export interface PipelineTimings {
  /** Milliseconds from the call to its result, by the guard's clock. */
  readonly totalMs: number
  /**
   * Round trips on the critical path: sequential waves of requests the call waited on (parallel
   * requests count once). A fresh saga booking takes 2, a transaction 3.
   */
  readonly roundTrips: number
  /** Milliseconds per step, retries included. */
  readonly steps: Readonly<Partial<Record<PipelineStep, number>>>
}

// ------------------------------------------------------------------------------------------------
// Push
// ------------------------------------------------------------------------------------------------

/** What the app's push sender receives: the notification, without storage details. */
export interface PushMessage {
  /** The notification row's id (stable: use it to deduplicate on the device). */
  readonly notificationId: string
  /** The booking it is about. */
  readonly bookingId: string | null | undefined
  /** Who to push to (for the provider's "new booking": the provider id). */
  readonly recipientId: string
  /** What kind of recipient. */
  readonly recipientType: RecipientType
  /** What it is about. */
  readonly type: NotificationType
  /** Title, at most 255 characters. */
  readonly title: string
  /** Body, at most 2,000 characters. */
  readonly body: string
  /** How urgent it is. */
  readonly priority: NotificationPriority
}

/** What each push attempt receives. */
export interface PushAttemptContext {
  /** Aborts when the push budget (`pushTimeoutMs`) runs out; pass it to `fetch`. */
  readonly signal: AbortSignal
  /** 1-based attempt number. */
  readonly attempt: number
}

/**
 * Sends one push (web push, FCM, APNs, …). Resolve (or return `'sent'`) when delivered to the
 * push service, return `'skipped'` when there is nothing to send to (no device registered), and
 * throw to fail the attempt; failed attempts are retried, then recorded as `pushStatus: 'failed'`
 * and retried again by the reconciler.
 */
export type PushSender = (
  message: PushMessage,
  context: PushAttemptContext,
) => 'sent' | 'skipped' | void | Promise<'sent' | 'skipped' | void>

// ------------------------------------------------------------------------------------------------
// Reconcile report
// ------------------------------------------------------------------------------------------------

/** One row the reconciler could not handle, and why. */
export interface ReconcileFailure {
  /** The row id. */
  readonly id: string
  /** What went wrong. */
  readonly message: string
}

/** The phases of a pass, in the order they run. */
export type ReconcilePhase =
  'revived' | 'restored' | 'pending' | 'delivered' | 'expired' | 'push' | 'orphans'

/**
 * Live bookings of one provider slot (same provider, same start) seen by one pass.
 *
 * @inline
 */
export interface SlotDuplicate {
  /** The provider. */
  readonly providerId: string
  /** The start, ISO 8601. */
  readonly scheduledAt: string
  /** Every live booking of that slot; the one holding the slot key first. */
  readonly bookingIds: readonly string[]
}

/** What a reconcile pass found and did. Plain JSON. */
export interface ReconcileReport {
  /** When the pass started, ISO 8601. */
  readonly startedAt: string
  /** Milliseconds the pass took. */
  readonly durationMs: number
  /** `true` when every phase drained all its due work within the budget. */
  readonly complete: boolean
  /** Phases the budget (or the signal) cut short: the next pass carries on with them. */
  readonly remaining: readonly ReconcilePhase[]
  /**
   * Compensated bookings that a late write set back to `delivered` (they carry the void
   * marker): failed again, their rows removed, so a caller told that nothing was kept never
   * ends up with a live booking.
   */
  readonly revived: {
    readonly found: number
    readonly voided: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /**
   * Void bookings (updated within the horizon) that still have every creation row: a
   * compensation's void write landed after a later call with the same idempotency key had
   * completed the booking (or the compensation could not remove its rows, and said so). Delivered
   * again with a fresh deadline and their slot, so a caller told the booking is made keeps it.
   */
  readonly restored: {
    readonly found: number
    readonly restored: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /** Bookings left `pending` (crashed tab, killed process, failed compensation). */
  readonly pending: {
    readonly found: number
    readonly completed: readonly string[]
    readonly compensated: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /**
   * Delivered bookings (updated within the horizon) checked for their chat room, system message
   * and provider notification; any missing row is written again (create-or-get).
   */
  readonly delivered: {
    readonly checked: number
    readonly completed: readonly string[]
    readonly failed: readonly ReconcileFailure[]
    /** More than one live booking for one provider slot among the checked ones: reported, not changed. */
    readonly duplicateSlots: readonly SlotDuplicate[]
  }
  /** Bookings whose provider missed the response deadline. */
  readonly expired: {
    readonly found: number
    readonly expired: readonly string[]
    /** Changed by someone else meanwhile (accepted, cancelled). */
    readonly skipped: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /** Notifications whose push failed or never ran. */
  readonly push: {
    readonly found: number
    readonly sent: readonly string[]
    readonly skipped: readonly string[]
    readonly failed: readonly string[]
  }
  /** Rows whose booking is missing or failed (late writes, failed compensation). */
  readonly orphans: {
    readonly scanned: number
    readonly removed: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /** Phases that could not run to the end (e.g. a list query failed). */
  readonly errors: readonly { readonly phase: ReconcilePhase; readonly message: string }[]
}

// ------------------------------------------------------------------------------------------------
// Events
// ------------------------------------------------------------------------------------------------

/** The operations that run as a pipeline (all-or-nothing writes). */
export type PipelineOperation =
  | 'createBooking'
  | 'respondToBooking'
  | 'cancelBooking'
  | 'expireBooking'
  | 'completeBooking'
  | 'sendMessage'

/** The fields every event of a pipeline call carries. */
export interface PipelineEventBase {
  /** Epoch milliseconds, from the guard's clock. */
  readonly at: number
  /** The operation that emitted the event. */
  readonly operation: PipelineOperation
  /** The booking concerned. */
  readonly bookingId: string
  /** How the operation writes. */
  readonly mode: PipelineMode
}

/** A pipeline call started (after validation, before the first write). */
export interface PipelineStartedEvent extends PipelineEventBase {
  readonly type: 'pipelineStarted'
}

/** One step of a pipeline finished. */
export interface StepSucceededEvent extends PipelineEventBase {
  readonly type: 'stepSucceeded'
  /** The step. */
  readonly step: PipelineStep
  /** Milliseconds the step took, retries included. */
  readonly durationMs: number
  /** `true` when the row already existed (a retry or a replay) and was verified instead of written. */
  readonly existing: boolean
}

/** One step of a pipeline failed after its retries. */
export interface StepFailedEvent extends PipelineEventBase {
  readonly type: 'stepFailed'
  /** The step. */
  readonly step: PipelineStep
  /** Milliseconds the step took, retries included. */
  readonly durationMs: number
  /** What it failed with. */
  readonly error: unknown
}

/** A pipeline call finished: every row it promises exists. */
export interface PipelineSucceededEvent extends PipelineEventBase {
  readonly type: 'pipelineSucceeded'
  /** `true` when an earlier call with the same idempotency key had already done the work. */
  readonly replayed: boolean
  /** Milliseconds the whole call took. */
  readonly durationMs: number
}

/** A pipeline call failed; the error is also thrown to the caller and captured by the monitor. */
export interface PipelineFailedEvent extends PipelineEventBase {
  readonly type: 'pipelineFailed'
  /** The step that failed. */
  readonly step: PipelineStep
  /** `true` when nothing of the call remains. */
  readonly compensated: boolean
  /** `true` when the booking is left `pending` for the reconciler. */
  readonly pendingReconcile: boolean
  /** The error thrown to the caller. */
  readonly error: unknown
  /** Milliseconds the whole call took, compensation included. */
  readonly durationMs: number
}

/** Compensation ran after a failure. */
export interface CompensatedEvent extends PipelineEventBase {
  readonly type: 'compensated'
  /** `true` when every partial write was undone. */
  readonly ok: boolean
  /** Row ids removed or reverted, as `table/rowId`. */
  readonly undone: readonly string[]
  /** The first compensation failure, when `ok` is `false`. */
  readonly error: unknown
}

/** `mode: 'auto'` decided how this guard writes. */
export interface ModeResolvedEvent {
  readonly type: 'modeResolved'
  /** Epoch milliseconds. */
  readonly at: number
  /** The mode every following call uses. */
  readonly mode: PipelineMode
  /** Why, in words. */
  readonly reason: string
}

/** The fields every push event carries. */
export interface PushEventBase {
  /** Epoch milliseconds. */
  readonly at: number
  /** The booking the notification belongs to. */
  readonly bookingId: string
  /** The notification row. */
  readonly notificationId: string
  /** Calls made to the push sender so far for this notification. */
  readonly attempts: number
}

/** The app's push sender delivered (or deliberately skipped) a notification. */
export interface PushDeliveredEvent extends PushEventBase {
  readonly type: 'pushDelivered'
  /** `sent`, or `skipped` when the sender said there was nothing to send to. */
  readonly status: 'sent' | 'skipped'
}

/** The push sender failed after its retries; the reconciler retries it later. */
export interface PushFailedEvent extends PushEventBase {
  readonly type: 'pushFailed'
  /** The last failure. */
  readonly error: unknown
}

/** A chat message was stored. */
export interface MessageSentEvent {
  readonly type: 'messageSent'
  /** Epoch milliseconds. */
  readonly at: number
  /** The room. */
  readonly roomId: string
  /** The stored message's id. */
  readonly messageId: string
  /** `true` when the same `clientMessageId` had already been stored. */
  readonly replayed: boolean
}

/** A reconcile pass finished. */
export interface ReconciledEvent {
  readonly type: 'reconciled'
  /** Epoch milliseconds. */
  readonly at: number
  /** What it found and did. */
  readonly report: ReconcileReport
}

/**
 * Everything a guard reports through `guard.on(listener)`: a discriminated union on `type`, like
 * TanStack Query's `QueryCacheNotifyEvent`.
 */
export type BookingGuardEvent =
  | PipelineStartedEvent
  | StepSucceededEvent
  | StepFailedEvent
  | PipelineSucceededEvent
  | PipelineFailedEvent
  | CompensatedEvent
  | ModeResolvedEvent
  | PushDeliveredEvent
  | PushFailedEvent
  | MessageSentEvent
  | ReconciledEvent

/** A guard event listener. */
export type BookingGuardListener = (event: BookingGuardEvent) => void
