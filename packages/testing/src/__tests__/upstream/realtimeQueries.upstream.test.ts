import { Query } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { createAccount, must, permission, uploadFile } from './upstream'
import type { Answer } from './upstream'
import { LEGACY, tablesSuite } from './tables'
import type { ColumnSpec } from './tables'
import { expectNothing, expectOnlyId, listen } from './realtimeSubscriptions'
import type { Listener, SubscribeMode } from './realtimeSubscriptions'

// Facts from tests/e2e/Services/Realtime/RealtimeQueryBase.php (appwrite 1.9.6), run as upstream
// runs it: by RealtimeCustomClientQueryTest.php (channels and queries on the WebSocket URL, the
// `connected` frame checked) and by RealtimeCustomClientQueryTestWithMessage.php (a `subscribe`
// message after connecting). Documents are written through the legacy collection API by the
// signed-in user; upstream waits for a receive timeout where this suite asks for a `pong`.
const BASE = 'tests/e2e/Services/Realtime/RealtimeQueryBase.php'
const URL_CLASS = 'tests/e2e/Services/Realtime/RealtimeCustomClientQueryTest.php'
const MESSAGE_CLASS = 'tests/e2e/Services/Realtime/RealtimeCustomClientQueryTestWithMessage.php'

const t = tablesSuite('Query Test DB', undefined, LEGACY)
const anyone = [permission.read('any')]
const cookie = () => ({ origin: 'http://localhost', cookie: t.user.headers.cookie as string })

interface Collection {
  readonly id: string
  /** The documents route of the collection. */
  readonly documents: string
  /** Creates a document as the suite's user (`documentId` `unique()` unless given). */
  create(
    data: Record<string, unknown>,
    documentId?: string,
    permissions?: string[],
  ): Promise<Answer>
}

/** A collection (document security on) the suite's user may create documents in. */
async function collection(
  columns: ColumnSpec[],
  permissions = [permission.create(`user:${t.user.$id}`)],
): Promise<Collection> {
  const id = await t.db.table('Test Collection', columns, { permissions })
  return {
    id,
    documents: t.db.rows(id),
    create: (data, documentId = 'unique()', perms = anyone) =>
      t.db.write(id, t.user.headers, data, perms, { documentId }),
  }
}

const text = (key: string): ColumnSpec => ['string', { key, size: 256, required: false }]
const integer = (key: string): ColumnSpec => ['integer', { key, required: false }]

/** upstream's `createActorsCollection` + `createActor`: required `name`, documents anyone may change. */
async function actors() {
  const actors = await collection([['string', { key: 'name', size: 256, required: true }]])
  const prefix = `databases.${t.db.databaseId}.collections.${actors.id}`
  const create = async (documentId: string, name: string) =>
    must(
      await actors.create({ name }, documentId, [
        permission.read('any'),
        permission.update('any'),
        permission.delete('any'),
      ]),
      201,
      `creating actor ${name}`,
    )
  return { ...actors, prefix, createActor: create }
}

type Row = Record<string, unknown>

/** Updates the document at `path` with `data` as the suite's user (setup: throws unless 200). */
async function update(path: string, data: Row, step: string): Promise<void> {
  must(await t.up.call('PATCH', path, t.user.headers, { data }), 200, step)
}

/**
 * The sub-cases of testDatabaseChannelWithQuery, each in a new collection: its name, columns and
 * query, the documents the query lets through and those it holds back (a `$id` in the data is the
 * document id; `unique()` otherwise).
 */
const FILTERS: Array<[string, ColumnSpec[], string, Row[], Row[]]> = [
  [
    'equal $id',
    [text('status')],
    Query.equal('$id', ['target-document']),
    [{ $id: 'target-document', status: 'active' }],
    [{ $id: 'other-document', status: 'inactive' }],
  ],
  [
    'notEqual $id',
    [text('status')],
    Query.notEqual('$id', ['excluded-document']),
    [{ $id: 'allowed-document', status: 'active' }],
    [{ $id: 'excluded-document', status: 'inactive' }],
  ],
  [
    'greaterThan',
    [integer('score')],
    Query.greaterThan('score', 50),
    [{ score: 75 }],
    [{ score: 30 }],
  ],
  ['lessThan', [integer('age')], Query.lessThan('age', 18), [{ age: 15 }], [{ age: 25 }]],
  [
    'greaterThanEqual',
    [integer('priority')],
    Query.greaterThanEqual('priority', 5),
    [{ priority: 5 }, { priority: 8 }],
    [{ priority: 3 }],
  ],
  [
    'lessThanEqual',
    [integer('level')],
    Query.lessThanEqual('level', 10),
    [{ level: 10 }, { level: 7 }],
    [{ level: 15 }],
  ],
  [
    'isNull',
    [text('description')],
    Query.isNull('description'),
    [{ description: null }],
    [{ description: 'Has description' }],
  ],
  // Empty data is refused (400 document_missing_data): it sends nothing either.
  ['isNotNull', [text('email')], Query.isNotNull('email'), [{ email: 'test@example.com' }], [{}]],
  [
    'and',
    [text('status'), integer('priority')],
    Query.and([Query.equal('status', ['active']), Query.greaterThan('priority', 5)]),
    [{ status: 'active', priority: 8 }],
    [
      { status: 'active', priority: 3 },
      { status: 'inactive', priority: 9 },
    ],
  ],
  [
    'or',
    [text('type')],
    Query.or([Query.equal('type', ['urgent']), Query.equal('type', ['critical'])]),
    [{ type: 'urgent' }, { type: 'critical' }],
    [{ type: 'normal' }],
  ],
  [
    'and of or',
    [text('category'), integer('score')],
    Query.and([
      Query.or([Query.equal('category', ['premium']), Query.equal('category', ['vip'])]),
      Query.greaterThanEqual('score', 80),
    ]),
    [
      { category: 'premium', score: 85 },
      { category: 'vip', score: 90 },
    ],
    [
      { category: 'premium', score: 70 },
      { category: 'standard', score: 85 },
    ],
  ],
]

const MODES: Array<[SubscribeMode, string]> = [
  ['url', URL_CLASS],
  ['message', MESSAGE_CLASS],
]

describe.each(MODES)('Realtime queries (%s), as the server tests them', (mode, runner) => {
  const sub = (channels: string[], queries: string[] | null = null) =>
    listen(t.up, mode, channels, cookie(), queries)
  /** The `connected` frame's checks, made only where upstream makes them (URL mode). */
  const connected = (listener: Listener, check: (data: Listener['connected']['data']) => void) => {
    if (mode === 'url') check(listener.connected.data)
  }

  it(`${BASE} testAccountChannelWithQuery (${runner}): should send account events to a query that matches the user, not to one that does not`, async () => {
    const mine = await sub(['account'], [Query.equal('$id', [t.user.$id])])
    must(
      await t.up.call('PATCH', '/account/name', t.user.headers, { name: 'Test User 1' }),
      200,
      'renaming the account',
    )
    const event = await mine.ws.next()
    expect(event.type).toBe('event')
    expect(event.data.payload.name).toBe('Test User 1')
    mine.ws.close()
    const others = await sub(['account'], [Query.notEqual('$id', [t.user.$id])])
    must(
      await t.up.call('PATCH', '/account/name', t.user.headers, { name: 'Test User 2' }),
      200,
      'renaming the account again',
    )
    await expectNothing(others.ws, 'the query does not match the user')
    others.ws.close()
  })

  it.each(FILTERS)(
    `${BASE} testDatabaseChannelWithQuery (${runner}): should filter documents events by %s`,
    async (_name, columns, query, pass, block) => {
      const target = await collection(columns)
      const create = ({ $id = 'unique()', ...data }: Row) => target.create(data, $id as string)
      const { ws } = await sub(['documents'], [query])
      for (const row of pass) {
        const created = must(await create(row), 201, 'creating a document')
        const event = await ws.next()
        expect(event.type).toBe('event')
        expect(event.data.payload).toMatchObject({ ...row, $id: created.body.$id })
      }
      for (const row of block) {
        const created = await create(row)
        expect(created.status).toBe(Object.keys(row).length === 0 ? 400 : 201)
        await expectNothing(ws, `${JSON.stringify(row)} does not pass ${query}`)
      }
      ws.close()
    },
  )

  it(`${BASE} testCollectionScopedDocumentsChannelReceivesEvents (${runner}): should send a collection's document events on its documents channel`, async () => {
    const scoped = await collection([text('status')])
    const channel = `databases.${t.db.databaseId}.collections.${scoped.id}.documents`
    const listener = await sub([channel])
    connected(listener, (data) => expect(data.channels).toContain(channel))
    const created = must(await scoped.create({ status: 'active' }), 201, 'creating the document')
    const event = await listener.ws.next()
    expect(event.type).toBe('event')
    expect(event.data.payload.$id).toBe(created.body.$id)
    listener.ws.close()
  })

  it(`${BASE} testCollectionScopedDocumentsChannelWithQuery (${runner}): should filter a collection's documents channel by a query`, async () => {
    const scoped = await collection([text('status')])
    const channel = `databases.${t.db.databaseId}.collections.${scoped.id}.documents`
    const listener = await sub([channel], [Query.equal('$id', ['scoped-target'])])
    connected(listener, (data) => expect(data.channels).toContain(channel))
    const create = (documentId: string) => scoped.create({ status: 'active' }, documentId)
    await expectOnlyId(listener.ws, create, 'scoped-target', 'scoped-other')
    listener.ws.close()
  })

  it(`${BASE} testFilesChannelWithQuery (${runner}): should filter files events by a query`, async () => {
    const bucket = must(
      await t.up.call('POST', '/storage/buckets', t.up.key, {
        bucketId: 'unique()',
        name: 'Query Test Bucket',
        permissions: [permission.read('any'), permission.create('any')],
      }),
      201,
      'creating the bucket',
    )
    const bucketId = bucket.body.$id as string
    const { ws } = await sub(['files'], [Query.equal('$id', ['target-file'])])
    // A PNG signature stands in for upstream's logo.png.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])
    const upload = (fileId: string) =>
      uploadFile(
        t.up,
        bucketId,
        `${fileId}.png`,
        png,
        { fileId, permissions: anyone },
        t.user.headers,
      )
    await expectOnlyId(ws, upload, 'target-file', 'other-file')
    ws.close()
  })

  it(`${BASE} testMultipleQueriesWithAndLogic (${runner}): should send only documents that pass every query of the subscription`, async () => {
    const target = await collection([text('status')])
    const { ws } = await sub(
      ['documents'],
      [Query.equal('$id', ['and-target']), Query.equal('status', ['active'])],
    )
    must(await target.create({ status: 'active' }, 'and-target'), 201, 'creating the target')
    const event = await ws.next()
    expect(event.type).toBe('event')
    expect(event.data.payload).toMatchObject({ $id: 'and-target', status: 'active' })
    must(await target.create({ status: 'inactive' }, 'and-other'), 201, 'creating another')
    await expectNothing(ws, 'neither query matches')
    // The same id again is refused, so nothing is sent for it either.
    const again = await target.create({ status: 'inactive' }, 'and-target')
    expect(again.status).toBe(409)
    await expectNothing(ws, 'the id matches but the status does not')
    ws.close()
  })

  it(`${BASE} testQueryKeys (${runner}): should send each event to the sockets whose queries it passes, naming their subscriptions`, async () => {
    const keyed = await collection([text('status'), text('category')])
    const all = await sub(['documents'])
    const active = await sub(['documents'], [Query.equal('status', ['active'])])
    const pending = await sub(['documents'], [Query.equal('status', ['pending'])])
    const complex = await sub(
      ['documents'],
      [Query.and([Query.equal('status', ['active']), Query.equal('category', ['gold'])])],
    )
    const steps: Array<[data: Record<string, string>, receivers: Listener[], others: Listener[]]> =
      [
        [{ status: 'active', category: 'gold' }, [all, active, complex], [pending]],
        [{ status: 'pending', category: 'silver' }, [all, pending], [active, complex]],
      ]
    for (const [data, receivers, others] of steps) {
      const created = must(await keyed.create(data), 201, `creating ${JSON.stringify(data)}`)
      for (const listener of receivers) {
        const event = await listener.ws.next()
        expect(event.type).toBe('event')
        expect(event.data.payload.$id).toBe(created.body.$id)
        expect(event.data.subscriptions).toEqual(listener.subscriptions)
      }
      for (const listener of others)
        await expectNothing(listener.ws, `${JSON.stringify(data)} does not pass its query`)
    }
    for (const listener of [all, active, pending, complex]) listener.ws.close()
  })

  it(`${BASE} testMultipleSubscriptionsDifferentQueryKeys (${runner}): should keep two sockets with different queries apart`, async () => {
    const keyed = await collection([text('status')])
    const active = await sub(['documents'], [Query.equal('status', ['active'])])
    const pending = await sub(['documents'], [Query.equal('status', ['pending'])])
    for (const [status, receiver, other] of [
      ['active', active, pending],
      ['pending', pending, active],
    ] as const) {
      const created = must(await keyed.create({ status }), 201, `creating a ${status} document`)
      const event = await receiver.ws.next()
      expect(event.type).toBe('event')
      expect(event.data.payload.$id).toBe(created.body.$id)
      expect(event.data.subscriptions).toEqual(receiver.subscriptions)
      await expectNothing(other.ws, `a ${status} document does not pass its query`)
    }
    active.ws.close()
    pending.ws.close()
  })

  it(`${BASE} testSubscriptionPreservedAfterPermissionChange (${runner}): should keep a subscription's id and query when the user's roles change`, async () => {
    const owned = await collection(
      [text('status')],
      [permission.create(`user:${t.user.$id}`), permission.read(`user:${t.user.$id}`)],
    )
    const own = [permission.read(`user:${t.user.$id}`), permission.update(`user:${t.user.$id}`)]
    const listener = await sub(['documents'], [Query.equal('$id', ['kept-target'])])
    const [original] = listener.subscriptions
    expect(original).toBeDefined()
    must(await owned.create({ status: 'active' }, 'kept-target', own), 201, 'creating the target')
    const first = await listener.ws.next()
    expect(first.type).toBe('event')
    expect(first.data.payload.$id).toBe('kept-target')
    expect(first.data.subscriptions).toContain(original)
    // A team owned by another user; the key adds the suite's user to it, changing its roles.
    const owner = await createAccount(t.up, t.clock.now(), t.up.guest, 'Team Owner')
    const team = must(
      await t.up.call('POST', '/teams', t.up.as(t.up.sessionOf(owner.session)), {
        teamId: 'unique()',
        name: 'Test Team',
      }),
      201,
      'creating the team',
    )
    must(
      await t.up.call('POST', `/teams/${team.body.$id as string}/memberships`, t.up.key, {
        email: t.user.email,
        roles: ['member'],
        url: 'http://localhost',
      }),
      201,
      'adding the user to the team',
    )
    for (const id of ['kept-other-1', 'kept-other-2']) {
      must(await owned.create({ status: 'active' }, id, own), 201, `creating ${id}`)
      await expectNothing(listener.ws, `${id} does not pass the kept query`)
    }
    await update(
      `${owned.documents}/kept-target`,
      { status: 'updated-after-permission-change' },
      'updating the target',
    )
    const second = await listener.ws.next()
    expect(second.type).toBe('event')
    expect(second.data.payload).toMatchObject({
      $id: 'kept-target',
      status: 'updated-after-permission-change',
    })
    expect(second.data.subscriptions).toContain(original)
    listener.ws.close()
  })

  it(`${BASE} testChannelActionFilterDeliversOnlyMatchingActions (${runner}): should send create, update and upsert each to its own action channel only`, async () => {
    const cast = await actors()
    const listeners = new Map<string, Listener>()
    for (const action of ['create', 'update', 'upsert'])
      listeners.set(action, await sub([`${cast.prefix}.documents.${action}`]))
    let documentId = ''
    const names: Record<string, string> = {
      create: 'Chris Evans',
      update: 'Chris Evans 2',
      upsert: 'Robert Downey Jr.',
    }
    const writes: Array<[action: string, write: () => Promise<unknown>, event: () => string]> = [
      [
        'create',
        async () => {
          documentId = (await cast.createActor('unique()', 'Chris Evans')).body.$id as string
        },
        () => `${cast.prefix}.documents.${documentId}.create`,
      ],
      [
        'update',
        () => update(`${cast.documents}/${documentId}`, { name: 'Chris Evans 2' }, 'updating'),
        () => `${cast.prefix}.documents.${documentId}.update`,
      ],
      [
        'upsert',
        async () =>
          must(
            await t.up.call('PUT', cast.documents, t.up.key, {
              documents: [
                {
                  $id: 'unique()',
                  name: 'Robert Downey Jr.',
                  $permissions: [permission.read('any'), permission.update('any')],
                },
              ],
            }),
            200,
            'bulk-upserting an actor',
          ),
        () => `databases.${t.db.databaseId}.collections.*.documents.*.upsert`,
      ],
    ]
    for (const [action, write, name] of writes) {
      await write()
      for (const [channel, listener] of listeners) {
        if (channel !== action) {
          await expectNothing(listener.ws, `${channel} listener, ${action} event`)
          continue
        }
        const event = await listener.ws.next()
        expect({ action, type: event.type }).toEqual({ action, type: 'event' })
        expect(event.data.events).toContain(name())
        expect(event.data.payload.name).toBe(names[action])
      }
    }
    for (const listener of listeners.values()) listener.ws.close()
  })

  it(`${BASE} testChannelActionFilterByDocumentId (${runner}): should send only the create of the watched document to its .create channel`, async () => {
    const cast = await actors()
    const channel = `${cast.prefix}.documents.actor-watched.create`
    const watched = await sub([channel])
    connected(watched, (data) => expect(data.channels).toContain(channel))
    await cast.createActor('unique()', 'Other Actor')
    await expectNothing(watched.ws, 'another document')
    await cast.createActor('actor-watched', 'Watched Actor')
    const event = await watched.ws.next()
    expect(event.type).toBe('event')
    expect(event.data.events).toContain(`${cast.prefix}.documents.actor-watched.create`)
    expect(event.data.payload).toMatchObject({ $id: 'actor-watched', name: 'Watched Actor' })
    await update(
      `${cast.documents}/actor-watched`,
      { name: 'Watched Actor v2' },
      'updating the watched actor',
    )
    await expectNothing(watched.ws, 'an update of the watched document')
    watched.ws.close()
  })

  it(`${BASE} testChannelActionFilterMultiChannelSubscription (${runner}): should send one frame per event to a subscription on an action channel and a broad one`, async () => {
    const cast = await actors()
    const idCreate = `${cast.prefix}.documents.actor-multi.create`
    const rows = `databases.${t.db.databaseId}.tables.${cast.id}.rows`
    const multi = await sub([idCreate, rows])
    connected(multi, (data) =>
      expect(data.channels).toEqual(expect.arrayContaining([idCreate, rows])),
    )
    await cast.createActor('actor-multi', 'Multi Actor')
    const created = await multi.ws.next()
    expect(created.type).toBe('event')
    expect(created.data.channels).toEqual(
      expect.arrayContaining([rows, `${cast.prefix}.documents.actor-multi`]),
    )
    expect(created.data.events).toContain(`${cast.prefix}.documents.actor-multi.create`)
    expect(created.data.payload.name).toBe('Multi Actor')
    await update(`${cast.documents}/actor-multi`, { name: 'Multi Actor v2' }, 'updating the actor')
    const updated = await multi.ws.next()
    expect(updated.type).toBe('event')
    expect(updated.data.channels).toContain(rows)
    expect(updated.data.events).toContain(`${cast.prefix}.documents.actor-multi.update`)
    await expectNothing(multi.ws, 'one delivery per event')
    multi.ws.close()
  })

  it(`${BASE} testChannelActionFilterDeliversDeleteEvents (${runner}): should send only deletes to a .delete channel`, async () => {
    const cast = await actors()
    const channel = `${cast.prefix}.documents.delete`
    const deletes = await sub([channel])
    connected(deletes, (data) => expect(data.channels).toContain(channel))
    const created = await cast.createActor('unique()', 'About To Be Deleted')
    const documentId = created.body.$id as string
    await expectNothing(deletes.ws, 'a create')
    must(
      await t.up.call('DELETE', `${cast.documents}/${documentId}`, t.user.headers),
      204,
      'deleting the actor',
    )
    const event = await deletes.ws.next()
    expect(event.type).toBe('event')
    expect(event.data.events).toContain(`${cast.prefix}.documents.${documentId}.delete`)
    expect(event.data.payload.$id).toBe(documentId)
    deletes.ws.close()
  })

  it(`${BASE} testChannelActionFilterUnknownSuffixTreatedAsLiteral (${runner}): should send nothing to a channel with an unknown action suffix`, async () => {
    const cast = await actors()
    const bogus = await sub(['documents.bogus'])
    connected(bogus, (data) => expect(data.channels).toContain('documents.bogus'))
    const created = await cast.createActor('unique()', 'No Bogus Listener')
    must(
      await t.up.call('DELETE', `${cast.documents}/${created.body.$id as string}`, t.user.headers),
      204,
      'deleting the actor',
    )
    await expectNothing(bogus.ws, 'no event is published on documents.bogus')
    bogus.ws.close()
  })
})

describe('Realtime queries on the WebSocket URL, as the server tests them', () => {
  it(`${BASE} testChannelActionFilterReflectedInConnectedResponse: should list action channels as given in the connected frame`, async () => {
    const channels = ['documents.create', 'documents.update', 'documents.upsert', 'documents']
    const { ws, connected } = await listen(t.up, 'url', channels, cookie())
    expect(connected.data.channels).toEqual(expect.arrayContaining(channels))
    ws.close()
  })

  it(`${BASE} testProjectChannelWithQuery: should treat a string project parameter as the project and a list as the project channel's queries`, async () => {
    const projectId = t.up.emulator.projectId
    const old = await t.up.socketWith({ project: projectId, channels: ['project'] }, cookie())
    const first = await old.next()
    expect(first.type).toBe('connected')
    expect(first.data.channels).toContain('project')
    expect(Object.keys(first.data.subscriptions as object)).not.toHaveLength(0)
    old.close()
    const headers = { ...cookie(), 'x-appwrite-project': projectId }
    const current = await t.up.socketWith(
      { channels: ['project'], project: [[JSON.stringify({ method: 'select', values: ['*'] })]] },
      headers,
    )
    const second = await current.next()
    expect(second.type).toBe('connected')
    expect(second.data.channels).toContain('project')
    expect(Object.keys(second.data.subscriptions as object)).not.toHaveLength(0)
    current.close()
    const invalid = await t.up.socketWith(
      { channels: ['project'], project: ['invalid', 'array'] },
      headers,
    )
    const refused = await invalid.next()
    expect(refused.type).toBe('error')
    expect(refused.data.message).toContain('Invalid query')
    // On the URL the query's own error, with the policy-violation code.
    expect(refused.data).toEqual({ code: 1008, message: 'Invalid query: Syntax error' })
    expect(await invalid.closed()).toBe(1008)
  })

  it(`${URL_CLASS} testInvalidQueryShouldNotSubscribe: should refuse a query method realtime does not support, nested or not`, async () => {
    const refusals: Array<[query: string, method: string]> = [
      [Query.contains('status', ['active']), 'contains'],
      [Query.and([Query.equal('status', ['active']), Query.search('name', 'test')]), 'search'],
      [Query.or([Query.equal('status', ['active']), Query.between('score', 0, 100)]), 'between'],
      [
        Query.and([
          Query.equal('status', ['active']),
          Query.or([Query.greaterThan('score', 50), Query.startsWith('name', 'test')]),
        ]),
        'startsWith',
      ],
    ]
    for (const [query, method] of refusals) {
      const { ws } = await openRefused([query])
      const frame = await ws.next()
      expect({ method, type: frame.type }).toEqual({ method, type: 'error' })
      expect(frame.data.message).toContain('not supported in Realtime queries')
      expect(frame.data.message).toContain(method)
      expect(frame.data.message).toMatch(/^Query method '\w+' is not supported/)
      expect(frame.data.code).toBe(1008)
    }
    const nested = Query.and([
      Query.contains('tags', ['important']),
      Query.or([Query.endsWith('email', '@example.com'), Query.equal('status', ['active'])]),
    ])
    const { ws } = await openRefused([nested])
    const frame = await ws.next()
    expect(frame.type).toBe('error')
    expect(frame.data.message).toContain('not supported in Realtime queries')
    expect(frame.data.message).toMatch(/contains|endsWith/)
  })

  it(`${URL_CLASS} testProjectChannelWithHeaderOnly: should connect with the project in the header only, with and without the project channel's queries`, async () => {
    const headers = { ...cookie(), 'x-appwrite-project': t.up.emulator.projectId }
    for (const params of [
      { channels: ['project'] },
      { channels: ['project'], project: [[JSON.stringify({ method: 'select', values: ['*'] })]] },
    ]) {
      const ws = await t.up.socketWith(params, headers)
      const frame = await ws.next()
      expect({ params, type: frame.type }).toEqual({ params, type: 'connected' })
      expect(frame.data.channels).toContain('project')
      expect(Object.keys(frame.data.subscriptions as object)).not.toHaveLength(0)
      ws.close()
    }
  })
})

/** Opens a URL-mode socket on `documents` with `queries` (which the server refuses). */
function openRefused(queries: string[]) {
  return t.up
    .socketWith(
      { project: t.up.emulator.projectId, channels: ['documents'], documents: [queries] },
      cookie(),
    )
    .then((ws) => ({ ws }))
}
