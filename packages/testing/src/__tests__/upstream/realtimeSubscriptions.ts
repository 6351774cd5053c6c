/**
 * Socket helpers shared by the cases transcribed from `tests/e2e/Services/Realtime/
 * RealtimeQueryBase.php` and the classes that run it: `RealtimeCustomClientQueryTest` subscribes
 * through the URL (`channels[]=…` plus `<channel>[0][]=<query>`), `RealtimeCustomClientQueryTestWithMessage`
 * connects with the project only and sends a `subscribe` message.
 */
import { expect } from 'vitest'
import { must } from './upstream'
import type { Answer, RealtimeSocket, Upstream } from './upstream'

/** How a case subscribes: channels and queries on the WebSocket URL, or in a `subscribe` message. */
export type SubscribeMode = 'url' | 'message'

type Frame = Awaited<ReturnType<RealtimeSocket['next']>>

/** A socket subscribed as upstream's `getWebsocket(channels, headers, null, queries)`. */
export interface Listener {
  readonly ws: RealtimeSocket
  /** The `connected` frame; in message mode the one sent before the subscription. */
  readonly connected: Frame
  /** The subscription ids of this socket, in the order the server listed them. */
  readonly subscriptions: string[]
}

/** One item of a `subscribe` message. */
export interface SubscribeItem {
  subscriptionId?: string
  channels: string[]
  queries?: string[]
}

/**
 * Subscribes `channels` with `queries` as upstream's `getWebsocket`: `null` sends no queries (the
 * server subscribes `select("*")`), `[]` sends `select("*")` explicitly, others go as one group of
 * the first channel (AND logic within it). In `url` mode the `connected` frame lists the
 * subscriptions; in `message` mode the `subscribe` response does (setup: asserts it succeeded).
 */
export async function listen(
  up: Upstream,
  mode: SubscribeMode,
  channels: string[],
  headers: Record<string, string>,
  queries: string[] | null = null,
): Promise<Listener> {
  const group = queries === null ? null : queries.length === 0 ? [SELECT_ALL] : queries
  if (mode === 'url') {
    const first = channels[0]
    const ws = await up.socketWith(
      {
        project: up.emulator.projectId,
        channels,
        ...(group === null || first === undefined ? {} : { [first]: [group] }),
      },
      headers,
    )
    const connected = await ws.next()
    expect(connected.type).toBe('connected')
    const mapping = (connected.data.subscriptions ?? {}) as Record<string, string>
    return { ws, connected, subscriptions: Object.values(mapping) }
  }
  const ws = await up.socketWith({ project: up.emulator.projectId }, headers)
  const connected = await ws.next()
  expect(connected.type).toBe('connected')
  if (channels.length === 0) return { ws, connected, subscriptions: [] }
  const response = await subscribe(ws, [
    { channels, ...(group === null ? {} : { queries: group }) },
  ])
  const ids = (response.data.subscriptions as Array<{ subscriptionId: string }>).map(
    (s) => s.subscriptionId,
  )
  return { ws, connected, subscriptions: ids }
}

/** `Query::select(['*'])->toString()`: listen to every event. */
export const SELECT_ALL = JSON.stringify({ method: 'select', values: ['*'] })

/**
 * Sends a `subscribe` message and returns its answer, asserting it is a successful `response` to
 * `subscribe` with a list of subscriptions (upstream's `sendSubscribeMessage`).
 */
export async function subscribe(ws: RealtimeSocket, items: SubscribeItem[]): Promise<Frame> {
  ws.send({ type: 'subscribe', data: items })
  const response = await ws.next()
  expect(response).toMatchObject({ type: 'response', data: { to: 'subscribe', success: true } })
  expect(Array.isArray(response.data.subscriptions)).toBe(true)
  return response
}

/** Sends an `unsubscribe` message with `data` and returns whatever frame answers it. */
export async function unsubscribe(ws: RealtimeSocket, data: unknown): Promise<Frame> {
  ws.send({ type: 'unsubscribe', data })
  return ws.next()
}

/**
 * Asserts that no frame is waiting on `ws`: a `ping` is answered by the very next frame. Events of
 * a write are queued on the socket before the write's HTTP answer reaches the case, so one that
 * arrived would come before the `pong` (upstream waits for a receive timeout instead).
 */
export async function expectNothing(ws: RealtimeSocket, why: string): Promise<void> {
  ws.send({ type: 'ping' })
  const frame = await ws.next()
  expect({ why, type: frame.type, frame }).toMatchObject({ why, type: 'pong' })
}

/**
 * The check of a subscription filtered by id: `create(passing)` (setup: must answer 201) reaches
 * `ws` as an event of that id, then `create(blocked)` (201 too) sends nothing.
 */
export async function expectOnlyId(
  ws: RealtimeSocket,
  create: (id: string) => Promise<Answer>,
  passing: string,
  blocked: string,
): Promise<void> {
  must(await create(passing), 201, `creating ${passing}`)
  const event = await ws.next()
  expect(event.type).toBe('event')
  expect(event.data.payload.$id).toBe(passing)
  must(await create(blocked), 201, `creating ${blocked}`)
  await expectNothing(ws, `${blocked} does not pass the query`)
}
