import { ID, Query } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import type { RealtimeSocket } from './upstream'
import { LEGACY, tablesSuite } from './tables'
import {
  SELECT_ALL,
  expectNothing,
  expectOnlyId,
  listen,
  subscribe,
  unsubscribe,
} from './realtimeSubscriptions'

// Facts from tests/e2e/Services/Realtime/RealtimeCustomClientQueryTestWithMessage.php (appwrite
// 1.9.6): a socket connects with the project only, then sends `subscribe` / `unsubscribe`
// messages, each answered with a `response` naming the subscriptions it touched.
const MESSAGE = 'tests/e2e/Services/Realtime/RealtimeCustomClientQueryTestWithMessage.php'

const t = tablesSuite('Query Message Test DB', undefined, LEGACY)
const headers = () => ({ origin: 'http://localhost', cookie: t.user.headers.cookie as string })
const status = (value: string) => [Query.equal('status', [value])]
const isUser = (id: string) => [Query.equal('$id', [id])]

/** A socket connected with the project only (no channels), past its `connected` frame. */
async function connect(): Promise<RealtimeSocket> {
  const { ws } = await listen(t.up, 'message', [], headers())
  return ws
}

/** Renames the suite's user, which sends an account event; the next frame of `ws` is returned. */
async function renamed(ws: RealtimeSocket, name: string) {
  must(
    await t.up.call('PATCH', '/account/name', t.user.headers, { name }),
    200,
    'renaming the account',
  )
  const event = await ws.next()
  expect(event.type).toBe('event')
  return event
}

/** The ids of the subscriptions an event frame names, sorted. */
const named = (event: { data: { subscriptions: string[] } }) => [...event.data.subscriptions].sort()

describe('Realtime subscribe and unsubscribe messages, as the server tests them', () => {
  it(`${MESSAGE} testSubscribeMessageUpsertCreateAndEdgeCases: should update a subscription by its id, create one without or with a new id, and answer each item in order`, async () => {
    const ws = await connect()
    const documents = ['documents']
    const initial = await subscribe(ws, [{ channels: documents, queries: [SELECT_ALL] }])
    const id = initial.data.subscriptions[0].subscriptionId as string
    expect(id).not.toBe('')
    for (const value of ['q1', 'q2']) {
      const updated = await subscribe(ws, [
        { subscriptionId: id, channels: documents, queries: status(value) },
      ])
      expect(updated.data.subscriptions).toEqual([
        { subscriptionId: id, channels: documents, queries: status(value) },
      ])
    }
    const minted = await subscribe(ws, [{ channels: documents, queries: status('omitted-slot') }])
    const mintedId = minted.data.subscriptions[0].subscriptionId as string
    expect(mintedId).not.toBe('')
    expect(mintedId).not.toBe(id)
    const explicitId = ID.unique()
    const explicit = await subscribe(ws, [
      { subscriptionId: explicitId, channels: documents, queries: status('explicit') },
    ])
    expect(explicit.data.subscriptions[0]).toEqual({
      subscriptionId: explicitId,
      channels: documents,
      queries: status('explicit'),
    })
    const twice = await subscribe(ws, [
      { subscriptionId: id, channels: documents, queries: status('dup-a') },
      { subscriptionId: id, channels: documents, queries: status('dup-b') },
    ])
    expect(twice.data.subscriptions).toHaveLength(2)
    expect(
      twice.data.subscriptions.map((s: { subscriptionId: string }) => s.subscriptionId),
    ).toEqual([id, id])
    expect(twice.data.subscriptions[1].queries).toEqual(status('dup-b'))
    const mixed = await subscribe(ws, [
      { subscriptionId: id, channels: documents, queries: status('mixed-update') },
      { channels: documents, queries: status('mixed-new') },
    ])
    expect(mixed.data.subscriptions).toHaveLength(2)
    expect(mixed.data.subscriptions[0].subscriptionId).toBe(id)
    expect(mixed.data.subscriptions[1].subscriptionId).not.toBe(id)
    expect(mixed.data.subscriptions[1].subscriptionId).not.toBe('')
    const same = { subscriptionId: id, channels: documents, queries: status('idempotent') }
    const first = await subscribe(ws, [same])
    const again = await subscribe(ws, [same])
    expect(again.data.subscriptions[0].queries).toEqual(first.data.subscriptions[0].queries)
    const empty = await subscribe(ws, [{ subscriptionId: id, channels: documents, queries: [] }])
    expect(empty.data.subscriptions).toHaveLength(1)
    expect(empty.data.subscriptions[0].subscriptionId).toBe(id)
    ws.close()
  })

  it(`${MESSAGE} testUpdateSubscriptionAndEdgeCases: should filter by a subscription's updated queries, leave its siblings alone and recreate a removed id`, async () => {
    const ws = await connect()
    const account = ['account']
    const created = await subscribe(ws, [
      { channels: account, queries: isUser(t.user.$id) },
      { channels: account, queries: isUser('no-match-initial') },
    ])
    const a = created.data.subscriptions[0].subscriptionId as string
    const b = created.data.subscriptions[1].subscriptionId as string
    expect(a).not.toBe(b)
    // The answer lists the channels as subscribed (`Realtime::convertChannels` in the server's
    // Subscribe handler): `account` with the user's own `account.{id}`.
    expect(created.data.subscriptions[0].channels).toEqual(['account', `account.${t.user.$id}`])
    expect(named(await renamed(ws, 'Update Sub Test 1'))).toEqual([a])
    const swap = await subscribe(ws, [
      { subscriptionId: a, channels: account, queries: isUser('no-match-swapped') },
      { subscriptionId: b, channels: account, queries: isUser(t.user.$id) },
    ])
    expect(
      swap.data.subscriptions.map((s: { subscriptionId: string }) => s.subscriptionId),
    ).toEqual([a, b])
    expect(named(await renamed(ws, 'Update Sub Test 2'))).toEqual([b])
    await subscribe(ws, [{ subscriptionId: a, channels: account, queries: isUser(t.user.$id) }])
    expect(named(await renamed(ws, 'Update Sub Test 3'))).toEqual([a, b].sort())
    const empty = await subscribe(ws, [{ subscriptionId: a, channels: account, queries: [] }])
    expect(empty.data.subscriptions[0].subscriptionId).toBe(a)
    expect(named(await renamed(ws, 'Update Sub Test 4'))).toEqual([a, b].sort())
    const ghost = ID.unique()
    const ghosted = await subscribe(ws, [
      { subscriptionId: ghost, channels: account, queries: isUser(t.user.$id) },
    ])
    expect(ghosted.data.subscriptions[0].subscriptionId).toBe(ghost)
    expect(named(await renamed(ws, 'Update Sub Test 5'))).toEqual([a, b, ghost].sort())
    const removed = await unsubscribe(ws, [{ subscriptionId: a }])
    expect(removed.data.subscriptions[0].removed).toBe(true)
    expect(named(await renamed(ws, 'Update Sub Test 6'))).toEqual([b, ghost].sort())
    const recreated = await subscribe(ws, [
      { subscriptionId: a, channels: account, queries: isUser(t.user.$id) },
    ])
    expect(recreated.data.subscriptions[0].subscriptionId).toBe(a)
    expect(named(await renamed(ws, 'Update Sub Test 7'))).toEqual([a, b, ghost].sort())
    ws.close()
  })

  it(`${MESSAGE} testUnsubscribeRemovesOnlyMatchingSubscription: should remove only the named subscriptions, validate the whole batch first and answer in order`, async () => {
    const ws = await connect()
    const a = (await subscribe(ws, [{ channels: ['account'], queries: isUser(t.user.$id) }])).data
      .subscriptions[0].subscriptionId as string
    const b = (await subscribe(ws, [{ channels: ['account'], queries: [SELECT_ALL] }])).data
      .subscriptions[0].subscriptionId as string
    expect(a).not.toBe(b)
    expect(named(await renamed(ws, 'Unsubscribe Test 1'))).toEqual([a, b].sort())
    const removed = await unsubscribe(ws, [{ subscriptionId: a }])
    expect(removed).toMatchObject({
      type: 'response',
      data: {
        to: 'unsubscribe',
        success: true,
        subscriptions: [{ subscriptionId: a, removed: true }],
      },
    })
    expect(removed.data.subscriptions).toHaveLength(1)
    expect(named(await renamed(ws, 'Unsubscribe Test 2'))).toEqual([b])
    const again = await unsubscribe(ws, [{ subscriptionId: a }])
    expect(again.data).toMatchObject({ success: true, subscriptions: [{ removed: false }] })
    await expectNothing(ws, 'the connection stays open')
    const nonString = await unsubscribe(ws, [{ subscriptionId: 123 }])
    expect(nonString.type).toBe('error')
    expect(nonString.data.message).toContain('subscriptionId')
    for (const data of [[{ subscriptionId: '' }], [{ channels: ['foo'] }], { subscriptionId: b }])
      expect({ data, type: (await unsubscribe(ws, data)).type }).toEqual({ data, type: 'error' })
    const partial = await unsubscribe(ws, [{ subscriptionId: b }, { subscriptionId: 999 }])
    expect(partial.type).toBe('error')
    // The valid id of the refused batch is still subscribed.
    expect(named(await renamed(ws, 'Partial Rejection Test'))).toEqual([b])
    const bulk = await unsubscribe(ws, [
      { subscriptionId: b },
      { subscriptionId: 'does-not-exist' },
    ])
    expect(bulk.data.success).toBe(true)
    expect(bulk.data.subscriptions).toEqual([
      { subscriptionId: b, removed: true },
      { subscriptionId: 'does-not-exist', removed: false },
    ])
    ws.close()
  })

  it(`${MESSAGE} testInvalidQueryShouldNotSubscribe: should answer a subscribe message with an unsupported query method, nested or not, with an error`, async () => {
    const refusals: Array<[query: string, method: RegExp]> = [
      [Query.contains('status', ['active']), /contains/],
      [Query.and([Query.equal('status', ['active']), Query.search('name', 'test')]), /search/],
      [Query.or([Query.equal('status', ['active']), Query.between('score', 0, 100)]), /between/],
      [
        Query.and([
          Query.equal('status', ['active']),
          Query.or([Query.greaterThan('score', 50), Query.startsWith('name', 'test')]),
        ]),
        /startsWith/,
      ],
      [
        Query.and([
          Query.contains('tags', ['important']),
          Query.or([Query.endsWith('email', '@example.com'), Query.equal('status', ['active'])]),
        ]),
        /contains|endsWith/,
      ],
    ]
    for (const [query, method] of refusals) {
      const ws = await connect()
      ws.send({ type: 'subscribe', data: [{ channels: ['documents'], queries: [query] }] })
      const frame = await ws.next()
      ws.close()
      expect({ query, type: frame.type }).toEqual({ query, type: 'error' })
      expect(frame.data.message).toContain('not supported in Realtime queries')
      expect(frame.data.message).toMatch(method)
    }
  })

  it(`${MESSAGE} testProjectChannelWithHeaderOnly: should subscribe the project channel on a socket whose project is also in the header`, async () => {
    const projectHeaders = { ...headers(), 'x-appwrite-project': t.up.emulator.projectId }
    for (let i = 0; i < 2; i += 1) {
      const ws = await t.up.socketWith({ project: t.up.emulator.projectId }, projectHeaders)
      expect((await ws.next()).type).toBe('connected')
      const response = await subscribe(ws, [{ channels: ['project'], queries: [SELECT_ALL] }])
      expect(response.data.subscriptions).toHaveLength(1)
      expect(response.data.subscriptions[0].channels).toEqual(['project'])
      ws.close()
    }
  })

  it(`${MESSAGE} testQueryMessageFiltersEvents: should send only the documents that pass the subscribed query`, async () => {
    const tableId = await t.db.table('Query Message Test Collection', [
      ['string', { key: 'status', size: 256, required: false }],
    ])
    const { ws } = await listen(t.up, 'message', ['documents'], headers(), isUser('message-target'))
    const create = (documentId: string) =>
      t.db.write(tableId, t.user.headers, { status: documentId }, [permission.read('any')], {
        documentId,
      })
    await expectOnlyId(ws, create, 'message-target', 'message-other')
    ws.close()
  })
})
