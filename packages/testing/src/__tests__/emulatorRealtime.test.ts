import { Client, Functions, Query, Realtime } from 'appwrite'
import type { RealtimeResponseEvent } from 'appwrite'
import * as server from 'node-appwrite'
import { WebSocket as UndiciWebSocket } from 'undici'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, EmulatorLogEntry } from '../emulator'
import { collector, memoryStorage, setGlobals, until } from './helpers'
import { serverClient } from './emulatorHelpers'

const fake = createFakeAppwrite({ seed: 3 })
let emulator: AppwriteEmulator
let restoreGlobals: () => void
let admin: server.TablesDB
const frames: EmulatorLogEntry[] = []
const realtimes: Realtime[] = []
const sockets: WsClient[] = []

function webRealtime(configure: (client: Client) => Client = (c) => c) {
  const client = configure(
    new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId),
  )
  const realtime = new Realtime(client)
  realtimes.push(realtime)
  return realtime
}

/** A raw WebSocket client, for protocol details the SDK hides. */
async function rawSocket(query = `project=${emulator.projectId}`) {
  const socket = new WsClient(`${emulator.realtimeEndpoint}/realtime?${query}`)
  sockets.push(socket)
  const messages = collector<Record<string, unknown>>()
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>))
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return {
    messages,
    closed,
    send: (frame: unknown) =>
      socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
  }
}

const createBooking = (rowId: string, data: Record<string, unknown> = {}) =>
  admin.createRow({
    databaseId: 'main',
    tableId: 'bookings',
    rowId,
    data: { status: 'pending', ...data },
    // Readable by anyone: the sockets in these tests are guests.
    permissions: ['read("any")'],
  })

const CHANNEL = 'databases.main.tables.bookings.rows'

beforeAll(async () => {
  // The web SDK's realtime needs a browser-like global scope: a WebSocket, `window` (timers) and,
  // for its session lookup, `localStorage`.
  restoreGlobals = setGlobals({
    WebSocket: UndiciWebSocket,
    window: globalThis,
    localStorage: memoryStorage(),
  })
  emulator = await startAppwriteEmulator({ fake, log: (entry) => frames.push(entry) })
  admin = new server.TablesDB(serverClient(emulator))
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

beforeEach(() => {
  frames.length = 0
  // The SDK reports every reconnect on the console.
  vi.spyOn(console, 'log').mockImplementation(() => {})
  vi.spyOn(console, 'error').mockImplementation(() => {})
})

afterEach(async () => {
  fake.faults.clear()
  for (const realtime of realtimes.splice(0)) await realtime.disconnect()
  for (const socket of sockets.splice(0)) socket.terminate()
  await until(() => emulator.realtime.connections === 0)
  fake.reset()
})

/**
 * Subscribes `realtime` to CHANNEL (filtered by `queries`) and waits until the emulator holds the
 * subscription: the events it receives, and the subscription.
 */
async function subscribed(realtime: Realtime, queries?: string[]) {
  const events = collector<RealtimeResponseEvent<Record<string, unknown>>>()
  const subscription = await realtime.subscribe(CHANNEL, (event) => events.push(event), queries)
  await emulator.realtime.waitForSubscriptions(1)
  return { events, subscription }
}

describe('emulator realtime', () => {
  it('should deliver row events to the web SDK with the subscription ids', async () => {
    const { events } = await subscribed(webRealtime())
    await createBooking('b1')
    const [event] = await events.atLeast(1)
    expect(event).toMatchObject({
      events: expect.arrayContaining([
        'databases.main.tables.bookings.rows.b1.create',
        'tablesdb.*.tables.*.rows.*.create',
      ]),
      channels: expect.arrayContaining([
        CHANNEL,
        'rows',
        'tablesdb.main.tables.bookings.rows.b1.create',
      ]),
      payload: { $id: 'b1', $tableId: 'bookings', status: 'pending' },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/),
    })
    expect(event?.subscriptions).toHaveLength(1)
    expect(event?.events[0]).toBe('tablesdb.main.tables.bookings.rows.b1.create')
  })

  it('should send one frame per event listing every matching subscription of the socket', async () => {
    const realtime = webRealtime()
    const first = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    const second = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    await realtime.subscribe(CHANNEL, (event) => first.push(event))
    await realtime.subscribe('rows', (event) => second.push(event))
    await emulator.realtime.waitForSubscriptions(2)
    await createBooking('b1')
    const [a] = await first.atLeast(1)
    const [b] = await second.atLeast(1)
    expect(a?.subscriptions).toHaveLength(2)
    expect(b?.subscriptions).toEqual(a?.subscriptions)
    const eventFrames = frames.filter(
      (entry) => entry.type === 'realtime.out' && entry.frame.startsWith('{"type":"event"'),
    )
    expect(eventFrames).toHaveLength(1)
  })

  it('should filter events with realtime queries', async () => {
    const { events } = await subscribed(webRealtime(), [Query.equal('providerId', 'p1')])
    await createBooking('other', { providerId: 'p2' })
    await createBooking('mine', { providerId: 'p1' })
    await events.atLeast(1)
    expect(events.items.map((event) => event.payload.$id)).toEqual(['mine'])
  })

  it('should stop delivering to a subscription after unsubscribe', async () => {
    const realtime = webRealtime()
    const kept = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    const dropped = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    await realtime.subscribe(CHANNEL, (event) => kept.push(event))
    const subscription = await realtime.subscribe(CHANNEL, (event) => dropped.push(event))
    await emulator.realtime.waitForSubscriptions(2)
    await subscription.unsubscribe()
    await expect.poll(() => emulator.realtime.subscriptions).toBe(1)
    await createBooking('b1')
    await kept.atLeast(1)
    expect(dropped.items).toEqual([])
  })

  it("should apply a subscription's update() to the same subscription id", async () => {
    const { events, subscription } = await subscribed(webRealtime(), [
      Query.equal('providerId', 'p1'),
    ])
    await subscription.update({ queries: [Query.equal('providerId', 'p2')] })
    // Wait until the server answered the second `subscribe` (the update) before writing.
    await until(
      () =>
        frames.filter(
          (entry) => entry.type === 'realtime.out' && entry.frame.includes('"to":"subscribe"'),
        ).length === 2,
    )
    await createBooking('old', { providerId: 'p1' })
    await createBooking('new', { providerId: 'p2' })
    await events.atLeast(1)
    expect(events.items.map((event) => event.payload.$id)).toEqual(['new'])
    expect(emulator.realtime.subscriptions).toBe(1)
  })

  it('should report a refused realtime query through onError with code 1003', async () => {
    const realtime = webRealtime()
    const errors = collector<{ message: string; code: number | undefined }>()
    realtime.onError((error, code) => errors.push({ message: error?.message ?? '', code }))
    await realtime.subscribe(CHANNEL, () => {}, [Query.search('title', 'yoga')])
    const [error] = await errors.atLeast(1)
    expect(error?.code).toBe(1003)
    expect(error?.message).toMatch(
      /^Invalid query: Query method 'search' is not supported in Realtime queries/,
    )
    expect(emulator.realtime.subscriptions).toBe(0)
  })

  it('should lose events a drop fault drops', async () => {
    const { events } = await subscribed(webRealtime())
    fake.faults.realtime.drop({ row: 'lost', times: 1 })
    await createBooking('lost')
    await createBooking('kept')
    await events.atLeast(1)
    expect(events.items.map((event) => event.payload.$id)).toEqual(['kept'])
  })

  it('should send duplicated events twice and delayed events late', async () => {
    const { events } = await subscribed(webRealtime())
    fake.faults.realtime.duplicate({ row: 'twice', times: 1 })
    // Long enough that the next two writes reach the socket first even on a loaded machine.
    fake.faults.realtime.delay({ row: 'late', ms: 1_500, times: 1 })
    await createBooking('late')
    await createBooking('twice')
    await createBooking('last')
    await events.atLeast(4)
    expect(events.items.map((event) => event.payload.$id)).toEqual([
      'twice',
      'twice',
      'last',
      'late',
    ])
  })

  it('should cut the WebSocket on a disconnect fault, refuse reconnects while it lasts, then let the SDK reconnect', async () => {
    const realtime = webRealtime()
    const lifecycle = collector<string>()
    realtime.onOpen(() => lifecycle.push('open'))
    realtime.onClose(() => lifecycle.push('close'))
    const { events } = await subscribed(realtime)
    const outage = fake.faults.realtime.disconnect()
    await lifecycle.atLeast(2)
    expect(lifecycle.items).toEqual(['open', 'close'])
    expect(frames).toContainEqual(expect.objectContaining({ type: 'realtime.cut' }))
    await createBooking('during')
    // The SDK retries after 1 s; the emulator refuses while the outage lasts.
    await expect
      .poll(() => frames.some((entry) => entry.type === 'realtime.refused'), { timeout: 3_000 })
      .toBe(true)
    outage.reconnect()
    // Each refused attempt closed again; the next attempt (within 1 s) opens.
    await expect
      .poll(() => lifecycle.items.filter((item) => item === 'open').length, { timeout: 4_000 })
      .toBe(2)
    expect(lifecycle.items.at(-1)).toBe('open')
    expect(lifecycle.items.slice(1, -1).every((item) => item === 'close')).toBe(true)
    await emulator.realtime.waitForSubscriptions(1)
    await createBooking('after')
    await events.atLeast(1)
    expect(events.items.map((event) => event.payload.$id)).toEqual(['after'])
  }, 10_000)

  it('should deliver to the deprecated client.subscribe', async () => {
    const client = new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
    const events = collector<Record<string, unknown>>()
    const unsubscribe = client.subscribe(CHANNEL, (event) => events.push(event as never))
    try {
      await emulator.realtime.waitForSubscriptions(1)
      await createBooking('b1')
      const [event] = await events.atLeast(1)
      expect(event).toMatchObject({ payload: { $id: 'b1' }, subscriptions: [expect.any(String)] })
    } finally {
      unsubscribe()
    }
    await expect.poll(() => emulator.realtime.connections).toBe(0)
  })

  it('should greet, answer subscribe, unsubscribe and ping, and refuse malformed messages', async () => {
    const socket = await rawSocket()
    const [connected] = await socket.messages.atLeast(1)
    expect(connected).toEqual({
      type: 'connected',
      data: { channels: [], subscriptions: [], user: null },
    })
    socket.send({ type: 'ping' })
    socket.send({
      type: 'subscribe',
      data: [{ subscriptionId: 's1', channels: [CHANNEL], queries: [] }],
    })
    socket.send({
      type: 'unsubscribe',
      data: [{ subscriptionId: 's1' }, { subscriptionId: 'nope' }],
    })
    socket.send('not json')
    socket.send({ type: 'dance' })
    socket.send({ type: 'subscribe' })
    socket.send({ type: 'subscribe', data: [{ subscriptionId: 's2' }] })
    socket.send({ type: 'unsubscribe', data: [{}] })
    socket.send({ type: 'authentication', data: { session: 'unknown' } })
    const messages = await socket.messages.atLeast(10)
    expect(messages.slice(1)).toEqual([
      { type: 'pong' },
      {
        type: 'response',
        data: {
          to: 'subscribe',
          success: true,
          subscriptions: [{ subscriptionId: 's1', channels: [CHANNEL], queries: [] }],
        },
      },
      {
        type: 'response',
        data: {
          to: 'unsubscribe',
          success: true,
          subscriptions: [
            { subscriptionId: 's1', removed: true },
            { subscriptionId: 'nope', removed: false },
          ],
        },
      },
      { type: 'error', data: { code: 1003, message: 'Message format is not valid.' } },
      { type: 'error', data: { code: 1003, message: 'Message type is not valid.' } },
      { type: 'error', data: { code: 1003, message: 'Payload is not valid. Items is required' } },
      {
        type: 'error',
        data: { code: 1003, message: 'items: channels is not present in payload.' },
      },
      {
        type: 'error',
        data: {
          code: 1003,
          message: 'items: Each unsubscribe payload must include a non-empty subscriptionId.',
        },
      },
      { type: 'error', data: { code: 1003, message: 'Session is not valid.' } },
    ])
  })

  it('should not subscribe any of a batch when one query is refused', async () => {
    const socket = await rawSocket()
    await socket.messages.atLeast(1)
    socket.send({
      type: 'subscribe',
      data: [
        { subscriptionId: 'ok', channels: [CHANNEL] },
        {
          subscriptionId: 'bad',
          channels: [CHANNEL],
          queries: [JSON.stringify({ method: 'limit', values: [1] })],
        },
      ],
    })
    const [, refusal] = await socket.messages.atLeast(2)
    expect(refusal).toMatchObject({
      type: 'error',
      data: { code: 1003, message: expect.stringMatching(/^Invalid query: /) },
    })
    expect(emulator.realtime.subscriptions).toBe(0)
  })

  it('should refuse an unknown project with a 1008 error and close', async () => {
    const socket = await rawSocket('project=other')
    const [error] = await socket.messages.atLeast(1)
    expect(error).toEqual({
      type: 'error',
      data: { code: 1008, message: 'Missing or unknown project ID' },
    })
    expect(await socket.closed).toBe(1008)
  })

  it('should identify a JWT user in the URL and a session through the authentication message', async () => {
    const jwt = emulator.createJWT('u1', { name: 'Ada' })
    const socket = await rawSocket(`project=${emulator.projectId}&jwt=${encodeURIComponent(jwt)}`)
    const [connected] = await socket.messages.atLeast(1)
    expect(connected).toMatchObject({
      type: 'connected',
      data: { user: { $id: 'u1', name: 'Ada' } },
    })
    const forged = await rawSocket(`project=${emulator.projectId}&jwt=abc.def.ghi`)
    const [refused] = await forged.messages.atLeast(1)
    expect(refused).toEqual({
      type: 'error',
      data: { code: 401, message: 'Failed to verify JWT. Invalid token: Signature failed' },
    })
    expect(await forged.closed).toBe(1008)
    const guest = await rawSocket()
    await guest.messages.atLeast(1)
    guest.send({ type: 'authentication', data: { session: emulator.createSession('u2') } })
    const [, response] = await guest.messages.atLeast(2)
    expect(response).toMatchObject({
      type: 'response',
      data: { to: 'authentication', success: true, user: { $id: 'u2' } },
    })
  })

  it('should send the session of a web client that has one', async () => {
    const session = emulator.createSession('u3')
    const realtime = webRealtime((client) => client.setSession(session))
    await realtime.subscribe(CHANNEL, () => {})
    await emulator.realtime.waitForSubscriptions(1)
    const authentication = frames.find(
      (entry) => entry.type === 'realtime.in' && entry.frame.includes('"authentication"'),
    )
    expect(authentication).toBeDefined()
    expect(frames).toContainEqual(
      expect.objectContaining({
        type: 'realtime.out',
        frame: expect.stringContaining('"to":"authentication"'),
      }),
    )
  })

  it("should publish a signed-in user's executions on the executions channel: a sync one once, finished; an async one made, then finished", async () => {
    const withFunctions = await startAppwriteEmulator({
      functions: { hello: { handler: ({ res }) => res.text('hi'), execute: ['users'] } },
    })
    try {
      const client = new Client()
        .setEndpoint(withFunctions.endpoint)
        .setProject(withFunctions.projectId)
        .setSession(withFunctions.createSession('runner'))
      const realtime = new Realtime(client)
      realtimes.push(realtime)
      const events = collector<RealtimeResponseEvent<{ $id: string; status: string }>>()
      await realtime.subscribe('executions', (event) => events.push(event))
      await withFunctions.realtime.waitForSubscriptions(1)
      const functions = new Functions(client)
      const sync = await functions.createExecution({ functionId: 'hello' })
      const [made] = await events.atLeast(1)
      expect(made?.payload).toMatchObject({ $id: sync.$id, status: 'completed' })
      expect(made?.events[0]).toBe(`functions.hello.executions.${sync.$id}.create`)
      expect(made?.channels).toEqual(
        expect.arrayContaining(['executions', `executions.${sync.$id}`, 'functions.hello']),
      )
      const queued = await functions.createExecution({ functionId: 'hello', async: true })
      const [, created, finished] = await events.atLeast(3)
      expect(created?.payload).toMatchObject({ $id: queued.$id, status: 'waiting' })
      expect(finished?.payload).toMatchObject({ $id: queued.$id, status: 'completed' })
      expect(finished?.events[0]).toBe(`functions.hello.executions.${queued.$id}.update`)
      // An execution by the API key carries no reader: it goes to no one.
      await new server.Functions(serverClient(withFunctions)).createExecution({
        functionId: 'hello',
      })
      const mine = await functions.createExecution({ functionId: 'hello' })
      const last = await events.atLeast(4)
      expect(last[3]?.payload.$id).toBe(mine.$id)
    } finally {
      for (const realtime of realtimes.splice(0)) await realtime.disconnect()
      await withFunctions.close()
    }
  })

  it("should keep a URL channel without queries listening to everything, ignoring slot 0's queries of a later channel, as the server does", async () => {
    const query = encodeURIComponent(Query.equal('status', 'confirmed'))
    const key = CHANNEL.replace(/\./g, '_')
    const filtered = await rawSocket(
      `project=${emulator.projectId}&channels[]=${CHANNEL}&${key}[0][]=${query}`,
    )
    const mixed = await rawSocket(
      `project=${emulator.projectId}&channels[]=rows&channels[]=${CHANNEL}&${key}[0][]=${query}`,
    )
    await filtered.messages.atLeast(1)
    await mixed.messages.atLeast(1)
    await createBooking('pending-one')
    await createBooking('confirmed-one', { status: 'confirmed' })
    const [, onlyConfirmed] = await filtered.messages.atLeast(2)
    expect(onlyConfirmed).toMatchObject({ data: { payload: { $id: 'confirmed-one' } } })
    const [, first, second] = await mixed.messages.atLeast(3)
    expect([first, second]).toMatchObject([
      { data: { payload: { $id: 'pending-one' } } },
      { data: { payload: { $id: 'confirmed-one' } } },
    ])
  })

  it('should delay realtime frames by latencyMs', async () => {
    emulator.latencyMs = 60
    try {
      const socket = await rawSocket()
      await socket.messages.atLeast(1)
      const started = performance.now()
      socket.send({ type: 'ping' })
      await socket.messages.atLeast(2)
      expect(performance.now() - started).toBeGreaterThanOrEqual(55)
    } finally {
      emulator.latencyMs = 0
    }
  })

  it('should reject waitForSubscriptions after its timeout', async () => {
    await expect(emulator.realtime.waitForSubscriptions(1, 30)).rejects.toThrow(
      'waitForSubscriptions(1): the emulator holds 0 subscription(s) after 30 ms',
    )
  })

  it('should refuse WebSocket upgrades on other paths', async () => {
    const socket = new WsClient(emulator.endpoint.replace('http', 'ws') + '/elsewhere')
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve))
    expect(error.message).toMatch(/404/)
  })

  it('should close every WebSocket when the emulator closes', async () => {
    const other = await startAppwriteEmulator()
    const socket = new WsClient(`${other.realtimeEndpoint}/realtime?project=${other.projectId}`)
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    await new Promise((resolve) => socket.once('message', resolve))
    await other.close()
    expect(await closed).toBe(1001)
  })
})
