// Shared set-up of the adopt tests: the incident fixture's lock and audit.
import type { IncidentDatabase } from '@booking-guard/testing/fixtures'
import { auditData } from '../adopt/audit'
import type { AuditReport } from '../adopt/audit'
import { createSchemaLock } from '../schema/schemaLock'

export function incidentLock(incident: IncidentDatabase) {
  return createSchemaLock({
    tableIds: incident.mapping.tableIds,
    aliases: incident.mapping.aliases,
    values: incident.mapping.values,
    onIssue: () => {},
  })
}

/**
 * The incident app's lock once booking-guard writes for it: its collections, its own column names
 * (`therapistId`, `userId`, `isRead`, `message`) and status spellings (`'Pending'`, …).
 */
export function mappedIncidentLock(incident: IncidentDatabase) {
  return createSchemaLock({
    tableIds: incident.mapping.tableIds,
    aliases: incident.mapping.aliases,
    values: incident.mapping.values,
    columnNames: MAPPED_COLUMN_NAMES,
    writeValues: MAPPED_WRITE_VALUES,
    onIssue: () => {},
  })
}

export const MAPPED_COLUMN_NAMES = {
  booking: { providerId: 'therapistId', providerName: 'therapistName' },
  notification: { recipientId: 'userId', read: 'isRead' },
  chatMessage: { content: 'message' },
} as const

export const MAPPED_WRITE_VALUES = {
  booking: {
    status: {
      pending: 'Pending',
      confirmed: 'Confirmed',
      cancelled: 'Cancelled',
      expired: 'Expired',
    },
  },
} as const

export function auditIncident(
  incident: IncidentDatabase,
  options: { api?: 'tablesDB' | 'databases'; pageSize?: number } = {},
): Promise<AuditReport> {
  return auditData({
    ...(options.api === 'tablesDB'
      ? { tablesDB: incident.fake.tablesDB }
      : { databases: incident.fake.databases }),
    databaseId: incident.databaseId,
    lock: incidentLock(incident),
    strayTables: incident.mapping.strayTables,
    clock: incident.clock,
    pageSize: options.pageSize ?? 3,
  })
}
