import { beforeAll, describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import type { RealtimeSocket } from './upstream'
import { LEGACY, openDatabase, tablesSuite } from './tables'
import type { TestDatabase } from './tables'

// Facts from tests/e2e/Services/Realtime/RealtimeCustomClientTest.php (appwrite 1.9.6): events of
// documents written through the legacy collection API (/v1/databases/…/documents), received on
// raw WebSockets signed in by the session cookie.
const CLIENT = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

const t = tablesSuite('Actors DB', undefined, LEGACY)
const anyone = [permission.read('any'), permission.update('any'), permission.delete('any')]
const everyone = [permission.create('any'), ...anyone]
const NAME: Parameters<TestDatabase['table']>[1] = [
  ['string', { key: 'name', size: 256, required: true }],
]

/** The `databases.…` event names upstream expects for `action` on a document, wildcards included. */
function documentEvents(collectionId: string, documentId: string, action: string): string[] {
  const db = `databases.${t.db.databaseId}`
  const documents = [collectionId, '*'].flatMap((c) =>
    [documentId, '*'].flatMap((d) => [
      `${db}.collections.${c}.documents.${d}.${action}`,
      `${db}.collections.${c}.documents.${d}`,
    ]),
  )
  return [
    ...documents,
    `${db}.collections.${collectionId}`,
    `${db}.collections.*`,
    db,
    'databases.*',
  ]
}

/** The four channels a document event carries under its collection and its table names. */
function documentChannels(collectionId: string, documentId: string): string[] {
  const db = `databases.${t.db.databaseId}`
  return [
    `${db}.collections.${collectionId}.documents.${documentId}`,
    `${db}.collections.${collectionId}.documents`,
    `${db}.tables.${collectionId}.rows.${documentId}`,
    `${db}.tables.${collectionId}.rows`,
  ]
}

/** A socket on `channels` signed in as the suite's user, past its `connected` frame. */
async function listen(channels: string[]): Promise<RealtimeSocket> {
  const ws = await t.up.socket(channels, { cookie: t.user.headers.cookie as string })
  const connected = await ws.next()
  expect(connected.type).toBe('connected')
  return ws
}

describe('Realtime on the legacy documents API, as the server tests it', () => {
  let actorsId: string
  beforeAll(async () => {
    actorsId = await t.db.table('Actors', NAME)
  })

  it(`${CLIENT} testChannelDatabase: should send create, update and delete of a document with its 16 channels and every event name`, async () => {
    const ws = await listen(['documents', 'collections'])
    const documents = t.db.rows(actorsId)
    const created = must(
      await t.db.write(actorsId, t.user.headers, { name: 'Chris Evans' }, anyone),
      201,
      'creating the document',
    )
    const documentId = created.body.$id as string
    const steps: Array<[action: string, name: string, write: () => Promise<unknown>]> = [
      ['create', 'Chris Evans', async () => undefined],
      [
        'update',
        'Chris Evans 2',
        () =>
          t.up.call('PATCH', `${documents}/${documentId}`, t.user.headers, {
            data: { name: 'Chris Evans 2' },
            permissions: anyone,
          }),
      ],
      [
        'delete',
        'Chris Evans 2',
        () => t.up.call('DELETE', `${documents}/${documentId}`, t.user.headers),
      ],
    ]
    for (const [action, name, write] of steps) {
      await write()
      const event = await ws.next()
      expect({ action, type: event.type }).toEqual({ action, type: 'event' })
      expect(event.data).toHaveProperty('timestamp')
      expect(event.data.channels).toHaveLength(16)
      expect(event.data.channels).toEqual(
        expect.arrayContaining(['documents', ...documentChannels(actorsId, documentId)]),
      )
      expect(event.data.events).toEqual(
        expect.arrayContaining([
          ...documentEvents(actorsId, documentId, action),
          `databases.${t.db.databaseId}.tables.${actorsId}.rows.${documentId}.${action}`,
        ]),
      )
      expect(event.data.payload).toMatchObject({ $id: documentId, name })
    }
    ws.close()
  })

  it(`${CLIENT} testChannelDatabase: should send one create event per document of a bulk create by the key, with its permissions`, async () => {
    const ws = await listen(['documents', 'collections'])
    const bulk = await t.up.call('POST', t.db.rows(actorsId), t.up.key, {
      documents: ['Robert Downey Jr.', 'Scarlett Johansson'].map((name) => ({
        $id: 'unique()',
        name,
        $permissions: anyone,
      })),
    })
    expect(bulk.status).toBe(201)
    const ids = (bulk.body.documents as Array<{ $id: string }>).map((document) => document.$id)
    for (const [i, documentId] of ids.entries()) {
      const event = await ws.next()
      expect({ i, type: event.type, id: event.data.payload.$id }).toEqual({
        i,
        type: 'event',
        id: documentId,
      })
      expect(event.data.channels).toHaveLength(16)
      expect(event.data.events).toEqual(
        expect.arrayContaining([
          ...documentEvents(actorsId, documentId, 'create'),
          'databases.*.collections.*.documents.*.create',
          `databases.*.collections.${actorsId}.documents.*.create`,
        ]),
      )
      expect(event.data.payload.$permissions).toEqual(expect.arrayContaining(anyone))
    }
    ws.close()
  })

  it(`${CLIENT} testChannelMirrorEventsAcrossDatabasesAndTablesdb: should name a write by either API under both APIs' events, on either API's channels`, async () => {
    const tablesDb = await openDatabase(t.up, 'Mirror TablesDB', everyone)
    // Case 1 writes through /databases, case 2 through /tablesdb; both listen on both names.
    const cases: Array<[db: TestDatabase, name: string, idParam: string, tableOptions: object]> = [
      [t.db, 'legacy-route-create', 'documentId', { permissions: everyone }],
      [tablesDb, 'tablesdb-route-create', 'rowId', { rowSecurity: false }],
    ]
    for (const [db, name, idParam, tableOptions] of cases) {
      const id = await db.table('Mirror', NAME, tableOptions)
      const prefix = `databases.${db.databaseId}`
      const ws = await listen([
        `${prefix}.collections.${id}.documents`,
        `${prefix}.tables.${id}.rows`,
      ])
      must(
        await db.write(id, t.up.key, { name }, anyone, { [idParam]: 'mirrored' }),
        201,
        `creating ${name}`,
      )
      const event = await ws.next()
      expect({ name, type: event.type }).toEqual({ name, type: 'event' })
      expect(event.data.events).toEqual(
        expect.arrayContaining([
          `${prefix}.collections.${id}.documents.mirrored.create`,
          `${prefix}.tables.${id}.rows.mirrored.create`,
        ]),
      )
      ws.close()
    }
  })
})
