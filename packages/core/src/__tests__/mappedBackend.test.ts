import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { createAppwriteBackend } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import { mapBackend } from '../schema/mappedBackend'
import { createSchemaLock } from '../schema/schemaLock'

const lock = createSchemaLock({
  values: { booking: { status: { PENDING: 'pending' } } },
  columnNames: { booking: { providerId: 'therapistId' } },
  writeValues: { booking: { status: { pending: 'Pending', cancelled: 'Cancelled' } } },
  onIssue: () => {},
})

/** A backend over a fake whose `bookings` table has only the columns in `columns`, or any. */
function setup(columns?: string[]) {
  const fake = createFakeAppwrite({
    seed: 1,
    databases:
      columns === undefined
        ? {}
        : {
            main: {
              tables: {
                bookings: {
                  columns: columns.map((key) => ({
                    key,
                    type: 'string',
                    size: 64,
                    required: false,
                  })),
                },
              },
            },
          },
  })
  const sent: string[][] = []
  const direct = createAppwriteBackend({ tablesDB: fake.tablesDB, databaseId: 'main' })
  const recording = {
    ...direct,
    list: (tableId: string, queries: readonly string[]) => {
      sent.push([...queries])
      return direct.list(tableId, queries)
    },
  }
  return { fake, sent, direct, backend: mapBackend(recording, lock) }
}

const parsed = (queries: readonly string[]) => queries.map((q) => JSON.parse(q) as unknown)

describe('mappedBackend', () => {
  it('should return the backend itself for a lock that maps nothing', () => {
    const { direct } = setup()
    expect(mapBackend(direct, createSchemaLock())).toBe(direct)
  })

  it("should write the app's names and spellings and read them back canonical", async () => {
    const { backend, direct } = setup()
    const created = await backend.create('bookings', 'b1', { providerId: 'p1', status: 'pending' })
    expect(created).toMatchObject({ providerId: 'p1', status: 'pending' })
    expect(created).not.toHaveProperty('therapistId')
    const stored = await direct.get('bookings', 'b1')
    expect(stored).toMatchObject({ therapistId: 'p1', status: 'Pending' })
    expect(stored).not.toHaveProperty('providerId')
    await backend.update('bookings', 'b1', { status: 'cancelled' })
    expect((await direct.get('bookings', 'b1')).status).toBe('Cancelled')
    // Tables the lock does not rename pass through.
    await backend.create('chat_rooms', 'b1', { providerId: 'p1', status: 'active' })
    expect(await direct.get('chat_rooms', 'b1')).toMatchObject({ providerId: 'p1' })
  })

  it('should query every spelling of a value, and both names of a renamed column', async () => {
    const { backend, sent, direct } = setup()
    await direct.create('bookings', 'new', { therapistId: 'p1', status: 'Pending' })
    await direct.create('bookings', 'old', { providerId: 'p1', status: 'PENDING' })
    await direct.create('bookings', 'canon', { providerId: 'p1', status: 'pending' })
    await direct.create('bookings', 'other', { providerId: 'p1', status: 'Cancelled' })
    const page = await backend.list('bookings', [
      Q.equal('providerId', 'p1'),
      Q.equal('status', 'pending'),
      Q.orderAsc('providerId'),
    ])
    expect(page.rows.map((r) => [r.$id, r.providerId, r.status]).sort()).toEqual([
      ['canon', 'p1', 'pending'],
      ['new', 'p1', 'pending'],
      ['old', 'p1', 'pending'],
    ])
    expect(parsed(sent[0]!)).toEqual([
      {
        method: 'or',
        values: [
          { method: 'equal', attribute: 'therapistId', values: ['p1'] },
          { method: 'equal', attribute: 'providerId', values: ['p1'] },
        ],
      },
      { method: 'equal', attribute: 'status', values: ['pending', 'PENDING', 'Pending'] },
      { method: 'orderAsc', attribute: 'therapistId' },
    ])
    const notPending = await backend.list('bookings', [Q.notEqual('status', 'pending')])
    expect(notPending.rows.map((r) => r.$id)).toEqual(['other'])
  })

  it("should fall back to the app's column alone once the table says it has no canonical one", async () => {
    const { backend, sent, direct } = setup(['therapistId', 'status'])
    await direct.create('bookings', 'b1', { therapistId: 'p1', status: 'Pending' })
    for (let i = 0; i < 2; i++) {
      const page = await backend.list('bookings', [Q.equal('providerId', 'p1')])
      expect(page.rows.map((r) => r.$id)).toEqual(['b1'])
    }
    // One refused query (with `providerId`), then the app's column only, remembered.
    expect(sent.map((queries) => (JSON.parse(queries[0]!) as { method: string }).method)).toEqual([
      'or',
      'equal',
      'equal',
    ])
  })

  it('should leave rows as stored with reads off, for the audit', async () => {
    const { fake, direct } = setup()
    await direct.create('bookings', 'b1', { therapistId: 'p1', status: 'Pending' })
    const audit = mapBackend(
      createAppwriteBackend({ tablesDB: fake.tablesDB, databaseId: 'main' }),
      lock,
      { reads: false },
    )
    expect(await audit.get('bookings', 'b1')).toMatchObject({
      therapistId: 'p1',
      status: 'Pending',
    })
  })
})
