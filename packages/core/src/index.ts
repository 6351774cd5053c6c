export { BookingGuardError, isBookingGuardError } from './errors'
export type { BookingGuardErrorCode, BookingGuardErrorOptions } from './errors'
export { bookingErrorFromJSON, bookingErrorToJSON } from './errorJson'
export type { BookingErrorJSON } from './errorJson'
export { systemClock } from './clock'
export type { Clock, TimerHandle } from './clock'

// resilience
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

// monitor
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

// schema
export { SchemaLockError, isSchemaLockError } from './errors'
export type { SchemaLockErrorOptions, SchemaLockIssue, SchemaLockIssueCode } from './errors'
export { APPWRITE_SYSTEM_FIELDS, createSchemaLock } from './schema/schemaLock'
export type {
  AppwriteSystemFields,
  LockInput,
  LockOutput,
  LockSchema,
  NormalizedRow,
  ParseContext,
  SchemaExtensions,
  SchemaLock,
  SchemaLockOptions,
  SchemaLockReadIssue,
} from './schema/schemaLock'
export { LEGACY_ALIASES } from './schema/aliases'
export type { LegacyAlias } from './schema/aliases'
export {
  APPWRITE_DATETIME_MAX,
  APPWRITE_DATETIME_MIN,
  APPWRITE_ID_MAX_LENGTH,
  APPWRITE_ID_PATTERN,
  column,
} from './schema/columns'
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

// backend + pipeline
export {
  BookingPipelineError,
  BookingStateError,
  IdempotencyConflictError,
  PipelineTimeoutError,
  SlotTakenError,
  isBookingPipelineError,
  isBookingStateError,
  isIdempotencyConflictError,
  isPipelineTimeoutError,
  isSlotTakenError,
} from './errors'
export type {
  BookingStateErrorOptions,
  BookingStateReason,
  IdempotencyConflictErrorOptions,
  PipelineErrorOptions,
  PipelineFailureDetails,
  PipelineMode,
  PipelineStep,
  SlotTakenErrorOptions,
} from './errors'
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
export { createBookingGuard } from './guard'
export type {
  BookingGuard,
  BookingGuardBackendOption,
  BookingGuardBaseOptions,
  BookingGuardOptions,
  CreateBookingInput,
} from './guard'
export { BOOKING_ID_MAX_LENGTH } from './pipeline/ids'
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

// realtime
export { defaultChannel } from './realtime/types'
export type {
  ChannelBuilder,
  FeedBooking,
  FeedConnection,
  FeedListenOptions,
  FeedMessage,
  ProviderBookingEvent,
  ProviderFeedSnapshot,
  RealtimeConnectionLike,
  RealtimeLifecycleLike,
  RealtimeMetrics,
  RealtimeMonitor,
  RoomFeedSnapshot,
  RoomMessageEvent,
  WatchdogState,
} from './realtime/types'
export {
  DEFAULT_DEAD_AFTER_MISSES,
  DEFAULT_WATCHDOG_INTERVAL_MS,
  DEFAULT_WATCHDOG_TIMEOUT_MS,
  createWatchdog,
} from './realtime/watchdog'
export type {
  Watchdog,
  WatchdogConfig,
  WatchdogOptions,
  WatchdogReason,
  WatchdogSnapshot,
  WatchdogStateChange,
} from './realtime/watchdog'
export {
  DEFAULT_INITIAL_LIMIT,
  DEFAULT_OVERLAP_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RECONCILE_INTERVAL_MS,
  createFeedManager,
} from './realtime/feed'
export type {
  CustomerFeed,
  Feed,
  FeedConfig,
  FeedManager,
  FeedManagerOptions,
  ProviderFeed,
  RoomFeed,
} from './realtime/feed'
export { createProviderFeed } from './realtime/providerFeed'
export type { ProviderFeedOptions } from './realtime/providerFeed'
export { createRoomFeed } from './realtime/roomFeed'
export type { RoomFeedOptions } from './realtime/roomFeed'
export {
  DEFAULT_HEALTH_CHECK_INTERVAL_MS,
  DEFAULT_SYNTHETIC_CUSTOMER_ID,
  DEFAULT_SYNTHETIC_PROVIDER_ID,
  createHealthCheck,
} from './realtime/healthCheck'
export type {
  HealthCheck,
  HealthCheckConfig,
  HealthCheckFetch,
  HealthCheckOptions,
  HealthCheckPing,
  HealthCheckResult,
  HealthCheckSnapshot,
  HealthCheckStep,
  HealthCheckStepName,
  SyntheticBookingRequest,
  SyntheticBookingWriter,
} from './realtime/healthCheck'

// observers: framework-agnostic snapshots for `useSyncExternalStore`
export type { ObserverLike } from './observers/store'
export {
  DEFAULT_BOOKING_ERROR_MESSAGES,
  createBookingSubmitObserver,
  describeBookingError,
} from './observers/bookingSubmitObserver'
export type {
  BookingErrorDescription,
  BookingErrorKind,
  BookingErrorMessages,
  BookingSubmitObserver,
  BookingSubmitError,
  BookingSubmitObserverOptions,
  BookingSubmitOptions,
  BookingSubmitSnapshot,
  BookingSubmitStatus,
  BookingSuccessContext,
} from './observers/bookingSubmitObserver'
export { createChatRoomObserver } from './observers/chatRoomObserver'
export type {
  ChatMessageStatus,
  ChatParticipant,
  ChatRoomMessage,
  ChatRoomObserver,
  ChatRoomObserverOptions,
  ChatRoomSnapshot,
} from './observers/chatRoomObserver'
export { createProviderBookingsObserver } from './observers/providerBookingsObserver'
export type {
  ProviderBookingItem,
  ProviderBookingsObserver,
  ProviderBookingsObserverOptions,
  ProviderBookingsSnapshot,
} from './observers/providerBookingsObserver'
export { createCustomerBookingsObserver } from './observers/customerBookingsObserver'
export type {
  CustomerBookingsObserver,
  CustomerBookingsObserverOptions,
  CustomerBookingsSnapshot,
} from './observers/customerBookingsObserver'
export type { BookingListState } from './observers/bookingList'
export { createConnectionObserver } from './observers/connectionObserver'
export type {
  ConnectionObserver,
  ConnectionObserverOptions,
  ConnectionSnapshot,
  ConnectionState,
} from './observers/connectionObserver'
export { createErrorMonitorObserver } from './observers/errorMonitorObserver'
export type {
  ErrorMonitorObserver,
  ErrorMonitorObserverOptions,
  ErrorMonitorView,
} from './observers/errorMonitorObserver'
export { createHealthObserver } from './observers/healthObserver'
export type {
  HealthObserver,
  HealthObserverOptions,
  HealthSnapshot,
} from './observers/healthObserver'

// the browser's guard: writes through a booking server, reads as the user
export { createBookingClient } from './client/createBookingClient'
export type {
  BookingClient,
  BookingClientOptions,
  BookingClientWrites,
  ExecutionLike,
  FetchLike,
  FunctionsLike,
} from './client/createBookingClient'
export type { BookingGuardLike } from './client/types'

// adopting an existing app: value mappings, audit, repair
export type { ValueMappings } from './schema/mapping'
export type { ColumnNames, WriteValues } from './schema/mapping'
