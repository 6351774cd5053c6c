// `@booking-guard/core/admin`: what runs with an admin key from a terminal, a migration or CI,
// never in an app's request path nor a browser bundle: schema drift, provisioning, and the audit
// and repair of an existing app's data. The `booking-guard` CLI is built on it.

// schema drift + provisioning
export { checkSchemaDrift, formatDriftReport } from '../schema/drift'
export type {
  CheckSchemaDriftOptions,
  DriftFinding,
  DriftFindingKind,
  DriftFix,
  DriftReport,
  DriftSeverity,
  DriftTableSummary,
} from '../schema/drift'
export {
  DEFAULT_TABLE_PERMISSIONS,
  ProvisioningError,
  formatProvisionPlan,
  isProvisioningError,
  provisionSchema,
} from '../schema/provision'
export type {
  ProvisionAction,
  ProvisionPlan,
  ProvisionSchemaOptions,
  ProvisionStep,
  ProvisioningErrorOptions,
  ProvisioningFailure,
  UnavailableItem,
} from '../schema/provision'
export type {
  ColumnModelLike,
  IndexModelLike,
  TableModelLike,
  TablesDBAdminLike,
} from '../schema/adminTypes'

// adopting an existing app: audit and repair
export { AUDIT_PROBLEM_CODES, auditData, formatAuditReport } from '../adopt/audit'
export type { AuditDataOptions, AuditProblem, AuditProblemCode, AuditReport } from '../adopt/audit'
export { repairData } from '../adopt/repair'
export type { RepairChange, RepairDataOptions, RepairReport, RepairSkip } from '../adopt/repair'
export { formatRepairChange, formatRepairReport } from '../adopt/repair'
