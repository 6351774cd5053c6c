import type { AccountCaller, AccountStore } from './accounts'
import { withClockTimeout } from './clock'
import type { FakeClock, FakeTimerHandle } from './clock'
import { parseCron } from './cron'
import type { CronSchedule } from './cron'
import { appwriteError, FAKE_SERVER_VERSION } from './errors'
import { runGated } from './faults'
import { isValidId, UID_DESCRIPTION } from './ids'
import { simpleListQueries } from './simpleQueries'
import type { FaultGate } from './types'
import { toServerDatetime } from './validation'

/*
 * Appwrite Functions executions over handlers registered in-process. Server references
 * (github:appwrite/appwrite 1.8.1): src/Appwrite/Platform/Modules/Functions/Http/Executions/
 * {Create,Get,XList}.php, Response/Model/Execution.php; the handler's context follows the Node
 * runtime of github:open-runtimes/open-runtimes (runtimes/node/versions/latest/src/server.js).
 */

/** The request a function handler sees (`context.req` of Appwrite's Node runtime). */
export interface FunctionRequest {
  /** The body as text. */
  readonly bodyText: string
  /** Alias of `bodyText`. */
  readonly bodyRaw: string
  /** Parsed JSON when `content-type` is `application/json` (`{}` when empty), else the text. */
  readonly body: unknown
  /** `JSON.parse(bodyText)`; throws on invalid JSON. */
  readonly bodyJson: unknown
  /**
   * Lower-cased header names, Appwrite's `x-appwrite-*` headers included; a header whose value is
   * blank is absent (the executor does not send it), and repeated names are joined with `, `.
   */
  readonly headers: Readonly<Record<string, string>>
  /** `GET`, `POST`, … */
  readonly method: string
  readonly host: string
  readonly scheme: string
  readonly port: number
  /** The path without the query string, e.g. `/bookings`. */
  readonly path: string
  /** The raw query string, without `?`. */
  readonly queryString: string
  /** Query parameters, raw (not URL-decoded), split on `&` and the first `=`. */
  readonly query: Readonly<Record<string, string>>
  readonly url: string
}

/** What a handler returns: made by one of `context.res`'s methods. */
export interface FunctionResponseValue {
  readonly body: string
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
}

/** `context.res` of Appwrite's Node runtime. */
export interface FunctionResponse {
  /** A text body. `statusCode` defaults to `200`. */
  send(body: string, statusCode?: number, headers?: Record<string, string>): FunctionResponseValue
  /** Same as `send`. */
  text(body: string, statusCode?: number, headers?: Record<string, string>): FunctionResponseValue
  /** A JSON body with `content-type: application/json`. */
  json(body: unknown, statusCode?: number, headers?: Record<string, string>): FunctionResponseValue
  /** `204` with no body. */
  empty(): FunctionResponseValue
  /** A redirect (`location` header). `statusCode` defaults to `301`. */
  redirect(
    url: string,
    statusCode?: number,
    headers?: Record<string, string>,
  ): FunctionResponseValue
}

/** The argument of a function handler, as Appwrite's Node runtime passes it. */
export interface FunctionContext {
  readonly req: FunctionRequest
  readonly res: FunctionResponse
  /**
   * Appends to the execution's `logs` (each call at most 8000 chars; past 1,000,000 in all, the
   * execution keeps a warning line and the end, as the server does).
   */
  log(...message: unknown[]): void
  /** Appends to the execution's `errors`. */
  error(...message: unknown[]): void
}

/** A function's code: `export default async ({ req, res, log, error }) => res.json({ ok: true })`. */
export type FunctionHandler = (context: FunctionContext) => unknown

/** A registered function with its settings. */
export interface FunctionDefinition {
  /**
   * The handler. Give this or `load`; without either, the function exists with no deployment:
   * executions answer 404 `deployment_not_found`, as on the server before a deployment is active.
   */
  handler?: FunctionHandler
  /** Loads the handler on first execution (e.g. `() => import('./fn.js')`, its default export). */
  load?: () => Promise<unknown>
  /** Display name (`APPWRITE_FUNCTION_NAME`). Defaults to the function id. */
  name?: string
  /** A cron expression (`*\/5 * * * *`): runs with trigger `schedule` on the fake's clock. Defaults to none. */
  schedule?: string
  /** Execution time limit in seconds. Defaults to `15`. */
  timeout?: number
  /** Roles allowed to execute (`any`, `users`, `user:ID`, `guests`, …). Defaults to `['any']`. */
  execute?: readonly string[]
  /** Scopes of the execution's `x-appwrite-key`. Defaults to every scope. */
  scopes?: readonly string[]
  /** Function variables, set in `process.env` during each execution. Defaults to `{}`. */
  variables?: Readonly<Record<string, string>>
  /**
   * Events that run the function, named as the server lists them (with `*` for any id): row
   * events (`databases.*.collections.*.documents.*.create`,
   * `tablesdb.main.tables.bookings.rows.*.update`, …) and user events (`users.*.create`,
   * `users.*.update.prefs`, `users.*.sessions.*.create`, …; these with the account features:
   * the emulator, or `installAccountFeatures`). Each change whose event names
   * include one of these runs it once, asynchronously, with trigger `event`, `x-appwrite-event`
   * the change's most specific event name and the row or user (as realtime carries it) as the
   * JSON body, whatever `execute` says; no user id or JWT is passed. Events of the other services
   * (teams, storage, executions) do not trigger functions. Defaults to `[]`.
   */
  events?: readonly string[]
}

/** A handler, or a handler with settings. */
export type FunctionRegistration = FunctionHandler | FunctionDefinition

/** An execution, as `Models.Execution`. */
export interface FakeExecutionModel {
  $id: string
  $createdAt: string
  $updatedAt: string
  $permissions: string[]
  functionId: string
  deploymentId: string
  trigger: 'http' | 'schedule' | 'event'
  status: 'waiting' | 'processing' | 'completed' | 'failed' | 'scheduled'
  requestMethod: string
  requestPath: string
  requestHeaders: Array<{ name: string; value: string }>
  responseStatusCode: number
  responseBody: string
  responseHeaders: Array<{ name: string; value: string }>
  logs: string
  errors: string
  duration: number
  scheduledAt: string | null
}

/** `{ total, executions }`. */
export interface FakeExecutionList {
  total: number
  executions: FakeExecutionModel[]
}

/** `functions.createExecution(...)` parameters (the SDK names the path `xpath`). */
export interface CreateExecutionParams {
  functionId: string
  /** Request body. Defaults to `''`. */
  body?: string
  /** Answer at once with status `waiting` (HTTP 202) and run later. Defaults to `false`. */
  async?: boolean
  /** Path with an optional query string. Defaults to `'/'`. */
  xpath?: string
  /** Defaults to `'POST'`. */
  method?: string
  /**
   * Request headers; names must not start with `x-appwrite-` (checked case-sensitively, as the
   * server does). Defaults to `{}`.
   */
  headers?: Record<string, string>
  /** Not supported by the fake: executions run at once (or, with `async`, on the next tick). */
  scheduledAt?: string
}

/** Where executions find the API (the emulator sets its endpoint and project). @internal */
export interface FunctionsRuntime {
  endpoint: string
  projectId: string
}

/** Hears one change: its event names (most specific first) and its realtime payload. @internal */
export type RowEventTrigger = (events: readonly string[], payload: Record<string, unknown>) => void

/** A change of an execution, as the server publishes it to realtime. @internal */
export interface ExecutionChange {
  /** `create` when the execution is made, `update` when an async one finishes. */
  readonly action: 'create' | 'update'
  /** The execution as it is now (a copy). */
  readonly execution: FakeExecutionModel
}

interface StoredExecution {
  model: FakeExecutionModel
  /** Whose read permission the execution carries (`read("user:ID")`). */
  userId: string | undefined
}

interface Registered {
  readonly id: string
  readonly definition: FunctionDefinition
  handler: FunctionHandler | undefined
  schedule: CronSchedule | undefined
  timer: FakeTimerHandle | undefined
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'])
const ALL_SCOPES = [
  'users.read',
  'users.write',
  'sessions.write',
  'teams.read',
  'teams.write',
  'databases.read',
  'databases.write',
  'tables.read',
  'tables.write',
  'rows.read',
  'rows.write',
  'collections.read',
  'collections.write',
  'documents.read',
  'documents.write',
  'attributes.read',
  'attributes.write',
  'columns.read',
  'columns.write',
  'indexes.read',
  'indexes.write',
  'files.read',
  'files.write',
  'buckets.read',
  'buckets.write',
  'functions.read',
  'functions.write',
  'execution.read',
  'execution.write',
  'locale.read',
  'avatars.read',
  'health.read',
  'messaging.read',
  'messaging.write',
]
const MISSING_RETURN =
  'Return statement missing. return context.res.empty() if no response is expected.'

const responses = new WeakSet<object>()

/**
 * The `Functions` service's executions, shaped like the SDKs' `Functions` with object parameters,
 * over handlers registered with {@link FakeFunctions.register} (or `createFakeAppwrite({ functions })`,
 * `startAppwriteEmulator({ functions })`). Each handler gets the Node runtime's context and
 * Appwrite's headers: `x-appwrite-trigger`, `x-appwrite-user-id`, `x-appwrite-user-jwt` (a caller
 * with a session), `x-appwrite-key` (an API key valid for this execution), `x-appwrite-execution-id`.
 * Faults apply with `api: 'functions'`.
 *
 * @example
 * ```ts
 * const fake = createFakeAppwrite({
 *   functions: { hello: ({ req, res }) => res.json({ user: req.headers['x-appwrite-user-id'] }) },
 * })
 * const execution = await fake.as('user:alice').functions.createExecution({ functionId: 'hello' })
 * JSON.parse(execution.responseBody) // { user: 'alice' }
 * ```
 */
export class FakeFunctions {
  readonly #hub: FunctionsHub
  readonly #caller: () => AccountCaller

  /** @internal */
  constructor(hub: FunctionsHub, caller: () => AccountCaller) {
    this.#hub = hub
    this.#caller = caller
  }

  /** Registers (or replaces) the handler of `functionId`. A test hook: Appwrite deploys code instead. */
  register(functionId: string, registration: FunctionRegistration): void {
    this.#hub.register(functionId, registration)
  }

  /**
   * `POST /v1/functions/{functionId}/executions`: runs the handler and answers the execution with
   * its `responseBody` and headers; with `async: true` answers `waiting` and runs it next.
   */
  createExecution(params: CreateExecutionParams): Promise<FakeExecutionModel> {
    return this.#hub.gate('createExecution', params, () => this.#hub.create(params, this.#caller()))
  }

  /** `GET /v1/functions/{functionId}/executions/{executionId}`. */
  getExecution(params: { functionId: string; executionId: string }): Promise<FakeExecutionModel> {
    return this.#hub.gate('getExecution', params, () => this.#hub.get(params, this.#caller()))
  }

  /**
   * `DELETE /v1/functions/{functionId}/executions/{executionId}`: removes a finished execution;
   * `execution_in_progress` while it still runs.
   */
  deleteExecution(params: {
    functionId: string
    executionId: string
  }): Promise<Record<string, never>> {
    return this.#hub.gate('deleteExecution', params, () => {
      this.#hub.delete(params, this.#caller())
      return {}
    })
  }

  /** `GET /v1/functions/{functionId}/executions`, newest last; `queries` support `limit`, `offset`, `equal`. */
  listExecutions(params: {
    functionId: string
    queries?: string[]
    total?: boolean
  }): Promise<FakeExecutionList> {
    return this.#hub.gate('listExecutions', params, () => this.#hub.list(params, this.#caller()))
  }
}

/** The fake's registered functions, executions and schedules, shared by every `functions` service. @internal */
export class FunctionsHub {
  readonly #store: AccountStore
  readonly #faults: FaultGate
  readonly #clock: FakeClock
  readonly #functions = new Map<string, Registered>()
  readonly #executions = new Map<string, StoredExecution[]>()
  /** Work started by async and scheduled executions, awaited by `idle()`. */
  readonly #running = new Set<Promise<void>>()
  readonly #listeners = new Set<(change: ExecutionChange) => void>()
  runtime: FunctionsRuntime = { endpoint: '', projectId: '' }
  #inFlight = 0
  #savedEnv: Record<string, string | undefined> = {}

  /** Where events come from (the row events; user events with the account features). */
  readonly #eventSources: Array<(trigger: RowEventTrigger) => () => void> = []
  /** Whether a function lists events: then every source is heard. */
  #listening = false

  constructor(options: { store: AccountStore; faults: FaultGate; clock: FakeClock }) {
    this.#store = options.store
    this.#faults = options.faults
    this.#clock = options.clock
  }

  /**
   * Adds a source of events (names, most specific first, and payload) that can run functions;
   * it is heard from the first function that lists events on.
   */
  addEventSource(source: (trigger: RowEventTrigger) => () => void): void {
    this.#eventSources.push(source)
    if (this.#listening) source((events, payload) => this.#trigger(events, payload))
  }

  /**
   * Runs, asynchronously, every deployed function whose `events` list one of `events` (a row
   * write's event names, most specific first), with `payload` as its JSON body.
   */
  #trigger(events: readonly string[], payload: Record<string, unknown>): void {
    const event = events[0] ?? ''
    let body: string | undefined
    for (const entry of this.#functions.values()) {
      const wanted = entry.definition.events
      if (wanted === undefined || wanted.length === 0) continue
      if (entry.definition.handler === undefined && entry.definition.load === undefined) continue
      if (!events.some((name) => wanted.includes(name))) continue
      // Written once for every function the event runs, while the payload is as it was.
      const json = (body ??= JSON.stringify(payload))
      // Never inside the write: the server's functions worker picks the event up afterwards.
      this.#track(
        new Promise<void>((resolve) => this.#clock.setTimeout(resolve, 0)).then(async () => {
          const headers = { 'content-type': 'application/json' }
          const stored = this.#newExecution(entry, 'event', 'POST', '/', headers, undefined)
          this.#emit('create', stored.model)
          await this.#execute(entry, stored, json, headers, { kind: 'key' }, event)
          this.#emit('update', stored.model)
        }),
      )
    }
  }

  gate<T>(operation: string, params: object, run: () => T | Promise<T>): Promise<T> {
    const call = this.#faults.idle
      ? undefined
      : {
          api: 'functions' as const,
          operation,
          params: params as Record<string, unknown>,
        }
    // `then` flattens a promised result into the call's own promise.
    return runGated(this.#faults, call, run).then((value) => value)
  }

  register(functionId: string, registration: FunctionRegistration): void {
    if (!isValidId(functionId))
      throw new Error(`invalid function id \`${functionId}\`: ${UID_DESCRIPTION}`)
    const definition = typeof registration === 'function' ? { handler: registration } : registration
    if (
      definition.handler === undefined &&
      definition.load === undefined &&
      definition.schedule !== undefined
    )
      throw new Error(
        `function \`${functionId}\`: a \`schedule\` needs a \`handler\` or a \`load\` to run`,
      )
    const previous = this.#functions.get(functionId)
    if (previous?.timer !== undefined) this.#clock.clearTimeout(previous.timer)
    const entry: Registered = {
      id: functionId,
      definition,
      handler: definition.handler,
      schedule: definition.schedule === undefined ? undefined : parseCron(definition.schedule),
      timer: undefined,
    }
    this.#functions.set(functionId, entry)
    this.#arm(entry)
    if ((definition.events?.length ?? 0) > 0 && !this.#listening) {
      this.#listening = true
      for (const source of this.#eventSources) source((events, p) => this.#trigger(events, p))
    }
  }

  /** Schedules the next cron run of a function on the fake's clock. */
  #arm(entry: Registered): void {
    if (entry.schedule === undefined) return
    const now = this.#clock.now()
    const next = entry.schedule.next(now)
    entry.timer = this.#clock.setTimeout(() => {
      entry.timer = undefined
      if (this.#functions.get(entry.id) !== entry) return
      const stored = this.#newExecution(entry, 'schedule', 'POST', '/', {}, undefined)
      this.#track(
        this.#execute(entry, stored, '', {}, { kind: 'key' }).then(() =>
          this.#emit('update', stored.model),
        ),
      )
      this.#arm(entry)
    }, next - now)
    // A schedule alone does not keep a Node process alive (the emulator's server does).
    ;(entry.timer as { unref?: () => void } | undefined)?.unref?.()
  }

  /** Stops every cron schedule (the emulator's `close()`). */
  stopSchedules(): void {
    for (const entry of this.#functions.values()) {
      if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer)
      entry.timer = undefined
    }
  }

  /**
   * Calls `listener` with every execution made (`create`: at once for an async execution, once
   * it finished for a synchronous one) and every async or scheduled execution that finished
   * (`update`), as the API and the functions worker publish them. Returns a function that stops it.
   */
  onChange(listener: (change: ExecutionChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit(action: ExecutionChange['action'], execution: FakeExecutionModel): void {
    for (const listener of this.#listeners) listener({ action, execution: { ...execution } })
  }

  /** Resolves once every async and scheduled execution started so far has finished. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running])
  }

  reset(): void {
    this.#executions.clear()
  }

  #track(work: Promise<unknown>): void {
    const done: Promise<void> = work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.#running.delete(done))
    this.#running.add(done)
  }

  #function(functionId: unknown): Registered {
    if (typeof functionId !== 'string' || functionId === '')
      throw appwriteError('general_argument_invalid', 'Param "functionId" is not optional.')
    const entry = this.#functions.get(functionId)
    if (entry === undefined) throw appwriteError('function_not_found')
    return entry
  }

  async create(params: CreateExecutionParams, caller: AccountCaller): Promise<FakeExecutionModel> {
    const entry = this.#function(params.functionId)
    const body = params.body ?? ''
    if (typeof body !== 'string' || body.length > 10_485_760)
      throw invalid('body', 'Value must be a valid string and no longer than 10485760 chars')
    const path = params.xpath ?? '/'
    if (typeof path !== 'string' || path.length > 2048)
      throw invalid('path', 'Value must be a valid string and no longer than 2048 chars')
    const method = params.method ?? 'POST'
    if (!METHODS.has(method))
      throw invalid('method', `Value must be one of (${[...METHODS].join(', ')})`)
    const headers = checkHeaders(params.headers ?? {})
    if (params.scheduledAt != null && params.scheduledAt !== '')
      throw appwriteError(
        'general_bad_request',
        'Scheduled executions are not supported by the fake.',
      )
    // As the server checks them: the deployment before the caller's execute permission.
    if (entry.definition.handler === undefined && entry.definition.load === undefined)
      throw appwriteError(
        'deployment_not_found',
        'Deployment not found. Create a deployment before trying to execute a function',
      )
    const userId = caller.kind === 'user' ? caller.userId : undefined
    const execute = entry.definition.execute ?? ['any']
    if (caller.kind !== 'key' && !this.#allowed(execute, caller))
      throw appwriteError('user_unauthorized')
    const stored = this.#newExecution(entry, 'http', method, path, headers, userId)
    if (params.async === true) {
      stored.model.status = 'waiting'
      this.#emit('create', stored.model)
      this.#track(
        new Promise<void>((resolve) => this.#clock.setTimeout(resolve, 0))
          .then(() => this.#execute(entry, stored, body, headers, caller))
          .then(() => this.#emit('update', stored.model)),
      )
      return this.#view(stored, caller, undefined)
    }
    const reply = await this.#execute(entry, stored, body, headers, caller)
    const view = this.#view(stored, caller, reply)
    this.#emit('create', view)
    return view
  }

  #allowed(execute: readonly string[], caller: AccountCaller): boolean {
    if (execute.includes('any')) return true
    if (caller.kind === 'guest') return execute.includes('guests')
    if (caller.kind !== 'user') return false
    const user = this.#store.user(caller.userId)
    const roles = new Set([
      'users',
      `user:${caller.userId}`,
      ...(user?.labels.map((l) => `label:${l}`) ?? []),
    ])
    return execute.some((role) => roles.has(role))
  }

  #newExecution(
    entry: Registered,
    trigger: FakeExecutionModel['trigger'],
    method: string,
    path: string,
    headers: Record<string, string>,
    userId: string | undefined,
  ): StoredExecution {
    const now = toServerDatetime(this.#clock.now())
    const stored: StoredExecution = {
      userId,
      model: {
        $id: this.#store.nextId(),
        $createdAt: now,
        $updatedAt: now,
        $permissions: userId === undefined ? [] : [`read("user:${userId}")`],
        functionId: entry.id,
        deploymentId: `${entry.id}-local`,
        trigger,
        status: 'processing',
        requestMethod: method,
        requestPath: path,
        requestHeaders: Object.entries(headers)
          .filter(([name]) =>
            ['content-type', 'agent', 'content-length', 'host'].includes(name.toLowerCase()),
          )
          .map(([name, value]) => ({ name, value })),
        responseStatusCode: 0,
        responseBody: '',
        responseHeaders: [],
        logs: '',
        errors: '',
        duration: 0,
        scheduledAt: null,
      },
    }
    let list = this.#executions.get(entry.id)
    if (list === undefined) this.#executions.set(entry.id, (list = []))
    list.push(stored)
    return stored
  }

  /** Runs the handler; answers what the sync reply carries (body and every response header). */
  async #execute(
    entry: Registered,
    stored: StoredExecution,
    body: string,
    headers: Record<string, string>,
    caller: AccountCaller,
    event = '',
  ): Promise<{ body: string; headers: Record<string, string> }> {
    const model = stored.model
    model.status = 'processing'
    const started = this.#clock.now()
    const startedReal = performance.now()
    const timeoutS = entry.definition.timeout ?? 15
    const exp = Math.floor(started / 1000) + timeoutS + 60
    const key = `dynamic_${this.#store.sign({
      projectId: this.runtime.projectId,
      scopes: entry.definition.scopes ?? ALL_SCOPES,
      exp,
    })}`
    const userJwt =
      caller.kind === 'user' && caller.sessionId !== undefined
        ? this.#store.createJWT(caller.userId, caller.sessionId, timeoutS + 60)
        : ''
    // Appwrite adds its own after the caller's; a caller's differently cased copy stays beside it.
    const requestHeaders = runtimeHeaders([
      ...Object.entries(headers),
      ['x-appwrite-trigger', model.trigger],
      ['x-appwrite-event', event],
      ['x-appwrite-key', key],
      ['x-appwrite-execution-id', model.$id],
      ['x-appwrite-user-id', caller.kind === 'user' ? caller.userId : ''],
      ['x-appwrite-user-jwt', userJwt],
      ['x-appwrite-country-code', ''],
      ['x-appwrite-continent-code', ''],
      ['x-appwrite-continent-eu', 'false'],
      ['x-appwrite-client-ip', '127.0.0.1'],
    ])
    const logs: string[] = []
    const errors: string[] = []
    let result: FunctionResponseValue
    try {
      const handler = await this.#handler(entry)
      const context: FunctionContext = {
        req: makeRequest(body, model.requestMethod, model.requestPath, requestHeaders),
        res: RESPONSE,
        log: (...message) => logs.push(formatLog(message)),
        error: (...message) => errors.push(formatLog(message)),
      }
      const value = await this.#withEnv(entry, () =>
        withClockTimeout(
          this.#clock,
          Promise.resolve(handler(context)),
          timeoutS * 1000,
          () => new Error('Execution timed out.'),
        ),
      )
      if (value === null || typeof value !== 'object' || !responses.has(value)) {
        errors.push(MISSING_RETURN)
        result = { body: '', statusCode: 500, headers: {} }
      } else result = value as FunctionResponseValue
    } catch (error) {
      errors.push(error instanceof Error ? (error.stack ?? error.message) : String(error))
      result = { body: '', statusCode: 500, headers: {} }
    }
    const responseHeaders = normalizeHeaders(result.headers)
    model.responseStatusCode = result.statusCode
    model.status = result.statusCode >= 500 ? 'failed' : 'completed'
    model.responseHeaders = Object.entries(responseHeaders)
      .filter(([name]) => name === 'content-type' || name === 'content-length')
      .map(([name, value]) => ({ name, value }))
    model.logs = truncated(logs.join('\n'), 'Logs')
    model.errors = truncated(errors.join('\n'), 'Errors')
    // Seconds on the fake's clock (a timeout on a manual clock lasts what the clock says), or, when
    // that clock stood still, the time the handler really took: as on the server, never 0.
    model.duration = Math.max(
      (this.#clock.now() - started) / 1000,
      (performance.now() - startedReal) / 1000,
      MIN_DURATION_S,
    )
    model.$updatedAt = toServerDatetime(this.#clock.now())
    return {
      // The executor reaches the runtime over HTTP, where the answer to a HEAD request has no body.
      body: model.requestMethod === 'HEAD' ? '' : result.body,
      headers: { ...responseHeaders, 'x-appwrite-execution-id': model.$id },
    }
  }

  async #handler(entry: Registered): Promise<FunctionHandler> {
    if (entry.handler !== undefined) return entry.handler
    const loaded = await (entry.definition.load as () => Promise<unknown>)()
    const handler = defaultExport(loaded)
    if (handler === undefined)
      throw new Error(
        `function \`${entry.id}\`: its module has no default export function (export default async (context) => …)`,
      )
    entry.handler = handler
    return handler
  }

  /**
   * Sets the runtime's environment variables in `process.env` while executions run, and puts the
   * previous values back when the last one ends (executions overlap, so not per execution).
   */
  async #withEnv<T>(entry: Registered, run: () => Promise<T>): Promise<T> {
    const proc = (
      globalThis as {
        process?: { env?: Record<string, string | undefined>; versions?: { node?: string } }
      }
    ).process
    const env = proc?.env
    if (env === undefined) return run()
    const values: Record<string, string> = {
      APPWRITE_FUNCTION_API_ENDPOINT: this.runtime.endpoint,
      APPWRITE_FUNCTION_ID: entry.id,
      APPWRITE_FUNCTION_NAME: entry.definition.name ?? entry.id,
      APPWRITE_FUNCTION_DEPLOYMENT: `${entry.id}-local`,
      APPWRITE_FUNCTION_PROJECT_ID: this.runtime.projectId,
      APPWRITE_FUNCTION_RUNTIME_NAME: 'Node.js',
      APPWRITE_FUNCTION_RUNTIME_VERSION: proc?.versions?.node ?? '',
      APPWRITE_FUNCTION_CPUS: '1',
      APPWRITE_FUNCTION_MEMORY: '512',
      APPWRITE_VERSION: FAKE_SERVER_VERSION,
      APPWRITE_REGION: 'default',
      APPWRITE_DEPLOYMENT_TYPE: 'manual',
      ...entry.definition.variables,
    }
    if (this.#inFlight === 0) this.#savedEnv = {}
    for (const [name, value] of Object.entries(values)) {
      if (!(name in this.#savedEnv)) this.#savedEnv[name] = env[name]
      env[name] = value
    }
    this.#inFlight++
    try {
      return await run()
    } finally {
      this.#inFlight--
      if (this.#inFlight === 0) {
        for (const [name, value] of Object.entries(this.#savedEnv)) {
          if (value === undefined) delete env[name]
          else env[name] = value
        }
      }
    }
  }

  /** The execution as the caller may see it: `logs` / `errors` only for API keys. */
  #view(
    stored: StoredExecution,
    caller: AccountCaller,
    reply: { body: string; headers: Record<string, string> } | undefined,
  ): FakeExecutionModel {
    const model = { ...stored.model }
    if (reply !== undefined) {
      model.responseBody = reply.body
      model.responseHeaders = Object.entries(reply.headers).map(([name, value]) => ({
        name,
        value,
      }))
    }
    if (caller.kind !== 'key') {
      model.logs = ''
      model.errors = ''
    }
    return model
  }

  #readable(caller: AccountCaller): (stored: StoredExecution) => boolean {
    if (caller.kind === 'guest')
      throw appwriteError(
        'general_unauthorized_scope',
        'User (role: guests) missing scopes (["execution.read"])',
      )
    return (stored) =>
      caller.kind === 'key' || (caller.kind === 'user' && stored.userId === caller.userId)
  }

  get(
    params: { functionId: string; executionId: string },
    caller: AccountCaller,
  ): FakeExecutionModel {
    const entry = this.#function(params.functionId)
    const readable = this.#readable(caller)
    const stored = this.#executions.get(entry.id)?.find((e) => e.model.$id === params.executionId)
    if (stored === undefined || !readable(stored)) throw appwriteError('execution_not_found')
    return this.#view(stored, caller, undefined)
  }

  /**
   * Deletes a finished execution the caller can read (`Executions/Delete.php`): one still waiting
   * or processing within its function's timeout is `execution_in_progress`.
   */
  delete(params: { functionId: string; executionId: string }, caller: AccountCaller): void {
    const entry = this.#function(params.functionId)
    const list = this.#executions.get(entry.id) ?? []
    const at = list.findIndex((e) => e.model.$id === params.executionId)
    const stored = list[at]
    const readable =
      caller.kind === 'key' || (caller.kind === 'user' && stored?.userId === caller.userId)
    if (stored === undefined || !readable) throw appwriteError('execution_not_found')
    const { status, $createdAt } = stored.model
    const timeoutMs = (entry.definition.timeout ?? 15) * 1000
    const timedOut = this.#clock.now() - Date.parse($createdAt) >= timeoutMs
    if ((status === 'waiting' || status === 'processing') && !timedOut)
      throw appwriteError('execution_in_progress')
    list.splice(at, 1)
  }

  list(
    params: { functionId: string; queries?: string[]; total?: boolean },
    caller: AccountCaller,
  ): FakeExecutionList {
    const entry = this.#function(params.functionId)
    const readable = this.#readable(caller)
    let list = (this.#executions.get(entry.id) ?? []).filter(readable)
    const { limit, offset } = simpleListQueries(params.queries, (query) => {
      if (query.method !== 'equal' || typeof query.attribute !== 'string') return false
      const attribute = query.attribute as keyof FakeExecutionModel
      list = list.filter((e) => query.values.includes(e.model[attribute]))
      return true
    })
    return {
      total: params.total === false ? 0 : list.length,
      executions: list.slice(offset, offset + limit).map((e) => this.#view(e, caller, undefined)),
    }
  }
}

const invalid = (param: string, description: string) =>
  appwriteError('general_argument_invalid', `Invalid \`${param}\` param: ${description}`)

/**
 * `src/Appwrite/Functions/Validator/Headers.php`: at most 100 keys, key + value sizes under
 * 16384, keys alphanumeric with inner dashes, and none starting with `x-appwrite-`. That last test
 * is case-sensitive on the server (PHP `str_starts_with`), so `X-Appwrite-User-Id` passes it; the
 * keys are kept as sent, and {@link runtimeHeaders} shows what the function then receives.
 */
function checkHeaders(headers: unknown): Record<string, string> {
  let value = headers
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      throw invalid('headers', 'Value must be a valid object.')
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('headers', 'Value must be a valid object.')
  const out: Record<string, string> = {}
  let size = 0
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length > 100) throw invalid('headers', 'Object can contain at most 100 keys.')
  for (const [key, raw] of entries) {
    const text = String(raw)
    size += key.length + text.length
    if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(key) || key.startsWith('x-appwrite-'))
      throw invalid(
        'headers',
        'Invalid header key. Keys must be alphanumeric with dashes, must not start or end with a dash, and must not start with x-appwrite-.',
      )
    out[key] = text
  }
  if (size >= 16_384)
    throw invalid('headers', 'Total size of headers must be less than 16384 bytes.')
  return out
}

/** Headers Node's HTTP parser keeps once (the first), as `IncomingMessage.headers` does. */
const SINGLE_HEADERS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/**
 * The headers a function receives for the header lines the executor sends, in order: the
 * caller's, then Appwrite's own (github:open-runtimes/executor `Runner/Docker.php` sends one line
 * per key with curl, which skips a line whose value is blank; the Node runtime reads them through
 * Node's parser, which lower-cases names and joins repeated ones with `, `, `; ` for `cookie`).
 * So a caller's `X-Appwrite-User-Id: eve` reaches the function as `x-appwrite-user-id: eve, <id>`
 * (and alone when the caller is a guest), as on the server.
 */
function runtimeHeaders(lines: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [rawName, value] of lines) {
    if (value.trim() === '') continue
    const name = rawName.toLowerCase()
    const previous = out[name]
    if (previous === undefined) out[name] = value
    else if (SINGLE_HEADERS.has(name)) continue
    else out[name] = `${previous}${name === 'cookie' ? '; ' : ', '}${value}`
  }
  return out
}

function makeRequest(
  body: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): FunctionRequest {
  const question = path.indexOf('?')
  const pathname = question === -1 ? path : path.slice(0, question)
  const queryString = question === -1 ? '' : path.slice(question + 1)
  const query: Record<string, string> = {}
  for (const pair of queryString.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    if (eq === -1) query[pair] = ''
    else query[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  const contentType = headers['content-type'] ?? ''
  const scheme = headers['x-forwarded-proto'] ?? 'http'
  const host = headers.host ?? 'localhost'
  const port = scheme === 'https' ? 443 : 80
  return {
    bodyText: body,
    bodyRaw: body,
    get body() {
      if (!contentType.startsWith('application/json')) return body
      return body === '' ? {} : (JSON.parse(body) as unknown)
    },
    get bodyJson() {
      return JSON.parse(body) as unknown
    },
    headers,
    method,
    host,
    scheme,
    port,
    path: pathname,
    queryString,
    query,
    url: `${scheme}://${host}${pathname}${queryString === '' ? '' : `?${queryString}`}`,
  }
}

function respond(
  body: string,
  statusCode: number,
  headers: Record<string, string>,
): FunctionResponseValue {
  const value = { body, statusCode, headers }
  responses.add(value)
  return value
}

const RESPONSE: FunctionResponse = {
  send: (body, statusCode = 200, headers = {}) => respond(String(body), statusCode, headers),
  text: (body, statusCode = 200, headers = {}) => respond(String(body), statusCode, headers),
  json: (body, statusCode = 200, headers = {}) =>
    respond(JSON.stringify(body), statusCode, { ...headers, 'content-type': 'application/json' }),
  empty: () => respond('', 204, {}),
  redirect: (url, statusCode = 301, headers = {}) =>
    respond('', statusCode, { ...headers, location: url }),
}

/** Lower-cased names; a text `content-type` gets `; charset=utf-8` as the runtime adds it. */
function normalizeHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value)
  const type = out['content-type'] ?? 'text/plain'
  out['content-type'] =
    type.startsWith('multipart/') || type.includes('charset=') ? type : `${type}; charset=utf-8`
  return out
}

/** The shortest duration reported (a microsecond): the server's runtime never answers in no time. */
const MIN_DURATION_S = 0.000_001

/** The most an execution keeps of its logs, and of its errors (`APP_FUNCTION_LOG_LENGTH_LIMIT`). */
const OUTPUT_LIMIT = 1_000_000

/**
 * An execution's logs or errors as the server keeps them: past {@link OUTPUT_LIMIT} characters, a
 * warning line and then the end of the output, `OUTPUT_LIMIT` characters in all.
 */
function truncated(output: string, what: 'Logs' | 'Errors'): string {
  if (output.length <= OUTPUT_LIMIT) return output
  const warning = `[WARNING] ${what} truncated. The output exceeded ${OUTPUT_LIMIT} characters.\n`
  return warning + output.slice(-(OUTPUT_LIMIT - warning.length))
}

function formatLog(message: readonly unknown[]): string {
  const text = message
    .map((part) =>
      typeof part === 'string'
        ? part
        : part instanceof Error
          ? (part.stack ?? part.message)
          : JSON.stringify(part),
    )
    .join(' ')
  return text.length > 8000 ? text.slice(0, 8000) : text
}

/** The handler of a loaded module: its default export (also through CJS interop), or a function module. */
function defaultExport(loaded: unknown): FunctionHandler | undefined {
  let value = loaded
  for (let depth = 0; depth < 3; depth++) {
    if (typeof value === 'function') return value as FunctionHandler
    if (value === null || typeof value !== 'object' || !('default' in value)) return undefined
    value = (value as { default: unknown }).default
  }
  return undefined
}
