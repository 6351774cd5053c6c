// The lock's `columnNames` and `writeValues`: their checks, and how drift detection, provisioning,
// the audit and repair honour them.
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import type { ColumnDefinition, IndexDefinition } from '@booking-guard/testing'
import { createIncidentDatabase } from '@booking-guard/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { auditData } from '../adopt/audit'
import { repairData } from '../adopt/repair'
import { checkSchemaDrift, provisionSchema } from '../admin'
import { isBookingGuardError } from '../errors'
import { createBookingGuard } from '../guard'
import type { ColumnSpec } from '../schema/index'
import { createSchemaLock } from '../schema/schemaLock'
import type { SchemaLockOptions } from '../schema/schemaLock'
import {
  MAPPED_COLUMN_NAMES,
  MAPPED_WRITE_VALUES,
  NEW_BOOKING_INPUT,
  foundProblems,
  mappedIncidentLock,
} from './adoptFixtures'
import { MINIMAL_INPUT } from './realtimeFixtures'
import { columnOf, tableOf } from './lockTables'

const mapping = {
  columnNames: MAPPED_COLUMN_NAMES,
  writeValues: MAPPED_WRITE_VALUES,
  onIssue: () => {},
} satisfies SchemaLockOptions

function configMessage(options: SchemaLockOptions): string {
  try {
    createSchemaLock(options)
  } catch (error) {
    if (isBookingGuardError(error) && error.code === 'CONFIGURATION') return error.message
    throw error
  }
  throw new Error('expected a CONFIGURATION error, nothing was thrown')
}

const plain = createSchemaLock()

function spec(kind: 'booking' | 'notification' | 'chatMessage', key: string): ColumnSpec {
  const found = plain.tables[kind].columns.find((c) => c.key === key)
  if (found === undefined) throw new Error(`no column ${kind}.${key}`)
  return found
}

/** A canonical column declared under another key. */
const renamed = (kind: 'booking' | 'notification' | 'chatMessage', key: string, as: string) => ({
  ...columnOf(spec(kind, key)),
  key: as,
})

/** The tables of `main` as the mapped app has them, written out by hand. */
function appTables() {
  const T = plain.tables
  const statusSpec = spec('booking', 'status')
  const spelled: Record<string, string> = MAPPED_WRITE_VALUES.booking.status
  const status: ColumnDefinition = {
    ...columnOf(statusSpec),
    ...(statusSpec.type === 'enum'
      ? { elements: statusSpec.elements.map((e) => spelled[e] ?? e) }
      : {}),
  }
  const renamedIndexes = (kind: 'booking' | 'notification', names: Record<string, string>) =>
    T[kind].indexes
      .filter((index) => index.columns.some((c) => c in names))
      .map((index): IndexDefinition => ({
        key: index.key,
        type: index.type,
        columns: index.columns.map((c) => names[c] ?? c),
      }))
  const bookingNames: Record<string, string> = MAPPED_COLUMN_NAMES.booking
  const notificationNames: Record<string, string> = MAPPED_COLUMN_NAMES.notification
  const open = { permissions: [], rowSecurity: true }
  return {
    bookings: tableOf(T.booking, {
      ...open,
      omit: ['providerId', 'providerName'],
      columns: [
        renamed('booking', 'providerId', 'therapistId'),
        renamed('booking', 'providerName', 'therapistName'),
        status,
      ],
      indexes: renamedIndexes('booking', bookingNames),
    }),
    chat_rooms: tableOf(T.chatRoom, open),
    chat_messages: tableOf(T.chatMessage, {
      ...open,
      omit: ['content'],
      columns: [renamed('chatMessage', 'content', 'message')],
    }),
    notifications: tableOf(T.notification, {
      ...open,
      omit: ['recipientId', 'read'],
      columns: [
        renamed('notification', 'recipientId', 'userId'),
        renamed('notification', 'read', 'isRead'),
      ],
      indexes: renamedIndexes('notification', notificationNames),
    }),
    heartbeats: tableOf(T.heartbeat, open),
  }
}

describe('mappedSchema', () => {
  describe('the lock', () => {
    it("should read and accept the app's column names and spellings as the canonical ones", () => {
      const lock = createSchemaLock(mapping)
      expect(lock.aliases('booking')).toMatchObject({ therapistId: 'providerId' })
      expect(lock.aliases('notification')).toMatchObject({ userId: 'recipientId', isRead: 'read' })
      const row = lock.normalize('booking', { $id: 'b1', therapistId: 'p1', status: 'Expired' })
      expect(row).toMatchObject({ providerId: 'p1', status: 'expired' })
      expect(lock.parsePatch('notification', { isRead: true, userId: 'u1' })).toEqual({
        read: true,
        recipientId: 'u1',
      })
    })

    it('should refuse a column name or spelling that cannot work, naming it', () => {
      expect(configMessage({ columnNames: { booking: { colour: 'kleur' } } })).toMatch(
        /renames `colour`, which is not a column/,
      )
      expect(configMessage({ columnNames: { booking: { providerId: 'customerId' } } })).toMatch(
        /`columnNames.providerId` is `customerId`, which is another column/,
      )
      expect(
        configMessage({
          columnNames: { booking: { providerId: 'pid', providerName: 'pid' } },
        }),
      ).toMatch(/gives `providerId` and `providerName` the same name `pid`/)
      expect(
        configMessage({
          columnNames: { booking: { providerId: 'therapistId' } },
          aliases: { booking: { therapistId: null } },
        }),
      ).toMatch(
        /`therapistId` is the app's column name of `providerId` .* but `aliases` removes it/,
      )
      expect(configMessage({ columnNames: { booking: { providerId: 'bad key!' } } })).toMatch(
        /must be a valid Appwrite column key/,
      )
      expect(
        configMessage({ writeValues: { booking: { status: { waiting: 'Waiting' } } } }),
      ).toMatch(/respells `waiting`, which is not one of/)
      expect(
        configMessage({ writeValues: { booking: { status: { pending: 'cancelled' } } } }),
      ).toMatch(/is `cancelled`, another of the column's values/)
      expect(
        configMessage({
          values: { booking: { status: { Pending: 'pending' } } },
          writeValues: { booking: { status: { confirmed: 'Pending' } } },
        }),
      ).toMatch(/which `values` reads as `pending`/)
      expect(configMessage({ columnNames: { bookingz: {} } } as never)).toMatch(
        /unknown kind in `columnNames` `bookingz`/,
      )
    })
  })

  describe('drift and provisioning', () => {
    it("should find no drift in tables that have the app's names and spellings, and drift without the mapping", async () => {
      const fake = createFakeAppwrite({
        strict: true,
        databases: { main: { tables: appTables() } },
      })
      const mapped = await checkSchemaDrift({
        admin: fake.admin,
        databaseId: 'main',
        lock: createSchemaLock(mapping),
      })
      expect(mapped.findings.filter((f) => f.severity !== 'info')).toEqual([])
      expect(mapped.ok).toBe(true)

      const unmapped = await checkSchemaDrift({
        admin: fake.admin,
        databaseId: 'main',
        lock: plain,
      })
      const errors = unmapped.findings.filter((f) => f.severity === 'error')
      expect(errors.map((f) => `${f.table}.${f.column ?? f.index} ${f.kind}`)).toEqual(
        expect.arrayContaining([
          'bookings.providerId missing-column',
          'bookings.status enum-values-missing',
          'notifications.recipientId missing-column',
          'chat_messages.content missing-column',
        ]),
      )
    })

    it("should provision the app's names and spellings, which the guard then writes and finds", async () => {
      const clock = createManualClock()
      const fake = createFakeAppwrite({ strict: true, clock, seed: 3 })
      const lock = createSchemaLock(mapping)
      await provisionSchema({ admin: fake.admin, databaseId: 'main', lock })

      const bookings = await fake.admin.getTable({ databaseId: 'main', tableId: 'bookings' })
      const keys = bookings.columns.map((c) => c.key)
      expect(keys).toEqual(expect.arrayContaining(['therapistId', 'therapistName', 'status']))
      expect(keys).not.toContain('providerId')
      const status = bookings.columns.find((c) => c.key === 'status') as { elements?: string[] }
      expect(status.elements).toEqual(expect.arrayContaining(['Pending', 'Confirmed', 'declined']))
      expect(status.elements).not.toContain('pending')
      expect((await checkSchemaDrift({ admin: fake.admin, databaseId: 'main', lock })).ok).toBe(
        true,
      )

      // Declared columns: a write under a canonical name or spelling would be refused.
      for (const mode of ['saga', 'transaction'] as const) {
        const guard = createBookingGuard({
          tablesDB: fake.tablesDB,
          databaseId: 'main',
          schemaLock: lock,
          clock,
          mode,
        })
        const { booking } = await guard.createBooking({ ...MINIMAL_INPUT, customerId: `c-${mode}` })
        const stored = await fake.tablesDB.getRow({
          databaseId: 'main',
          tableId: 'bookings',
          rowId: booking.$id,
        })
        expect(stored).toMatchObject({ therapistId: 'p1', status: 'Pending' })
      }
      // The table has no `providerId`: lookups fall back to the app's column alone.
      const page = await createBookingGuard({
        tablesDB: fake.tablesDB,
        databaseId: 'main',
        schemaLock: lock,
        clock,
      }).getProviderBookings('p1', { status: 'pending' })
      expect(page.bookings.map((b) => b.customerId).sort()).toEqual(['c-saga', 'c-transaction'])
    })
  })

  describe('audit and repair', () => {
    it("should not call the app's own names and spellings legacy, and repair in them", async () => {
      const incident = await createIncidentDatabase()
      const lock = mappedIncidentLock(incident)
      const guard = createBookingGuard({
        databases: incident.fake.databases,
        databaseId: incident.databaseId,
        schemaLock: lock,
        clock: incident.clock,
        mode: 'saga',
      })
      const { booking } = await guard.createBooking(NEW_BOOKING_INPUT)
      const options = {
        databases: incident.fake.databases,
        databaseId: incident.databaseId,
        lock,
        strayTables: incident.mapping.strayTables,
        clock: incident.clock,
      }
      const audit = await auditData(options)
      // `therapistId`, `userId`, `isRead`, `message`, `'Pending'` and `'Cancelled'` are the app's.
      const expected = incident.problems.filter(
        (p) => p.code !== 'legacyFields' && p.code !== 'legacyValue',
      )
      expect(foundProblems(audit)).toEqual(expected)
      expect(audit.problems.some((p) => p.bookingId === booking.$id)).toBe(false)

      await repairData({ ...options, mode: 'apply', duplicateSlots: 'cancel' })
      const rows = incident.fake.snapshot()[incident.databaseId]!
      const status = (id: string) => rows.bookings_collection_id!.find((b) => b.$id === id)!.status
      expect(status('b-dup-2')).toBe('Cancelled')
      expect(status('b-stuck-1')).toBe('Expired')
      const notice = rows.notifications!.find((n) => n.$id === 'b-bare')!
      expect(notice).toMatchObject({ userId: 'p-b-bare', isRead: false })
      expect(notice).not.toHaveProperty('recipientId')
      expect((await auditData(options)).ok).toBe(true)
    })
  })
})

describe('audit of legacy names under a mapped lock', () => {
  it('should say a legacy name moves to the column the lock writes, the app’s own name', async () => {
    const fake = createFakeAppwrite()
    const lock = createSchemaLock({
      aliases: { chatMessage: { originalText: 'content' } },
      columnNames: { chatMessage: { content: 'message' } },
      onIssue: () => {},
    })
    await fake.tablesDB.createRow({
      databaseId: 'main',
      tableId: lock.tables.chatMessage.tableId,
      rowId: 'm1',
      data: {
        roomId: 'b1',
        senderId: 'system',
        senderType: 'system',
        originalText: 'Booking request sent',
        type: 'system',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    })
    const report = await auditData({ tablesDB: fake.tablesDB, databaseId: 'main', lock })
    const legacy = report.problems.filter((problem) => problem.code === 'legacyFields')
    expect(legacy.map((problem) => problem.message)).toEqual([
      'written with legacy `originalText` (for `message`): repair --rewrite-legacy moves the values there',
    ])
  })
})
