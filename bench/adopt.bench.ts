// Adopting an existing app: auditData and repairData over an incident-era database of 100,000
// bookings on the fake (legacy Databases API, cursor pagination), each bounded at 30 s.
//   cd bench && node --import tsx adopt.bench.ts
// Options (environment variables):
//   BENCH_ADOPT_BOOKINGS=100000   bookings in the database
//   BENCH_ADOPT_DAMAGED=0.1       share of them written bare (no room, message or notice) and open
//                                 to `any`: repair writes 3 rows and 1 update for each
//   BENCH_ADOPT_PAGE=5000         rows per list request (auditData's default)
import { createSchemaLock } from '@booking-guard/core'
import { auditData, repairData } from '@booking-guard/core/admin'
import { createIncidentDatabase } from '@booking-guard/testing/fixtures'

const BOOKINGS = Number(process.env.BENCH_ADOPT_BOOKINGS ?? 100_000)
const DAMAGED = Math.round(BOOKINGS * Number(process.env.BENCH_ADOPT_DAMAGED ?? 0.1))
const PAGE = Number(process.env.BENCH_ADOPT_PAGE ?? 5000)
const BUDGET_MS = 30_000

const setupStart = performance.now()
const incident = await createIncidentDatabase({ healthyBookings: 0 })
const planted = incident.bookingIds.length
const db = incident.fake.databases
const databaseId = incident.databaseId
const { tableIds } = incident.mapping
const healthy = BOOKINGS - DAMAGED - planted
// Written here rather than by the fixture's one-at-a-time loop, 256 at a time.
const writes: (() => Promise<unknown>)[] = []
for (let i = 0; i < BOOKINGS - planted; i++) {
  const id = `b${i}`
  const customerId = `c${i % 5000}`
  const providerId = `p${i % 997}`
  const people = [
    `read("user:${customerId}")`,
    `update("user:${customerId}")`,
    `read("user:${providerId}")`,
    `update("user:${providerId}")`,
  ]
  const bare = i >= healthy
  const booking = {
    customerId,
    customerName: 'Ana',
    providerId,
    providerType: 'therapist',
    providerName: 'Budi',
    status: 'confirmed',
    bookingType: 'scheduled',
    scheduledAt: new Date(Date.parse('2026-02-01T00:00:00.000Z') + i * 3_600_000).toISOString(),
    durationMinutes: 60,
  }
  writes.push(() =>
    db.createDocument({
      databaseId,
      collectionId: tableIds.booking,
      documentId: id,
      data: booking,
      permissions: bare ? ['read("any")'] : people,
    }),
  )
  if (bare) continue
  const room = { bookingId: id, customerId, providerId }
  const message = { roomId: id, bookingId: id, senderType: 'system', content: 'Booking received' }
  const notice = { recipientId: providerId, bookingId: id, type: 'bookingReceived', read: false }
  writes.push(() =>
    db.createDocument({
      databaseId,
      collectionId: tableIds.chatRoom,
      documentId: id,
      data: room,
      permissions: people,
    }),
  )
  writes.push(() =>
    db.createDocument({
      databaseId,
      collectionId: tableIds.chatMessage,
      documentId: `${id}.m0`,
      data: message,
      permissions: people,
    }),
  )
  writes.push(() =>
    db.createDocument({
      databaseId,
      collectionId: tableIds.notification,
      documentId: id,
      data: notice,
      permissions: people.slice(2),
    }),
  )
}
for (let i = 0; i < writes.length; i += 256) {
  await Promise.all(writes.slice(i, i + 256).map((write) => write()))
}
const setupMs = performance.now() - setupStart

const options = {
  databases: db,
  databaseId,
  lock: createSchemaLock({
    tableIds: incident.mapping.tableIds,
    aliases: incident.mapping.aliases,
    values: incident.mapping.values,
    onIssue: () => {},
  }),
  strayTables: incident.mapping.strayTables,
  clock: incident.clock,
  pageSize: PAGE,
}

function heapMb(): string {
  return `${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`
}

const auditStart = performance.now()
const audit = await auditData(options)
const auditMs = performance.now() - auditStart
const read = Object.values(audit.scanned).reduce((a, b) => a + b, 0)

const repairStart = performance.now()
const repair = await repairData({
  ...options,
  mode: 'apply',
  rewriteLegacy: true,
  duplicateSlots: 'cancel',
  batchSize: 64,
})
const repairMs = performance.now() - repairStart

const checkStart = performance.now()
const after = await auditData(options)
const checkMs = performance.now() - checkStart

const row = (name: string, ms: number, detail: string) =>
  `| ${name.padEnd(26)} | ${`${(ms / 1000).toFixed(2)} s`.padStart(8)} | ${ms <= BUDGET_MS ? 'yes' : 'NO '} | ${detail} |`
console.log(
  `${BOOKINGS} bookings (${DAMAGED} bare and open to any, ${planted} from the incident fixture), page size ${PAGE}; set-up ${(setupMs / 1000).toFixed(1)} s`,
)
console.log('| step                       | time     | ≤ 30 s | what |')
console.log('| -------------------------- | -------- | ------ | ---- |')
console.log(
  row(
    'auditData',
    auditMs,
    `${read} rows read, ${audit.problems.length} problems, heap ${heapMb()}`,
  ),
)
console.log(
  row(
    'repairData (apply)',
    repairMs,
    `audit + ${repair.changes.length} changes (${repair.changes.filter((c) => c.action === 'create').length} creates), ${repair.skipped.length} skipped`,
  ),
)
console.log(row('auditData (after repair)', checkMs, `${after.problems.length} problems`))
if (!after.ok || auditMs > BUDGET_MS || repairMs > BUDGET_MS) process.exitCode = 1
