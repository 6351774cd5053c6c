import { beforeAll, describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import type { SignedUpUser } from './upstream'
import { enforcementRows, ownedBy, tablesSuite } from './tables'
import type { TestDatabase } from './tables'

// Facts from tests/e2e/Services/TablesDB/Permissions/TablesDBPermissionsGuestTest.php and
// TablesDBPermissionsMemberTest.php (their `permissionsProvider` sets), and from the permission
// cases of tests/e2e/Services/Databases/DatabasesBase.php, at appwrite 1.9.6: tables and seeded
// rows by the API key, reads and writes by a guest or a signed-in user.
const GUEST = 'tests/e2e/Services/TablesDB/Permissions/TablesDBPermissionsGuestTest.php'
const MEMBER = 'tests/e2e/Services/TablesDB/Permissions/TablesDBPermissionsMemberTest.php'
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const t = tablesSuite('Test Database')
let member: SignedUpUser

const all = (role: string) =>
  ['read', 'create', 'update', 'delete'].map((action) => `${action}("${role}")`)
const title: Parameters<TestDatabase['table']>[1] = [
  ['string', { key: 'title', size: 256, required: true }],
]

beforeAll(async () => {
  // TablesDBPermissionsMemberTest createUsers: the member reads as `user1`.
  member = await t.up.signUp('User 1', 'user1')
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
      const open = await t.db.table('Movies', title, {
        permissions: all('any'),
        rowSecurity: false,
      })
      const closed = await t.db.table('Movies', title, { permissions: [], rowSecurity: true })
      for (const tableId of [open, closed])
        must(
          await t.db.write(tableId, t.up.key, { title: 'Lorem' }, permissions),
          201,
          'seeding a row',
        )
      const publicRows = await t.up.call('GET', t.db.rows(open), t.up.guest)
      expect({ permissions, total: publicRows.body.total }).toEqual({ permissions, total: 1 })
      expect(publicRows.body.rows[0].$permissions).toEqual(permissions)
      const privateRows = await t.up.call('GET', t.db.rows(closed), t.up.guest)
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
    const open = await t.db.table('Movies', title, { permissions: all('any'), rowSecurity: false })
    const closed = await t.db.table('Movies', title, { permissions: [], rowSecurity: true })
    const created = await t.db.write(open, t.up.guest, { title: 'Lorem' })
    expect(created.status).toBe(201)
    expect((await t.db.write(closed, t.up.guest, { title: 'Lorem' })).status).toBe(401)
    const seeded = must(
      await t.db.write(closed, t.up.key, { title: 'Lorem' }),
      201,
      'seeding the private row',
    )
    const openRow = `${t.db.rows(open)}/${created.body.$id as string}`
    const closedRow = `${t.db.rows(closed)}/${seeded.body.$id as string}`
    const updated = await t.up.call('PATCH', openRow, t.up.guest, {
      data: { title: 'Thor: Ragnarok' },
    })
    expect(updated.status).toBe(200)
    expect(updated.body.title).toBe('Thor: Ragnarok')
    expect(
      (await t.up.call('PATCH', closedRow, t.up.guest, { data: { title: 'Thor: Ragnarok' } }))
        .status,
    ).toBe(401)
    expect((await t.up.call('DELETE', openRow, t.up.guest)).status).toBe(204)
    expect((await t.up.call('DELETE', closedRow, t.up.guest)).status).toBe(401)
  })

  it(`${GUEST} testWriteDocumentWithPermissions: should let a guest create a row readable by any`, async () => {
    const movies = await t.db.table('Movies', title, {
      permissions: [permission.create('any')],
      rowSecurity: true,
    })
    const created = await t.db.write(movies, t.up.guest, { title: 'Thor: Ragnarok' }, [
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
      const open = await t.db.table('Movies', title, { permissions: all('any'), rowSecurity: true })
      const users = await t.db.table('Private Movies', title, {
        permissions: all('users'),
        rowSecurity: true,
      })
      const rowOnly = await t.db.table('Document Only Movies', title, {
        permissions: [],
        rowSecurity: true,
      })
      for (const tableId of [open, users, rowOnly])
        must(
          await t.db.write(tableId, t.up.key, { title: 'Lorem' }, permissions),
          201,
          'seeding a row',
        )
      const totals = []
      for (const tableId of [open, users, rowOnly]) {
        const listed = await t.up.call('GET', t.db.rows(tableId), member.headers)
        expect(listed.status).toBe(200)
        totals.push(listed.body.total as number)
      }
      expect({ permissions, totals }).toEqual({ permissions, totals: [1, 1, rowOnlyCount] })
    }
  })

  it(`${BASE} testEnforceCollectionPermissions: should answer 401 to a list without table read, then show a row's reader its row once row security is on`, async () => {
    const tableId = await t.db.table(
      'enforceCollectionPermissions',
      [['string', { key: 'attribute', size: 64, required: true }]],
      {
        permissions: all(`user:${t.user.$id}`),
        rowSecurity: false,
        indexes: [['key_attribute', 'key', ['attribute']]],
      },
    )
    const table = await t.up.call('GET', `/tablesdb/${t.db.databaseId}/tables/${tableId}`, t.up.key)
    expect(table.body.rowSecurity).toBe(false)
    const [, , third] = await enforcementRows(t.up, t.db, tableId, t.user, 'other2')
    const mine = await t.up.call('GET', t.db.rows(tableId), t.user.headers)
    expect(mine.body.total).toBe(3)
    expect(mine.body.rows).toHaveLength(3)
    expect(
      (await t.up.call('GET', `${t.db.rows(tableId)}/${third?.body.$id as string}`, t.user.headers))
        .status,
    ).toBe(200)
    const other = await t.up.signUp('Other', 'other2')
    expect((await t.up.call('GET', t.db.rows(tableId), other.headers)).status).toBe(401)
    must(
      await t.up.call('PUT', `/tablesdb/${t.db.databaseId}/tables/${tableId}`, t.up.key, {
        name: 'enforceCollectionPermissions',
        rowSecurity: true,
      }),
      200,
      'turning row security on',
    )
    const theirs = await t.up.call('GET', t.db.rows(tableId), other.headers)
    expect(theirs.body.total).toBe(1)
    expect(theirs.body.rows).toHaveLength(1)
  })

  it(`${BASE} testDisableCollection: should answer 404 to row calls on a disabled table, and serve it again once enabled`, async () => {
    const tableId = await t.db.table('Movies', title)
    const tableUrl = `/tablesdb/${t.db.databaseId}/tables/${tableId}`
    const setEnabled = (enabled: boolean) =>
      t.up.call('PUT', tableUrl, t.up.key, { name: 'Movies', enabled, rowSecurity: true })
    const disabled = await setEnabled(false)
    expect(disabled.status).toBe(200)
    expect(disabled.body.enabled).toBe(false)
    expect(disabled.body).toHaveProperty('bytesMax')
    expect(disabled.body).toHaveProperty('bytesUsed')
    const created = await t.db.write(
      tableId,
      t.user.headers,
      { title: 'Captain America' },
      ownedBy(t.user.$id),
    )
    expect(created.status).toBe(404)
    expect((await t.up.call('GET', t.db.rows(tableId), t.user.headers)).status).toBe(404)
    expect((await t.up.call('GET', `${t.db.rows(tableId)}/someId`, t.user.headers)).status).toBe(
      404,
    )
    const enabled = await setEnabled(true)
    expect(enabled.status).toBe(200)
    expect(enabled.body.enabled).toBe(true)
    expect(
      (await t.db.write(tableId, t.user.headers, { title: 'Captain America' }, ownedBy(t.user.$id)))
        .status,
    ).toBe(201)
  })

  /**
   * The first steps of testPersistentCreatedAt, by `headers`: a `Movies` row, then, 500 ms later, a
   * title update that keeps `$createdAt` and moves `$updatedAt`. The row's path and the update.
   */
  async function createThenRetitle(headers: Record<string, string>) {
    const tableId = await t.db.table('Movies', [
      ['string', { key: 'title', size: 256, required: true }],
      ['integer', { key: 'releaseYear', required: true }],
    ])
    const created = must(
      await t.db.write(tableId, headers, { title: 'Creation Date Test', releaseYear: 2000 }),
      201,
      'creating the row',
    )
    const row = `${t.db.rows(tableId)}/${created.body.$id as string}`
    await t.clock.advance(500)
    const updated = await t.up.call('PATCH', row, headers, { data: { title: 'Updated Date Test' } })
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
    const { row, updated } = await createThenRetitle(t.user.headers)
    expect(updated.body.title).toBe('Updated Date Test')
    await t.clock.advance(500)
    const again = await t.up.call('PATCH', row, t.user.headers, { data: backdated })
    expect(again.body.title).toBe('Again Updated Date Test')
    expect(again.body.$createdAt).not.toBe('2022-08-01T13:09:23.040+00:00')
    expect(again.body.$updatedAt).not.toBe('2022-08-01T13:09:23.050+00:00')
  })

  it(`${BASE} testPersistentCreatedAt: should store the dates the API key sends on update`, async () => {
    const { row } = await createThenRetitle(t.up.key)
    const again = await t.up.call('PATCH', row, t.up.key, { data: backdated })
    expect(again.body).toMatchObject({
      title: 'Again Updated Date Test',
      $createdAt: '2022-08-01T13:09:23.040+00:00',
      $updatedAt: '2022-08-01T13:09:23.050+00:00',
    })
  })
})
