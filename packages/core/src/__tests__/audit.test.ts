import { createIncidentDatabase } from '@booking-guard/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { auditData, formatAuditReport } from '../adopt/audit'
import { auditIncident, foundProblems, incidentLock } from './adoptFixtures'

describe('audit', () => {
  it('should find every planted problem and nothing else, on the Databases API', async () => {
    const incident = await createIncidentDatabase()
    const report = await auditIncident(incident)
    expect(foundProblems(report)).toEqual(incident.problems)
    expect(report.ok).toBe(false)
    expect(report.api).toBe('databases')
    expect(report.scanned).toEqual({
      bookings_collection_id: incident.bookingIds.length,
      chat_rooms: incident.bookingIds.length - 2,
      chat_messages: incident.bookingIds.length - 3,
      notifications: incident.bookingIds.length - 3,
      messages: 2,
    })
  })

  it('should find the same on the TablesDB API, whatever the page size', async () => {
    const incident = await createIncidentDatabase({ healthyBookings: 7 })
    const small = await auditIncident(incident, { api: 'tablesDB', pageSize: 1 })
    const large = await auditIncident(incident, { api: 'tablesDB', pageSize: 5000 })
    expect(foundProblems(small)).toEqual(incident.problems)
    expect(large.problems).toEqual(small.problems)
  })

  it('should report a clean database as ok', async () => {
    const incident = await createIncidentDatabase({ healthyBookings: 3 })
    const report = await auditData({
      databases: incident.fake.databases,
      databaseId: 'nothing-here',
      lock: incidentLock(incident),
      clock: incident.clock,
    })
    expect(report.ok).toBe(true)
    expect(formatAuditReport(report)).toContain('✓ nothing to repair')
  })

  it('should name the legacy fields and the open roles it found', async () => {
    const incident = await createIncidentDatabase()
    const report = await auditIncident(incident)
    const therapist = report.problems.find((p) => p.rowId === 'b-therapist')!
    expect(therapist.fields).toEqual(['therapistId', 'therapistName'])
    const open = report.problems.find((p) => p.code === 'openPermissions' && p.rowId === 'b-open')!
    expect(open.fields).toEqual(['read("any")', 'update("any")'])
    const duplicate = report.problems.find((p) => p.code === 'duplicateSlot')!
    expect(duplicate.message).toContain('`b-dup-1`')
    expect(formatAuditReport(report)).toContain('✗ 2 bookings stuck pending [stuckPending]')
  })
})
