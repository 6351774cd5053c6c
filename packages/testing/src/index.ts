export { createManualClock, systemFakeClock } from './fake/clock'
export type { FakeClock, FakeTimerHandle, ManualClock, ManualClockOptions } from './fake/clock'

// fake
export { createFakeAppwrite } from './fake/createFakeAppwrite'
export type {
  FakeAppwrite,
  FakeAppwriteOptions,
  FakeClient,
  FakeClientConfig,
} from './fake/createFakeAppwrite'
export { FakeTablesDB } from './fake/tablesDB'
export type {
  BulkRowsParams,
  CreateRowParams,
  DecrementRowColumnParams,
  DeleteRowParams,
  DeleteRowsParams,
  GetRowParams,
  IncrementRowColumnParams,
  ListRowsParams,
  UpdateRowsParams,
  WriteRowParams,
} from './fake/tablesDB'
export { FakeDatabases } from './fake/databases'
export type {
  BulkDocumentsParams,
  CreateDocumentParams,
  DecrementDocumentAttributeParams,
  DeleteDocumentParams,
  DeleteDocumentsParams,
  GetDocumentParams,
  IncrementDocumentAttributeParams,
  ListDocumentsParams,
  UpdateDocumentsParams,
  WriteDocumentParams,
} from './fake/databases'
export {
  APPWRITE_ERRORS,
  AppwriteException,
  FAKE_SERVER_VERSION,
  appwriteError,
  appwriteErrorFor,
  isAppwriteException,
  networkError,
} from './fake/errors'
export type { AppwriteErrorType } from './fake/errors'
export { createIdGenerator, isValidId } from './fake/ids'
export type { IdGenerator, IdGeneratorOptions } from './fake/ids'
export type {
  ColumnDefinition,
  ColumnStatus,
  ColumnType,
  DatabaseDefinition,
  DocumentData,
  FakeApi,
  FakeColumn,
  FakeDefaultDocument,
  FakeDefaultRow,
  FakeDocument,
  FakeDocumentList,
  FakeIndex,
  FakeRow,
  FakeRowList,
  FakeSnapshot,
  IndexDefinition,
  PartialDocumentData,
  PartialRowData,
  RowData,
  StringColumnFormat,
  TableDefinition,
} from './fake/types'

// realtime + faults
export { RealtimeHub } from './fake/realtime'
export type {
  CreateRealtimeOptions,
  FakeRealtime,
  FakeRealtimeSubscription,
  FakeRealtimeSubscriptionUpdate,
  RealtimeChannelInput,
  RealtimeHubOptions,
  RealtimeQueryInput,
  RealtimeReadPredicate,
  RealtimeResponseEvent,
  RealtimeRow,
  RealtimeRowEvent,
  RealtimeViewer,
} from './fake/realtime'
export {
  GLOBAL_ROW_CHANNELS,
  formatRealtimeTimestamp,
  rowEventChannels,
  rowEventNames,
  rowEventTableChannels,
} from './fake/channels'
export type {
  RealtimeDatabaseType,
  RowEventAction,
  RowEventNamesOptions,
  RowEventTarget,
} from './fake/channels'
export { DEFAULT_FAULT_LOG_SIZE, FaultInjector } from './fake/faults'
export type {
  FailFaultOptions,
  FaultCallContext,
  FaultCounts,
  FaultCallScope,
  FaultError,
  FaultFrequency,
  FaultInjectorOptions,
  FaultLogEntry,
  FaultLogKind,
  FaultRule,
  FaultRuleKind,
  HangFaultOptions,
  HangFaultRule,
  LatencyFaultOptions,
  RealtimeDelayOptions,
  RealtimeDisconnectOptions,
  RealtimeDisconnectRule,
  RealtimeDropOptions,
  RealtimeDuplicateOptions,
  RealtimeFaults,
  RealtimeFaultScope,
} from './fake/faults'
export { createFakeRandom } from './fake/random'
export type { FakeRandomSource } from './fake/random'

// transactions + permissions
export type { FakeAppwriteSession } from './fake/createFakeAppwrite'
export type {
  FakeIdentity,
  FakeRolesIdentity,
  FakeTeamMembership,
  FakeUserIdentity,
} from './fake/permissions'
export type {
  CreateOperationsParams,
  CreateTransactionParams,
  ListTransactionsParams,
  TransactionParams,
  UpdateTransactionParams,
} from './fake/transactionsApi'
export type { FakeTransaction, FakeTransactionList } from './fake/types'

// schema management: admin
export {
  ColumnStatus as FakeColumnStatus,
  DatabaseType as FakeDatabaseType,
  FakeTablesDBAdmin,
} from './fake/admin'
export type {
  AdminDatabaseParams,
  AdminKeyParams,
  AdminListParams,
  AdminTableParams,
  ColumnStatusName,
  CreateBooleanColumnParams,
  CreateColumnParams,
  CreateDatabaseParams,
  CreateEnumColumnParams,
  CreateFloatColumnParams,
  CreateFormatColumnParams,
  CreateIndexParams,
  CreateIntegerColumnParams,
  CreateSizedColumnParams,
  CreateTableParams,
  CreateTextColumnParams,
  FakeColumnBooleanModel,
  FakeColumnDatetimeModel,
  FakeColumnEnumModel,
  FakeColumnFloatModel,
  FakeColumnFormatModel,
  FakeColumnIntegerModel,
  FakeColumnList,
  FakeColumnModel,
  FakeColumnModelBase,
  FakeColumnStringModel,
  FakeColumnTextModel,
  FakeColumnVarcharModel,
  FakeDatabaseList,
  FakeDatabaseModel,
  FakeGetColumnModel,
  FakeIndexList,
  FakeIndexModel,
  FakeTableList,
  FakeTableModel,
  ListColumnsParams,
  ListDatabasesParams,
  ListTablesParams,
  SetSchemaStatusParams,
  UpdateBooleanColumnParams,
  UpdateColumnParams,
  UpdateDatabaseParams,
  UpdateEnumColumnParams,
  UpdateFloatColumnParams,
  UpdateIntegerColumnParams,
  UpdateSizedColumnParams,
  UpdateTableParams,
  UpdateTextColumnParams,
} from './fake/admin'

// emulator: Node-only (`node:http`, `ws`), so it has its own entry,
// `@booking-guard/testing/emulator` (src/emulator/index.ts), and the root stays browser-safe.

// account, users, functions
export { FakeAccount } from './fake/account'
export type {
  CreateAccountParams,
  EmailPasswordSessionParams,
  FakeAccountModel,
  FakeSessionList,
  FakeSessionModel,
  FakeTokenModel,
} from './fake/account'
export type { OutboxFilter, OutboxMessage, TokenKind } from './fake/tokens'
// The Users service itself comes with `installAccountFeatures` (`@booking-guard/testing/accounts`).
export type { FakeUsers } from './fake/users'
export type { CreateUserParams, FakeUserList, FakeUserModel } from './fake/users'
export type {
  CreateHashedUserParams,
  CreateSHAUserParams,
  CreateScryptModifiedUserParams,
  CreateScryptUserParams,
  FakeIdentityList,
  FakeLogList,
} from './fake/users'
export { FakeFunctions } from './fake/functions'
export type {
  CreateExecutionParams,
  FakeExecutionList,
  FakeExecutionModel,
  FunctionContext,
  FunctionDefinition,
  FunctionHandler,
  FunctionRegistration,
  FunctionRequest,
  FunctionResponse,
  FunctionResponseValue,
} from './fake/functions'
export type { FaultApi } from './fake/faults'
