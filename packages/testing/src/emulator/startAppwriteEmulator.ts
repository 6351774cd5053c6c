import { accountFeatures } from '../fake/accountFeatures'
import { tableFeatures } from '../fake/tableFeatures'
import { unservedService } from './unservedServices'
import { DEFAULT_MEMBERSHIPS_PRIVACY, teamStore } from '../fake/teams'
import type { MembershipsPrivacy } from '../fake/teams'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createFakeAppwrite, fakeInternals } from '../fake/createFakeAppwrite'
import { DeferredRowIndex } from './deferredRowIndex'
import type { FakeAppwrite } from '../fake/createFakeAppwrite'
import { createIdGenerator } from '../fake/ids'
import type { FunctionRegistration } from '../fake/functions'
import { originRefusal } from '../fake/tokens'
import type { OutboxFilter, OutboxMessage } from '../fake/tokens'
import { AuthRegistry, redactParams } from './auth'
import type { Caller, EmulatorUserOptions } from './auth'
import {
  JSON_CONTENT_TYPE,
  corsHeaders,
  errorBody,
  clientIp,
  extraError,
  httpError,
  toJson,
  toWireError,
  writeResponse,
} from './http'
import type { EmulatorHttpError, Params } from './http'
import { formatLogEntry } from './log'
import { assertDeclaredParams, readQueryParams, readRequestParams } from './requestInput'
import { splitRequestTarget } from './requestTarget'
import { applyRequestFormat, applyResponseFormat } from './responseFormat'
import { requestHeader } from './requestHeader'
import type { EmulatorLogEntry, EmulatorLogger } from './log'
import { createFakeBridge } from './fakeBridge'
import { EmulatorDataDir, exportSnapshot, readState } from './persist/dataDir'
import { restoreState } from './persist/state'
import { StorageDir } from './persist/storageDir'
import { createRealtimeLink } from './realtimeLink'
import { RealtimeServer } from './realtimeServer'
import { Router } from './router'
import type { RouteContext } from './router'
import { registerAccountRoutes } from './routes/account'
import { ListCache } from './listCache'
import { registerDataRoutes } from './routes/data'
import { publishExecutionEvents, registerFunctionRoutes } from './routes/functions'
import { registerUsersRoutes } from './routes/users'
import { registerSchemaRoutes } from './routes/schema'
import { registerTeamsRoutes } from './routes/teams'
import { publishStorageEvents, registerStorageRoutes } from './routes/storage'
import { registerTransactionRoutes } from './routes/transactions'
import { StorageState } from './storageState'

/**
 * The routes whose groups (database, functions, sites, messaging) the server refuses to its
 * console project: everything under these services but the functions runtimes and templates.
 */
const CONSOLE_FORBIDDEN =
  /^\/v1\/(?:databases|tablesdb|documentsdb|vectorsdb|sites|messaging|functions(?!\/(?:runtimes|templates)(?:\/|$)))(?:\/|$)/

/** Options for {@link startAppwriteEmulator}. */
export interface AppwriteEmulatorOptions {
  /** TCP port. Defaults to `0`: the system picks a free one (read it from `endpoint`). */
  port?: number
  /**
   * Interface to listen on. Defaults to `'127.0.0.1'` (loopback only). `'0.0.0.0'` exposes the
   * emulator, and the API key below, to the network.
   */
  host?: string
  /**
   * The fake to serve, as it is: create it with `strict: true` for the server's 404 on a database
   * that does not exist. Defaults to a new `createFakeAppwrite({ strict })`, so by default an
   * undeclared database answers `database_not_found` and a table not created answers
   * `table_not_found`, as on the server.
   */
  fake?: FakeAppwrite
  /**
   * The project id clients must send (`client.setProject(...)`); any other answers 404
   * `project_not_found`. Defaults to `'booking-guard'`.
   */
  projectId?: string
  /**
   * The API key that acts as the server (`client.setKey(...)` in node-appwrite): it bypasses
   * permissions. Any other key answers 401 `user_unauthorized`. Defaults to `'emulator-api-key'`.
   */
  apiKey?: string
  /**
   * Delay added to every HTTP answer and every realtime frame the emulator sends, in
   * milliseconds, to make a local demo or benchmark feel like a network. Change it later with
   * `emulator.latencyMs = …`. Defaults to `0`.
   */
  latencyMs?: number
  /**
   * Request and realtime-frame logging: `true` prints one line per entry with `console.log`; a
   * function receives every {@link EmulatorLogEntry}. Defaults to `false`.
   */
  log?: boolean | ((entry: EmulatorLogEntry) => void)
  /**
   * Largest request body accepted (JSON or a multipart upload), in bytes; a larger one is answered
   * 413, as the server's HTTP layer answers past its payload size. Defaults to `12_582_912` (12 MiB,
   * the server's).
   */
  maxBodyBytes?: number
  /**
   * Appwrite Functions to serve, by function id: a handler as Appwrite's Node runtime calls it
   * (`async ({ req, res, log, error }) => res.json(…)`), or `{ handler | load, schedule?, timeout?,
   * execute?, scopes?, variables? }` (`load` imports the module on first execution; `schedule` is a
   * cron expression run on the fake's clock). Added to the fake's own functions. Defaults to `{}`.
   */
  functions?: Record<string, FunctionRegistration>
  /**
   * Answer as the server does for a database or table that does not exist (404), and refuse, with
   * a 400 `general_argument_invalid` that names the parameter, input the server would silently
   * drop in a way that changes what a request does: parameters in the query string of a
   * `POST`/`PUT`/`PATCH`/`DELETE` (the server reads only the body there, so a bulk delete would
   * match every row) and input nested deeper than the server reads (64 levels of `[brackets]`,
   * 512 levels of JSON). `false` drops them as the server does, and the default fake (when `fake`
   * is not given) then accepts any database and table. Defaults to `true`.
   */
  strict?: boolean
  /**
   * Also refuse a parameter the route does not declare (a typo such as `rowID`, `query`), with a
   * 400 that names it and the ones the route takes. The server ignores such parameters, and so
   * does the emulator by default: code and test cases written against the server (old SDKs,
   * Appwrite's own e2e tests, which send e.g. `size` to `…/attributes/url`) get the server's
   * answers. Turn it on in your app's own tests to catch misspelt parameters. Defaults to `false`.
   */
  strictParams?: boolean
  /**
   * A directory that keeps the databases, tables, columns, indexes, rows, users, sessions, storage
   * buckets and files (under `<data>/storage/`) across restarts (created when missing; one
   * emulator at a time). Every write is on disk before its HTTP answer is sent, so a crash (even
   * `SIGKILL`) loses no answered write and leaves nothing half-written. What it holds replaces
   * the fake's own state at start. Not kept: function handlers and executions, open
   * transactions, realtime subscriptions, fault rules, unfinished chunked uploads. Defaults to
   * none: everything lives in memory.
   */
  data?: string
  /**
   * A directory with a `snapshot.json` written by `emulator.exportSnapshot(dir)` (or the CLI's
   * `--export-on-exit`), or an emulator data dir, to start from: like the Firebase emulators'
   * `--import`. With `data`, only an empty data dir may be imported into. Defaults to none.
   */
  import?: string
  /**
   * With `data`: once the log of changes reaches this many bytes, the whole state is written as a
   * new snapshot and the log starts over. Defaults to `8_388_608` (8 MiB).
   */
  compactAfterBytes?: number
  /**
   * The emails of email verification, password recovery, magic URL and email OTP sign-in, and
   * the SMS of phone sign-in and verification, which the emulator keeps in its outbox
   * (`emulator.outbox()`) instead of sending: `true` also prints one line per message with its
   * link (or code) with `console.log`, as the Firebase Auth emulator does; a function receives
   * each {@link OutboxMessage}; `false` prints nothing.
   * Defaults to `true`.
   */
  mail?: boolean | ((message: OutboxMessage) => void)
  /**
   * The hostnames of the project's Web platforms (`127.0.0.1` and `[::1]` pass with `localhost`),
   * as the server checks them: the `url` of a verification, recovery, magic URL or team
   * invitation request must point at one of them (else 400 `general_argument_invalid`, `Invalid
   * URI. …`), and a request or realtime connection whose `Origin` names another host is refused
   * (403 `general_unknown_origin`, or a realtime `error` frame 1008 and a close: `Invalid Origin.
   * Register your new client (host) as a new Web platform …`); API keys and clients that send
   * no `Origin` (servers, native apps) are not checked. Defaults to any host and any origin.
   */
  redirectHosts?: readonly string[]
  /**
   * What a signed-in user sees of each member in the memberships get and list routes (the
   * project's Auth › Memberships privacy settings on the server): a field set to `false` answers
   * empty (`''`, `mfa: false`). API keys always see everything. Defaults to the server's defaults:
   * `{ userName: true, userEmail: true, mfa: true, userId: true, userPhone: true,
   * userAccessedAt: false }`; give only the fields to change.
   */
  membershipsPrivacy?: Partial<MembershipsPrivacy>
}

/** Realtime state of an emulator, for tests that must wait until a subscription reached the server. */
export interface AppwriteEmulatorRealtime {
  /** Open WebSockets. */
  readonly connections: number
  /** Subscriptions the server holds across every WebSocket. */
  readonly subscriptions: number
  /**
   * Resolves once the server holds at least `count` subscriptions (the SDK's `subscribe()`
   * resolves when the socket opens, before its `subscribe` message is processed). Rejects after
   * `timeoutMs` (default `5_000`).
   */
  waitForSubscriptions(count: number, timeoutMs?: number): Promise<void>
}

/** A running emulator: a local Appwrite endpoint over a fake. */
export interface AppwriteEmulator {
  /** The HTTP endpoint for `client.setEndpoint(...)`, e.g. `http://127.0.0.1:52814/v1`. */
  readonly endpoint: string
  /** The realtime endpoint, e.g. `ws://127.0.0.1:52814/v1` (the SDK derives it from `endpoint`). */
  readonly realtimeEndpoint: string
  /** The port listened on. */
  readonly port: number
  /** The project id clients must send. */
  readonly projectId: string
  /** The API key that acts as the server. */
  readonly apiKey: string
  /** The fake behind the endpoint: seed it, inspect it, inject faults into it. */
  readonly fake: FakeAppwrite
  /** Delay added to every HTTP answer and realtime frame, in milliseconds. */
  latencyMs: number
  /** Open WebSockets and subscriptions. */
  readonly realtime: AppwriteEmulatorRealtime
  /** Every route served, as `METHOD /path/:param`. */
  readonly routes: readonly string[]
  /**
   * Test sign-in shortcut: a JWT for `userId` (created on first use), for `client.setJWT(jwt)` in the
   * web SDK or node-appwrite. Valid for 15 minutes. Emulator only: real apps sign in through
   * `account.createEmailPasswordSession`, `createAnonymousSession` or `users.createSession`.
   */
  createJWT(userId: string, options?: EmulatorUserOptions): string
  /**
   * Test sign-in shortcut: opens a session for `userId` (created on first use) and answers its
   * value, for `client.setSession(value)`, the `a_session_<project>` cookie or the realtime
   * `authentication` message. Emulator only: Appwrite has no such call.
   */
  createSession(userId: string, options?: EmulatorUserOptions): string
  /**
   * Writes the whole state (schema, rows, users, sessions) as `<dir>/snapshot.json`, atomically,
   * for the `import` option or `--import <dir>`: the Firebase emulators' `export`. Resolves with
   * the file's path.
   */
  exportSnapshot(dir: string): Promise<string>
  /**
   * The emails the Account service "sent" (verification, recovery, magic URL, email OTP), oldest
   * first, filtered by `email`, `userId` or `kind`: each with its `secret` and the `url` the real
   * email links to. Like the Firebase Auth emulator's `oobCodes`; over HTTP as
   * `GET /v1/emulator/outbox` with the API key.
   */
  outbox(filter?: OutboxFilter): OutboxMessage[]
  /** Closes every WebSocket and connection, stops listening, and closes the data dir. */
  close(): Promise<void>
}

const isLoopbackOrAny = (host: string) => host === '0.0.0.0' || host === '::'

/**
 * Serves a fake Appwrite over HTTP and WebSocket, so the real `appwrite` web SDK and
 * `node-appwrite` run against it unmodified: the TablesDB rows routes, the legacy documents routes,
 * Account and its sessions (cookies, `X-Fallback-Cookies`, JWTs) and email flows (verification,
 * recovery, OTP, magic URL: read the secrets with `outbox()`), Users, Teams, Storage, Functions
 * executions of the handlers in `functions`, and `/v1/realtime`, with the fake's faults applied on
 * the wire.
 *
 * @example
 * ```ts
 * import { Client, Query, TablesDB } from 'node-appwrite'
 * import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
 *
 * const emulator = await startAppwriteEmulator()
 * const client = new Client()
 *   .setEndpoint(emulator.endpoint)
 *   .setProject(emulator.projectId)
 *   .setKey(emulator.apiKey)
 * const tablesDB = new TablesDB(client)
 * await tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', data: { status: 'pending' } })
 * const { total } = await tablesDB.listRows({ databaseId: 'main', tableId: 'bookings', queries: [Query.equal('status', 'pending')] })
 * await emulator.close()
 * ```
 */
export async function startAppwriteEmulator(
  options: AppwriteEmulatorOptions = {},
): Promise<AppwriteEmulator> {
  const dataDir =
    options.data === undefined
      ? undefined
      : await EmulatorDataDir.open(options.data, dataDirOptions(options))
  return startEmulator(options, dataDir)
}

function dataDirOptions(options: AppwriteEmulatorOptions) {
  return {
    compactAfterBytes: options.compactAfterBytes,
    onError: (error: Error) => console.error(`[appwrite-emulator] ${error.message}`),
  }
}

/**
 * {@link startAppwriteEmulator} on a data dir opened already (the CLI opens it first, to derive
 * the seed of server-picked ids from how often it was opened). Closes `dataDir` when it fails.
 *
 * @internal
 */
export async function startEmulator(
  options: AppwriteEmulatorOptions,
  dataDir: EmulatorDataDir | undefined,
): Promise<AppwriteEmulator> {
  try {
    return await serve(options, dataDir)
  } catch (error) {
    await dataDir?.close()
    throw error
  }
}

async function serve(
  options: AppwriteEmulatorOptions,
  dataDir: EmulatorDataDir | undefined,
): Promise<AppwriteEmulator> {
  const strict = options.strict ?? true
  const strictParams = options.strictParams ?? false
  const fake = options.fake ?? createFakeAppwrite({ strict })
  const projectId = options.projectId ?? 'booking-guard'
  const apiKey = options.apiKey ?? 'emulator-api-key'
  const host = options.host ?? '127.0.0.1'
  const maxBodyBytes = options.maxBodyBytes ?? 12_582_912
  let latencyMs = checkLatency(options.latencyMs ?? 0)
  const logging = options.log === true || typeof options.log === 'function'
  const logger: EmulatorLogger =
    options.log === true
      ? (entry) => console.log(`[appwrite-emulator] ${formatLogEntry(entry)}`)
      : typeof options.log === 'function'
        ? options.log
        : () => {}

  const internals = fakeInternals(fake)
  // Writes between two lists pay for the sorted indexes once, at the next list.
  internals.storage.indexWith(
    (attribute, kind, rows) => new DeferredRowIndex(attribute, kind, rows),
  )
  const imported = options.import === undefined ? undefined : await readImport(options.import)
  if (dataDir !== undefined) await dataDir.attach(internals, imported)
  else if (imported !== undefined) restoreState(internals, imported)
  const auth = new AuthRegistry(internals.accounts)
  // The email flows, users list queries and imported hashes, which the fake's root entry leaves out.
  const accounts = accountFeatures(internals)
  tableFeatures(internals)
  for (const [functionId, registration] of Object.entries(options.functions ?? {}))
    internals.functions.register(functionId, registration)
  const bridge = createFakeBridge(fake)
  const router = new Router()
  registerTransactionRoutes(router, bridge.servicesFor)
  const lists = new ListCache(() => fake.clock.now(), internals.schema)
  internals.resets.add(() => lists.clear())
  registerDataRoutes(router, bridge.servicesFor, lists, fake.clock)
  registerSchemaRoutes(router, bridge.admin, lists)
  registerAccountRoutes(router, {
    auth,
    outbox: accounts.emails.outbox,
    faults: fake.faults,
    projectId,
  })
  registerUsersRoutes(router, fake.users)
  registerFunctionRoutes(router, { auth, functions: internals.functions })
  const stopExecutionEvents = publishExecutionEvents(
    internals.functions,
    projectId,
    internals.realtime,
  )
  registerTeamsRoutes(router, {
    auth,
    teams: teamStore(internals),
    faults: fake.faults,
    projectId,
    membershipsPrivacy: { ...DEFAULT_MEMBERSHIPS_PRIVACY, ...options.membershipsPrivacy },
    redirectHosts: options.redirectHosts,
  })
  const storage = new StorageState({ now: () => fake.clock.now(), ids: createIdGenerator() })
  const storageDir =
    dataDir === undefined ? undefined : await StorageDir.open(join(dataDir.dir, 'storage'), storage)
  publishStorageEvents(storage, internals.realtime)
  registerStorageRoutes(router, storage)

  const subscriptionWaiters = new Set<() => void>()
  const realtimeServer = new RealtimeServer({
    projectId,
    auth,
    teams: teamStore(internals),
    link: createRealtimeLink(fake, bridge),
    logger,
    latencyMs: () => latencyMs,
    onSubscriptionsChanged: () => {
      for (const waiter of [...subscriptionWaiters]) waiter()
    },
    platformHosts: options.redirectHosts,
  })

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = logging ? performance.now() : 0
    const method = req.method ?? 'GET'
    const url = splitRequestTarget(req.url ?? '/')
    const cors = corsHeaders(header(req, 'origin'))
    let params: Params = {}
    // Without a logger, no entry is built (redacting the parameters costs a copy per request).
    const finish = (status: number, error?: EmulatorHttpError) =>
      logging &&
      logger({
        type: 'http',
        method,
        url: url.pathname + url.search,
        status,
        params: redactParams(params),
        ...(error === undefined ? {} : { error: error.type }),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      })
    try {
      if (method === 'OPTIONS') {
        // `Http::options()` in app/controllers/general.php: CORS headers and no content, for any path.
        if (latencyMs > 0) await sleep(latencyMs)
        writeResponse(res, 204, cors, undefined, undefined)
        finish(204)
        return
      }
      // A GET has no body to wait for: its parameters are read without a promise.
      const input =
        method === 'GET'
          ? getInput(readQueryParams(url.search, strict))
          : await readRequestParams(req, method, url.search, maxBodyBytes, strict)
      params = input.params
      if (latencyMs > 0) await sleep(latencyMs)
      // utopia-php/http serves HEAD with the GET route; Node sends no body with the answer.
      const match =
        router.match(method, url.pathname) ??
        (method === 'HEAD' ? router.match('GET', url.pathname) : undefined)
      const caller = identify(req, input, match !== undefined, url.pathname)
      if (match === undefined) {
        const unserved = unservedService(method, url.pathname)
        if (unserved !== undefined) throw httpError('general_not_implemented', unserved)
        throw httpError('general_route_not_found')
      }
      // The server's CSRF check (`app/controllers/general.php`): a request with an `Origin` and no
      // key must come from one of the project's platforms.
      if (options.redirectHosts !== undefined && caller.kind !== 'key') {
        const origin = header(req, 'origin')
        const refusal =
          origin === undefined || origin === ''
            ? undefined
            : originRefusal(origin, projectId, options.redirectHosts)
        if (refusal !== undefined) throw extraError('general_unknown_origin', refusal)
      }
      // Old SDKs name the server version they were built for; the server converts for them.
      const format = header(req, 'x-appwrite-response-format') ?? ''
      if (format !== '') params = applyRequestFormat(format, method, match.pattern, params)
      const context = new RequestContext(match.path, params, caller, req, input.files, format)
      match.guard?.(context)
      if (strictParams && match.params !== undefined)
        assertDeclaredParams(method, match.pattern, match.params, params)
      const result = await match.handler(context)
      // Log, then answer: a client told "created" must find its row after a crash.
      const durable = dataDir?.commit()
      if (durable !== undefined) await durable
      const stored = storageDir?.commit()
      if (stored !== undefined) await stored
      const status = result.status ?? 200
      const headers = result.headers === undefined ? cors : Object.assign({}, cors, result.headers)
      if (result.bytes !== undefined)
        writeResponse(res, status, headers, result.bytes, String(headers['Content-Type']))
      else if (result.json !== undefined)
        writeResponse(res, status, headers, result.json, JSON_CONTENT_TYPE)
      else if (result.text !== undefined)
        writeResponse(res, status, headers, result.text, 'text/plain; charset=UTF-8')
      else if (status === 204 || result.body === undefined)
        writeResponse(res, status, headers, undefined, undefined)
      else {
        const body =
          format === '' ? result.body : applyResponseFormat(format, match.pattern, result.body)
        writeResponse(res, status, headers, toJson(body), JSON_CONTENT_TYPE)
      }
      finish(status)
    } catch (thrown) {
      // A call that failed may still have changed something before it threw; a data dir that
      // cannot be written is the answer then.
      let failure = thrown
      const durable = dataDir?.commit()
      if (durable !== undefined)
        await durable.catch((persistFailure: unknown) => void (failure = persistFailure))
      const stored = storageDir?.commit()
      if (stored !== undefined)
        await stored.catch((persistFailure: unknown) => void (failure = persistFailure))
      const error = toWireError(failure)
      if (error === 'network') {
        // An injected network fault: cut the connection, so the client's fetch fails as it would.
        req.socket.destroy()
        finish(0)
        return
      }
      if (!res.headersSent)
        writeResponse(res, error.status, cors, errorBody(error), JSON_CONTENT_TYPE)
      finish(error.status, error)
    }
  }

  /**
   * The project, key and user checks of `app/controllers/shared/api.php`, in its order: an unknown
   * project is `project_not_found` (also on unknown routes), a wrong key `user_unauthorized`, a bad
   * JWT `user_jwt_invalid`. Without a project the server falls back to its console project, where
   * an unknown route is still `general_route_not_found`, and the database and functions routes
   * answer `general_access_forbidden` (`app/controllers/general.php`); the emulator serves no
   * console, so other known routes answer `project_not_found`.
   */
  const identify = (
    req: IncomingMessage,
    input: { params: Params; query: Params },
    routeKnown: boolean,
    path: string,
  ): Caller => {
    // `getParam('project', header)`, then the query string (read on every method), in the server's order.
    let project = stringParam(input.params.project) ?? header(req, 'x-appwrite-project') ?? ''
    if (project === '') project = stringParam(input.query.project) ?? ''
    if (routeKnown && (project === '' || project === 'console') && CONSOLE_FORBIDDEN.test(path)) {
      // The server serves these routes' groups (database, functions, sites, messaging) to no
      // request of its console project, which is also where a request without a project lands.
      // A key is checked first, and no project key is the console's.
      const key = header(req, 'x-appwrite-key')
      if (key !== undefined && key !== '') throw httpError('user_unauthorized')
      throw extraError(
        'general_access_forbidden',
        (header(req, 'x-appwrite-project') ?? '') === ''
          ? 'No Appwrite project was specified. Please specify your project ID when initializing your Appwrite SDK.'
          : 'This endpoint is not available for the console project. The Appwrite Console is a reserved project ID and cannot be used with the Appwrite SDKs and APIs. Please check if your project ID is correct.',
      )
    }
    if (project !== '' && project !== projectId) throw httpError('project_not_found')
    if (project === '' && routeKnown) throw httpError('project_not_found')
    const key = header(req, 'x-appwrite-key')
    if (key !== undefined && key !== '') {
      // The project's key, or the `dynamic_` key a Function execution was given.
      if (key !== apiKey && !auth.isDynamicKey(key, projectId)) throw httpError('user_unauthorized')
      return KEY_CALLER
    }
    // A blocked user is `user_blocked` after the scope check (api.php steps 9, 10): on the
    // Users routes, whose scopes no user holds, it stays the scope error.
    return auth.requestCaller(req.headers, projectId, !(req.url ?? '').startsWith('/v1/users'))
  }

  const server = createServer((req, res) => void handle(req, res))
  server.on('upgrade', (req, socket, head: Buffer) => {
    const pathname = splitRequestTarget(req.url ?? '/').pathname.replace(/\/+$/, '')
    if (pathname === '/v1/realtime') realtimeServer.handleUpgrade(req, socket, head)
    else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      socket.destroy()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const publicHost = isLoopbackOrAny(host) ? '127.0.0.1' : host
  const authority = `${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${address.port}`
  internals.functions.runtime = { endpoint: `http://${authority}/v1`, projectId }
  accounts.emails.mail = {
    projectId,
    projectName: projectId,
    magicUrlPage: `http://${authority}/console/auth/magic-url`,
    redirectHosts: options.redirectHosts,
  }
  const mail = options.mail ?? true
  const stopMail =
    mail === false ? undefined : accounts.emails.outbox.subscribe(mail === true ? printMail : mail)

  let closing: Promise<void> | undefined
  return {
    endpoint: `http://${authority}/v1`,
    realtimeEndpoint: `ws://${authority}/v1`,
    port: address.port,
    projectId,
    apiKey,
    fake,
    get latencyMs() {
      return latencyMs
    },
    set latencyMs(value: number) {
      latencyMs = checkLatency(value)
    },
    realtime: {
      get connections() {
        return realtimeServer.connectionCount
      },
      get subscriptions() {
        return realtimeServer.subscriptionCount
      },
      waitForSubscriptions(count, timeoutMs = 5_000) {
        return new Promise<void>((resolve, reject) => {
          if (realtimeServer.subscriptionCount >= count) return resolve()
          const check = () => {
            if (realtimeServer.subscriptionCount < count) return
            cleanup()
            resolve()
          }
          const timer = setTimeout(() => {
            cleanup()
            reject(
              new Error(
                `waitForSubscriptions(${count}): the emulator holds ${realtimeServer.subscriptionCount} subscription(s) after ${timeoutMs} ms`,
              ),
            )
          }, timeoutMs)
          const cleanup = () => {
            clearTimeout(timer)
            subscriptionWaiters.delete(check)
          }
          subscriptionWaiters.add(check)
        })
      },
    },
    routes: router.list(),
    createJWT: (userId, userOptions) => auth.createJWT(userId, userOptions),
    createSession: (userId, userOptions) => auth.createSession(userId, userOptions),
    exportSnapshot: (dir) => exportSnapshot(internals, dir),
    outbox: (filter) => accounts.emails.outbox.list(filter),
    close() {
      stopMail?.()
      stopExecutionEvents()
      closing ??= new Promise<void>((resolve, reject) => {
        internals.functions.stopSchedules()
        realtimeServer.close()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
        .then(() => storageDir?.close())
        .finally(() => dataDir?.close())
      return closing
    },
  }
}

/** The `mail: true` console line: where the email went and the link (or code) to use. */
function printMail(message: OutboxMessage): void {
  const what = message.url ?? `code ${message.secret}`
  const to =
    message.phone === ''
      ? `email (${message.kind}) to ${message.email}`
      : `sms (${message.kind}) to ${message.phone}`
  console.log(`[appwrite-emulator] ${to}: ${what}`)
}

/** The state in an export (or a data dir) for the `import` option. */
async function readImport(dir: string) {
  const read = await readState(dir)
  if (read === undefined)
    throw new Error(
      `nothing to import from ${dir}: it has no snapshot.json (write one with emulator.exportSnapshot(dir) or --export-on-exit)`,
    )
  return read.state
}

/** The API key's caller: the same for every request, so not a new object each time. */
const KEY_CALLER: Caller = Object.freeze({ kind: 'key' })

/**
 * What a route handler gets. `headers` is Node's `req.headers`, which Node builds on first read:
 * only the routes that read headers pay for it. A class, so every request's context shares one
 * hidden class (an object literal with a getter would get one of its own each time).
 */
class RequestContext implements RouteContext {
  readonly #req: IncomingMessage

  constructor(
    readonly path: RouteContext['path'],
    readonly params: Params,
    readonly caller: Caller,
    req: IncomingMessage,
    readonly files: RouteContext['files'],
    readonly responseFormat: string,
  ) {
    this.#req = req
  }

  get headers(): IncomingMessage['headers'] {
    return this.#req.headers
  }

  header(name: string): string | undefined {
    return requestHeader(this.#req, name)
  }

  get clientIp(): string {
    return clientIp(this.#req)
  }
}

/** A GET's parameters: its query string, also where the project may be given. */
const getInput = (query: Params) => ({ params: query, query, files: undefined })

/** A request header, without building `req.headers` (see `requestHeader`). */
const header = requestHeader

const stringParam = (value: unknown) => (typeof value === 'string' ? value : undefined)

function checkLatency(value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`latencyMs must be a finite number ≥ 0, got ${value}`)
  return value
}

const sleep = (ms: number) =>
  ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
