import type { PipelineMode, PipelineStep } from '../errors'
import type { ReconcileReport } from './reconcile'

/** The operations that run as a pipeline (all-or-nothing writes). */
export type PipelineOperation =
  | 'createBooking'
  | 'respondToBooking'
  | 'cancelBooking'
  | 'expireBooking'
  | 'completeBooking'
  | 'sendMessage'

interface PipelineEventBase {
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

interface PushEventBase {
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
