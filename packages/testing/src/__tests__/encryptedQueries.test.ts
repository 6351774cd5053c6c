import { Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { appwriteError, fakeWithTable } from './helpers'

const ref = { databaseId: 'main', tableId: 'notes' }

/** A table with a plain and an encrypted varchar column, and one row. */
async function setup() {
  const context = await fakeWithTable({ tableId: 'notes', name: 'Notes' })
  const { admin, tablesDB } = context
  await admin.createVarcharColumn({ ...ref, key: 'title', size: 200, required: false })
  await admin.createVarcharColumn({
    ...ref,
    key: 'secret',
    size: 200,
    required: false,
    encrypt: true,
  })
  await tablesDB.createRow({ ...ref, rowId: 'n1', data: { title: 'a', secret: 's1' } })
  return context
}

describe('encrypted columns in queries', () => {
  it('should refuse every filter on an encrypted column, as the server stores only its ciphertext', async () => {
    const { tablesDB } = await setup()
    for (const query of [
      Query.equal('secret', 's1'),
      Query.startsWith('secret', 's'),
      Query.isNull('secret'),
      Query.or([Query.equal('title', 'a'), Query.equal('secret', 's1')]),
    ])
      await expect(tablesDB.listRows({ ...ref, queries: [query] })).rejects.toMatchObject(
        appwriteError(
          400,
          'general_query_invalid',
          'Invalid query: Cannot query encrypted attribute: secret',
        ),
      )
  })

  it('should still filter the other columns, and order and select by the encrypted one', async () => {
    const { tablesDB } = await setup()
    const listed = await tablesDB.listRows({
      ...ref,
      queries: [Query.equal('title', 'a'), Query.orderAsc('secret'), Query.select(['secret'])],
    })
    expect(listed.rows.map((row) => row.secret as unknown)).toEqual(['s1'])
  })
})
