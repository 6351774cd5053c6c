import { describe, expect, it } from 'vitest'
import { appwriteError, fakeWithTable } from './helpers'

const databaseId = 'main'
const tableId = 'bookings'
const ref = { databaseId, tableId }

/** A fake whose `bookings` table is open to any user, with one row. */
async function setup() {
  const { fake, admin } = await fakeWithTable({
    tableId,
    name: 'Bookings',
    permissions: ['read("users")', 'create("users")'],
    rowSecurity: false,
  })
  await admin.createStringColumn({ ...ref, key: 'status', size: 16, required: false })
  await fake.tablesDB.createRow({ ...ref, rowId: 'b1', data: { status: 'pending' } })
  return { fake, admin, user: fake.as('user:u1').tablesDB }
}

describe('disabledTables', () => {
  it('should answer table_not_found to a user on a disabled table and keep serving the key', async () => {
    const { fake, admin, user } = await setup()
    await admin.updateTable({ ...ref, name: 'Bookings', enabled: false })
    await expect(user.listRows(ref)).rejects.toMatchObject(appwriteError(404, 'table_not_found'))
    await expect(user.getRow({ ...ref, rowId: 'b1' })).rejects.toMatchObject(
      appwriteError(404, 'table_not_found'),
    )
    await expect(
      user.createRow({ ...ref, rowId: 'b2', data: { status: 'pending' } }),
    ).rejects.toMatchObject(appwriteError(404, 'table_not_found'))
    expect((await fake.tablesDB.listRows(ref)).total).toBe(1)
    await admin.updateTable({ ...ref, name: 'Bookings', enabled: true })
    expect((await user.listRows(ref)).total).toBe(1)
  })

  it('should answer database_not_found to a user when the database is disabled', async () => {
    const { fake, admin, user } = await setup()
    await admin.update({ databaseId, name: 'Main', enabled: false })
    await expect(user.listRows(ref)).rejects.toMatchObject(appwriteError(404, 'database_not_found'))
    expect((await fake.tablesDB.getRow({ ...ref, rowId: 'b1' })).status).toBe('pending')
  })
})
