import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { must, permission, startUpstream } from './upstream'
import type { RealtimeSocket, SignedUpUser, Upstream } from './upstream'

// Facts from tests/e2e/Services/Realtime/RealtimeCustomClientTest.php (appwrite 1.9.6):
// `testChannelDatabaseBulkOperationMultipleClient` and `testChannelDatabaseAtomicOperations`, on the
// legacy documents routes they use. Where upstream waits for a receive to time out ("no event"),
// the case instead checks that the socket's next frame is the next step's event.
const CLIENT = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

let up: Upstream

type Frame = Awaited<ReturnType<RealtimeSocket['next']>>
const owners = (role: string) => [
  permission.read(role),
  permission.update(role),
  permission.delete(role),
]

/** A collection with one column, documents readable per document; its id and documents route. */
async function collection(
  name: string,
  column: [type: string, params: Record<string, unknown>],
  creator: string,
) {
  const database = must(
    await up.call('POST', '/databases', up.key, { databaseId: 'unique()', name: `${name} DB` }),
    201,
    'creating the database',
  )
  const databaseId = database.body.$id as string
  const created = must(
    await up.call('POST', `/databases/${databaseId}/collections`, up.key, {
      collectionId: 'unique()',
      name,
      permissions: [permission.create(`user:${creator}`)],
      documentSecurity: true,
    }),
    201,
    'creating the collection',
  )
  const collectionId = created.body.$id as string
  must(
    await up.call(
      'POST',
      `/databases/${databaseId}/collections/${collectionId}/attributes/${column[0]}`,
      up.key,
      column[1],
    ),
    202,
    'creating the attribute',
  )
  return {
    databaseId,
    collectionId,
    documents: `/databases/${databaseId}/collections/${collectionId}/documents`,
  }
}

/** A user and a realtime socket on `documents` and `collections`, signed in by its cookie. */
async function listener(): Promise<{ user: SignedUpUser; ws: RealtimeSocket }> {
  const user = await up.signUp()
  const ws = await up.socket(['documents', 'collections'], {
    cookie: user.headers.cookie as string,
  })
  expect((await ws.next()).type).toBe('connected')
  return { user, ws }
}

/** The next `count` frames of a socket. */
async function frames(ws: RealtimeSocket, count: number): Promise<Frame[]> {
  const out: Frame[] = []
  for (let i = 0; i < count; i += 1) out.push(await ws.next())
  return out
}

/** The row event names every document event carries, for an action on a document. */
function documentEvents(databaseId: string, collectionId: string, id: string, action: string) {
  return [
    `databases.${databaseId}.collections.${collectionId}.documents.${id}.${action}`,
    `databases.*.collections.*.documents.*.${action}`,
    `databases.${databaseId}.collections.*.documents.*.${action}`,
    `databases.*.collections.${collectionId}.documents.*.${action}`,
    `databases.${databaseId}.collections.${collectionId}.documents.*`,
    `databases.*.collections.*.documents.*`,
    `databases.${databaseId}.collections.*.documents.*`,
    `databases.*.collections.${collectionId}.documents.*`,
    `databases.${databaseId}.collections.${collectionId}`,
    `databases.*.collections.*`,
    `databases.${databaseId}.collections.*`,
    `databases.*.collections.${collectionId}`,
    `databases.*`,
  ]
}

beforeAll(async () => {
  up = await startUpstream()
})

afterAll(async () => {
  await up.close()
})

describe('Realtime bulk and atomic events, as the server tests them', () => {
  it(`${CLIENT} testChannelDatabaseBulkOperationMultipleClient: should send each bulk write's events to the users who can read each document`, async () => {
    const one = await listener()
    const two = await listener()
    const { databaseId, collectionId, documents } = await collection(
      'Actors',
      ['string', { key: 'name', size: 256, required: true }],
      one.user.$id,
    )
    must(
      await up.call('POST', documents, up.key, {
        documents: [
          ['Any', owners('any')],
          ['Users', owners('users')],
          ['User1', [permission.read(`user:${one.user.$id}`)]],
          ['User2', [permission.read(`user:${two.user.$id}`)]],
          ['User2', [permission.read(`user:${two.user.$id}`)]],
        ].map(([name, $permissions]) => ({ $id: 'unique()', name, $permissions })),
      }),
      201,
      'bulk-creating the documents',
    )
    const created1 = await frames(one.ws, 3)
    const created2 = await frames(two.ws, 4)
    expect(created1.map((f) => f.data.payload.name)).toEqual(['Any', 'Users', 'User1'])
    expect(created2.map((f) => f.data.payload.name)).toEqual(['Any', 'Users', 'User2', 'User2'])
    for (const frame of [...created1, ...created2]) {
      expect(frame.type).toBe('event')
      expect(frame.data).toHaveProperty('timestamp')
      expect(frame.data.channels).toHaveLength(16)
      expect(frame.data.events).toEqual(
        expect.arrayContaining(
          documentEvents(databaseId, collectionId, frame.data.payload.$id as string, 'create'),
        ),
      )
      expect(Array.isArray(frame.data.payload.$permissions)).toBe(true)
    }
    const update = (role: string) =>
      up.call('PATCH', documents, up.key, {
        data: { name: 'Marvel Hero', $permissions: owners(role) },
      })
    must(await update(`user:${one.user.$id}`), 200, 'giving every document to user 1')
    const toOne = await frames(one.ws, 5)
    for (const frame of toOne) {
      expect(frame.data.channels).toHaveLength(16)
      expect(frame.data.events).toEqual(
        expect.arrayContaining(
          documentEvents(databaseId, collectionId, frame.data.payload.$id as string, 'update'),
        ),
      )
      expect(frame.data.payload.name).toBe('Marvel Hero')
    }
    must(await update(`user:${two.user.$id}`), 200, 'giving every document to user 2')
    // User 2 saw nothing of the first update: its next events are the second's.
    const toTwo = await frames(two.ws, 5)
    for (const frame of toTwo)
      expect(frame.data.payload.$permissions).toContain(permission.read(`user:${two.user.$id}`))
    must(await update('users'), 200, 'giving every document to all users')
    for (const ws of [one.ws, two.ws]) {
      // User 1 saw nothing of the second update either.
      const toAll = await frames(ws, 5)
      for (const frame of toAll) {
        expect(frame.data.channels).toHaveLength(16)
        expect(frame.data.payload.$permissions).toContain(permission.read('users'))
      }
    }
    must(await up.call('DELETE', documents, up.key, {}), 200, 'bulk-deleting the documents')
    for (const ws of [one.ws, two.ws]) {
      const deleted = await frames(ws, 5)
      for (const frame of deleted) {
        expect(frame.data.channels).toHaveLength(16)
        expect(frame.data.events).toContain(
          `databases.${databaseId}.collections.${collectionId}.documents.${frame.data.payload.$id as string}.delete`,
        )
      }
    }
    must(
      await up.call('PUT', documents, up.key, {
        documents: [
          {
            $id: 'unique()',
            name: 'Robert Downey Jr.',
            $permissions: [permission.read(`user:${one.user.$id}`)],
          },
          {
            $id: 'unique()',
            name: 'Thor',
            $permissions: [permission.read(`user:${two.user.$id}`)],
          },
        ],
      }),
      200,
      'bulk-upserting two documents',
    )
    expect((await one.ws.next()).data.payload.name).toBe('Robert Downey Jr.')
    expect((await two.ws.next()).data.payload.name).toBe('Thor')
    // One event each: a later write is the next thing either socket sees.
    must(
      await up.call('POST', documents, up.key, {
        documentId: 'unique()',
        data: { name: 'Marker' },
        permissions: [permission.read('any')],
      }),
      201,
      'writing the marker',
    )
    for (const ws of [one.ws, two.ws]) expect((await ws.next()).data.payload.name).toBe('Marker')
    one.ws.close()
    two.ws.close()
  })

  it(`${CLIENT} testChannelDatabaseAtomicOperations: should send one update event per increment and decrement, with the new value`, async () => {
    const { user, ws } = await listener()
    const { databaseId, collectionId, documents } = await collection(
      'Atomic Actors',
      ['integer', { key: 'score', required: true }],
      user.$id,
    )
    const document = must(
      await up.call('POST', documents, user.headers, {
        documentId: 'unique()',
        data: { score: 10 },
        permissions: owners('any'),
      }),
      201,
      'creating the document',
    )
    const id = document.body.$id as string
    expect((await ws.next()).data.payload.score).toBe(10)
    const increment = await up.call('PATCH', `${documents}/${id}/score/increment`, user.headers, {
      value: 5,
    })
    expect(increment.status).toBe(200)
    const incremented = await ws.next()
    expect(incremented.type).toBe('event')
    expect(incremented.data).toHaveProperty('timestamp')
    expect(incremented.data.channels).toHaveLength(16)
    expect(incremented.data.events).toContain(
      `databases.${databaseId}.collections.${collectionId}.documents.${id}.update`,
    )
    expect(incremented.data.payload).toMatchObject({ $id: id, score: 15 })
    const decrement = await up.call('PATCH', `${documents}/${id}/score/decrement`, user.headers, {
      value: 3,
    })
    expect(decrement.status).toBe(200)
    // No duplicate of the increment: the next event is the decrement's.
    const decremented = await ws.next()
    expect(decremented.data.channels).toHaveLength(16)
    expect(decremented.data.events).toContain(
      `databases.${databaseId}.collections.${collectionId}.documents.${id}.update`,
    )
    expect(decremented.data.payload).toMatchObject({ $id: id, score: 12 })
    must(
      await up.call('PATCH', `${documents}/${id}`, user.headers, { data: { score: 1 } }),
      200,
      'writing the marker',
    )
    expect((await ws.next()).data.payload.score).toBe(1)
    ws.close()
  })
})
