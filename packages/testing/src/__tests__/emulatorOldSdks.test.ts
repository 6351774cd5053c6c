import * as sdk27 from 'appwrite'
import * as sdk11 from 'appwrite-11'
import * as sdk15 from 'appwrite-15'
import { WebSocket as UndiciWebSocket } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { mainDatabase, memoryStorage, setGlobals } from './helpers'

const fake = createFakeAppwrite({
  strict: true,
  databases: mainDatabase({
    tasks: {
      columns: [
        { key: 'title', type: 'string', size: 50, required: true },
        { key: 'status', type: 'string', size: 20 },
      ],
      permissions: ['create("any")', 'read("any")', 'update("any")', 'delete("any")'],
    },
  }),
})
let emulator: AppwriteEmulator
let restoreGlobals: () => void

interface Document {
  $id: string
  $sequence?: unknown
  title?: string
  status?: string
}

/** What each SDK generation is driven through: the same calls, each in its own syntax. */
interface Sdk {
  readonly name: string
  create(id: string, data: Record<string, unknown>): Promise<Document>
  get(id: string): Promise<Document>
  list(): Promise<{ total: number; documents: Document[] }>
  /** Subscribes to the collection's documents; resolves to an unsubscribe function. */
  subscribe(onEvent: (payload: Document) => void): Promise<() => void>
}

const CHANNEL = 'databases.main.collections.tasks.documents'

/** What the tests use of the web SDKs before 1.5 (positional parameters, `client.subscribe`). */
interface LegacyClient {
  setEndpoint(endpoint: string): this
  setProject(project: string): this
  subscribe(channel: string, callback: (event: { payload: Document }) => void): () => void
}
interface LegacyModule {
  Client: new () => LegacyClient
  Databases: new (client: LegacyClient) => {
    createDocument(db: string, collection: string, id: string, data: object): Promise<Document>
    getDocument(db: string, collection: string, id: string): Promise<Document>
    listDocuments(
      db: string,
      collection: string,
      queries: string[],
    ): Promise<{ total: number; documents: Document[] }>
  }
  Query: {
    equal(attribute: string, value: string[]): string
    orderDesc(attribute: string): string
    limit(limit: number): string
  }
}

function legacySdk(name: string, module: LegacyModule): Sdk {
  const client = new module.Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  const databases = new module.Databases(client)
  const { Query } = module
  return {
    name,
    create: (id, data) => databases.createDocument('main', 'tasks', id, data),
    get: (id) => databases.getDocument('main', 'tasks', id),
    list: () =>
      databases.listDocuments('main', 'tasks', [
        Query.equal('status', ['open', 'doing']),
        Query.orderDesc('$createdAt'),
        Query.limit(10),
      ]),
    subscribe: async (onEvent) => client.subscribe(CHANNEL, (event) => onEvent(event.payload)),
  }
}

function currentSdk(): Sdk {
  const client = new sdk27.Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  const databases = new sdk27.Databases(client)
  const { Query } = sdk27
  return {
    name: 'appwrite@27',
    create: (documentId, data) =>
      databases.createDocument({ databaseId: 'main', collectionId: 'tasks', documentId, data }),
    get: (documentId) =>
      databases.getDocument({ databaseId: 'main', collectionId: 'tasks', documentId }),
    list: () =>
      databases.listDocuments({
        databaseId: 'main',
        collectionId: 'tasks',
        queries: [
          Query.equal('status', ['open', 'doing']),
          Query.orderDesc('$createdAt'),
          Query.limit(10),
        ],
      }),
    subscribe: async (onEvent) => {
      const subscription = await new sdk27.Realtime(client).subscribe(CHANNEL, (event) =>
        onEvent(event.payload as Document),
      )
      return () => void subscription.close()
    },
  }
}

beforeAll(async () => {
  // The web SDKs' realtime needs a browser-like global scope: a WebSocket, `window` (timers) and
  // `localStorage` (their session lookup).
  restoreGlobals = setGlobals({
    WebSocket: UndiciWebSocket,
    window: globalThis,
    localStorage: memoryStorage(),
  })
  emulator = await startAppwriteEmulator({ fake })
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

beforeEach(() => {
  fake.reset()
})

describe('emulator with old web SDKs', () => {
  const cases: Array<[string, () => Sdk, 'number' | 'string']> = [
    [
      'appwrite@11 (response format 1.0.0, string queries)',
      () => legacySdk('11', sdk11 as unknown as LegacyModule),
      'number',
    ],
    [
      'appwrite@15 (response format 1.5.0)',
      () => legacySdk('15', sdk15 as unknown as LegacyModule),
      'number',
    ],
    ['appwrite@27 (today)', currentSdk, 'string'],
  ]

  it.each(cases)(
    'should create, get and list documents with %s',
    async (_name, make, sequenceType) => {
      const sdk = make()
      await sdk.create('t1', { title: 'one', status: 'open' })
      await sdk.create('t2', { title: 'two', status: 'done' })
      await sdk.create('t3', { title: 'three', status: 'doing' })
      const got = await sdk.get('t1')
      expect(got).toMatchObject({ $id: 't1', title: 'one' })
      // Before 1.9 the server sends `$sequence` as a number (the V21 response filter).
      expect(typeof got.$sequence).toBe(sequenceType)
      const listed = await sdk.list()
      expect(listed.total).toBe(2)
      expect(listed.documents.map((document) => document.$id)).toEqual(['t3', 't1'])
      expect(typeof listed.documents[0]?.$sequence).toBe(sequenceType)
    },
  )

  it.each(cases)('should deliver realtime events to %s', async (_name, make) => {
    const sdk = make()
    const received: string[] = []
    const unsubscribe = await sdk.subscribe((payload) => received.push(payload.$id))
    // The SDK subscribes asynchronously (a URL-mode socket opens after a short debounce), and
    // sockets of earlier cases may still be open: write until this subscription sees a write.
    const written: string[] = []
    await expect
      .poll(
        async () => {
          const id = `live${written.length}`
          written.push(id)
          await sdk.create(id, { title: id })
          return received.length
        },
        { timeout: 5_000, interval: 50 },
      )
      .toBeGreaterThan(0)
    expect(written).toEqual(expect.arrayContaining(received))
    unsubscribe()
  })

  it('should refuse an old-syntax query that does not parse with general_query_invalid', async () => {
    const response = await fetch(
      `${emulator.endpoint}/databases/main/collections/tasks/documents?queries[]=limit`,
      {
        headers: {
          'x-appwrite-project': emulator.projectId,
          'x-appwrite-response-format': '1.4.0',
        },
      },
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      type: 'general_query_invalid',
      message: 'Invalid query',
    })
  })
})
