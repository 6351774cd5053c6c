import type { Models, TablesDB } from 'node-appwrite'
import { describe, expectTypeOf, it } from 'vitest'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'

/** The TablesDB management methods the fake's admin implements. */
type ManagementMethods =
  | 'list'
  | 'create'
  | 'get'
  | 'update'
  | 'delete'
  | 'listTables'
  | 'createTable'
  | 'getTable'
  | 'updateTable'
  | 'deleteTable'
  | 'listColumns'
  | 'getColumn'
  | 'deleteColumn'
  | 'createStringColumn'
  | 'createVarcharColumn'
  | 'createTextColumn'
  | 'createMediumtextColumn'
  | 'createLongtextColumn'
  | 'createIntegerColumn'
  | 'createFloatColumn'
  | 'createBooleanColumn'
  | 'createDatetimeColumn'
  | 'createEmailColumn'
  | 'createUrlColumn'
  | 'createIpColumn'
  | 'createEnumColumn'
  | 'updateStringColumn'
  | 'updateVarcharColumn'
  | 'updateTextColumn'
  | 'updateMediumtextColumn'
  | 'updateLongtextColumn'
  | 'updateIntegerColumn'
  | 'updateFloatColumn'
  | 'updateBooleanColumn'
  | 'updateDatetimeColumn'
  | 'updateEmailColumn'
  | 'updateUrlColumn'
  | 'updateIpColumn'
  | 'updateEnumColumn'
  | 'listIndexes'
  | 'getIndex'
  | 'createIndex'
  | 'deleteIndex'

const fake = createFakeAppwrite()

describe('adminAssignability', () => {
  it('should make the fake admin assignable to node-appwrite TablesDB management methods', () => {
    expectTypeOf(fake.admin).toExtend<Pick<TablesDB, ManagementMethods>>()
    const admin: Pick<TablesDB, ManagementMethods> = fake.admin
    expectTypeOf(admin).not.toBeAny()
  })

  it('should return models assignable to node-appwrite Models', async () => {
    const ref = { databaseId: 'main', tableId: 'bookings' }
    expectTypeOf(await fake.admin.get({ databaseId: 'main' })).toExtend<Models.Database>()
    expectTypeOf(await fake.admin.getTable(ref)).toExtend<Models.Table>()
    expectTypeOf(await fake.admin.listColumns(ref)).toExtend<Models.ColumnList>()
    expectTypeOf(await fake.admin.listIndexes(ref)).toExtend<Models.ColumnIndexList>()
    const column = await fake.admin.createEnumColumn({
      ...ref,
      key: 'status',
      elements: ['pending'],
      required: true,
    })
    expectTypeOf(column).toExtend<Models.ColumnEnum>()
    expectTypeOf(column.elements).toEqualTypeOf<string[]>()
    // Statuses compare with plain strings, as with the SDK's enum.
    expectTypeOf(column.status === 'processing').toEqualTypeOf<boolean>()
  })

  it('should type the object and the deprecated positional forms', () => {
    expectTypeOf(fake.admin.createStringColumn).toBeCallableWith(
      'main',
      'bookings',
      'customerId',
      36,
      true,
    )
    void fake.admin.createIndex({
      databaseId: 'main',
      tableId: 'bookings',
      key: 'by_customer',
      type: 'key',
      columns: ['customerId'],
      orders: ['asc'],
    })
    // @ts-expect-error `size` is required for string columns
    void fake.admin.createStringColumn({
      databaseId: 'main',
      tableId: 'bookings',
      key: 'x',
      required: true,
    })
    // @ts-expect-error index types are key, unique, fulltext, spatial
    void fake.admin.createIndex({
      databaseId: 'main',
      tableId: 'b',
      key: 'k',
      type: 'btree',
      columns: [],
    })
  })
})
