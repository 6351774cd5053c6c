export { BookingGuardError, isBookingGuardError } from './errors'
export type { BookingGuardErrorCode, BookingGuardErrorOptions } from './errors'
export { systemClock } from './clock'
export type { Clock, TimerHandle } from './clock'

// resilience (issue 5)
export { CircuitOpenError, isCircuitOpenError } from './errors'
export type { CircuitOpenErrorOptions, CircuitOpenState } from './errors'
export { createRetryPolicy } from './resilience/retryPolicy'
export type {
  AttemptContext,
  ExecuteOptions,
  ExecutionPolicy,
  GiveUpEvent,
  GiveUpReason,
  JitterKind,
  Operation,
  RetryEvent,
  RetryPolicy,
  RetryPolicyOptions,
  SuccessEvent,
} from './resilience/retryPolicy'
export { createCircuitBreaker } from './resilience/circuitBreaker'
export type {
  BreakEvent,
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitBreakerState,
  CircuitState,
  ConsecutiveBreakerOptions,
  SamplingBreakerOptions,
  StateChangeEvent,
} from './resilience/circuitBreaker'
export { wrap } from './resilience/wrap'
export type { ResiliencePolicy } from './resilience/wrap'
export { classifyAppwriteError, retryAfterHint } from './resilience/classifyError'
export type {
  AppwriteErrorCategory,
  ClassifyOptions,
  ErrorClassification,
} from './resilience/classifyError'
export { createSeededRandom } from './resilience/random'
export type { RandomSource } from './resilience/random'
export type { SlidingWindowState } from './resilience/slidingWindow'

// monitor (issue 5)
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

// schema (issue 4)
export { SchemaLockError, isSchemaLockError } from './errors'
export type { SchemaLockErrorOptions, SchemaLockIssue, SchemaLockIssueCode } from './errors'
export { APPWRITE_SYSTEM_FIELDS, createSchemaLock } from './schema/schemaLock'
export type {
  AppwriteSystemFields,
  LockOutput,
  LockSchema,
  NormalizedRow,
  SchemaExtensions,
  SchemaLock,
  SchemaLockOptions,
  SchemaLockReadIssue,
} from './schema/schemaLock'
export { LEGACY_ALIASES } from './schema/aliases'
export type { LegacyAlias } from './schema/aliases'
export { APPWRITE_ID_MAX_LENGTH, APPWRITE_ID_PATTERN, column } from './schema/columns'
export type {
  ColumnDef,
  ColumnDefs,
  ColumnOptions,
  ColumnSpec,
  ColumnSpecInput,
  ColumnType,
  IndexSpec,
  IndexType,
  NumberColumnOptions,
  StringColumnOptions,
  TableSpec,
} from './schema/columns'
export {
  BookingInputSchema,
  BookingSchema,
  BookingSourceSchema,
  BookingStatusSchema,
  BookingTypeSchema,
  ChatMessageSchema,
  ChatRoomSchema,
  ChatRoomStatusSchema,
  DEFAULT_INDEXES,
  DEFAULT_TABLE_IDS,
  DURATION_MAX_MINUTES,
  HeartbeatSchema,
  MESSAGE_MAX_LENGTH,
  MessageTypeSchema,
  NAME_MAX_LENGTH,
  NotificationPrioritySchema,
  NotificationSchema,
  NotificationTypeSchema,
  PRICE_MAX_MINOR_UNITS,
  PipelineStatusSchema,
  ProviderResponseStatusSchema,
  ProviderTypeSchema,
  PushStatusSchema,
  RecipientTypeSchema,
  SCHEMA_KINDS,
  SenderTypeSchema,
  TABLE_KINDS,
  defaultColumns,
} from './schema/schemas'
export type {
  Booking,
  BookingInput,
  BookingSource,
  BookingStatus,
  BookingType,
  ChatMessage,
  ChatRoom,
  ChatRoomStatus,
  Heartbeat,
  MessageType,
  Notification,
  NotificationPriority,
  NotificationType,
  PipelineStatus,
  ProviderResponseStatus,
  ProviderType,
  PushStatus,
  RecipientType,
  SchemaKind,
  SenderType,
  TableKind,
} from './schema/schemas'

// schema drift + provisioning (issue 4)

// backend + pipeline (issue 6)
