import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { must, permission, startUpstream } from './upstream'
import type { SignedUpUser, Upstream } from './upstream'
import { enforcementRows, openDatabase, ownedBy } from './tables'
import type { TestDatabase } from './tables'

// Facts from tests/e2e/Services/TablesDB/Permissions/TablesDBPermissionsGuestTest.php and
// TablesDBPermissionsMemberTest.php (their `permissionsProvider` sets), and from the permission
// cases of tests/e2e/Services/Databases/DatabasesBase.php, at appwrite 1.9.6: tables and seeded
// rows by the API key, reads and writes by a guest or a signed-in user.
const GUEST = 'tests/e2e/Services/TablesDB/Permissions/TablesDBPermissionsGuestTest.php'
const MEMBER = 'tests/e2e/Services/TablesDB/Permissions/TablesDBPermissionsMemberTest.php'
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const clock = createManualClock()
let up: Upstream
let user: SignedUpUser
let member: SignedUpUser
let db: TestDatabase

const all = (role: string) =>
  ['read', 'create', 'update', 'delete'].map((action) => `${action}("${role}")`)
const title: Parameters<TestDatabase['table']>[1] = [
  ['string', { key: 'title', size: 256, required: true }],
]

beforeAll(async () => {
  up = await startUpstream({ fake: createFakeAppwrite({ strict: true, clock }) })
  user = await up.signUp()
  // TablesDBPermissionsMemberTest createUsers: the member reads as `user1`.
  member = await up.signUp('User 1', 'user1')
  db = await openDatabase(up, 'Test Database', [permission.create(`user:${user.$id}`)])
})

afterAll(async () => {
  await up.close()
})

describe('Row permissions, as the server tests them', () => {
  it(`${GUEST} testReadDocuments: should show a guest every row of a table open to any, and on a private one only rows readable by any`, async () => {
    const sets = [
      [permission.read('any')],
      [permission.read('users')],
      [permission.update('any'), permission.delete('any')],
      [permission.read('any'), permission.update('any'), permission.delete('any')],
      [permission.read('users'), permission.update('users'), permission.delete('users')],
      [permission.read('any'), permission.update('users'), permission.delete('users')],
    ]
    for (const permissions of sets) {
      const open = await db.table('Movies', title, {
        permissions: all('any'),
        rowSecurity: false,
      })
      const closed = await db.table('Movies', title, { permissions: [], rowSecurity: true })
      for (const tableId of [open, closed])
        must(await db.write(tableId, up.key, { title: 'Lorem' }, permissions), 201, 'seeding a row')
      const publicRows = await up.call('GET', db.rows(open), up.guest)
      expect({ permissions, total: publicRows.body.total }).toEqual({ permissions, total: 1 })
      expect(publicRows.body.rows[0].$permissions).toEqual(permissions)
      const privateRows = await up.call('GET', db.rows(closed), up.guest)
      const readable = permissions.includes(permission.read('any'))
      expect({
        permissions,
        total: privateRows.body.total,
        rows: (privateRows.body.rows as Array<{ $permissions: string[] }>).map(
          (row) => row.$permissions,
        ),
      }).toEqual({ permissions, total: readable ? 1 : 0, rows: readable ? [permissions] : [] })
    }
  })

  it(`${GUEST} testWriteDocument: should let a guest write rows of a table open to any and answer 401 on a private one`, async () => {
    const open = await db.table('Movies', title, { permissions: all('any'), rowSecurity: false })
    const closed = await db.table('Movies', title, { permissions: [], rowSecurity: true })
    const created = await db.write(open, up.guest, { title: 'Lorem' })
    expect(created.status).toBe(201)
    expect((await db.write(closed, up.guest, { title: 'Lorem' })).status).toBe(401)
    const seeded = must(
      await db.write(closed, up.key, { title: 'Lorem' }),
      201,
      'seeding the private row',
    )
    const openRow = `${db.rows(open)}/${created.body.$id as string}`
    const closedRow = `${db.rows(closed)}/${seeded.body.$id as string}`
    const updated = await up.call('PATCH', openRow, up.guest, { data: { title: 'Thor: Ragnarok' } })
    expect(updated.status).toBe(200)
    expect(updated.body.title).toBe('Thor: Ragnarok')
    expect(
      (await up.call('PATCH', closedRow, up.guest, { data: { title: 'Thor: Ragnarok' } })).status,
    ).toBe(401)
    expect((await up.call('DELETE', openRow, up.guest)).status).toBe(204)
    expect((await up.call('DELETE', closedRow, up.guest)).status).toBe(401)
  })

  it(`${GUEST} testWriteDocumentWithPermissions: should let a guest create a row readable by any`, async () => {
    const movies = await db.table('Movies', title, {
      permissions: [permission.create('any')],
      rowSecurity: true,
    })
    const created = await db.write(movies, up.guest, { title: 'Thor: Ragnarok' }, [
      permission.read('any'),
    ])
    expect(created.status).toBe(201)
    expect(created.body.title).toBe('Thor: Ragnarok')
  })

  it(`${MEMBER} testReadDocuments: should show a member rows by table read, and on a row-only table the rows naming any, users or the member`, async () => {
    const sets: Array<[string[], number]> = [
      [[permission.read('any')], 1],
      [[permission.read('users')], 1],
      [[permission.read('user:random')], 0],
      [ownedBy('lorem'), 0],
      [ownedBy('dolor'), 0],
      [
        [
          permission.read('user:dolor'),
          permission.read('user:lorem'),
          permission.update('user:dolor'),
          permission.delete('user:dolor'),
        ],
        0,
      ],
      [[permission.update('any'), permission.delete('any')], 0],
      [[permission.read('any'), permission.update('any'), permission.delete('any')], 1],
      [[permission.read('any'), permission.update('users'), permission.delete('users')], 1],
      [[permission.read('user:user1')], 1],
      [[permission.read('user:user1'), permission.read('user:user1')], 1],
      [[permission.read('users'), permission.update('users'), permission.delete('users')], 1],
    ]
    for (const [permissions, rowOnlyCount] of sets) {
      const open = await db.table('Movies', title, { permissions: all('any'), rowSecurity: true })
      const users = await db.table('Private Movies', title, {
        permissions: all('users'),
        rowSecurity: true,
      })
      const rowOnly = await db.table('Document Only Movies', title, {
        permissions: [],
        rowSecurity: true,
      })
      for (const tableId of [open, users, rowOnly])
        must(await db.write(tableId, up.key, { title: 'Lorem' }, permissions), 201, 'seeding a row')
      const totals = []
      for (const tableId of [open, users, rowOnly]) {
        const listed = await up.call('GET', db.rows(tableId), member.headers)
        expect(listed.status).toBe(200)
        totals.push(listed.body.total as number)
      }
      expect({ permissions, totals }).toEqual({ permissions, totals: [1, 1, rowOnlyCount] })
    }
  })

  it(`${BASE} testEnforceCollectionPermissions: should answer 401 to a list without table read, then show a row's reader its row once row security is on`, async () => {
    const tableId = await db.table(
      'enforceCollectionPermissions',
      [['string', { key: 'attribute', size: 64, required: true }]],
      {
        permissions: all(`user:${user.$id}`),
        rowSecurity: false,
        indexes: [['key_attribute', 'key', ['attribute']]],
      },
    )
    const table = await up.call('GET', `/tablesdb/${db.databaseId}/tables/${tableId}`, up.key)
    expect(table.body.rowSecurity).toBe(false)
    const [, , third] = await enforcementRows(up, db, tableId, user, 'other2')
    const mine = await up.call('GET', db.rows(tableId), user.headers)
    expect(mine.body.total).toBe(3)
    expect(mine.body.rows).toHaveLength(3)
    expect(
      (await up.call('GET', `${db.rows(tableId)}/${third?.body.$id as string}`, user.headers))
        .status,
    ).toBe(200)
    const other = await up.signUp('Other', 'other2')
    expect((await up.call('GET', db.rows(tableId), other.headers)).status).toBe(401)
    must(
      await up.call('PUT', `/tablesdb/${db.databaseId}/tables/${tableId}`, up.key, {
        name: 'enforceCollectionPermissions',
        rowSecurity: true,
      }),
      200,
      'turning row security on',
    )
    const theirs = await up.call('GET', db.rows(tableId), other.headers)
    expect(theirs.body.total).toBe(1)
    expect(theirs.body.rows).toHaveLength(1)
  })

  it(`${BASE} testDisableCollection: should answer 404 to row calls on a disabled table, and serve it again once enabled`, async () => {
    const tableId = await db.table('Movies', title)
    const tableUrl = `/tablesdb/${db.databaseId}/tables/${tableId}`
    const disabled = await up.call('PUT', tableUrl, up.key, {
      name: 'Movies',
      enabled: false,
      rowSecurity: true,
    })
    expect(disabled.status).toBe(200)
    expect(disabled.body.enabled).toBe(false)
    expect(disabled.body).toHaveProperty('bytesMax')
    expect(disabled.body).toHaveProperty('bytesUsed')
    const created = await db.write(
      tableId,
      user.headers,
      { title: 'Captain America' },
      ownedBy(user.$id),
    )
    expect(created.status).toBe(404)
    expect((await up.call('GET', db.rows(tableId), user.headers)).status).toBe(404)
    expect((await up.call('GET', `${db.rows(tableId)}/someId`, user.headers)).status).toBe(404)
    const enabled = await up.call('PUT', tableUrl, up.key, {
      name: 'Movies',
      enabled: true,
      rowSecurity: true,
    })
    expect(enabled.status).toBe(200)
    expect(enabled.body.enabled).toBe(true)
    expect(
      (await db.write(tableId, user.headers, { title: 'Captain America' }, ownedBy(user.$id)))
        .status,
    ).toBe(201)
  })

  /**
   * The first steps of testPersistentCreatedAt, by `headers`: a `Movies` row, then, 500 ms later, a
   * title update that keeps `$createdAt` and moves `$updatedAt`. The row's path and the update.
   */
  async function createThenRetitle(headers: Record<string, string>) {
    const tableId = await db.table('Movies', [
      ['string', { key: 'title', size: 256, required: true }],
      ['integer', { key: 'releaseYear', required: true }],
    ])
    const created = must(
      await db.write(tableId, headers, { title: 'Creation Date Test', releaseYear: 2000 }),
      201,
      'creating the row',
    )
    const row = `${db.rows(tableId)}/${created.body.$id as string}`
    await clock.advance(500)
    const updated = await up.call('PATCH', row, headers, { data: { title: 'Updated Date Test' } })
    expect(updated.body.$createdAt).toBe(created.body.$createdAt)
    expect(updated.body.$updatedAt).not.toBe(created.body.$updatedAt)
    return { row, updated }
  }
  const backdated = {
    title: 'Again Updated Date Test',
    $createdAt: '2022-08-01 13:09:23.040',
    $updatedAt: '2022-08-01 13:09:23.050',
  }

  it(`${BASE} testPersistentCreatedAt: should keep $createdAt on update, move $updatedAt, and ignore dates a client sends`, async () => {
    const { row, updated } = await createThenRetitle(user.headers)
    expect(updated.body.title).toBe('Updated Date Test')
    await clock.advance(500)
    const again = await up.call('PATCH', row, user.headers, { data: backdated })
    expect(again.body.title).toBe('Again Updated Date Test')
    expect(again.body.$createdAt).not.toBe('2022-08-01T13:09:23.040+00:00')
    expect(again.body.$updatedAt).not.toBe('2022-08-01T13:09:23.050+00:00')
  })

  it(`${BASE} testPersistentCreatedAt: should store the dates the API key sends on update`, async () => {
    const { row } = await createThenRetitle(up.key)
    const again = await up.call('PATCH', row, up.key, { data: backdated })
    expect(again.body).toMatchObject({
      title: 'Again Updated Date Test',
      $createdAt: '2022-08-01T13:09:23.040+00:00',
      $updatedAt: '2022-08-01T13:09:23.050+00:00',
    })
  })
})
