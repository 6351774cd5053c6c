import type { Databases, Models, TablesDB } from 'appwrite'
import type { Databases as NodeDatabases, TablesDB as NodeTablesDB } from 'node-appwrite'
import { describe, expectTypeOf, it } from 'vitest'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { WriteRowParams } from '../fake/tablesDB'
import type { FakeDefaultDocument, FakeDefaultRow, FakeRow, FakeRowList } from '../fake/types'

type RowMethods =
  | 'createRow'
  | 'getRow'
  | 'listRows'
  | 'updateRow'
  | 'upsertRow'
  | 'deleteRow'
  | 'incrementRowColumn'
  | 'decrementRowColumn'
type BulkRowMethods = 'createRows' | 'upsertRows' | 'updateRows' | 'deleteRows'
type DocumentMethods =
  | 'createDocument'
  | 'getDocument'
  | 'listDocuments'
  | 'updateDocument'
  | 'upsertDocument'
  | 'deleteDocument'
  | 'incrementDocumentAttribute'
  | 'decrementDocumentAttribute'
type BulkDocumentMethods =
  'createDocuments' | 'upsertDocuments' | 'updateDocuments' | 'deleteDocuments'

type Booking = Models.Row & { customerId: string; status: 'pending' | 'accepted' }

const fake = createFakeAppwrite()

describe('sdkAssignability', () => {
  it('should make the fake tablesDB assignable to the appwrite TablesDB methods', () => {
    expectTypeOf(fake.tablesDB).toMatchTypeOf<Pick<TablesDB, RowMethods>>()
    const tablesDB: Pick<TablesDB, RowMethods> = fake.tablesDB
    expectTypeOf(tablesDB).not.toBeAny()
  })

  it('should make the fake tablesDB assignable to node-appwrite TablesDB, bulk methods included', () => {
    expectTypeOf(fake.tablesDB).toMatchTypeOf<Pick<NodeTablesDB, RowMethods | BulkRowMethods>>()
    const tablesDB: Pick<NodeTablesDB, RowMethods | BulkRowMethods> = fake.tablesDB
    expectTypeOf(tablesDB).not.toBeAny()
  })

  it('should make the fake databases assignable to the appwrite and node-appwrite Databases methods', () => {
    expectTypeOf(fake.databases).toMatchTypeOf<Pick<Databases, DocumentMethods>>()
    expectTypeOf(fake.databases).toMatchTypeOf<
      Pick<NodeDatabases, DocumentMethods | BulkDocumentMethods>
    >()
    const databases: Pick<NodeDatabases, DocumentMethods | BulkDocumentMethods> = fake.databases
    expectTypeOf(databases).not.toBeAny()
  })

  it('should type rows from the generic like the SDK does', async () => {
    const row = await fake.tablesDB.createRow<Booking>({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
      data: { customerId: 'c1', status: 'pending' },
    })
    expectTypeOf(row.status).toEqualTypeOf<'pending' | 'accepted'>()
    expectTypeOf(row).toMatchTypeOf<Models.Row>()
    const { rows } = await fake.tablesDB.listRows<Booking>({
      databaseId: 'main',
      tableId: 'bookings',
    })
    expectTypeOf(rows).toEqualTypeOf<Booking[]>()
    const untyped = await fake.tablesDB.getRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
    })
    expectTypeOf(untyped).toMatchTypeOf<FakeRow>()
    expectTypeOf(untyped.anything).toBeAny()
  })

  it('should reject data that does not fit the row type', () => {
    void fake.tablesDB.createRow<Booking>({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
      // @ts-expect-error status must be one of the declared literals
      data: { customerId: 'c1', status: 'cancelled' },
    })
    void fake.tablesDB.updateRow<Booking>({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
      // @ts-expect-error customerId is a string
      data: { customerId: 1 },
    })
    expectTypeOf<WriteRowParams<Booking>['data']>().toMatchTypeOf<
      { customerId?: string } | undefined
    >()
  })

  it('should type the deprecated positional forms from the generic, in the SDK order', () => {
    expectTypeOf(
      fake.tablesDB.upsertRow<Booking>('main', 'bookings', 'b1', { status: 'accepted' }),
    ).toEqualTypeOf<Promise<Booking>>()
    expectTypeOf(
      fake.databases.updateDocument('main', 'bookings', 'b1', { status: 'accepted' }, []),
    ).toEqualTypeOf<Promise<FakeDefaultDocument>>()
    // @ts-expect-error customerId is a string
    void fake.tablesDB.updateRow<Booking>('main', 'bookings', 'b1', { customerId: 1 })
    // @ts-expect-error the fourth positional parameter is the data object, not the permissions
    void fake.databases.upsertDocument('main', 'bookings', 'b1', ['read("any")'], {})
    expectTypeOf(
      fake.tablesDB.createRows('main', 'bookings', [{ $id: 'b2' }], 'tx1'),
    ).toEqualTypeOf<Promise<FakeRowList<FakeDefaultRow>>>()
  })

  it('should resolve deleteRow to an empty object like the SDK', () => {
    expectTypeOf(
      fake.tablesDB.deleteRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1' }),
    ).toMatchTypeOf<Promise<object>>()
  })
})
