import { FakeAccount } from './account'
import type { AccountAuth } from './account'
import { AccountStore } from './accounts'
import { rowEventNames } from './channels'
import type { OutboxFilter, OutboxMessage } from './tokens'
import type { AccountCaller } from './accounts'
import { FakeTablesDBAdmin } from './admin'
import { systemFakeClock } from './clock'
import type { FakeClock } from './clock'
import { FakeDatabases } from './databases'
import { DataEngine } from './engine'
import { FaultInjector } from './faults'
import { FakeFunctions, FunctionsHub } from './functions'
import type { FunctionRegistration } from './functions'
import { createIdGenerator } from './ids'
import { createRealtimeReadPredicate, resolveIdentity } from './permissions'
import type { FakeIdentity } from './permissions'
import { RealtimeHub } from './realtime'
import type {
  FakeRealtime,
  RealtimeChannelInput,
  RealtimeQueryInput,
  RealtimeResponseEvent,
  RealtimeRow,
} from './realtime'
import { SchemaRegistry } from './schema'
import { createMemoryStorage } from './store'
import type { MemoryStorage } from './store'
import { FakeTablesDB } from './tablesDB'
import { TransactionManager } from './transactions'
import type { FakeUsers } from './users'
import type { DatabaseDefinition, FakeSnapshot } from './types'
import { toServerDatetime } from './validation'

/** Options for {@link createFakeAppwrite}. */
export interface FakeAppwriteOptions {
  /**
   * Databases to declare, with their tables and columns. A database with `tables` has exactly
   * those tables (others fail with `table_not_found` / `collection_not_found`); a table with
   * `columns` validates writes like the server. Everything undeclared is schemaless.
   * Defaults to `{}`: every database and table exists and accepts any data.
   */
  databases?: Record<string, DatabaseDefinition>
  /**
   * When `true`, a database that is not declared in `databases` fails with `database_not_found`.
   * Defaults to `false`.
   */
  strict?: boolean
  /**
   * Source of time for `$createdAt`/`$updatedAt`, fault latency and realtime timestamps.
   * Defaults to `systemFakeClock`, which follows `vi.useFakeTimers()`.
   */
  clock?: FakeClock
  /**
   * Seed of the ids the fake picks for `rowId: 'unique()'` (20 hex chars each). The same seed gives
   * the same ids, also after `reset()`. Defaults to a random seed.
   */
  seed?: number | string
  /**
   * Function handlers by function id, for `functions.createExecution`: a handler
   * (`({ req, res, log, error }) => res.json(…)`) or `{ handler | load, schedule?, timeout?, execute?, … }`.
   * Defaults to none (every function id answers `function_not_found`).
   */
  functions?: Record<string, FunctionRegistration>
  /**
   * How many entries `faults.log` keeps (the newest); `faults.counts` counts every fault.
   * Defaults to `1_000`.
   */
  faultLogSize?: number
}

/** What the fake's `client` remembers of its `set…` calls, like the SDK's `client.config`. */
export interface FakeClientConfig {
  /** Defaults to `'https://cloud.appwrite.io/v1'`, the SDK's default. */
  endpoint: string
  /** Defaults to `''`. */
  endpointRealtime: string
  /** Defaults to `''`. */
  project: string
  /** Server API key (node-appwrite). Defaults to `''`. */
  key: string
  /** Defaults to `''`. */
  jwt: string
  /** Defaults to `''`. */
  session: string
  /** Defaults to `''`. */
  locale: string
}

/**
 * A stand-in for the SDK's `Client`: chainable setters that record their values, and the
 * deprecated `client.subscribe` on the fake's realtime.
 */
export interface FakeClient {
  /** The values set so far. */
  readonly config: FakeClientConfig
  /** Records the endpoint. */
  setEndpoint(endpoint: string): this
  /** Records the realtime endpoint. */
  setEndpointRealtime(endpoint: string): this
  /** Records the project id. */
  setProject(project: string): this
  /** Records the API key (node-appwrite). */
  setKey(key: string): this
  /** Records the JWT. */
  setJWT(jwt: string): this
  /** Records the session. */
  setSession(session: string): this
  /** Records the locale. */
  setLocale(locale: string): this
  /**
   * The deprecated `client.subscribe(channels, callback, queries?)`: subscribes on the fake's
   * realtime and returns a function that unsubscribes.
   */
  subscribe<T = RealtimeRow>(
    channels: RealtimeChannelInput | readonly RealtimeChannelInput[],
    callback: (event: RealtimeResponseEvent<T>) => void,
    queries?: readonly (RealtimeQueryInput | readonly RealtimeQueryInput[])[],
  ): () => void
}

/**
 * The services as one caller sees them: what `fake.as(identity)` returns. They share the fake's
 * storage, transactions, realtime hub and faults.
 */
export interface FakeAppwriteSession {
  /** `tablesDB` acting as the identity: permissions enforced. */
  readonly tablesDB: FakeTablesDB
  /** `databases` acting as the identity. */
  readonly databases: FakeDatabases
  /** A new realtime connection of the identity: it receives events of rows it may read only. */
  readonly realtime: FakeRealtime
  /** `account` as the identity: `get()`, `getPrefs()`, … of its user (created on first use when unknown). */
  readonly account: FakeAccount
  /** `functions` executed as the identity (`x-appwrite-user-id` is its user). */
  readonly functions: FakeFunctions
  /**
   * The roles the server would hold for the identity, in its order, e.g.
   * `['any', 'users', 'user:alice', 'user:alice/unverified', 'users/unverified']`.
   */
  readonly roles: readonly string[]
}

/** An in-memory Appwrite: SDK-shaped services on shared storage, realtime and fault injection. */
export interface FakeAppwrite {
  /** Shaped like `appwrite@27`'s `TablesDB` (plus node-appwrite's bulk methods). */
  readonly tablesDB: FakeTablesDB
  /** Shaped like the legacy `Databases`, on the same storage as `tablesDB`. */
  readonly databases: FakeDatabases
  /** Shaped like `new Realtime(client)`. */
  readonly realtime: FakeRealtime
  /** Shaped like the SDK's `Client`. */
  readonly client: FakeClient
  /**
   * Shaped like the `appwrite` SDK's `Account`, as one browser client: it starts as a guest and
   * keeps the session it creates (as a browser keeps its cookie) until `deleteSession('current')`.
   * Act on data as the signed-in user with `fake.as({ userId: (await fake.account.get()).$id })`.
   */
  readonly account: FakeAccount
  /**
   * Shaped like node-appwrite's `Users` (API key): create, list, update users, sessions and JWTs
   * for them. Needs the account features (`installAccountFeatures(fake)` from
   * `@booking-guard/testing/accounts`; the emulator installs them itself): without them, each of
   * its methods rejects with an error that says so (reading `fake.users` never throws).
   */
  readonly users: FakeUsers
  /**
   * Shaped like the SDKs' `Functions` executions, as an API key, over the handlers given in
   * `functions` (or `fake.functions.register(id, handler)`).
   */
  readonly functions: FakeFunctions
  /** Fails, delays or hangs calls, and drops, delays, duplicates or cuts realtime events. */
  readonly faults: FaultInjector
  /** The clock the fake reads. */
  readonly clock: FakeClock
  /**
   * Schema management: node-appwrite's `TablesDB` management methods (`create`,
   * `createTable`, `createStringColumn`, `createIndex`, `listColumns`, …) on the fake's schema, plus
   * test hooks (`setColumnStatus`, `setIndexStatus`, `pauseWorker`, `resumeWorker`).
   * `reset()` restores the schema of `databases`.
   */
  readonly admin: FakeTablesDBAdmin
  /**
   * The services acting as a user (or a guest) instead of an API key: table-level create and
   * row-level read / update / delete permissions apply as on the server, list calls return the
   * rows the user may read, and the realtime connection only receives those rows' events. The
   * top-level `tablesDB` / `databases` / `realtime` act as an API key and bypass permissions.
   *
   * @example
   * ```ts
   * import { Permission, Role } from 'appwrite'
   *
   * const fake = createFakeAppwrite()
   * const alice = fake.as('user:alice')
   * // No `permissions`: alice gets read/update/delete on her row, as the server gives its creator.
   * await alice.tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', data: { status: 'pending' } })
   * await fake.as('user:bob').tablesDB.getRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1' }) // row_not_found
   * const provider = fake.as({ userId: 'p1', verified: true, teams: { providers: ['owner'] }, labels: ['vip'] })
   * await provider.realtime.subscribe('databases.main.tables.bookings.rows', (event) => {})
   * fake.as('guest') // roles: any, guests
   * fake.as({ roles: ['any', 'users', 'user:carol', 'team:t1/admin'] })
   * ```
   */
  as(identity: FakeIdentity): FakeAppwriteSession
  /**
   * Plain JSON of every table (declared, or written to since the last reset):
   * `{ [databaseId]: { [tableId]: rows as tablesDB returns them, by $sequence } }`.
   */
  snapshot(): FakeSnapshot
  /**
   * The emails `account` "sent" (verification, recovery, magic URL, email OTP), oldest first,
   * filtered by `email`, `userId` or `kind`, each with the token's `secret` and the email's `url`.
   * The email flows need `installAccountFeatures(fake)` (`@booking-guard/testing/accounts`);
   * without it the outbox stays empty.
   */
  outbox(filter?: OutboxFilter): OutboxMessage[]
  /**
   * Empties storage and `$sequence` counters, restarts `unique()` ids from the seed, drops every
   * realtime subscription and every fault rule (and the fault log). Declared schemas stay.
   */
  reset(): void
}

function createClient(hub: RealtimeHub): FakeClient {
  const config: FakeClientConfig = {
    endpoint: 'https://cloud.appwrite.io/v1',
    endpointRealtime: '',
    project: '',
    key: '',
    jwt: '',
    session: '',
    locale: '',
  }
  // Each setter records its value and returns the client, for chaining like the SDK's.
  const set = (key: keyof FakeClientConfig) =>
    function (this: FakeClient, value: string) {
      config[key] = value
      return this
    }
  const client: FakeClient = {
    config,
    setEndpoint: set('endpoint'),
    setEndpointRealtime: set('endpointRealtime'),
    setProject: set('project'),
    setKey: set('key'),
    setJWT: set('jwt'),
    setSession: set('session'),
    setLocale: set('locale'),
    subscribe: (channels, callback, queries) => hub.subscribeLegacy(channels, callback, queries),
  }
  return client
}

/**
 * Creates an in-memory Appwrite whose `tablesDB`, `databases`, `realtime` and `client` can stand in
 * for the real SDK objects in tests.
 *
 * @example
 * ```ts
 * import { Query } from 'appwrite'
 * import { createFakeAppwrite } from '@booking-guard/testing'
 *
 * const fake = createFakeAppwrite({
 *   seed: 1,
 *   databases: {
 *     main: {
 *       tables: {
 *         bookings: {
 *           columns: [
 *             { key: 'customerId', type: 'string', size: 36, required: true },
 *             { key: 'status', type: 'enum', elements: ['pending', 'accepted'], required: true },
 *           ],
 *         },
 *       },
 *     },
 *   },
 * })
 * await fake.tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId: 'unique()', data: { customerId: 'c1', status: 'pending' } })
 * const { total } = await fake.tablesDB.listRows({ databaseId: 'main', tableId: 'bookings', queries: [Query.equal('status', 'pending')] })
 * ```
 */
export function createFakeAppwrite(options: FakeAppwriteOptions = {}): FakeAppwrite {
  const clock = options.clock ?? systemFakeClock
  const faults = new FaultInjector({
    clock,
    ...(options.faultLogSize === undefined ? {} : { logSize: options.faultLogSize }),
  })
  const hub = new RealtimeHub({ clock, faults })
  const schema = new SchemaRegistry({
    databases: options.databases,
    strict: options.strict,
    now: () => toServerDatetime(clock.now()),
  })
  // Shared with `admin` (schema management), which drops or renames stored values.
  const storage = createMemoryStorage()
  const engine = new DataEngine({
    storage,
    schema,
    clock,
    ids: createIdGenerator({ seed: options.seed }),
    events: hub,
    faults,
    transactions: new TransactionManager({
      clock,
      // Their own stream, so a transaction does not shift the row ids a seed gives.
      ids: createIdGenerator({
        seed: options.seed === undefined ? undefined : `${options.seed}/transactions`,
      }),
    }),
  })
  const accounts = new AccountStore({ clock, seed: options.seed })
  const resets = new Set<() => void>()
  const functionsHub = new FunctionsHub({ store: accounts, faults, clock })
  // Row events run the functions that list them (user events come with the account features).
  functionsHub.addEventSource((trigger) =>
    hub.onRowEvent((event, payload) => trigger(rowEventNames(event), payload)),
  )
  for (const [functionId, registration] of Object.entries(options.functions ?? {}))
    functionsHub.register(functionId, registration)
  const admin = new FakeTablesDBAdmin({
    schema,
    storage,
    faults,
    ids: createIdGenerator({
      seed: options.seed === undefined ? undefined : `${options.seed}/admin`,
    }),
  })
  // Only connections made by `as(…)` carry roles; API-key connections skip the predicate.
  hub.setReadPredicate(createRealtimeReadPredicate(schema))
  // The top-level `account` is one browser client: it carries the session it created.
  let sessionValue: string | undefined
  const browser: AccountAuth = {
    caller() {
      const found = sessionValue === undefined ? undefined : accounts.resolveSession(sessionValue)
      return found === undefined
        ? { kind: 'guest' }
        : { kind: 'user', userId: found.user.$id, sessionId: found.session.$id }
    },
    onSession: (value) => void (sessionValue = value),
    onSessionDeleted: () => void (sessionValue = undefined),
  }
  const fixed = (caller: AccountCaller): AccountAuth => ({
    caller: () => caller,
    onSession: () => {},
    onSessionDeleted: () => {},
  })
  let earlyUsers: FakeUsers | undefined
  const fake: FakeAppwrite = {
    tablesDB: new FakeTablesDB(engine),
    databases: new FakeDatabases(engine),
    realtime: hub.createRealtime(),
    client: createClient(hub),
    account: new FakeAccount(accounts, faults, browser),
    // The Users service (an API key's) comes with the account features, which a browser bundle
    // of the fake leaves out: `installAccountFeatures(fake)`, or the emulator, installs them.
    get users(): FakeUsers {
      return accounts.features?.users ?? (earlyUsers ??= usersBeforeInstall(accounts))
    },
    functions: new FakeFunctions(functionsHub, () => ({ kind: 'key' })),
    faults,
    clock,
    admin,
    as(identity) {
      const actor = resolveIdentity(identity)
      let realtime: FakeRealtime | undefined
      const caller: AccountCaller =
        actor.userId === undefined ? { kind: 'guest' } : { kind: 'user', userId: actor.userId }
      const userId = actor.userId
      // `account` of an identity nobody signed up: its user is made on first use.
      const accountAuth: AccountAuth = {
        ...fixed(caller),
        caller() {
          if (userId !== undefined && accounts.user(userId) === undefined)
            accounts.upsertShortcutUser(userId, { verified: actor.has(`user:${userId}/verified`) })
          return caller
        },
      }
      return {
        tablesDB: new FakeTablesDB(engine, actor),
        databases: new FakeDatabases(engine, actor),
        // Opened on first use: sessions made only to read or write hold no hub connection.
        get realtime() {
          return (realtime ??= hub.createRealtime({ roles: actor.roles }))
        },
        account: new FakeAccount(accounts, faults, accountAuth),
        functions: new FakeFunctions(functionsHub, () => caller),
        roles: actor.roles,
      }
    },
    snapshot: () => engine.snapshot() as FakeSnapshot,
    // Empty until `installAccountFeatures` adds the email flows: nothing could be sent before.
    outbox: (filter) => accounts.features?.emails.outbox.list(filter) ?? [],
    reset() {
      engine.reset()
      hub.reset()
      faults.reset()
      admin.reset()
      accounts.reset()
      for (const resetStore of resets) resetStore()
      functionsHub.reset()
      sessionValue = undefined
    },
  }
  internals.set(fake, {
    accounts,
    functions: functionsHub,
    storage,
    schema,
    realtime: hub,
    clock,
    seed: options.seed,
    resets,
    faults,
  })
  return fake
}

/**
 * `fake.users` while the account features are not installed: each method runs the installed
 * service once there is one, and otherwise rejects with the error that names
 * `installAccountFeatures`. Reading `fake.users` (or spreading the fake) never throws.
 */
function usersBeforeInstall(accounts: AccountStore): FakeUsers {
  return new Proxy({} as FakeUsers, {
    get: (_, method) =>
      typeof method !== 'string' || method === 'then'
        ? undefined
        : (...args: unknown[]) =>
            Promise.resolve().then(() =>
              (
                accounts.feature(`\`fake.users.${method}\``).users as unknown as Record<
                  string,
                  (...a: unknown[]) => unknown
                >
              )[method]!(...args),
            ),
  })
}

/** The stores behind a fake's services, for the emulator. @internal */
export interface FakeInternals {
  readonly accounts: AccountStore
  /** The fake's clock and seed, for stores the emulator adds (`teamStore`). */
  readonly clock: FakeClock
  readonly seed: number | string | undefined
  /** Run by `fake.reset()`: the resets of stores the emulator adds. */
  readonly resets: Set<() => void>
  readonly functions: FunctionsHub
  /** The rows (the emulator's data dir saves and restores them). */
  readonly storage: MemoryStorage
  /** Databases, tables, columns and indexes (saved and restored with the rows). */
  readonly schema: SchemaRegistry
  /** The realtime hub (the emulator publishes its storage events on it). */
  readonly realtime: RealtimeHub
  /** The fault injector every service runs through. */
  readonly faults: FaultInjector
}

const internals = new WeakMap<FakeAppwrite, FakeInternals>()

/** The account store and functions of a fake made by {@link createFakeAppwrite}. @internal */
export function fakeInternals(fake: FakeAppwrite): FakeInternals {
  const found = internals.get(fake)
  if (found === undefined)
    throw new Error('the emulator needs a fake made by createFakeAppwrite() from this package')
  return found
}
