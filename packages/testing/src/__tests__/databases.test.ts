import { Permission, Query, Role } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import { appwriteError, mainDatabase, notFound, rejection } from './helpers'

const db = 'main'
const collection = { databaseId: db, collectionId: 'bookings' }
const T0 = '2026-01-01T00:00:00.000+00:00'

function setup(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: Date.parse('2026-01-01T00:00:00.000Z') })
  return { ...createFakeAppwrite({ clock, seed: 3, ...options }), manual: clock }
}

describe('databases', () => {
  it('should create and get documents with $collectionId instead of $tableId', async () => {
    const { databases } = setup()
    const created = await databases.createDocument({
      ...collection,
      documentId: 'b1',
      data: { status: 'pending' },
      permissions: [Permission.read(Role.user('c1'))],
    })
    expect(created).toEqual({
      $id: 'b1',
      $sequence: '1',
      $collectionId: 'bookings',
      $databaseId: 'main',
      $createdAt: T0,
      $updatedAt: T0,
      $permissions: ['read("user:c1")'],
      status: 'pending',
    })
    expect(created).not.toHaveProperty('$tableId')
    expect(await databases.getDocument({ ...collection, documentId: 'b1' })).toEqual(created)
  })

  it('should share storage with tablesDB, as the server mirrors both APIs', async () => {
    const { databases, tablesDB } = setup()
    await databases.createDocument({ ...collection, documentId: 'b1', data: { status: 'pending' } })
    await tablesDB.createRow({
      databaseId: db,
      tableId: 'bookings',
      rowId: 'b2',
      data: { status: 'accepted' },
    })
    expect(
      await tablesDB.getRow({ databaseId: db, tableId: 'bookings', rowId: 'b1' }),
    ).toMatchObject({ $tableId: 'bookings', status: 'pending' })
    const { total, documents } = await databases.listDocuments(collection)
    expect(total).toBe(2)
    expect(documents.map((document) => [document.$id, document.$sequence])).toEqual([
      ['b1', '1'],
      ['b2', '2'],
    ])
  })

  it('should list documents with queries and honour total: false', async () => {
    const { databases } = setup()
    await databases.createDocument({ ...collection, documentId: 'b1', data: { status: 'pending' } })
    await databases.createDocument({
      ...collection,
      documentId: 'b2',
      data: { status: 'accepted' },
    })
    const result = await databases.listDocuments({
      ...collection,
      queries: [Query.equal('status', 'accepted')],
      total: false,
    })
    expect(result).toMatchObject({
      total: 0,
      documents: [{ $id: 'b2', $collectionId: 'bookings' }],
    })
  })

  it('should answer with document_* error types', async () => {
    const { databases } = setup()
    await databases.createDocument({ ...collection, documentId: 'b1', data: { a: 1 } })
    const exists = await rejection(
      databases.createDocument({ ...collection, documentId: 'b1', data: { a: 1 } }),
    )
    expect(exists).toMatchObject(
      appwriteError(
        409,
        'document_already_exists',
        "Document with the requested ID 'b1' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
      ),
    )
    const missing = await rejection(databases.getDocument({ ...collection, documentId: 'b9' }))
    expect(missing).toMatchObject(notFound('document', 'b9'))
    const noData = await rejection(
      databases.createDocument({ ...collection, documentId: 'b2', data: {} }),
    )
    expect(noData).toMatchObject(appwriteError(400, 'document_missing_data'))
    const noPayload = await rejection(databases.updateDocument({ ...collection, documentId: 'b1' }))
    expect(noPayload).toMatchObject(appwriteError(400, 'document_missing_payload'))
    const badId = await rejection(
      databases.createDocument({ ...collection, documentId: '-b', data: { a: 1 } }),
    )
    expect(badId.message).toMatch(
      /^Invalid `documentId` param: Parameter must contain at most 36 chars/,
    )
  })

  it('should answer collection_not_found and document_invalid_structure on declared schemas', async () => {
    const { databases } = setup({
      databases: mainDatabase({
        bookings: {
          columns: [{ key: 'status', type: 'enum', elements: ['pending'], required: true }],
        },
      }),
    })
    const collectionMissing = await rejection(
      databases.listDocuments({ databaseId: db, collectionId: 'chat_messages' }),
    )
    expect(collectionMissing).toMatchObject(notFound('collection', 'chat_messages'))
    const structure = await rejection(
      databases.createDocument({ ...collection, documentId: 'b1', data: { status: 'done' } }),
    )
    expect(structure).toMatchObject(
      appwriteError(
        400,
        'document_invalid_structure',
        'Invalid document structure: Attribute "status" has invalid format. Value must be one of (pending)',
      ),
    )
  })

  it('should answer database_not_found in strict mode', async () => {
    const { databases } = setup({ strict: true, databases: { main: {} } })
    const error = await rejection(
      databases.listDocuments({ databaseId: 'mian', collectionId: 'bookings' }),
    )
    expect(error).toMatchObject(notFound('database', 'mian'))
  })

  it('should update, upsert and delete documents', async () => {
    const { databases, manual } = setup()
    await databases.createDocument({
      ...collection,
      documentId: 'b1',
      data: { status: 'pending', price: 10 },
    })
    await manual.advance(1)
    expect(
      await databases.updateDocument({
        ...collection,
        documentId: 'b1',
        data: { status: 'accepted' },
      }),
    ).toMatchObject({
      status: 'accepted',
      price: 10,
      $updatedAt: '2026-01-01T00:00:00.001+00:00',
    })
    expect(
      await databases.upsertDocument({ ...collection, documentId: 'b2', data: { status: 'new' } }),
    ).toMatchObject({ $id: 'b2', $sequence: '2' })
    expect(await databases.deleteDocument({ ...collection, documentId: 'b1' })).toEqual({})
    expect(
      (await databases.listDocuments(collection)).documents.map((document) => document.$id),
    ).toEqual(['b2'])
  })

  it('should increment and decrement attributes with attribute_* errors', async () => {
    const { databases } = setup()
    await databases.createDocument({
      ...collection,
      documentId: 'b1',
      data: { seats: 2, name: 'x' },
    })
    expect(
      await databases.incrementDocumentAttribute({
        ...collection,
        documentId: 'b1',
        attribute: 'seats',
        value: 3,
      }),
    ).toMatchObject({ seats: 5, $collectionId: 'bookings' })
    expect(
      await databases.decrementDocumentAttribute({
        ...collection,
        documentId: 'b1',
        attribute: 'seats',
      }),
    ).toMatchObject({ seats: 4 })
    const limit = await rejection(
      databases.incrementDocumentAttribute({
        ...collection,
        documentId: 'b1',
        attribute: 'seats',
        value: 2,
        max: 5,
      }),
    )
    expect(limit).toMatchObject(
      appwriteError(
        400,
        'attribute_limit_exceeded',
        'databases "seats" has reached the maximum value of 5',
      ),
    )
    const type = await rejection(
      databases.incrementDocumentAttribute({ ...collection, documentId: 'b1', attribute: 'name' }),
    )
    expect(type).toMatchObject(
      appwriteError(400, 'attribute_type_invalid', 'databases "name" is not a number'),
    )
    const row = await rejection(
      databases.decrementDocumentAttribute({ ...collection, documentId: 'b9', attribute: 'seats' }),
    )
    expect(row).toMatchObject(appwriteError(404, 'attribute_not_found'))
  })

  it('should run the bulk document methods', async () => {
    const { databases } = setup()
    const created = await databases.createDocuments({
      ...collection,
      documents: [
        { $id: 'a', n: 1 },
        { $id: 'b', n: 2 },
      ],
    })
    expect(created).toMatchObject({
      total: 2,
      documents: [{ $id: 'a', $collectionId: 'bookings' }, { $id: 'b' }],
    })
    const upserted = await databases.upsertDocuments({
      ...collection,
      documents: [
        { $id: 'a', n: 1 },
        { $id: 'c', n: 3 },
      ],
    })
    expect(upserted).toMatchObject({ total: 1, documents: [{ $id: 'c' }] })
    const updated = await databases.updateDocuments({
      ...collection,
      data: { n: 0 },
      queries: [Query.greaterThan('n', 1)],
    })
    expect(updated).toMatchObject({
      total: 2,
      documents: [
        { $id: 'b', n: 0 },
        { $id: 'c', n: 0 },
      ],
    })
    const deleted = await databases.deleteDocuments({
      ...collection,
      queries: [Query.equal('n', 0)],
    })
    expect(deleted.total).toBe(2)
    expect(
      (await databases.listDocuments(collection)).documents.map((document) => document.$id),
    ).toEqual(['a'])
  })

  it('should accept the deprecated positional form', async () => {
    const { databases } = setup()
    await databases.createDocument(db, 'bookings', 'b1', { status: 'pending' })
    expect(
      await databases.listDocuments(db, 'bookings', [Query.equal('status', 'pending')]),
    ).toMatchObject({ total: 1 })
  })

  it('should throw synchronously for a missing required parameter', () => {
    const { databases } = setup()
    expect(() =>
      databases.getDocument({ databaseId: db, collectionId: 'bookings' } as never),
    ).toThrow('Missing required parameter: "documentId"')
  })

  it('should report calls to the fault injector with the collection as tableId', async () => {
    const { databases, faults } = setup()
    faults.fail({
      operation: 'createDocument',
      table: 'bookings',
      error: 'general_server_error',
      times: 1,
    })
    const error = await rejection(
      databases.createDocument({ ...collection, documentId: 'b1', data: { a: 1 } }),
    )
    expect(error).toMatchObject(appwriteError(500, 'general_server_error'))
    expect((await databases.listDocuments(collection)).total).toBe(0)
    expect(faults.log[0]).toMatchObject({
      api: 'databases',
      operation: 'createDocument',
      table: 'bookings',
      rowId: 'b1',
    })
  })
})
