import { Permission, Role } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import type { FakeIdentity } from '../fake/permissions'
import type { FakeRealtime, RealtimeResponseEvent } from '../fake/realtime'
import { bookingRow, flush, mainDatabase } from './helpers'

const START = Date.parse('2026-01-01T00:00:00.000Z')
const bookings = { databaseId: 'main', tableId: 'bookings' } as const
const CHANNEL = 'databases.main.tables.bookings.rows'

function setup(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: START })
  return createFakeAppwrite({ clock, seed: 1, ...options })
}

/** Subscribes and records `[action, rowId]` of every event received. */
async function watch(realtime: FakeRealtime) {
  const seen: Array<[string, string]> = []
  await realtime.subscribe(CHANNEL, (event: RealtimeResponseEvent) => {
    const name = event.events[0] ?? ''
    seen.push([name.slice(name.lastIndexOf('.') + 1), String(event.payload.$id)])
  })
  return seen
}

async function watchers(fake: ReturnType<typeof setup>, who: Record<string, FakeIdentity>) {
  const out: Record<string, Array<[string, string]>> = { key: await watch(fake.realtime) }
  for (const [name, identity] of Object.entries(who))
    out[name] = await watch(fake.as(identity).realtime)
  return out
}

describe('permissionsRealtime', () => {
  it('should deliver row events only to subscribers who may read the row', async () => {
    const fake = setup()
    const seen = await watchers(fake, {
      alice: 'user:alice',
      bob: 'user:bob',
      guest: 'guest',
      staff: { userId: 'sam', teams: { staff: ['admin'] } },
    })
    const write = (rowId: string, permissions: string[]) =>
      bookingRow(fake, rowId, { a: 1 }, permissions)
    await write('for-alice', [Permission.read(Role.user('alice'))])
    await write('for-users', [Permission.read(Role.users())])
    await write('for-anyone', [Permission.read(Role.any())])
    await write('for-admins', [Permission.read(Role.team('staff', 'admin'))])
    await write('update-only', [Permission.update(Role.user('alice'))])
    await flush()
    const ids = (name: string) => seen[name]!.map(([, id]) => id)
    expect(ids('key')).toEqual([
      'for-alice',
      'for-users',
      'for-anyone',
      'for-admins',
      'update-only',
    ])
    expect(ids('alice')).toEqual(['for-alice', 'for-users', 'for-anyone'])
    expect(ids('bob')).toEqual(['for-users', 'for-anyone'])
    expect(ids('guest')).toEqual(['for-anyone'])
    expect(ids('staff')).toEqual(['for-users', 'for-anyone', 'for-admins'])
  })

  it('should judge each event by the row it carries: updates and deletes included', async () => {
    const fake = setup()
    await bookingRow(fake, 'b1', { status: 'pending' }, [Permission.read(Role.user('alice'))])
    const seen = await watchers(fake, { alice: 'user:alice', bob: 'user:bob' })
    // Handed to bob: alice no longer sees the change, bob does.
    await fake.tablesDB.updateRow({
      ...bookings,
      rowId: 'b1',
      permissions: [Permission.read(Role.user('bob'))],
    })
    await fake.tablesDB.deleteRow({ ...bookings, rowId: 'b1' })
    await flush()
    expect(seen.alice).toEqual([])
    expect(seen.bob).toEqual([
      ['update', 'b1'],
      ['delete', 'b1'],
    ])
  })

  it('should use table read, and row read only with row security', async () => {
    const fake = setup({
      databases: mainDatabase({
        bookings: { permissions: [Permission.read(Role.team('staff'))], rowSecurity: false },
      }),
    })
    const seen = await watchers(fake, {
      alice: 'user:alice',
      staff: { userId: 'sam', teams: { staff: [] } },
    })
    await bookingRow(fake, 'b1', { a: 1 }, [Permission.read(Role.user('alice'))])
    await flush()
    expect(seen.staff).toEqual([['create', 'b1']])
    // Row permissions do not count without row security.
    expect(seen.alice).toEqual([])
  })

  it('should filter transaction commit events the same way', async () => {
    const fake = setup()
    const seen = await watchers(fake, { alice: 'user:alice', bob: 'user:bob' })
    const alice = fake.as('user:alice').tablesDB
    const { $id: transactionId } = await alice.createTransaction()
    await alice.createRow({ ...bookings, rowId: 'mine', data: { a: 1 }, transactionId })
    await alice.createRow({
      ...bookings,
      rowId: 'shared',
      data: { a: 1 },
      permissions: [Permission.read(Role.users())],
      transactionId,
    })
    await flush()
    expect(seen.alice).toEqual([])
    await alice.updateTransaction({ transactionId, commit: true })
    await flush()
    expect(seen.alice).toEqual([
      ['create', 'mine'],
      ['create', 'shared'],
    ])
    expect(seen.bob).toEqual([['create', 'shared']])
  })

  it('should leave API-key connections and the legacy client unfiltered', async () => {
    const fake = setup()
    const legacy: string[] = []
    fake.client.subscribe(CHANNEL, (event) => legacy.push(String(event.payload.$id)))
    await fake.as('user:alice').tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
    await flush()
    expect(legacy).toEqual(['b1'])
  })
})
