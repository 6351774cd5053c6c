import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { RawData, WebSocket } from 'ws'
import { realtimeQueryFilter } from '../fake/realtime'
import type { FakeRealtimeSubscription, RealtimeResponseEvent } from '../fake/realtime'
import type { AccountChange } from '../fake/accounts'
import { userEventNames } from '../fake/userEvents'
import type { TeamChange, TeamStore } from '../fake/teams'
import { formatRealtimeTimestamp } from '../fake/channels'
import { isAppwriteException } from '../fake/errors'
import { originRefusal } from '../fake/tokens'
import type { AuthRegistry, Caller } from './auth'
import type { RealtimeCaller } from './fakeBridge'
import { EmulatorHttpError, toJson } from './http'
import type { EmulatorLogger } from './log'
import type { LinkConnection, RealtimeLink } from './realtimeLink'
import { MAX_JSON_DEPTH, jsonNestsDeeperThan, parsePhpInput } from './requestInput'

/** Close code of a policy violation: the SDK stops reconnecting after it. */
const POLICY_VIOLATION = 1008
/** `REALTIME_MESSAGE_FORMAT_INVALID` in the server's `app/config/errors.php`. */
const MESSAGE_FORMAT_INVALID = 1003

/** Options for {@link RealtimeServer}. @internal */
export interface RealtimeServerOptions {
  readonly projectId: string
  readonly auth: AuthRegistry
  /** The Teams service's store: its events go to the `teams` and `memberships` channels. */
  readonly teams?: TeamStore
  readonly link: RealtimeLink
  readonly logger: EmulatorLogger
  /** Delay before each frame the server sends, in milliseconds. */
  readonly latencyMs: () => number
  /** Called whenever the number of subscriptions held changes. */
  readonly onSubscriptionsChanged: () => void
  /** The hostnames of the project's Web platforms; `undefined` accepts every `Origin`. */
  readonly platformHosts?: readonly string[]
}

interface Subscription {
  readonly handle: FakeRealtimeSubscription
  channels: string[]
  queries: string[]
  /** Whether a payload passes `queries`, for the events that do not go through the hub. */
  matches: (payload: Record<string, unknown>) => boolean
}

/** A refusal the server sends as `{ type: 'error', data: { code, message } }`. */
class FrameError extends Error {
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

const formatInvalid = (message: string) => new FrameError(MESSAGE_FORMAT_INVALID, message)

/** A user change with its event names, most specific first (`users.ID.update.prefs`, `users.*.update.prefs`, …). */
type AccountEvent = AccountChange & { readonly events: readonly string[] }

/** `Query::select(['*'])->toString()`. */
const SELECT_ALL = JSON.stringify({ method: 'select', values: ['*'] })

/** What the server's Subscribe handler puts before a refused query's message. */
const QUERY_PREFIX = 'Invalid query: '

/** `Realtime::SUPPORTED_ACTIONS`: the actions that give a channel a suffixed sibling. */
const ACCOUNT_ACTIONS = new Set(['create', 'update', 'upsert', 'delete'])

/**
 * The channels of a user event, as `Realtime::fromPayload` gives them: `account` and
 * `account.<userId>`, and for a top-level change of the user (`users.<id>.update.name`,
 * `users.<id>.delete`, not `users.<id>.sessions.<sid>.create`) the same two suffixed with the
 * action (`account.update`, `account.<userId>.update`).
 */
function accountChannels(change: AccountEvent): string[] {
  const base = ['account', `account.${change.userId}`]
  const action = change.events[0]?.split('.')[2]
  return action !== undefined && ACCOUNT_ACTIONS.has(action)
    ? [...base, ...base.map((channel) => `${channel}.${action}`)]
    : base
}

/**
 * The `/v1/realtime` WebSocket endpoint, speaking the protocol of Appwrite 1.9
 * (github:appwrite/appwrite `app/realtime.php`, `src/Appwrite/Realtime/Message/Handlers/*`):
 * `connected` on open, then `subscribe` / `unsubscribe` / `authentication` / `ping` messages, each
 * answered with a `response` (or `pong`) or an `error` frame; events carry the ids of the
 * connection's matching subscriptions.
 *
 * @internal
 */
export class RealtimeServer {
  readonly #wss = new WebSocketServer({ noServer: true })
  readonly #options: RealtimeServerOptions
  readonly #sessions = new Set<Session>()
  #nextId = 0

  readonly #stopAccounts: () => void
  readonly #stopTeams: () => void

  constructor(options: RealtimeServerOptions) {
    this.#options = options
    // The `account` channel: each user's own account and session events.
    this.#stopAccounts = options.auth.store.onChange((change) => {
      if (this.#sessions.size === 0) return
      const event: AccountEvent = {
        ...change,
        events: userEventNames(change.userId, change.suffix),
      }
      for (const session of this.#sessions) session.accountEvent(event)
    })
    // `teams` and `memberships`: a change to a user's memberships first re-subscribes its sockets
    // with its new roles (`permissionsChanged` in `app/realtime.php`), then the event goes out.
    this.#stopTeams =
      options.teams?.onChange((change) => {
        for (const session of this.#sessions) {
          if (change.rolesChangedFor !== undefined) session.refreshUser(change.rolesChangedFor)
          session.teamEvent(change)
        }
      }) ?? (() => {})
  }

  /** Number of open WebSockets. */
  get connectionCount(): number {
    return this.#sessions.size
  }

  /** Subscriptions held across every WebSocket. */
  get subscriptionCount(): number {
    let count = 0
    for (const session of this.#sessions) count += session.subscriptionCount
    return count
  }

  /** Handles an HTTP upgrade on `/v1/realtime`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#options.link.isDown()) {
      // A realtime outage (fault): the server is unreachable, so the SDK's reconnect loop keeps trying.
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      )
      socket.destroy()
      this.#options.logger({ type: 'realtime.refused', reason: 'realtime disconnect fault active' })
      return
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req))
  }

  /** Closes every WebSocket (code 1001, going away) and forgets their subscriptions. */
  close(): void {
    for (const session of [...this.#sessions]) session.shutdown(1001, 'Server shutting down')
    this.#stopAccounts()
    this.#stopTeams()
    this.#wss.close()
  }

  #accept(ws: WebSocket, req: IncomingMessage): void {
    const { projectId, auth, link, logger } = this.#options
    const id = ++this.#nextId
    const address = new URL(req.url ?? '/', 'http://emulator')
    logger({ type: 'realtime.open', connection: id, url: address.pathname + address.search })
    // The `project` resource of `app/init/realtime/connection.php`: the `X-Appwrite-Project` header
    // first (a client that sends it may use `project[…]` for the project channel's queries), then
    // the `project` parameter.
    const header = req.headers['x-appwrite-project']
    const project =
      (typeof header === 'string' && header !== '' ? header : undefined) ??
      address.searchParams.get('project') ??
      ''
    let caller: RealtimeCaller = { kind: 'guest' }
    let failure: FrameError | undefined
    if (project !== projectId) {
      failure = new FrameError(POLICY_VIOLATION, 'Missing or unknown project ID')
    } else {
      // The upgrade runs the same `user` resource as HTTP: the session cookie (what a browser
      // sends), `X-Fallback-Cookies`, `X-Appwrite-Session`, `X-Appwrite-JWT`, or `?jwt=`.
      const jwt = address.searchParams.get('jwt') ?? ''
      try {
        const found: Caller =
          jwt !== '' ? auth.jwtCaller(jwt) : auth.requestCaller(req.headers, projectId)
        if (found.kind !== 'key') caller = found
      } catch (error) {
        const message =
          error instanceof EmulatorHttpError || isAppwriteException(error)
            ? error.message
            : String(error)
        failure = new FrameError(401, message)
      }
      // After the project and the user, as `onOpen` checks them: an `Origin` that is not one of
      // the project's platforms (a native client sends none).
      const origin = req.headers.origin
      const refusal =
        failure === undefined && typeof origin === 'string' && origin !== ''
          ? originRefusal(origin, projectId, this.#options.platformHosts)
          : undefined
      if (refusal !== undefined) failure = new FrameError(POLICY_VIOLATION, refusal)
    }
    const session = new Session(id, ws, caller, this.#options, () => this.#sessions.delete(session))
    this.#sessions.add(session)
    if (failure !== undefined) {
      // `onOpen` in `app/realtime.php` sends the error, then closes the connection.
      session.send({ type: 'error', data: { code: failure.code, message: failure.message } }, () =>
        session.shutdown(POLICY_VIOLATION, failure.message),
      )
      return
    }
    session.attach(link.open(caller))
    const user = caller.kind === 'user' ? auth.accountModel(caller.user) : null
    let url: UrlSubscriptions
    try {
      url = urlSubscriptions(address.searchParams, caller.kind === 'user' ? caller.user.$id : '')
    } catch (error) {
      const frame = error instanceof FrameError ? error : new FrameError(500, String(error))
      session.send({ type: 'error', data: { code: frame.code, message: frame.message } }, () =>
        session.shutdown(POLICY_VIOLATION, frame.message),
      )
      return
    }
    if (url.items.length === 0) {
      session.send({ type: 'connected', data: { channels: [], subscriptions: [], user } })
      return
    }
    // URL mode (SDKs before 21, raw clients): the channels of the URL are subscribed on open.
    void session.subscribeOnOpen(url.items).then(
      () =>
        session.send({
          type: 'connected',
          data: { channels: url.channels, subscriptions: url.mapping, user },
        }),
      (error: unknown) => {
        const frame = error instanceof FrameError ? error : new FrameError(500, String(error))
        // `onOpen` sends the query's own error; only the subscribe message's handler prefixes it
        // with `Invalid query: `.
        const message =
          frame.code === MESSAGE_FORMAT_INVALID && frame.message.startsWith(QUERY_PREFIX)
            ? frame.message.slice(QUERY_PREFIX.length)
            : frame.message
        session.send({ type: 'error', data: { code: POLICY_VIOLATION, message } }, () =>
          session.shutdown(POLICY_VIOLATION, message),
        )
      },
    )
  }
}

/**
 * `Realtime::convertChannels`: the channels a connection asks for, as the server subscribes them.
 * For a signed-in user `account` adds `account.{userId}` and `account.{action}` becomes
 * `account.{userId}.{action}`; any other `account.…` channel (another user's) is dropped. Repeats
 * keep their first place, as PHP's `array_flip` keeps keys.
 */
function convertChannels(list: readonly string[], userId: string): string[] {
  const channels = new Map<string, true>()
  for (const channel of list) channels.set(channel, true)
  for (const channel of [...channels.keys()]) {
    if (channel === 'account') {
      if (userId !== '') channels.set(`account.${userId}`, true)
    } else if (channel.startsWith('account.')) {
      const action = channel.slice('account.'.length)
      if (!ACCOUNT_ACTIONS.has(action)) channels.delete(channel)
      else if (userId !== '') {
        channels.delete(channel)
        channels.set(`account.${userId}.${action}`, true)
      }
    }
  }
  return [...channels.keys()]
}

interface UrlSubscriptions {
  readonly channels: string[]
  readonly items: SubscribeItem[]
  /** Subscription ids by the index the URL gave them (`0` for channels without queries). */
  readonly mapping: string[] | Record<string, string>
}

/**
 * The subscriptions a WebSocket URL asks for, as `app/realtime.php` builds them on open
 * (`Realtime::convertChannels` + `constructSubscriptions`): `channels[]=…` names the channels
 * (`account` adds `account.{userId}` for a user); a channel's queries come in the query parameter
 * named after it with `.` as `_` (`databases_main_tables_t_rows[0][]=<query>`), one subscription per
 * index; channels without queries share subscription `0`.
 */
function urlSubscriptions(search: URLSearchParams, userId: string): UrlSubscriptions {
  const params = parsePhpInput(search)
  const raw = params.channels ?? []
  const list = Array.isArray(raw)
    ? raw
    : typeof raw === 'object' && raw !== null
      ? Object.values(raw)
      : [raw]
  if (list.some((channel) => typeof channel !== 'string'))
    throw new FrameError(POLICY_VIOLATION, 'channels must be a list of strings')
  const channels = convertChannels(list as string[], userId)
  const slots = new Map<string, { channels: string[]; queries: string[] }>()
  const slot = (index: string) => {
    let entry = slots.get(index)
    if (entry === undefined) slots.set(index, (entry = { channels: [], queries: [] }))
    return entry
  }
  for (const channel of channels) {
    const key = channel.replace(/\./g, '_')
    const given = key === 'project' && typeof params[key] === 'string' ? undefined : params[key]
    if (given === undefined) {
      // A channel without queries listens to everything: slot 0 keeps `select("*")`, so queries
      // given later for slot 0 of another channel are ignored, as `constructSubscriptions` does.
      const entry = slot('0')
      entry.channels.push(channel)
      if (entry.queries.length === 0) entry.queries = [SELECT_ALL]
      continue
    }
    const perIndex =
      given !== null && typeof given === 'object' ? Object.entries(given) : [['0', given] as const]
    for (const [index, value] of perIndex) {
      const entry = slot(index)
      if (!entry.channels.includes(channel)) entry.channels.push(channel)
      if (entry.queries.length === 0) {
        const queries = Array.isArray(value) ? value : [value]
        if (queries.some((query) => typeof query !== 'string'))
          throw new FrameError(POLICY_VIOLATION, `Invalid queries for channel "${channel}"`)
        entry.queries = queries as string[]
      }
    }
  }
  const items: SubscribeItem[] = []
  const mapping: Record<string, string> = {}
  for (const [index, entry] of slots) {
    const subscriptionId = randomId()
    mapping[index] = subscriptionId
    items.push({ subscriptionId, channels: entry.channels, queries: entry.queries })
  }
  const indexes = Object.keys(mapping)
  // `json_encode` writes a PHP array keyed 0…n-1 in order as a list, any other as an object.
  const isList = indexes.every((index, position) => index === String(position))
  return { channels, items, mapping: isList ? Object.values(mapping) : mapping }
}

/** One WebSocket. */
class Session {
  readonly id: number
  caller: RealtimeCaller
  readonly #ws: WebSocket
  readonly #options: RealtimeServerOptions
  readonly #onGone: () => void
  readonly #subscriptions = new Map<string, Subscription>()
  /** Events collected for this socket in the current tick, by delivery (payload object). */
  readonly #pending = new Map<object, { event: RealtimeResponseEvent; ids: string[] }>()
  #flushScheduled = false
  #link: LinkConnection | undefined
  #batchErrors: FrameError[] | undefined
  #inbox: Promise<void> = Promise.resolve()
  #closed = false

  constructor(
    id: number,
    ws: WebSocket,
    caller: RealtimeCaller,
    options: RealtimeServerOptions,
    onGone: () => void,
  ) {
    this.id = id
    this.caller = caller
    this.#ws = ws
    this.#options = options
    this.#onGone = onGone
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : rawText(data)
      options.logger({ type: 'realtime.in', connection: id, frame: text })
      // One message at a time per socket, so answers keep the order of the messages.
      this.#inbox = this.#inbox.then(() => this.#onMessage(text))
    })
    ws.on('close', (code: number) => {
      options.logger({ type: 'realtime.close', connection: id, code })
      this.#dispose()
    })
    ws.on('error', () => this.#dispose())
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size
  }

  /** Subscribes the URL's subscriptions before any message, in this socket's message order. */
  subscribeOnOpen(items: SubscribeItem[]): Promise<void> {
    const done = this.#inbox.then(() => this.#subscribe(items))
    this.#inbox = done.then(
      () => undefined,
      () => undefined,
    )
    return done.then(() => undefined)
  }

  attach(link: LinkConnection): void {
    this.#link = link
    link.onClose(() => {
      if (this.#link !== link) return
      // A `disconnect` fault: cut the socket as a network failure would (no close frame, 1006).
      this.#options.logger({ type: 'realtime.cut', connection: this.id })
      this.#ws.terminate()
      this.#dispose()
    })
    link.onError((message, code) => {
      if (this.#link === link) this.#batchErrors?.push(new FrameError(code, message))
    })
  }

  /**
   * Sends a change of this socket's own user to its subscriptions on `account` (or
   * `account.<userId>`), as `Realtime::convertChannels` gives the channel `account.<userId>` to a
   * signed-in connection.
   */
  accountEvent(change: AccountEvent): void {
    if (this.#closed || this.caller.kind !== 'user' || this.caller.user.$id !== change.userId)
      return
    this.#sendToMatching(change.events, accountChannels(change), change.payload)
  }

  /**
   * Sends a Teams event to this socket's subscriptions on its channels when its user holds the
   * event's read role `team:<teamId>` (`Realtime::fromPayload`).
   */
  teamEvent(change: TeamChange): void {
    if (this.#closed || this.caller.kind !== 'user' || !change.recipients.has(this.caller.user.$id))
      return
    this.#sendToMatching(change.events, change.channels, change.payload)
  }

  /**
   * Sends one event frame for an event that does not go through the hub (account, teams) to the
   * subscriptions on one of `channels` whose queries `payload` passes; nothing when there is none.
   */
  #sendToMatching(
    events: readonly string[],
    channels: readonly string[],
    payload: Record<string, unknown>,
  ): void {
    const ids: string[] = []
    for (const [subscriptionId, sub] of this.#subscriptions)
      if (sub.channels.some((channel) => channels.includes(channel)) && sub.matches(payload))
        ids.push(subscriptionId)
    if (ids.length === 0) return
    this.send({
      type: 'event',
      data: {
        events,
        channels,
        timestamp: formatRealtimeTimestamp(this.#options.auth.store.now()),
        payload,
        subscriptions: ids,
      },
    })
  }

  /** Re-reads this socket's user when it is `userId` and re-subscribes with its current roles. */
  refreshUser(userId: string): void {
    if (this.#closed || this.caller.kind !== 'user' || this.caller.user.$id !== userId) return
    const user = this.#options.auth.user(userId)
    if (user === undefined) return
    this.caller = { ...this.caller, user }
    // In this socket's message order, like any other re-subscription.
    this.#inbox = this.#inbox
      .then(() => this.#reidentify())
      .catch((error: unknown) => {
        const message = `re-subscribing with the user's new team roles failed: ${String(error)}`
        this.send({ type: 'error', data: { code: 500, message } })
      })
  }

  send(frame: unknown, then?: () => void): void {
    const text = toJson(frame)
    const write = () => {
      if (this.#ws.readyState !== this.#ws.OPEN) return
      this.#options.logger({ type: 'realtime.out', connection: this.id, frame: text })
      this.#ws.send(text, () => then?.())
    }
    const latency = this.#options.latencyMs()
    if (latency > 0) setTimeout(write, latency)
    else write()
  }

  shutdown(code: number, reason: string): void {
    // A close reason may hold at most 123 bytes.
    const fits = Buffer.byteLength(reason) <= 123
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING)
      this.#ws.close(code, fits ? reason : undefined)
    this.#dispose()
  }

  #dispose(): void {
    if (this.#closed) return
    this.#closed = true
    this.#subscriptions.clear()
    this.#pending.clear()
    this.#link?.dispose()
    this.#onGone()
    this.#options.onSubscriptionsChanged()
  }

  async #onMessage(text: string): Promise<void> {
    try {
      const response = await this.#dispatch(text)
      if (response !== undefined) this.send(response)
    } catch (error) {
      const frame = error instanceof FrameError ? error : new FrameError(500, 'Error: Server Error')
      this.send({ type: 'error', data: { code: frame.code, message: frame.message } }, () => {
        if (frame.code === POLICY_VIOLATION) this.shutdown(POLICY_VIOLATION, frame.message)
      })
    }
  }

  /** Routes one message like the server's `Message\Dispatcher`. */
  async #dispatch(text: string): Promise<unknown> {
    let message: unknown = null
    // `json_decode` gives up past its depth (and on invalid JSON): the message is then no message.
    if (!jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      try {
        message = JSON.parse(text)
      } catch {
        message = null
      }
    }
    if (
      message === null ||
      typeof message !== 'object' ||
      Array.isArray(message) ||
      (!('type' in message) && !('data' in message))
    )
      throw formatInvalid('Message format is not valid.')
    const { type, data } = message as { type?: unknown; data?: unknown }
    const hasData = 'data' in message
    switch (type) {
      case 'ping':
        return { type: 'pong' }
      case 'subscribe':
        if (!hasData || data === null)
          throw formatInvalid('Payload is not valid. Items is required')
        return this.#subscribe(
          validateSubscribe(data).map((item) => ({
            ...item,
            channels: convertChannels(
              item.channels,
              this.caller.kind === 'user' ? this.caller.user.$id : '',
            ),
          })),
        )
      case 'unsubscribe':
        if (!hasData || data === null)
          throw formatInvalid('Payload is not valid. Items is required')
        return this.#unsubscribe(validateUnsubscribe(data))
      case 'authentication':
        return this.#authenticate(data)
      default:
        throw formatInvalid('Message type is not valid.')
    }
  }

  async #subscribe(items: SubscribeItem[]): Promise<unknown> {
    const link = this.#link
    if (link === undefined) throw new FrameError(500, 'Error: Server Error')
    const errors: FrameError[] = []
    this.#batchErrors = errors
    const added: string[] = []
    const results: Array<{ subscriptionId: string; channels: string[]; queries: string[] }> = []
    try {
      for (const item of items) {
        const subscriptionId = item.subscriptionId ?? randomId()
        const existing = this.#subscriptions.get(subscriptionId)
        if (existing !== undefined) {
          existing.channels = item.channels
          existing.queries = item.queries
          existing.matches = realtimeQueryFilter(item.queries)
          await existing.handle.update({ channels: item.channels, queries: item.queries })
        } else {
          const handle = await link.subscribe(
            item.channels,
            (event) => this.#collect(subscriptionId, event),
            item.queries,
          )
          this.#subscriptions.set(subscriptionId, {
            handle,
            channels: item.channels,
            queries: item.queries,
            matches: realtimeQueryFilter(item.queries),
          })
          added.push(subscriptionId)
        }
        results.push({ subscriptionId, channels: item.channels, queries: item.queries })
      }
    } finally {
      this.#batchErrors = undefined
    }
    const refused = errors[0]
    if (refused !== undefined) {
      // The server validates the whole batch before subscribing any of it.
      for (const subscriptionId of added) {
        const sub = this.#subscriptions.get(subscriptionId)
        this.#subscriptions.delete(subscriptionId)
        await sub?.handle.unsubscribe()
      }
      throw refused
    }
    this.#options.onSubscriptionsChanged()
    return {
      type: 'response',
      data: { to: 'subscribe', success: true, subscriptions: results },
    }
  }

  async #unsubscribe(ids: string[]): Promise<unknown> {
    const subscriptions: Array<{ subscriptionId: string; removed: boolean }> = []
    for (const subscriptionId of ids) {
      const sub = this.#subscriptions.get(subscriptionId)
      this.#subscriptions.delete(subscriptionId)
      if (sub !== undefined) await sub.handle.unsubscribe()
      subscriptions.push({ subscriptionId, removed: sub !== undefined })
    }
    this.#options.onSubscriptionsChanged()
    return { type: 'response', data: { to: 'unsubscribe', success: true, subscriptions } }
  }

  async #authenticate(data: unknown): Promise<unknown> {
    // `session` is a required param of the server's `Handlers/Authentication.php`: the dispatcher
    // refuses a payload without it before the handler looks the session up.
    if (data === null || typeof data !== 'object' || Array.isArray(data) || !('session' in data))
      throw formatInvalid('Payload is not valid. Session is required')
    const { session } = data as { session: unknown }
    if (typeof session !== 'string' || session.length > 2048)
      throw formatInvalid('session: Value must be a valid string and no longer than 2048 chars')
    const found = this.#options.auth.sessionCaller(session)
    if (found.kind !== 'user') throw formatInvalid('Session is not valid.')
    this.caller = found
    await this.#reidentify()
    return {
      type: 'response',
      data: {
        to: 'authentication',
        success: true,
        user: this.#options.auth.accountModel(found.user),
      },
    }
  }

  /**
   * Moves every subscription to a hub connection of the new caller, as the server re-subscribes
   * them with the user's roles (`Handlers/Authentication.php`).
   */
  async #reidentify(): Promise<void> {
    const previous = this.#link
    const link = this.#options.link.open(this.caller)
    this.attach(link)
    previous?.dispose()
    for (const [subscriptionId, sub] of [...this.#subscriptions]) {
      const handle = await link.subscribe(
        sub.channels,
        (event) => this.#collect(subscriptionId, event),
        sub.queries,
      )
      this.#subscriptions.set(subscriptionId, { ...sub, handle })
    }
  }

  /**
   * Collects the subscriptions of this socket that one delivery matched; the hub calls each
   * subscription's callback in one synchronous pass with the same payload object, so the socket
   * gets a single frame listing them all, as the server groups them.
   */
  #collect(subscriptionId: string, event: RealtimeResponseEvent): void {
    if (this.#closed) return
    const key = event.payload as object
    const entry = this.#pending.get(key)
    if (entry === undefined) this.#pending.set(key, { event, ids: [subscriptionId] })
    else if (!entry.ids.includes(subscriptionId)) entry.ids.push(subscriptionId)
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    void Promise.resolve().then(() => {
      this.#flushScheduled = false
      const entries = [...this.#pending.values()]
      this.#pending.clear()
      for (const { event: e, ids } of entries) {
        this.send({
          type: 'event',
          data: {
            events: e.events,
            channels: e.channels,
            timestamp: e.timestamp,
            payload: e.payload,
            subscriptions: ids,
          },
        })
      }
    })
  }
}

interface SubscribeItem {
  subscriptionId: string | undefined
  channels: string[]
  queries: string[]
}

const CUSTOM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/

/** `Validators/SubscribePayload.php`: a list of `{ subscriptionId?, channels, queries? }`. */
function validateSubscribe(data: unknown): SubscribeItem[] {
  const fail = (description: string) => formatInvalid(`items: ${description}`)
  if (!Array.isArray(data)) throw fail('Payload is not valid.')
  return data.map((payload: unknown) => {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      throw fail('Each subscribe payload must be an object.')
    const p = payload as Record<string, unknown>
    if (
      'subscriptionId' in p &&
      (typeof p.subscriptionId !== 'string' || !CUSTOM_ID.test(p.subscriptionId))
    )
      throw fail('subscriptionId is not a valid id.')
    if (!('channels' in p)) throw fail('channels is not present in payload.')
    if (!Array.isArray(p.channels)) throw fail('channels is not a valid array.')
    if (p.channels.some((channel) => typeof channel !== 'string'))
      throw fail('channels must contain only strings.')
    if ('queries' in p && !Array.isArray(p.queries)) throw fail('queries is not a valid array.')
    return {
      subscriptionId: p.subscriptionId as string | undefined,
      channels: p.channels as string[],
      queries: ((p.queries as unknown[] | undefined) ?? []).map((q) =>
        typeof q === 'string' ? q : JSON.stringify(q),
      ),
    }
  })
}

/** `Validators/UnsubscribePayload.php`: a list of `{ subscriptionId }`. */
function validateUnsubscribe(data: unknown): string[] {
  const fail = (description: string) => formatInvalid(`items: ${description}`)
  if (!Array.isArray(data)) throw fail('Payload is not valid.')
  return data.map((payload: unknown) => {
    const id =
      payload !== null && typeof payload === 'object' && !Array.isArray(payload)
        ? (payload as { subscriptionId?: unknown }).subscriptionId
        : undefined
    if (typeof id !== 'string' || id === '')
      throw fail('Each unsubscribe payload must include a non-empty subscriptionId.')
    return id
  })
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

/** 20 hex chars, like `ID.unique()`, for subscriptions sent without an id. */
function randomId(): string {
  let id = Date.now().toString(16)
  while (id.length < 20) id += Math.floor(Math.random() * 16).toString(16)
  return id.slice(0, 20)
}
