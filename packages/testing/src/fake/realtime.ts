import {
  GLOBAL_ROW_CHANNELS,
  formatRealtimeTimestamp,
  rowEventChannels,
  rowEventNames,
  rowEventTableChannels,
} from './channels'
import type { RealtimeDatabaseType, RowEventAction } from './channels'
import type { FakeClock, FakeTimerHandle } from './clock'
import { AppwriteException } from './errors'
import type { FaultInjector, RealtimeFaultTarget } from './faults'
import {
  COMPARISON_QUERY_METHODS,
  PAGING_QUERY_METHODS,
  RANGE_QUERY_METHODS,
  SPATIAL_QUERY_METHODS,
} from './queries'

/** A row as the fake's `tablesDB` returns it, which is what realtime events carry. */
export type RealtimeRow = Record<string, unknown>

/** One row change, as the data layer hands it to {@link RealtimeHub.publish}. */
export interface RealtimeRowEvent {
  /** What happened. `increment`/`decrement` publish `update`, as on the server. */
  action: RowEventAction
  /** Database id. */
  databaseId: string
  /** Table id (collection id). */
  tableId: string
  /** Row id (document id). */
  rowId: string
  /**
   * The row as `tablesDB` returns it: `$id`, `$sequence`, `$tableId`, `$databaseId`, `$createdAt`,
   * `$updatedAt`, `$permissions`, and the data. For a delete, the row as it was.
   */
  row: RealtimeRow
  /**
   * The API the write came through. The server's payload is the write's response model, so a
   * write through `databases` carries `$collectionId` where a `tablesDB` write carries `$tableId`
   * (github:appwrite/appwrite 1.9.6, `app/controllers/shared/api.php` sets the event payload from
   * the response; `Response/Model/Row.php` vs `Document.php`). Defaults to `'tablesDB'`.
   */
  api?: 'tablesDB' | 'databases'
  /** The database's type; decides which `events` names are listed. Defaults to `'tablesdb'`. */
  databaseType?: RealtimeDatabaseType
}

/**
 * What a realtime callback receives, field for field the `appwrite` SDK's `RealtimeResponseEvent`.
 */
export interface RealtimeResponseEvent<T = RealtimeRow> {
  /** Every event name of this change, most specific first (see `rowEventNames`). */
  events: string[]
  /** Every channel it was published on (see `rowEventChannels`), not only the ones subscribed to. */
  channels: string[]
  /** Server time of the event, e.g. `2026-01-01T09:30:00.000+00:00`. */
  timestamp: string
  /** The row. */
  payload: T
  /** The ids of this connection's subscriptions that matched the event. */
  subscriptions: string[]
}

/** A channel as a string or anything with a `toString()`, like the SDK's `Channel` builders. */
export type RealtimeChannelInput = string | { toString(): string }

/** A realtime query: a `Query.*` string (JSON) or anything with a `toString()`. */
export type RealtimeQueryInput = string | { toString(): string }

/** Changes for {@link FakeRealtimeSubscription.update}. */
export interface FakeRealtimeSubscriptionUpdate {
  /** New channels. Omit to keep them. */
  channels?: readonly RealtimeChannelInput[]
  /** New queries. Omit to keep them. */
  queries?: readonly (RealtimeQueryInput | readonly RealtimeQueryInput[])[]
}

/** What {@link FakeRealtime.subscribe} resolves to, shaped like the SDK's `RealtimeSubscription`. */
export interface FakeRealtimeSubscription {
  /** Removes this subscription only; the connection stays open. */
  unsubscribe(): Promise<void>
  /**
   * Sends new channels and/or queries for this subscription. As on the server (Appwrite 1.9.6,
   * `src/Appwrite/Messaging/Adapter/Realtime.php` `subscribe` only adds), channels dropped by an
   * update keep delivering to this subscription until the connection reconnects; to switch
   * channels reliably, unsubscribe and subscribe again.
   */
  update(changes: FakeRealtimeSubscriptionUpdate): Promise<void>
  /** `unsubscribe()`, then closes the connection (running `onClose` callbacks) if it was the last one. */
  close(): Promise<void>
}

/**
 * The fake's realtime connection, shaped like the `appwrite` web SDK's `Realtime` service
 * (`new Realtime(client)`): assignable to `Pick<Realtime, 'subscribe' | 'onOpen' | 'onClose' |
 * 'onError' | 'disconnect'>`. Each `FakeRealtime` is one WebSocket connection: it opens on the
 * first `subscribe`, and `onOpen`/`onClose` run when it opens, closes, or a
 * `faults.realtime.disconnect()` cuts it.
 */
export interface FakeRealtime {
  /**
   * Subscribes to one channel or several. The subscription is live as soon as this is called;
   * the promise resolves on a later microtask, after any `onOpen` callbacks. Events arrive
   * asynchronously, never inside the write that caused them.
   *
   * `queries` filter events per subscription on the server side: only `equal`, `notEqual`,
   * `lessThan`, `lessThanEqual`, `greaterThan`, `greaterThanEqual`, `isNull`, `isNotNull`, `and`,
   * `or` and `select("*")`. Any other query is refused as the server refuses it: the promise
   * still resolves, `onError` callbacks get an `AppwriteException` with the server's message and
   * code `1003`, and the subscription receives nothing.
   *
   * @example
   * ```ts
   * const sub = await fake.realtime.subscribe(
   *   'databases.main.tables.bookings.rows',
   *   (event) => seen.push(event.payload),
   *   [Query.equal('providerId', 'p1')],
   * )
   * await sub.close()
   * ```
   */
  subscribe<T = RealtimeRow>(
    channels: RealtimeChannelInput | readonly RealtimeChannelInput[],
    callback: (event: RealtimeResponseEvent<T>) => void,
    queries?: readonly (RealtimeQueryInput | readonly RealtimeQueryInput[])[],
  ): Promise<FakeRealtimeSubscription>
  /** Registers a callback for when the connection opens or reopens. */
  onOpen(callback: () => void): void
  /** Registers a callback for when the connection closes or is cut. */
  onClose(callback: () => void): void
  /** Registers a callback for server errors (e.g. a refused query), with the server's code. */
  onError(callback: (error?: Error, statusCode?: number) => void): void
  /** Drops every subscription of this connection and closes it. */
  disconnect(): Promise<void>
}

/**
 * Decides whether a viewer may see a row, for permission-aware realtime. `roles` are the
 * connection's roles (`any`, `users`, `user:ID`, `team:ID`…).
 */
export type RealtimeReadPredicate = (
  row: RealtimeRow,
  roles: readonly string[],
  event: RealtimeRowEvent,
) => boolean

/**
 * Who a connection acts as: role strings, a function read at each event (so a login can change
 * them), or `undefined` for a server / API-key connection that sees every row.
 */
export type RealtimeViewer = readonly string[] | (() => readonly string[] | undefined) | undefined

/** Options for {@link RealtimeHub.createRealtime}. */
export interface CreateRealtimeOptions {
  /** The connection's roles; see {@link RealtimeViewer}. Defaults to `undefined` (sees everything). */
  roles?: RealtimeViewer
}

/** Options for {@link RealtimeHub}. */
export interface RealtimeHubOptions {
  /** Source of time for event timestamps and delayed delivery. */
  clock: FakeClock
  /** The fault injector whose `realtime` rules and disconnects apply to this hub. */
  faults: FaultInjector
  /**
   * Row visibility for connections that have roles. Defaults to everyone seeing every row.
   * Replaceable later with {@link RealtimeHub.setReadPredicate}.
   */
  canRead?: RealtimeReadPredicate
  /**
   * Called with an error thrown by a subscriber's callback. Defaults to rethrowing it on a later
   * microtask, so the test runner reports it instead of it vanishing.
   */
  onCallbackError?: (error: unknown) => void
}

// ---------------------------------------------------------------------------------------------
// Realtime queries, as the server's RuntimeQuery evaluates them
// (github:appwrite/appwrite 1.9.6, `src/Appwrite/Utopia/Database/RuntimeQuery.php`, and
// `Realtime::convertQueries` in `src/Appwrite/Messaging/Adapter/Realtime.php`).
// ---------------------------------------------------------------------------------------------

const ALLOWED_METHODS = [
  ...COMPARISON_QUERY_METHODS,
  'isNull',
  'isNotNull',
  'and',
  'or',
  'select',
] as const

// Every method utopia-php/database's `Query::isMethod` knows: anything else is "Invalid query method".
const KNOWN_METHODS = new Set<string>([
  ...ALLOWED_METHODS,
  'contains',
  'notContains',
  'search',
  'notSearch',
  ...PAGING_QUERY_METHODS,
  ...RANGE_QUERY_METHODS,
  ...SPATIAL_QUERY_METHODS,
  'relationEqual',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'vectorDot',
  'vectorCosine',
  'vectorEuclidean',
])

type Condition =
  { op: 'and' | 'or'; conditions: Condition[] } | { op: string; attr: string; values: unknown[] }

/** A compiled subscription filter; `undefined` means "every event". */
type CompiledFilter = { conditions: Condition[]; attributes: string[]; hasOr: boolean } | undefined

/** The server's refusal of a subscribe message, as the `error` frame's `data`. */
class RealtimeRefusal extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message)
  }
}

interface ParsedQuery {
  method: string
  attribute: string
  values: unknown[]
}

const phpType = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'string') return 'string'
  return 'array'
}

// A PHP array is either a JSON array or a JSON object.
const isPhpArray = (value: unknown): value is Record<string, unknown> | unknown[] =>
  typeof value === 'object' && value !== null

// A TypeError on the server is no QueryException: it surfaces as a sanitized code-0 error.
const serverError = () => new RealtimeRefusal('Error: Server Error', 0)
const invalidQuery = (message: string) => new RealtimeRefusal(`Invalid query: ${message}`, 1003)

function parseQueryObject(raw: unknown): ParsedQuery {
  if (!isPhpArray(raw)) throw serverError()
  const object = raw as Record<string, unknown>
  const method = object['method'] ?? ''
  const attribute = object['attribute'] ?? ''
  const values = object['values'] ?? []
  if (typeof method !== 'string')
    throw invalidQuery(`Invalid query method. Must be a string, got ${phpType(method)}`)
  if (!KNOWN_METHODS.has(method)) throw invalidQuery(`Invalid query method: ${method}`)
  if (typeof attribute !== 'string')
    throw invalidQuery(`Invalid query attribute. Must be a string, got ${phpType(attribute)}`)
  if (!isPhpArray(values))
    throw invalidQuery(`Invalid query values. Must be an array, got ${phpType(values)}`)
  const list = Object.values(values)
  const nested = method === 'and' || method === 'or' || method.endsWith('Join')
  return { method, attribute, values: nested ? list.map(parseQueryObject) : list }
}

/**
 * Parses, validates and compiles a subscription's queries like the server's `convertQueries` +
 * `RuntimeQuery::compile`. Throws a {@link RealtimeRefusal} with the server's message and code.
 */
function compileQueries(queries: readonly string[]): CompiledFilter {
  const parsed = queries.map((text) => {
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      throw invalidQuery('Invalid query: Syntax error')
    }
    if (!isPhpArray(raw)) throw invalidQuery(`Invalid query. Must be an array, got ${phpType(raw)}`)
    return parseQueryObject(raw)
  })

  // The server walks the queries as a stack (last first), descending into and/or.
  const stack = parsed.slice()
  while (stack.length > 0) {
    const query = stack.pop() as ParsedQuery
    if (!(ALLOWED_METHODS as readonly string[]).includes(query.method))
      throw invalidQuery(
        `Query method '${query.method}' is not supported in Realtime queries. Allowed: ${ALLOWED_METHODS.join(', ')}`,
      )
    // Only select("*") is allowed; the server's InvalidArgumentException is not a QueryException.
    if (query.method === 'select' && !(query.values.length === 1 && query.values[0] === '*'))
      throw serverError()
    if (query.method === 'and' || query.method === 'or')
      stack.push(...(query.values as ParsedQuery[]))
  }

  if (parsed.length === 0) return undefined
  if (parsed.some((q) => q.method === 'select' && q.values.length === 1 && q.values[0] === '*'))
    return undefined

  const attributes = new Set<string>()
  let hasOr = false
  const compile = (query: ParsedQuery): Condition => {
    if (query.method === 'and' || query.method === 'or') {
      if (query.method === 'or') hasOr = true
      return { op: query.method, conditions: (query.values as ParsedQuery[]).map(compile) }
    }
    attributes.add(query.attribute)
    return { op: query.method, attr: query.attribute, values: query.values }
  }
  const conditions = parsed.map(compile)
  return { conditions, attributes: [...attributes], hasOr }
}

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/

// PHP's truthiness, for comparisons that involve a bool or null.
const phpBool = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== '0' && Boolean(v))

/** PHP 8's `<=>` for the scalar values a row holds; `NaN` when PHP would not order them. */
function phpCompare(a: unknown, b: unknown): number {
  const lexical = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)
  // null against a string compares as '' against it; otherwise null or a bool compares as bools.
  if (a === null && typeof b === 'string') return lexical('', b)
  if (b === null && typeof a === 'string') return lexical(a, '')
  if (a === null || b === null || typeof a === 'boolean' || typeof b === 'boolean')
    return Number(phpBool(a)) - Number(phpBool(b))
  const numeric = (v: unknown) =>
    typeof v === 'number' || (typeof v === 'string' && NUMERIC.test(v))
  if (numeric(a) && numeric(b)) return Number(a) - Number(b)
  // A number against a non-numeric string compares as strings (PHP 8).
  if (
    (typeof a === 'string' || typeof a === 'number') &&
    (typeof b === 'string' || typeof b === 'number')
  )
    return lexical(String(a), String(b))
  return Number.NaN
}

function evaluate(condition: Condition, payload: RealtimeRow): boolean {
  if (condition.op === 'and' || condition.op === 'or') {
    const { conditions } = condition as { conditions: Condition[] }
    return condition.op === 'and'
      ? conditions.every((c) => evaluate(c, payload))
      : conditions.some((c) => evaluate(c, payload))
  }
  const { attr, values } = condition as { attr: string; values: unknown[] }
  if (!Object.hasOwn(payload, attr)) return false
  const value = payload[attr]
  switch (condition.op) {
    case 'equal':
      return values.some((target) => value === target)
    case 'notEqual':
      return !values.some((target) => value === target)
    case 'lessThan':
      return values.some((target) => phpCompare(value, target) < 0)
    case 'lessThanEqual':
      return values.some((target) => phpCompare(value, target) <= 0)
    case 'greaterThan':
      return values.some((target) => phpCompare(value, target) > 0)
    case 'greaterThanEqual':
      return values.some((target) => phpCompare(value, target) >= 0)
    case 'isNull':
      return value === null
    case 'isNotNull':
      return value !== null
    default:
      return false
  }
}

function passes(filter: CompiledFilter, payload: RealtimeRow): boolean {
  if (filter === undefined) return true
  // Without an `or`, a payload missing any queried attribute cannot match (the server's fast reject).
  if (!filter.hasOr && filter.attributes.some((attr) => !Object.hasOwn(payload, attr))) return false
  return filter.conditions.every((condition) => evaluate(condition, payload))
}

/**
 * A subscription's queries as a test on an event's payload, for the events the emulator sends
 * without the hub (account, teams): the server filters every event through `getSubscribers`.
 * Queries the server refuses match nothing (subscribing refuses them first).
 *
 * @internal
 */
export function realtimeQueryFilter(queries: readonly string[]): (payload: RealtimeRow) => boolean {
  let filter: CompiledFilter
  try {
    filter = compileQueries(queries)
  } catch (error) {
    if (error instanceof RealtimeRefusal) return () => false
    throw error
  }
  return (payload) => passes(filter, payload)
}

// ---------------------------------------------------------------------------------------------
// Connections and subscriptions
// ---------------------------------------------------------------------------------------------

interface Subscription {
  readonly id: string
  readonly connection: Connection
  readonly callback: (event: RealtimeResponseEvent<never>) => void
  /** Client-side channels and queries, resent whenever the connection (re)opens. */
  channels: string[]
  queries: string[]
  active: boolean
  /** Channels the "server" currently holds for this subscription. */
  readonly registered: Set<string>
}

type Delivery = ReadonlyArray<readonly [Connection, readonly Subscription[]]>

const toChannelStrings = (
  channels: RealtimeChannelInput | readonly RealtimeChannelInput[],
): string[] =>
  (Array.isArray(channels)
    ? (channels as readonly RealtimeChannelInput[])
    : [channels as RealtimeChannelInput]
  ).map(String)

// The SDK flattens one level of nesting: [[q1, q2]] is [q1, q2].
const toQueryStrings = (
  queries: readonly (RealtimeQueryInput | readonly RealtimeQueryInput[])[] | undefined,
) =>
  (queries ?? []).flatMap((q) =>
    Array.isArray(q) ? (q as readonly RealtimeQueryInput[]).map(String) : [String(q)],
  )

const later = (fn: () => void) => {
  // A resolved promise, not queueMicrotask: fake-timer libraries can be told to fake the latter.
  void Promise.resolve().then(fn)
}

class Connection implements FakeRealtime {
  readonly subscriptions = new Map<string, Subscription>()
  /** Whether the client holds an open socket (it opens on the first subscribe). */
  socketOpen = false
  /** Bumped on every (re)open, so messages in flight on an older socket are lost. */
  session = 0
  readonly #hub: HubCore
  readonly #viewer: RealtimeViewer
  readonly #legacy: boolean
  readonly #onOpen: Array<() => void> = []
  readonly #onClose: Array<() => void> = []
  readonly #onError: Array<(error?: Error, statusCode?: number) => void> = []

  constructor(hub: HubCore, viewer: RealtimeViewer, legacy: boolean) {
    this.#hub = hub
    this.#viewer = viewer
    this.#legacy = legacy
  }

  get legacy(): boolean {
    return this.#legacy
  }

  roles(): readonly string[] | undefined {
    return typeof this.#viewer === 'function' ? this.#viewer() : this.#viewer
  }

  /** Open, and not cut by a fault: the server holds its subscriptions. */
  get live(): boolean {
    return this.socketOpen && !this.#hub.isDown(this)
  }

  subscribe<T = RealtimeRow>(
    channels: RealtimeChannelInput | readonly RealtimeChannelInput[],
    callback: (event: RealtimeResponseEvent<T>) => void,
    queries?: readonly (RealtimeQueryInput | readonly RealtimeQueryInput[])[],
  ): Promise<FakeRealtimeSubscription> {
    const sub = this.add(toChannelStrings(channels), callback, toQueryStrings(queries))
    return new Promise((resolve) => later(() => resolve(this.#handle(sub))))
  }

  /** Creates a subscription; opens the socket if needed and registers it when live. */
  add<T>(
    channels: string[],
    callback: (event: RealtimeResponseEvent<T>) => void,
    queries: string[],
  ): Subscription {
    const sub: Subscription = {
      id: this.#hub.nextId(),
      connection: this,
      callback: callback as (event: RealtimeResponseEvent<never>) => void,
      channels,
      queries,
      active: true,
      registered: new Set(),
    }
    this.subscriptions.set(sub.id, sub)
    if (!this.socketOpen) {
      this.socketOpen = true
      this.session++
      this.#hub.track(this)
      if (!this.#hub.isDown(this)) this.fire('open')
    }
    if (this.live) this.#hub.register(sub)
    return sub
  }

  remove(sub: Subscription): void {
    if (!sub.active) return
    sub.active = false
    this.subscriptions.delete(sub.id)
    this.#hub.unregister(sub)
  }

  #handle(sub: Subscription): FakeRealtimeSubscription {
    return {
      unsubscribe: async () => this.remove(sub),
      update: async (changes) => {
        if (!sub.active) return
        if (changes.channels !== undefined) sub.channels = toChannelStrings(changes.channels)
        if (changes.queries !== undefined) sub.queries = toQueryStrings(changes.queries)
        if (this.live) this.#hub.register(sub)
      },
      close: async () => {
        this.remove(sub)
        if (this.subscriptions.size === 0) this.closeSocket()
      },
    }
  }

  closeSocket(): void {
    if (!this.socketOpen) return
    this.socketOpen = false
    this.#hub.untrack(this)
    if (!this.#hub.isDown(this)) this.fire('close')
  }

  onOpen(callback: () => void): void {
    this.#onOpen.push(callback)
  }

  onClose(callback: () => void): void {
    this.#onClose.push(callback)
  }

  onError(callback: (error?: Error, statusCode?: number) => void): void {
    this.#onError.push(callback)
  }

  async disconnect(): Promise<void> {
    for (const sub of [...this.subscriptions.values()]) this.remove(sub)
    this.closeSocket()
  }

  /** Runs lifecycle callbacks asynchronously, as socket events arrive. */
  fire(kind: 'open' | 'close'): void {
    const callbacks = kind === 'open' ? this.#onOpen : this.#onClose
    const epoch = this.#hub.epoch()
    later(() => {
      if (epoch !== this.#hub.epoch()) return
      for (const callback of callbacks.slice()) this.#hub.guard(() => callback())
    })
  }

  /** Reports a refused subscribe the way each SDK surfaces an `error` frame. */
  refuse(refusal: RealtimeRefusal): void {
    const epoch = this.#hub.epoch()
    later(() => {
      if (epoch !== this.#hub.epoch()) return
      if (this.#legacy) {
        // The legacy `client.subscribe` throws the frame's data inside its handler, which logs it.
        console.error({ code: refusal.code, message: refusal.message })
        return
      }
      const error = new AppwriteException(refusal.message)
      for (const callback of this.#onError.slice())
        this.#hub.guard(() => callback(error, refusal.code))
    })
  }
}

/** The hub's internals that connections call back into. */
interface HubCore {
  epoch(): number
  nextId(): string
  isDown(connection: Connection): boolean
  register(sub: Subscription): void
  unregister(sub: Subscription): void
  guard(fn: () => void): void
  /** The connection opened its socket: the hub holds it until it closes. */
  track(connection: Connection): void
  /** The connection closed its socket: the hub lets go of it (it may open again later). */
  untrack(connection: Connection): void
}

/**
 * The fake's realtime server: connections subscribe to channels, the data layer publishes row
 * events, and each event reaches the matching subscriptions asynchronously, with the channels,
 * event names, timestamp and payload an Appwrite 1.9 server sends. Matching goes through an index
 * by channel, so subscribers on other channels cost nothing per event.
 *
 * Faults from the {@link FaultInjector} apply to every event that has at least one recipient:
 * `drop`, `delay` and `duplicate` rules, and `disconnect` outages during which events are lost.
 *
 * @example
 * ```ts
 * const clock = createManualClock()
 * const faults = new FaultInjector({ clock })
 * const hub = new RealtimeHub({ clock, faults })
 * const realtime = hub.createRealtime()
 * await realtime.subscribe('databases.main.tables.bookings.rows', (event) => console.log(event.payload))
 * hub.publish({ action: 'create', databaseId: 'main', tableId: 'bookings', rowId: 'b1', row })
 * ```
 */
export class RealtimeHub {
  readonly #clock: FakeClock
  readonly #faults: FaultInjector
  #canRead: RealtimeReadPredicate | undefined
  readonly #onCallbackError: (error: unknown) => void
  /** channel → (subscription → its compiled filter for that channel). */
  readonly #index = new Map<string, Map<Subscription, CompiledFilter>>()
  /**
   * A pre-filter over the index: how many indexed channels could be each table-level channel
   * plus a tail, and how many are global (`rows`, `documents`…). Lets `publish` turn away an
   * event with three lookups instead of building all sixteen channel names.
   */
  readonly #tableChannels = new Map<string, number>()
  #globalChannels = 0
  /**
   * Connections with an open socket (the legacy one always): a closed one is let go, so a
   * long-running emulator does not keep every WebSocket it ever served.
   */
  readonly #connections = new Set<Connection>()
  /** Every connection this hub made, for `faults.realtime.disconnect({ realtime })`. */
  readonly #made = new WeakSet<Connection>()
  readonly #legacy: Connection
  /** Active outages: id → the connection cut, or `undefined` for all of them. */
  readonly #outages = new Map<string, Connection | undefined>()
  readonly #timers = new Set<FakeTimerHandle>()
  #epoch = 0
  #ids = 0
  readonly #core: HubCore
  /** Listeners of every row event (see `onRowEvent`). */
  readonly #rowListeners = new Set<(event: RealtimeRowEvent, payload: RealtimeRow) => void>()

  constructor(options: RealtimeHubOptions) {
    this.#clock = options.clock
    this.#faults = options.faults
    this.#canRead = options.canRead
    this.#onCallbackError =
      options.onCallbackError ??
      ((error) =>
        later(() => {
          throw error
        }))
    this.#core = {
      epoch: () => this.#epoch,
      nextId: () => (++this.#ids).toString(16).padStart(20, '0'),
      isDown: (connection) => this.#isDown(connection),
      register: (sub) => this.#register(sub),
      unregister: (sub) => this.#unregister(sub),
      guard: (fn) => this.#guard(fn),
      track: (connection) => void this.#connections.add(connection),
      untrack: (connection) => {
        if (connection !== this.#legacy) this.#connections.delete(connection)
      },
    }
    this.#legacy = new Connection(this.#core, undefined, true)
    this.#connections.add(this.#legacy)
    const target: RealtimeFaultTarget = {
      startOutage: (id, connection) => this.#startOutage(id, connection),
      endOutage: (id) => this.#endOutage(id),
    }
    this.#faults.attachRealtime(target)
  }

  /**
   * Opens a new connection, shaped like `new Realtime(client)` from the `appwrite` SDK.
   *
   * @example
   * ```ts
   * const realtime = hub.createRealtime({ roles: ['any', 'users', 'user:provider-1'] })
   * realtime.onClose(() => console.log('realtime lost'))
   * ```
   */
  createRealtime(options: CreateRealtimeOptions = {}): FakeRealtime {
    const connection = new Connection(this.#core, options.roles, false)
    this.#made.add(connection)
    return connection
  }

  /**
   * The deprecated `client.subscribe(channels, callback, queries?)`: subscribes on the hub's
   * shared legacy connection and returns a function that unsubscribes. The callback receives the
   * same event object for every subscription it matched.
   *
   * @example
   * ```ts
   * const unsubscribe = hub.subscribeLegacy(['databases.main.tables.bookings.rows'], (event) => {})
   * unsubscribe()
   * ```
   */
  subscribeLegacy<T = RealtimeRow>(
    channels: RealtimeChannelInput | readonly RealtimeChannelInput[],
    callback: (event: RealtimeResponseEvent<T>) => void,
    queries?: readonly (RealtimeQueryInput | readonly RealtimeQueryInput[])[],
  ): () => void {
    const sub = this.#legacy.add(toChannelStrings(channels), callback, toQueryStrings(queries))
    return () => {
      this.#legacy.remove(sub)
      if (this.#legacy.subscriptions.size === 0) this.#legacy.closeSocket()
    }
  }

  /** Sets (or, with `undefined`, removes) the row-visibility rule for connections with roles. */
  setReadPredicate(predicate: RealtimeReadPredicate | undefined): void {
    this.#canRead = predicate
  }

  /** Connections with an open socket (plus the shared legacy one), for tests and debugging. */
  get connectionCount(): number {
    return this.#connections.size
  }

  /** Live subscriptions the "server" holds (across all connections), for tests and debugging. */
  get subscriptionCount(): number {
    let count = 0
    for (const connection of this.#connections)
      for (const sub of connection.subscriptions.values()) if (sub.registered.size > 0) count++
    return count
  }

  /**
   * Whether any live subscription could receive an event of this table (or a Function listens to
   * row events). Lets a writer skip building the event (e.g. the row model) when nobody listens;
   * `publish` checks this itself.
   */
  isListening(databaseId: string, tableId: string): boolean {
    return this.#rowListeners.size > 0 || this.#subscribed(databaseId, tableId)
  }

  #subscribed(databaseId: string, tableId: string): boolean {
    if (this.#index.size === 0) return false
    if (this.#globalChannels > 0) return true
    const [documents, rows, tablesdb] = rowEventTableChannels(databaseId, tableId)
    const prefixes = this.#tableChannels
    return prefixes.has(documents) || prefixes.has(rows) || prefixes.has(tablesdb)
  }

  /**
   * Publishes one row event. Never calls a subscriber synchronously: matching happens now (so the
   * subscribers of the moment of the write receive it), delivery on a later microtask, or later
   * on the clock when a `delay` fault applies.
   */
  publish(event: RealtimeRowEvent): void {
    let payload: RealtimeRow | undefined
    for (const listener of this.#rowListeners) listener(event, (payload ??= toPayload(event)))
    if (!this.#subscribed(event.databaseId, event.tableId)) return
    const channels = rowEventChannels(event)
    payload ??= toPayload(event)
    const delivery = this.#match(event, channels, payload)
    if (delivery === undefined) return

    const decision = this.#faults.decideRealtime(event, channels)
    if (decision?.drop) return

    const wire = JSON.stringify({
      events: rowEventNames(event),
      channels,
      timestamp: formatRealtimeTimestamp(this.#clock.now()),
      payload,
    })
    const sessions = delivery.map(([connection]) => connection.session)
    const epoch = this.#epoch
    const send = () => this.#deliver(epoch, delivery, sessions, wire)
    const delayMs = decision?.delayMs ?? 0
    for (let copy = 0; copy <= (decision?.copies ?? 0); copy++) {
      if (delayMs > 0) {
        const handle = this.#clock.setTimeout(() => {
          this.#timers.delete(handle)
          send()
        }, delayMs)
        this.#timers.add(handle)
      } else {
        later(send)
      }
    }
  }

  /**
   * Calls `listener` with every row event published, and the payload subscribers receive, before
   * any subscriber is matched (the Functions' event triggers). Returns the unsubscribe function.
   *
   * @internal
   */
  onRowEvent(listener: (event: RealtimeRowEvent, payload: RealtimeRow) => void): () => void {
    this.#rowListeners.add(listener)
    return () => this.#rowListeners.delete(listener)
  }

  /**
   * Publishes an event of another service than the databases (the emulator's storage files): to
   * the subscriptions on one of `channels` whose connection holds one of `readers` (connections
   * without roles, the API key's, receive every event), on a later microtask. Realtime faults
   * (`drop`, `delay`, `duplicate`) apply to row events only.
   *
   * @internal
   */
  publishResource(event: {
    readonly channels: readonly string[]
    readonly events: readonly string[]
    readonly payload: RealtimeRow
    readonly readers: readonly string[]
  }): void {
    if (this.#index.size === 0) return
    let byConnection: Map<Connection, Subscription[]> | undefined
    const seen = new Set<Subscription>()
    for (const channel of event.channels) {
      for (const [sub, filter] of this.#index.get(channel) ?? []) {
        if (seen.has(sub) || !passes(filter, event.payload)) continue
        const roles = sub.connection.roles()
        if (roles !== undefined && !event.readers.some((role) => roles.includes(role))) continue
        seen.add(sub)
        byConnection ??= new Map()
        const list = byConnection.get(sub.connection)
        if (list === undefined) byConnection.set(sub.connection, [sub])
        else list.push(sub)
      }
    }
    if (byConnection === undefined) return
    const delivery: Delivery = [...byConnection]
    const wire = JSON.stringify({
      events: event.events,
      channels: event.channels,
      timestamp: formatRealtimeTimestamp(this.#clock.now()),
      payload: event.payload,
    })
    const sessions = delivery.map(([connection]) => connection.session)
    const epoch = this.#epoch
    later(() => this.#deliver(epoch, delivery, sessions, wire))
  }

  /**
   * Drops every subscription and cancels events in flight, without running any callback.
   * `FakeRealtime` objects stay usable (they reopen on the next `subscribe`) and keep their
   * `onOpen`/`onClose`/`onError` callbacks. Outages belong to the fault injector: end them with
   * `faults.clear()` / `faults.reset()`.
   */
  reset(): void {
    this.#epoch++
    for (const handle of this.#timers) this.#clock.clearTimeout(handle)
    this.#timers.clear()
    this.#index.clear()
    this.#tableChannels.clear()
    this.#globalChannels = 0
    for (const connection of this.#connections) {
      for (const sub of connection.subscriptions.values()) {
        sub.active = false
        sub.registered.clear()
      }
      connection.subscriptions.clear()
      connection.socketOpen = false
    }
    this.#connections.clear()
    this.#connections.add(this.#legacy)
  }

  #match(
    event: RealtimeRowEvent,
    channels: readonly string[],
    payload: RealtimeRow,
  ): Delivery | undefined {
    let byConnection: Map<Connection, Subscription[]> | undefined
    let seen: Set<Subscription> | undefined
    let visible: Map<Connection, boolean> | undefined
    for (const channel of channels) {
      const subs = this.#index.get(channel)
      if (subs === undefined) continue
      for (const [sub, filter] of subs) {
        if (seen?.has(sub) || !passes(filter, payload)) continue
        const connection = sub.connection
        let allowed = visible?.get(connection)
        if (allowed === undefined) {
          allowed = this.#visible(connection, payload, event)
          ;(visible ??= new Map()).set(connection, allowed)
        }
        if (!allowed) continue
        ;(seen ??= new Set()).add(sub)
        byConnection ??= new Map()
        const list = byConnection.get(connection)
        if (list === undefined) byConnection.set(connection, [sub])
        else list.push(sub)
      }
    }
    return byConnection === undefined ? undefined : [...byConnection]
  }

  #visible(connection: Connection, payload: RealtimeRow, event: RealtimeRowEvent): boolean {
    if (this.#canRead === undefined) return true
    const roles = connection.roles()
    return roles === undefined || this.#canRead(payload, roles, event)
  }

  #deliver(epoch: number, delivery: Delivery, sessions: readonly number[], wire: string): void {
    if (epoch !== this.#epoch) return
    delivery.forEach(([connection, subs], i) => {
      // A message in flight when its socket closed never arrives.
      if (!connection.live || connection.session !== sessions[i]) return
      const data = JSON.parse(wire) as RealtimeResponseEvent<never>
      data.subscriptions = subs.map((sub) => sub.id)
      for (const sub of subs) {
        if (!sub.active) continue
        if (connection.legacy) this.#guard(() => sub.callback(data))
        else
          this.#guard(() =>
            sub.callback({
              events: data.events,
              channels: data.channels,
              timestamp: data.timestamp,
              payload: data.payload,
              subscriptions: data.subscriptions,
            }),
          )
      }
    })
  }

  #guard(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.#onCallbackError(error)
    }
  }

  /** Sends a subscription's channels and queries to the "server", like a subscribe message. */
  #register(sub: Subscription): void {
    let filter: CompiledFilter
    try {
      filter = compileQueries(sub.queries)
    } catch (error) {
      if (!(error instanceof RealtimeRefusal)) throw error
      sub.connection.refuse(error)
      return
    }
    for (const channel of sub.channels) {
      let subs = this.#index.get(channel)
      if (subs === undefined) {
        this.#index.set(channel, (subs = new Map()))
        this.#countChannel(channel, 1)
      }
      subs.set(sub, filter)
      sub.registered.add(channel)
    }
  }

  #unregister(sub: Subscription): void {
    for (const channel of sub.registered) {
      const subs = this.#index.get(channel)
      if (subs === undefined) continue
      subs.delete(sub)
      if (subs.size === 0) {
        this.#index.delete(channel)
        this.#countChannel(channel, -1)
      }
    }
    sub.registered.clear()
  }

  /**
   * Keeps the pre-filter in step with the index. A channel counts under every prefix that ends
   * in a `documents`/`rows` segment, since ids may themselves contain dots; extra prefixes only
   * cost a map entry, a missing one would lose events.
   */
  #countChannel(channel: string, delta: 1 | -1): void {
    if (GLOBAL_ROW_CHANNELS.has(channel)) this.#globalChannels += delta
    for (let end = channel.indexOf('.'); ; end = channel.indexOf('.', end + 1)) {
      const prefix = end === -1 ? channel : channel.slice(0, end)
      if (prefix.endsWith('.documents') || prefix.endsWith('.rows')) {
        const count = (this.#tableChannels.get(prefix) ?? 0) + delta
        if (count === 0) this.#tableChannels.delete(prefix)
        else this.#tableChannels.set(prefix, count)
      }
      if (end === -1) return
    }
  }

  #isDown(connection: Connection): boolean {
    if (this.#outages.size === 0) return false
    for (const target of this.#outages.values())
      if (target === undefined || target === connection) return true
    return false
  }

  #startOutage(id: string, target: object | undefined): void {
    let connection: Connection | undefined
    if (target !== undefined) {
      if (!(target instanceof Connection) || !this.#made.has(target))
        throw new Error(
          'faults.realtime.disconnect({ realtime }) needs a FakeRealtime created by this fake',
        )
      connection = target
    }
    const wasLive = [...this.#connections].filter((c) => c.live)
    this.#outages.set(id, connection)
    for (const c of wasLive) {
      if (c.live) continue
      // The server forgets a closed connection's subscriptions; the client resends them on reconnect.
      for (const sub of c.subscriptions.values()) this.#unregister(sub)
      c.fire('close')
    }
  }

  #endOutage(id: string): void {
    if (!this.#outages.has(id)) return
    const wasDown = [...this.#connections].filter((c) => c.socketOpen && !c.live)
    this.#outages.delete(id)
    for (const c of wasDown) {
      if (!c.live) continue
      if (c.subscriptions.size === 0) {
        // The SDK does not reopen a socket that has nothing to subscribe.
        c.socketOpen = false
        this.#core.untrack(c)
        continue
      }
      c.session++
      for (const sub of c.subscriptions.values()) this.#register(sub)
      c.fire('open')
    }
  }
}

/** The payload the server sends: the write's response model (`$collectionId` on the Databases API). */
function toPayload(event: RealtimeRowEvent): RealtimeRow {
  const row = event.row
  if (event.api !== 'databases' || !Object.hasOwn(row, '$tableId')) return row
  const payload: RealtimeRow = {}
  for (const key of Object.keys(row)) payload[key === '$tableId' ? '$collectionId' : key] = row[key]
  return payload
}
