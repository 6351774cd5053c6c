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

/** The problems an audit found, as the incident lists them (by code, table, then row). */
export function foundProblems(report: AuditReport) {
  return report.problems
    .map((p) => ({ code: p.code, tableId: p.tableId, rowId: p.rowId }))
    .sort(
      (a, b) =>
        a.code.localeCompare(b.code) ||
        a.tableId.localeCompare(b.tableId) ||
        a.rowId.localeCompare(b.rowId),
    )
}

/** A booking input for a customer and provider the incident database does not hold yet. */
export const NEW_BOOKING_INPUT = {
  customerId: 'c-new',
  customerName: 'Ana',
  providerId: 'p-new',
  providerType: 'therapist',
  providerName: 'Budi',
  bookingType: 'immediate',
  durationMinutes: 60,
} as const
