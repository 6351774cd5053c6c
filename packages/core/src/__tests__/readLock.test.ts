import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { createBookingClient } from '../client/createBookingClient'
import type { FunctionsLike } from '../client/createBookingClient'
import { isBookingGuardError, isSchemaLockError } from '../errors'
import { DEFAULT_READ_COLUMNS, TABLE_KINDS } from '../schema/kinds'
import { createReadLock } from '../schema/readLock'
import { normalizeOwned } from '../schema/readSide'
import type { ReadLockOptions } from '../schema/readLock'
import { createSchemaLock } from '../schema/schemaLock'
import type { SchemaLockReadIssue } from '../schema/schemaLock'
import { MAPPED_COLUMN_NAMES, MAPPED_WRITE_VALUES } from './adoptFixtures'

const mapping = {
  tableIds: { booking: 'appointments' },
  extend: {
    booking: {
      tier: {
        schema: z.enum(['std', 'vip']).optional(),
        column: { type: 'enum', elements: ['std', 'vip'], required: false },
      },
    },
  },
  aliases: { booking: { masseurId: 'providerId' }, chatRoom: { therapistId: null } },
  values: { booking: { status: { PENDING: 'pending' }, tier: { VIP: 'vip' } } },
  columnNames: MAPPED_COLUMN_NAMES,
  writeValues: MAPPED_WRITE_VALUES,
} satisfies ReadLockOptions

// The client's lock option is typed for the default columns, as the guard's is: the same mapping
// without its extension column.
const { extend: _extend, ...rest } = mapping
const clientMapping = { ...rest, values: { booking: { status: mapping.values.booking.status } } }

/** Rows as an app that maps its schema stores them, with legacy names, spellings and conflicts. */
const rows = {
  booking: [
    { $id: 'b1', therapistId: 'p1', therapistName: 'Anna', status: 'Pending', tier: 'VIP' },
    { $id: 'b2', providerId: 'p2', masseurId: 'p9', status: 'PENDING', notes: null },
    { $id: 'b3', providerId: null, therapistId: 'p3', status: 'Cancelled', extra: 1 },
  ],
  chatRoom: [{ $id: 'r1', therapistId: 'p1', providerId: 'p1', bookingid: 'b1' }],
  chatMessage: [{ $id: 'm1', message: 'hi', content: null, receiverId: 'x' }],
  notification: [{ $id: 'n1', userId: 'u1', isRead: true, receiverId: 'u2' }],
  heartbeat: [{ $id: 'h1', channelKey: 'k', sentAt: '2026-01-01T00:00:00.000Z' }],
} as const

function configMessage(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    if (isBookingGuardError(error, 'CONFIGURATION')) return error.message
    throw error
  }
  throw new Error('expected a CONFIGURATION error, nothing was thrown')
}

describe('readLock', () => {
  it('should read every row as the full lock with the same options does, issues included', () => {
    const issues: { read: SchemaLockReadIssue[]; full: SchemaLockReadIssue[] } = {
      read: [],
      full: [],
    }
    const read = createReadLock({ ...mapping, onIssue: (issue) => issues.read.push(issue) })
    const full = createSchemaLock({ ...mapping, onIssue: (issue) => issues.full.push(issue) })
    for (const kind of TABLE_KINDS) {
      expect(read.tableId(kind)).toBe(full.tableId(kind))
      expect(read.kindOfTable(full.tableId(kind))).toBe(kind)
      expect(read.aliases(kind)).toEqual(full.aliases(kind))
      for (const row of rows[kind]) {
        expect(read.normalize(kind, row)).toEqual(full.normalize(kind, row))
        expect(normalizeOwned(read, kind, { ...row })).toEqual(full.normalize(kind, row))
      }
    }
    expect(issues.read).toEqual(issues.full)
    expect(issues.read.map((issue) => issue.rowId)).toEqual(['b2', 'b2', 'n1', 'n1'])
    expect(read.normalize('booking', rows.booking[0])).toEqual({
      $id: 'b1',
      providerId: 'p1',
      providerName: 'Anna',
      status: 'pending',
      tier: 'vip',
    })
  })

  it('should know the default columns and enum values the full lock has', () => {
    const full = createSchemaLock()
    for (const kind of TABLE_KINDS) {
      const columns = full.columns(kind)
      expect(Object.entries(DEFAULT_READ_COLUMNS[kind])).toEqual(
        columns.map((c) => [c.key, c.type === 'enum' ? c.elements : null]),
      )
    }
  })

  it('should refuse the mappings the full lock refuses, with the same reason', () => {
    const wrong: ReadLockOptions[] = [
      { values: { booking: { status: { Done: 'finished' } } } },
      { values: { booking: { colour: { Red: 'red' } } } },
      { writeValues: { booking: { status: { pending: 'confirmed' } } } },
      { columnNames: { booking: { nope: 'x' } } },
      { aliases: { booking: { providerName: 'providerId' } } },
      { aliases: { chatMessage: { therapistId: null } } },
      { tableIds: { booking: 'same', chatRoom: 'same' } },
      {
        columnNames: { booking: { providerId: 'therapistId' } },
        aliases: { booking: { therapistId: null } },
      },
      { tableIds: { bookingInput: 'x' } as never },
      {
        extend: {
          booking: { status: { schema: z.string(), column: { type: 'string', size: 5 } } },
        },
      },
    ]
    for (const options of wrong) {
      const message = configMessage(() => createReadLock(options))
      expect(message.replace(/^createReadLock: /, '')).toBe(
        configMessage(() => createSchemaLock(options)).replace(/^createSchemaLock: /, ''),
      )
    }
  })

  it('should throw on a row that is not an object and on an unknown kind, as the full lock does', () => {
    const read = createReadLock()
    expect(() => read.normalize('booking', 'b1')).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/expected an object, received string/),
      }),
    )
    let error: unknown
    try {
      read.normalize('booking', [])
    } catch (caught) {
      error = caught
    }
    expect(isSchemaLockError(error) && error.tableId).toBe('bookings')
    expect(() => read.tableId('bookingInput' as never)).toThrow(/unknown table kind `bookingInput`/)
  })

  it.each([
    ['createReadLock', createReadLock],
    ['createSchemaLock', createSchemaLock],
  ] as const)(
    "should let a browser client read a mapped app's rows canonical through %s",
    async (_, makeLock) => {
      const fake = createFakeAppwrite({ seed: 1 })
      await fake.tablesDB.createRow({
        databaseId: 'main',
        tableId: 'appointments',
        rowId: 'b1',
        data: {
          customerId: 'c1',
          therapistId: 'p1',
          status: 'Pending',
          pipelineStatus: 'delivered',
        },
      })
      const functions: FunctionsLike = {
        createExecution: () => Promise.reject(new Error('no write in this test')),
      }
      const client = createBookingClient({
        tablesDB: fake.tablesDB,
        databaseId: 'main',
        functions,
        functionId: 'booking',
        schemaLock: makeLock(clientMapping),
      })
      expect(await client.getBooking('b1')).toMatchObject({ providerId: 'p1', status: 'pending' })
      const page = await client.getProviderBookings('p1', { status: 'pending' })
      expect(page.bookings.map((b) => [b.$id, b.status])).toEqual([['b1', 'pending']])
      expect(client.guard.schemaLock.tableId('booking')).toBe('appointments')
    },
  )
})
