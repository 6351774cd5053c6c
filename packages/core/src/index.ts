/**
 * `@booking-guard/core`: what an app needs first. The server's guard (`createBookingGuard`), the
 * browser's (`createBookingClient`), the typed errors and their wire form, the error monitor and
 * metrics, and the types of bookings, rows and results. Specialist pieces live in subpaths:
 *
 * - `@booking-guard/core/schema`: the schema lock, column builders, per-table schemas, limits
 * - `@booking-guard/core/realtime`: feeds, watchdog and health check on their own, tuning defaults
 * - `@booking-guard/core/resilience`: retry policy, circuit breaker, error classifier
 * - `@booking-guard/core/observers`: framework-agnostic snapshots (what the React hooks are made of)
 * - `@booking-guard/core/server`: the booking server, an Appwrite Function or a Fetch handler
 * - `@booking-guard/core/admin`: drift, provisioning, audit and repair (and the CLI)
 *
 * @packageDocumentation
 */

// the guards
export { createBookingGuard } from './guard'
export type {
  BookingGuard,
  BookingGuardBackendOption,
  BookingGuardBaseOptions,
  BookingGuardOptions,
  CreateBookingInput,
} from './guard'
export { createBookingClient } from './client/createBookingClient'
export type {
  BookingClient,
  BookingClientOptions,
  BookingClientWrites,
  ExecutionLike,
  FetchLike,
  FunctionsLike,
} from './client/createBookingClient'
export type { BookingReadGuard, ReadGuardOptions } from './client/readGuard'
export type { BookingGuardLike } from './client/types'

// errors, and their wire form between a booking server and a browser
export {
  BookingGuardError,
  BookingPipelineError,
  BookingStateError,
  CircuitOpenError,
  IdempotencyConflictError,
  PipelineTimeoutError,
  SchemaLockError,
  SlotTakenError,
  isBookingGuardError,
  isBookingPipelineError,
  isBookingStateError,
  isCircuitOpenError,
  isIdempotencyConflictError,
  isPipelineTimeoutError,
  isSchemaLockError,
  isSlotTakenError,
} from './errors'
export type {
  BookingGuardErrorCode,
  BookingGuardErrorOptions,
  BookingStateErrorOptions,
  BookingStateReason,
  CircuitOpenErrorOptions,
  CircuitOpenState,
  IdempotencyConflictErrorOptions,
  PipelineErrorOptions,
  PipelineFailureDetails,
  PipelineMode,
  PipelineStep,
  SchemaLockErrorOptions,
  SchemaLockIssue,
  SchemaLockIssueCode,
  SlotTakenErrorOptions,
} from './errors'
export { bookingErrorFromJSON, bookingErrorToJSON } from './errorJson'
export type { BookingErrorJSON } from './errorJson'
export {
  DEFAULT_BOOKING_ERROR_MESSAGES,
  describeBookingError,
} from './observers/bookingSubmitObserver'
export type {
  BookingErrorDescription,
  BookingErrorKind,
  BookingErrorMessages,
} from './observers/bookingSubmitObserver'

// monitoring
export { ERROR_CATEGORIES, ERROR_SEVERITIES, createErrorMonitor } from './monitor/errorMonitor'
export type {
  CaptureOptions,
  CapturedError,
  CriticalAlert,
  ErrorCategory,
  ErrorMonitor,
  ErrorMonitorExport,
  ErrorMonitorOptions,
  ErrorMonitorSnapshot,
  ErrorSeverity,
  MetricAlert,
  MonitorAlert,
  MonitorAlertInput,
  MonitorLogger,
  RateAlert,
} from './monitor/errorMonitor'
export { createMetrics } from './monitor/metrics'
export type {
  CounterMetric,
  GaugeMetric,
  MetricPoint,
  Metrics,
  MetricsOptions,
  MetricsSnapshot,
  PipelineRate,
  RateMetric,
} from './monitor/metrics'

// the values of the guard's options: kept here too (they also live in `/schema` and `/resilience`)
export { createSchemaLock } from './schema/schemaLock'
export type { SchemaExtensions, SchemaLock, SchemaLockOptions } from './schema/schemaLock'
export { createReadLock } from './schema/readLock'
export type { ReadLock, ReadLockOptions } from './schema/readLock'
export { column } from './schema/columns'
export { createRetryPolicy } from './resilience/retryPolicy'
export type { ExecutionPolicy, RetryPolicy, RetryPolicyOptions } from './resilience/retryPolicy'
export { createCircuitBreaker } from './resilience/circuitBreaker'
export type { CircuitBreaker, CircuitBreakerOptions } from './resilience/circuitBreaker'
export { systemClock } from './clock'
export type { Clock, TimerHandle } from './clock'

// bookings, rows and results
export type {
  Booking,
  BookingInput,
  BookingSource,
  BookingStatus,
  BookingType,
  ChatMessage,
  ChatRoom,
  ChatRoomStatus,
  MessageType,
  Notification,
  NotificationPriority,
  NotificationType,
  PipelineStatus,
  ProviderResponseStatus,
  ProviderType,
  PushStatus,
  RecipientType,
  SenderType,
  TableKind,
} from './schema/schemas'
export type {
  BookingRow,
  ChatMessageRow,
  ChatRoomRow,
  CreateBookingOptions,
  CreateBookingResult,
  NotificationRow,
  PipelineTimings,
} from './pipeline/createBooking'
export type {
  CancelBookingOptions,
  RespondToBookingOptions,
  TransitionResult,
} from './pipeline/lifecycle'
export type {
  ListMessagesOptions,
  MarkMessagesReadOptions,
  MarkMessagesReadResult,
  MessagePage,
  SendMessageInput,
  SendMessageResult,
} from './pipeline/chat'
export type {
  CommunicationCheck,
  CommunicationStatus,
  ProviderBookingsOptions,
  ProviderBookingsPage,
} from './pipeline/reads'
export type {
  ReconcileFailure,
  ReconcileOptions,
  ReconcilePhase,
  ReconcileReport,
} from './pipeline/reconcile'
export type { PushAttemptContext, PushMessage, PushSender } from './pipeline/push'
export type { PermissionsOptions } from './pipeline/permissions'
export type { PendingAction, SlotLockRule } from './pipeline/types'
export type {
  HealthCheckResult,
  HealthCheckStep,
  HealthCheckStepName,
} from './realtime/healthCheck'
export type { CustomerFeed, ProviderFeed, RoomFeed } from './realtime/feed'
export type { Watchdog, WatchdogConfig } from './realtime/watchdog'
export type {
  FeedBooking,
  FeedMessage,
  ProviderBookingEvent,
  RoomMessageEvent,
  WatchdogState,
} from './realtime/types'

// the guard's event stream
export type {
  BookingGuardEvent,
  BookingGuardListener,
  CompensatedEvent,
  MessageSentEvent,
  ModeResolvedEvent,
  PipelineFailedEvent,
  PipelineOperation,
  PipelineStartedEvent,
  PipelineSucceededEvent,
  PushDeliveredEvent,
  PushFailedEvent,
  ReconciledEvent,
  StepFailedEvent,
  StepSucceededEvent,
} from './pipeline/types'

// the Appwrite services the guards take (the real SDKs' objects and the fake's fit)
export type {
  AppwriteRowLike,
  CreateRowArgs,
  DatabasesLike,
  DocumentListLike,
  DocumentRef,
  ListRowsArgs,
  RealtimeEventLike,
  RealtimeLike,
  RealtimeSubscriptionLike,
  RowListLike,
  RowRef,
  TablesDBLike,
  TransactionLike,
  TransactionOperation,
  WriteRowArgs,
} from './backend/types'
