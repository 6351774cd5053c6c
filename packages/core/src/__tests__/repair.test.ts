import { createManualClock } from '@booking-guard/testing'
import { createIncidentDatabase } from '@booking-guard/testing/fixtures'
import type { IncidentDatabase } from '@booking-guard/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { repairData } from '../adopt/repair'
import type { RepairDataOptions, RepairReport } from '../adopt/repair'
import type { DatabasesLike } from '../backend/types'
import { createRetryPolicy } from '../resilience/retryPolicy'
import { auditIncident, incidentLock } from './adoptFixtures'

function repairIncident(
  incident: IncidentDatabase,
  options: Partial<RepairDataOptions> = {},
): Promise<RepairReport> {
  return repairData({
    databases: incident.fake.databases,
    databaseId: incident.databaseId,
    lock: incidentLock(incident),
    strayTables: incident.mapping.strayTables,
    clock: incident.clock,
    pageSize: 4,
    mode: 'apply',
    rewriteLegacy: true,
    duplicateSlots: 'cancel',
    permissions: { adminRoles: [incident.adminRole] },
    ...options,
  })
}

/** The legacy Databases service, failing every write after the first `writes` ones. */
function crashingAfter(databases: DatabasesLike, writes: number): DatabasesLike {
  let left = writes
  return new Proxy(databases, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      const name = String(property)
      const isWrite = /^(create|update|upsert|delete)Document$/.test(name)
      return (...args: unknown[]) => {
        if (isWrite && left-- <= 0) return Promise.reject(new Error('process killed'))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

const rowsOf = (incident: IncidentDatabase, tableId: string) =>
  incident.fake.snapshot()[incident.databaseId]![tableId] ?? []

describe('repair', () => {
  it('should fix every planted problem, so a second audit is clean', async () => {
    const incident = await createIncidentDatabase()
    const report = await repairIncident(incident)
    expect(report.skipped).toEqual([])
    expect(report.changes.every((c) => c.outcome === 'applied')).toBe(true)
    const fixed = new Set(report.changes.flatMap((c) => c.fixes))
    expect([...fixed].sort()).toEqual([...new Set(incident.problems.map((p) => p.code))].sort())

    const after = await auditIncident(incident)
    expect(after.problems).toEqual([])
    expect(after.ok).toBe(true)

    // Never deletes a booking; the duplicate is cancelled, the stuck ones expired.
    const bookings = rowsOf(incident, 'bookings_collection_id')
    expect(bookings.map((b) => b.$id)).toEqual(incident.bookingIds)
    const status = (id: string) => bookings.find((b) => b.$id === id)!.status
    expect(status('b-dup-2')).toBe('cancelled')
    expect(status('b-dup-1')).toBe('confirmed')
    expect(status('b-stuck-1')).toBe('expired')
    expect(status('b-stuck-2')).toBe('expired')
    expect(status('b-pending-case')).toBe('pending')
    const open = bookings.find((b) => b.$id === 'b-open')!
    expect(open.$permissions).not.toContain('read("any")')
    expect(open.$permissions).toContain('read("user:c-b-open")')
    const therapist = bookings.find((b) => b.$id === 'b-therapist')!
    expect(therapist.therapistId).toBeNull()
    expect(therapist.providerId).toBe('p-b-therapist')

    // The missing children use the pipeline's derived ids and texts.
    expect(rowsOf(incident, 'chat_rooms').find((r) => r.$id === 'b-bare')).toMatchObject({
      bookingId: 'b-bare',
      customerId: 'c-b-bare',
      providerId: 'p-b-bare',
    })
    expect(rowsOf(incident, 'chat_messages').find((r) => r.$id === 'b-bare.m0')).toMatchObject({
      roomId: 'b-bare',
      senderType: 'system',
    })
    expect(rowsOf(incident, 'notifications').find((r) => r.$id === 'b-bare')).toMatchObject({
      recipientId: 'p-b-bare',
      type: 'bookingReceived',
    })
    expect(rowsOf(incident, 'messages')).toEqual([])
    expect(rowsOf(incident, 'notifications').map((r) => r.$id)).toContain('ntf-b-stray-notice')
  })

  it('should change nothing in a dry run, and list what apply would do', async () => {
    const incident = await createIncidentDatabase()
    const before = incident.fake.snapshot()
    const plan = await repairIncident(incident, { mode: 'dryRun' })
    expect(incident.fake.snapshot()).toEqual(before)
    expect(plan.dryRun).toBe(true)
    expect(plan.changes.every((c) => c.outcome === 'planned')).toBe(true)
    const applied = await repairIncident(incident)
    const key = (c: RepairReport['changes'][number]) =>
      `${c.action} ${c.tableId}/${c.rowId} ${c.fixes.join(',')} ${c.detail}`
    expect(applied.changes.map(key).sort()).toEqual(plan.changes.map(key).sort())
  })

  it('should skip legacy names and duplicate slots unless asked, and say why', async () => {
    const incident = await createIncidentDatabase()
    const report = await repairIncident(incident, {
      rewriteLegacy: false,
      duplicateSlots: 'keep',
    })
    expect(report.skipped.map((s) => s.problem.code).sort()).toEqual([
      'duplicateSlot',
      'legacyFields',
      'legacyFields',
      'legacyFields',
      'legacyValue',
      'legacyValue',
      'legacyValue',
    ])
    expect(report.skipped[0]!.reason).toMatch(/rerun with/)
    const after = await auditIncident(incident)
    expect(new Set(after.problems.map((p) => p.code))).toEqual(
      new Set(['duplicateSlot', 'legacyFields', 'legacyValue']),
    )
  })

  it("should write the app's own spelling of a status unless rewriting legacy values", async () => {
    const incident = await createIncidentDatabase()
    await repairIncident(incident, { rewriteLegacy: false, duplicateSlots: 'cancel' })
    const bookings = rowsOf(incident, 'bookings_collection_id')
    // The mapping has `Cancelled` for `cancelled`, none for `expired`.
    expect(bookings.find((b) => b.$id === 'b-dup-2')!.status).toBe('Cancelled')
    expect(bookings.find((b) => b.$id === 'b-stuck-2')!.status).toBe('expired')
  })

  it('should end clean with two repairs at once', async () => {
    const incident = await createIncidentDatabase()
    const [a, b] = await Promise.all([
      repairIncident(incident, { batchSize: 2 }),
      repairIncident(incident, { batchSize: 3 }),
    ])
    const creates = [...a.changes, ...b.changes].filter((c) => c.action === 'create')
    expect(creates.some((c) => c.outcome === 'alreadyDone')).toBe(true)
    expect(creates.some((c) => c.outcome === 'conflict')).toBe(false)
    expect((await auditIncident(incident)).ok).toBe(true)
    expect(rowsOf(incident, 'bookings_collection_id').map((b) => b.$id)).toEqual(
      incident.bookingIds,
    )
  })

  it('should finish after a crash mid-repair, doing nothing twice', async () => {
    const incident = await createIncidentDatabase()
    const first = await repairIncident(incident, { mode: 'dryRun' })
    const crashed: string[] = []
    await expect(
      repairIncident(incident, {
        databases: crashingAfter(incident.fake.databases, 11),
        batchSize: 4,
        onChange: (change) => crashed.push(`${change.tableId}/${change.rowId}`),
      }),
    ).rejects.toThrow(/failed \(process killed\).*run the repair again/)
    expect(crashed.length).toBeGreaterThan(0)
    expect(crashed.length).toBeLessThan(first.changes.length)

    const rerun = await repairIncident(incident)
    // A row update that landed is not redone: it is no longer a problem.
    const updatedTwice = rerun.changes.filter(
      (c) => c.action === 'update' && crashed.includes(`${c.tableId}/${c.rowId}`),
    )
    expect(updatedTwice).toEqual([])
    expect(rerun.changes.every((c) => c.outcome !== 'conflict')).toBe(true)
    expect((await auditIncident(incident)).ok).toBe(true)
    expect(rowsOf(incident, 'bookings_collection_id')).toHaveLength(incident.bookingIds.length)
  })

  it('should retry a failed request under the given policy and still end clean', async () => {
    const incident = await createIncidentDatabase()
    incident.fake.faults.fail({
      operation: 'listDocuments',
      times: 1,
      error: 'general_server_error',
    })
    incident.fake.faults.fail({
      operation: 'createDocument',
      times: 2,
      error: 'general_server_error',
    })
    const timers = createManualClock()
    const retry = createRetryPolicy({ maxAttempts: 3, clock: timers, jitter: 'none' })
    const running = repairIncident(incident, { retry })
    for (let i = 0; i < 50; i++) await timers.advance(1_000)
    const report = await running
    expect(report.changes.length).toBeGreaterThan(0)
    expect(incident.fake.faults.log.filter((entry) => entry.kind === 'error')).toHaveLength(3)
    expect((await auditIncident(incident)).ok).toBe(true)
  })

  it('should refuse a missing mode', async () => {
    const incident = await createIncidentDatabase()
    await expect(
      repairIncident(incident, { mode: undefined as unknown as 'apply' }),
    ).rejects.toThrow(/`mode` must be 'dryRun' or 'apply'/)
  })
})
