/**
 * `@booking-guard/core/schema`: the schema lock and what it is made of — column builders, the
 * per-table zod schemas, the default table ids and indexes, the legacy aliases and the limits.
 *
 * @packageDocumentation
 */
export { SchemaLockError, isSchemaLockError } from '../errors'
export type { SchemaLockErrorOptions, SchemaLockIssue, SchemaLockIssueCode } from '../errors'
export { APPWRITE_SYSTEM_FIELDS, createSchemaLock } from './schemaLock'
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
} from './schemaLock'
export { createReadLock } from './readLock'
export type { ReadLock, ReadLockOptions } from './readLock'
export { LEGACY_ALIASES } from './aliases'
export type { LegacyAlias } from './aliases'
export {
  APPWRITE_DATETIME_MAX,
  APPWRITE_DATETIME_MIN,
  APPWRITE_ID_MAX_LENGTH,
  APPWRITE_ID_PATTERN,
  column,
} from './columns'
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
} from './columns'
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
} from './schemas'
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
} from './schemas'
export { BOOKING_ID_MAX_LENGTH } from '../pipeline/ids'
export type { ColumnNames, ValueMappings, WriteValues } from './mapping'
