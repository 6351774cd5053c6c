import { Operator, Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { ownedBy, tablesSuite } from './tables'
import type { TestDatabase } from './tables'

// Facts from tests/e2e/Services/Databases/DatabasesBase.php (`testOperators`, `testBulkOperators`)
// and tests/e2e/Services/Databases/Transactions/TransactionsBase.php (bulk writes and array
// operators staged in a transaction) at appwrite 1.9.6, as the TablesDB custom-client tests run
// them: the schema and bulk writes by the API key, transactions and single rows by a signed-in user.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'
const TRANSACTIONS = 'tests/e2e/Services/Databases/Transactions/TransactionsBase.php'

const t = tablesSuite('Bulk Database')

const anyone = (...actions: string[]) => actions.map((action) => `${action}("any")`)
const transactions = '/tablesdb/transactions'

async function begin(): Promise<string> {
  return must(await t.up.call('POST', transactions, t.user.headers), 201, 'creating a transaction')
    .body.$id as string
}

const commit = (transactionId: string, headers = t.user.headers) =>
  t.up.call('PATCH', `${transactions}/${transactionId}`, headers, { commit: true })

/** A table open to `any` for the actions given, rowSecurity off, as the transaction cases make. */
const openTable = (
  name: string,
  columns: Parameters<TestDatabase['table']>[1],
  actions: string[] = ['create', 'read', 'update', 'delete'],
) => t.db.table(name, columns, { permissions: anyone(...actions), rowSecurity: false })

/** A `TestCollection` table with a required `name` and an optional `category`, open to `actions`. */
const categoryTable = (actions: string[]) =>
  openTable(
    'TestCollection',
    [
      ['string', { key: 'name', size: 256, required: true }],
      ['string', { key: 'category', size: 256, required: false }],
    ],
    actions,
  )

/** Writes rows `<rowId>_1` … `_3` by the key, named `<name> 1` … `3`, all in `category`. */
async function seedThree(tableId: string, rowId: string, name: string, category: string) {
  for (const i of [1, 2, 3])
    must(
      await t.db.write(tableId, t.up.key, { name: `${name} ${i}`, category }, undefined, {
        rowId: `${rowId}_${i}`,
      }),
      201,
      `creating row ${rowId}_${i}`,
    )
}

/** How many rows of `category` the user's list answers. */
const countIn = async (tableId: string, category: string) =>
  (
    await t.up.call('GET', t.db.rows(tableId), t.user.headers, {
      queries: [Query.equal('category', [category])],
    })
  ).body.total as number

describe('Bulk writes and update operators, as the server tests them', () => {
  it(`${BASE} testOperators: should apply increment, decrement, array, concat and combined operators to the stored values`, async () => {
    const tableId = await t.db.table('Operator Tests', [
      ['string', { key: 'title', size: 256, required: true }],
      ['integer', { key: 'releaseYear', required: true }],
      ['integer', { key: 'duration', required: false }],
      ['string', { key: 'actors', size: 256, required: false, array: true }],
      ['integer', { key: 'integers', required: false, array: true }],
      ['string', { key: 'tagline', size: 512, required: false }],
      ['datetime', { key: 'birthDay', required: false }],
    ])
    const created = must(
      await t.db.write(
        tableId,
        t.user.headers,
        {
          title: 'Operator Test',
          releaseYear: 2020,
          duration: 120,
          actors: ['Actor1', 'Actor2'],
          integers: [10, 20],
          tagline: 'Original',
          birthDay: '2020-01-01 12:00:00',
        },
        ownedBy(t.user.$id),
      ),
      201,
      'creating the row',
    )
    const row = `${t.db.rows(tableId)}/${created.body.$id as string}`
    const patch = (data: Record<string, unknown>) =>
      t.up.call('PATCH', row, t.user.headers, { data })
    const incremented = await patch({
      releaseYear: Operator.increment(5),
      duration: Operator.increment(10),
    })
    expect(incremented.status).toBe(200)
    expect(incremented.body).toMatchObject({ releaseYear: 2025, duration: 130 })
    const decremented = await patch({ releaseYear: Operator.decrement(3) })
    expect(decremented.status).toBe(200)
    expect(decremented.body.releaseYear).toBe(2022)
    const appended = await patch({ actors: Operator.arrayAppend(['Actor3']) })
    expect(appended.status).toBe(200)
    expect(appended.body.actors).toEqual(['Actor1', 'Actor2', 'Actor3'])
    const prepended = await patch({ actors: Operator.arrayPrepend(['Actor0']) })
    expect(prepended.status).toBe(200)
    expect(prepended.body.actors).toEqual(['Actor0', 'Actor1', 'Actor2', 'Actor3'])
    const concatenated = await patch({ tagline: Operator.stringConcat(' Appended') })
    expect(concatenated.status).toBe(200)
    expect(concatenated.body.tagline).toBe('Original Appended')
    const combined = await patch({
      releaseYear: Operator.increment(1),
      integers: Operator.arrayAppend([30]),
    })
    expect(combined.status).toBe(200)
    expect(combined.body).toMatchObject({ releaseYear: 2023, integers: [10, 20, 30] })
    expect((await t.up.call('GET', row, t.user.headers)).body).toMatchObject({
      releaseYear: 2023,
      duration: 130,
      actors: ['Actor0', 'Actor1', 'Actor2', 'Actor3'],
      tagline: 'Original Appended',
    })
  })

  it(`${BASE} testOperators: should apply an operator sent to upsert on the row it updates`, async () => {
    const tableId = await t.db.table('Operator Upserts', [
      ['string', { key: 'title', size: 256, required: true }],
      ['integer', { key: 'releaseYear', required: true }],
      ['string', { key: 'actors', size: 256, required: false, array: true }],
      ['datetime', { key: 'birthDay', required: false }],
    ])
    const row = `${t.db.rows(tableId)}/upsert-operators`
    const first = await t.up.call('PUT', row, t.user.headers, {
      data: {
        title: 'Upsert Test',
        releaseYear: 2020,
        actors: [],
        birthDay: '2020-01-01 12:00:00',
      },
      permissions: ownedBy(t.user.$id),
    })
    expect(first.status).toBe(200)
    const second = await t.up.call('PUT', row, t.user.headers, {
      data: {
        title: 'Upsert Test Updated',
        releaseYear: Operator.increment(5),
        actors: [],
        birthDay: '2020-01-01 12:00:00',
      },
    })
    expect(second.status).toBe(200)
    expect(second.body).toMatchObject({ title: 'Upsert Test Updated', releaseYear: 2025 })
  })

  it(`${BASE} testBulkOperators: should apply an operator of a bulk update to each matched row's own value`, async () => {
    const tableId = await t.db.table(
      'Bulk Operator Tests',
      [
        ['string', { key: 'title', size: 256, required: true }],
        ['integer', { key: 'releaseYear', required: true }],
        ['string', { key: 'actors', size: 256, required: false, array: true }],
        ['datetime', { key: 'birthDay', required: false }],
      ],
      { permissions: [permission.create('users')] },
    )
    const ids: string[] = []
    for (const [title, releaseYear, actor] of [
      ['Bulk Test 1', 2020, 'Actor1'],
      ['Bulk Test 2', 2021, 'Actor2'],
    ] as const) {
      const created = must(
        await t.db.write(
          tableId,
          t.user.headers,
          { title, releaseYear, actors: [actor], birthDay: '2020-01-01 12:00:00' },
          [permission.read('users'), permission.update('users'), permission.delete('users')],
        ),
        201,
        `creating ${title}`,
      )
      ids.push(created.body.$id as string)
    }
    const bulk = await t.up.call('PATCH', t.db.rows(tableId), t.up.key, {
      data: { releaseYear: Operator.increment(10) },
      queries: [Query.startsWith('title', 'Bulk Test')],
    })
    expect(bulk.status).toBe(200)
    expect(bulk.body.total).toBe(2)
    const years = []
    for (const id of ids) {
      const got = await t.up.call('GET', `${t.db.rows(tableId)}/${id}`, t.user.headers)
      expect(got.status).toBe(200)
      years.push(got.body.releaseYear as number)
    }
    expect(years).toEqual([2030, 2031])
  })

  it(`${TRANSACTIONS} testBulkCreate: should stage a bulk create, invisible until the commit writes every row`, async () => {
    const tableId = await categoryTable(['create', 'read'])
    const transactionId = await begin()
    const staged = await t.up.call('POST', t.db.rows(tableId), t.up.key, {
      rows: [1, 2, 3].map((i) => ({
        $id: `bulk_create_${i}`,
        name: `Bulk created ${i}`,
        category: 'bulk_created',
      })),
      transactionId,
    })
    expect(staged.status).toBe(200)
    expect(staged.body).toMatchObject({ total: 3, rows: [] })
    expect(await countIn(tableId, 'bulk_created')).toBe(0)
    expect(
      (await t.up.call('GET', `${t.db.rows(tableId)}/bulk_create_1`, t.user.headers)).status,
    ).toBe(404)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    expect(await countIn(tableId, 'bulk_created')).toBe(3)
    for (const i of [1, 2, 3]) {
      const got = await t.up.call('GET', `${t.db.rows(tableId)}/bulk_create_${i}`, t.user.headers)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({ name: `Bulk created ${i}`, category: 'bulk_created' })
    }
  })

  it(`${TRANSACTIONS} testBulkUpdate: should stage a bulk update and apply it to every matched row on commit`, async () => {
    const tableId = await categoryTable(['create', 'read', 'update'])
    await seedThree(tableId, 'bulk_update', 'Bulk doc', 'bulk_test')
    const transactionId = await begin()
    const staged = await t.up.call('PATCH', t.db.rows(tableId), t.up.key, {
      queries: [Query.equal('category', ['bulk_test'])],
      data: { category: 'bulk_updated' },
      transactionId,
    })
    expect(staged.status).toBe(200)
    expect(await countIn(tableId, 'bulk_test')).toBe(3)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    expect(await countIn(tableId, 'bulk_updated')).toBe(3)
  })

  it(`${TRANSACTIONS} testBulkUpsert: should stage a bulk upsert that updates one row and creates another on commit`, async () => {
    const tableId = await openTable(
      'TestCollection',
      [
        ['string', { key: 'name', size: 256, required: true }],
        ['integer', { key: 'counter', required: false, min: 0, max: 10000 }],
      ],
      ['create', 'read', 'update'],
    )
    must(
      await t.db.write(tableId, t.up.key, { name: 'Existing doc', counter: 10 }, undefined, {
        rowId: 'bulk_upsert_existing',
      }),
      201,
      'creating the existing row',
    )
    const transactionId = await begin()
    const staged = await t.up.call('PUT', t.db.rows(tableId), t.up.key, {
      rows: [
        { $id: 'bulk_upsert_existing', name: 'Updated existing', counter: 20 },
        { $id: 'bulk_upsert_new', name: 'New doc', counter: 30 },
      ],
      transactionId,
    })
    expect(staged.status).toBe(200)
    const get = (id: string) => t.up.call('GET', `${t.db.rows(tableId)}/${id}`, t.user.headers)
    expect((await get('bulk_upsert_existing')).body).toMatchObject({
      name: 'Existing doc',
      counter: 10,
    })
    expect((await get('bulk_upsert_new')).status).toBe(404)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    expect((await get('bulk_upsert_existing')).body).toMatchObject({
      name: 'Updated existing',
      counter: 20,
    })
    expect((await get('bulk_upsert_new')).body).toMatchObject({ name: 'New doc', counter: 30 })
  })

  it(`${TRANSACTIONS} testBulkDelete: should stage a bulk delete and remove every matched row on commit`, async () => {
    const tableId = await categoryTable(['create', 'read', 'delete'])
    await seedThree(tableId, 'bulk_delete', 'Delete doc', 'bulk_delete_test')
    const transactionId = await begin()
    const staged = await t.up.call('DELETE', t.db.rows(tableId), t.up.key, {
      queries: [Query.equal('category', ['bulk_delete_test'])],
      transactionId,
    })
    expect(staged.status).toBe(200)
    expect(await countIn(tableId, 'bulk_delete_test')).toBe(3)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    expect(await countIn(tableId, 'bulk_delete_test')).toBe(0)
  })

  it(`${TRANSACTIONS} testArrayOperatorsWithUpdateRow: should apply staged arrayRemove then arrayInsert in order on commit`, async () => {
    const tableId = await openTable('Items', [
      ['string', { key: 'items', size: 255, required: false, array: true }],
    ])
    const created = await t.db.write(
      tableId,
      t.user.headers,
      { items: ['item1', 'item2', 'item3', 'item4'] },
      undefined,
      { rowId: 'test-row' },
    )
    expect(created.status).toBe(201)
    expect(created.body.items).toEqual(['item1', 'item2', 'item3', 'item4'])
    const transactionId = await begin()
    const row = `${t.db.rows(tableId)}/test-row`
    for (const items of [Operator.arrayRemove('item2'), Operator.arrayInsert(2, 'newItem')])
      expect(
        (await t.up.call('PATCH', row, t.user.headers, { transactionId, data: { items } })).status,
      ).toBe(200)
    expect((await commit(transactionId)).status).toBe(200)
    const got = await t.up.call('GET', row, t.user.headers)
    expect(got.status).toBe(200)
    expect(got.body.items).toEqual(['item1', 'item3', 'newItem', 'item4'])
  })

  it(`${TRANSACTIONS} testArrayOperatorsWithCreateOperations: should apply array operators staged as operations`, async () => {
    const tableId = await openTable('Tags', [
      ['string', { key: 'tags', size: 255, required: false, array: true }],
    ])
    must(
      await t.db.write(
        tableId,
        t.user.headers,
        { tags: ['php', 'javascript', 'python', 'ruby'] },
        undefined,
        { rowId: 'doc1' },
      ),
      201,
      'creating the row',
    )
    const transactionId = await begin()
    const update = (tags: string) => ({
      action: 'update',
      databaseId: t.db.databaseId,
      tableId,
      rowId: 'doc1',
      data: { tags },
    })
    const operations = await t.up.call(
      'POST',
      `${transactions}/${transactionId}/operations`,
      t.user.headers,
      {
        operations: [
          update(Operator.arrayRemove('javascript')),
          update(Operator.arrayAppend(['go', 'rust'])),
        ],
      },
    )
    expect(operations.status).toBe(201)
    expect(operations.body.operations).toBe(2)
    expect((await commit(transactionId)).status).toBe(200)
    const got = await t.up.call('GET', `${t.db.rows(tableId)}/doc1`, t.user.headers)
    expect(got.body.tags).toEqual(['php', 'python', 'ruby', 'go', 'rust'])
  })

  it(`${TRANSACTIONS} testMultipleArrayOperators: should apply prepend, append and remove staged on three columns`, async () => {
    const tableId = await openTable(
      'Arrays',
      ['list1', 'list2', 'list3'].map((key) => [
        'string',
        { key, size: 255, required: false, array: true },
      ]),
    )
    must(
      await t.db.write(
        tableId,
        t.user.headers,
        { list1: ['a', 'b', 'c'], list2: ['x', 'y', 'z'], list3: ['1', '2', '3', '4', '5'] },
        undefined,
        { rowId: 'multi-ops' },
      ),
      201,
      'creating the row',
    )
    const transactionId = await begin()
    const row = `${t.db.rows(tableId)}/multi-ops`
    for (const data of [
      { list1: Operator.arrayPrepend(['z']) },
      { list2: Operator.arrayAppend(['w']) },
      { list3: Operator.arrayRemove('3') },
    ])
      expect((await t.up.call('PATCH', row, t.user.headers, { transactionId, data })).status).toBe(
        200,
      )
    expect((await commit(transactionId)).status).toBe(200)
    const got = await t.up.call('GET', row, t.user.headers)
    expect(got.body).toMatchObject({
      list1: ['z', 'a', 'b', 'c'],
      list2: ['x', 'y', 'z', 'w'],
      list3: ['1', '2', '4', '5'],
    })
  })

  it(`${TRANSACTIONS} testBulkUpdateWithTransactionAwareQueries: should let a staged bulk update match rows created earlier in the transaction`, async () => {
    const tableId = await openTable('TestCollection', [
      ['string', { key: 'name', size: 256, required: true }],
      ['integer', { key: 'age', required: true }],
      ['string', { key: 'status', size: 256, required: true }],
    ])
    for (const i of [1, 2, 3])
      must(
        await t.db.write(
          tableId,
          t.up.key,
          { name: `Existing ${i}`, age: 20 + i, status: 'inactive' },
          undefined,
          { rowId: `existing_${i}` },
        ),
        201,
        `creating existing_${i}`,
      )
    const transactionId = await begin()
    for (const [rowId, name, age] of [
      ['txn_doc_1', 'Transaction Doc 1', 30],
      ['txn_doc_2', 'Transaction Doc 2', 35],
    ] as const)
      expect(
        (
          await t.db.write(tableId, t.up.key, { name, age, status: 'inactive' }, undefined, {
            rowId,
            transactionId,
          })
        ).status,
      ).toBe(201)
    const staged = await t.up.call('PATCH', t.db.rows(tableId), t.up.key, {
      data: { status: 'active' },
      queries: [Query.greaterThan('age', 25)],
      transactionId,
    })
    expect(staged.status).toBe(200)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    const status = async (rowId: string) =>
      (await t.up.call('GET', `${t.db.rows(tableId)}/${rowId}`, t.user.headers)).body
        .status as string
    expect([await status('txn_doc_1'), await status('txn_doc_2')]).toEqual(['active', 'active'])
    for (const i of [1, 2, 3]) expect(await status(`existing_${i}`)).toBe('inactive')
  })

  it(`${TRANSACTIONS} testBulkUpdateMatchingUpdatedDocuments: should let a staged bulk update match rows updated earlier in the transaction`, async () => {
    const tableId = await openTable('TestCollection', [
      ['string', { key: 'name', size: 256, required: true }],
      ['string', { key: 'category', size: 256, required: true }],
      ['string', { key: 'priority', size: 256, required: true }],
    ])
    for (const i of [1, 2, 3, 4])
      must(
        await t.db.write(
          tableId,
          t.up.key,
          { name: `Document ${i}`, category: 'normal', priority: 'low' },
          undefined,
          { rowId: `doc_${i}` },
        ),
        201,
        `creating doc_${i}`,
      )
    const transactionId = await begin()
    for (const rowId of ['doc_1', 'doc_2'])
      expect(
        (
          await t.up.call('PATCH', `${t.db.rows(tableId)}/${rowId}`, t.up.key, {
            data: { category: 'special' },
            transactionId,
          })
        ).status,
      ).toBe(200)
    const staged = await t.up.call('PATCH', t.db.rows(tableId), t.up.key, {
      data: { priority: 'high' },
      queries: [Query.equal('category', ['special'])],
      transactionId,
    })
    expect(staged.status).toBe(200)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    const get = async (rowId: string) =>
      (await t.up.call('GET', `${t.db.rows(tableId)}/${rowId}`, t.user.headers)).body
    for (const rowId of ['doc_1', 'doc_2'])
      expect(await get(rowId)).toMatchObject({ category: 'special', priority: 'high' })
    expect(await get('doc_3')).toMatchObject({ category: 'normal', priority: 'low' })
  })

  it(`${TRANSACTIONS} testBulkDeleteMatchingCreatedDocuments: should let a staged bulk delete remove rows created earlier in the transaction`, async () => {
    const tableId = await openTable('TestCollection', [
      ['string', { key: 'name', size: 256, required: true }],
      ['string', { key: 'type', size: 256, required: true }],
    ])
    for (const i of [1, 2, 3])
      must(
        await t.db.write(
          tableId,
          t.up.key,
          { name: `Existing ${i}`, type: 'permanent' },
          undefined,
          {
            rowId: `existing_${i}`,
          },
        ),
        201,
        `creating existing_${i}`,
      )
    const transactionId = await begin()
    for (const i of [1, 2])
      expect(
        (
          await t.db.write(
            tableId,
            t.up.key,
            { name: `Temporary ${i}`, type: 'temporary' },
            undefined,
            {
              rowId: `temp_${i}`,
              transactionId,
            },
          )
        ).status,
      ).toBe(201)
    const staged = await t.up.call('DELETE', t.db.rows(tableId), t.up.key, {
      queries: [Query.equal('type', ['temporary'])],
      transactionId,
    })
    expect(staged.status).toBe(200)
    expect((await commit(transactionId, t.up.key)).status).toBe(200)
    for (const i of [1, 2])
      expect(
        (await t.up.call('GET', `${t.db.rows(tableId)}/temp_${i}`, t.user.headers)).status,
      ).toBe(404)
    for (const i of [1, 2, 3]) {
      const kept = await t.up.call('GET', `${t.db.rows(tableId)}/existing_${i}`, t.user.headers)
      expect(kept.status).toBe(200)
      expect(kept.body.type).toBe('permanent')
    }
  })
})
