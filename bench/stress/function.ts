// The Function-path stress scenario: the deployment the README recommends, as close as this machine
// allows. Appwrite (the emulator, with a data dir) runs in a child process (`functionWorker.ts`)
// with the booking Function of `examples/booking-function` registered as its `appwrite.json`
// deploys it; the parent kills that process with SIGKILL while executions are in flight and starts
// it again on the same port and data dir, so Appwrite itself dies mid-saga. Customers and providers
// are real users (Users API with the key, then signed in with email and password) on
// `createBookingClient` with the `appwrite` web SDK's `Functions` and `TablesDB`: customers with a
// session secret, providers with a JWT made from theirs. Faults on about 5% of Appwrite calls
// (installed by the worker itself); hostile users send what a signed-in user can send through
// `functions.createExecution`, and raw HTTP with forged `x-appwrite-*` headers. Then faults off,
// late writes land, one reconcile pass with the key, and the invariants over every row read back
// through the API. Exits 1 on any violation.
//   cd bench && node --import tsx stress/function.ts        (or `pnpm stress:function` from the root)
// Options (environment variables):
//   STRESS_SEED=1           seed of the scenario's choices and of the fault rules
//   STRESS_BOOKINGS=400     bookings the customers try to make
//   STRESS_FAULT_RATE=0.05  share of Appwrite calls that get an injected fault
//   STRESS_CRASHES=4        times Appwrite is killed with SIGKILL during the load
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createBookingClient, createBookingGuard } from '@booking-guard/core'
import type { BookingClient } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { Account, Client, Functions, TablesDB } from 'appwrite'
import { Account as KeyAccount, Client as KeyClient, Query, Users } from 'node-appwrite'
import { freePort } from '../support'
import {
  bookingTables,
  checkGuarantee,
  checkServerPath,
  createChecks,
  stored,
  voided,
} from './invariants'
import type { StoredRow } from './invariants'
import {
  customerId,
  emulatorTablesDB,
  answerOf,
  bookingFunctionSpec,
  noAnswer,
  printReconcile,
  printUsers,
  reportChecks,
  seeded,
  SERVER_PATH,
  serverPathApp,
  sleep,
  stressProviders,
} from './support'
import type { Answer } from './support'

const BOOKINGS = Number(process.env.STRESS_BOOKINGS ?? 400)
const CRASH_EVERY_MS = 3_000
/** How long a started Appwrite may take to say it is ready. */
const START_LIMIT_MS = 30_000
/** The latency fault: past the Function's pipeline budget (9 s) and timeout (15 s): writes land late. */
const LATE_MS = 15_500
/**
 * How long a Function's handler may still write after it started: an authorization read held by
 * the latency fault, then a write's whole budget with its compensation (9 s + 4 s in
 * examples/booking-function). The Function answers before its timeout, but the handler goes on
 * in the background, as in Appwrite's Node runtime.
 */
const HANDLER_MS = LATE_MS + 13_000
/** The Function's execution timeout in seconds, from its appwrite.json. */
const TIMEOUT_S = bookingFunctionSpec().timeout
const DB = 'main'
const FUNCTION_ID = 'booking'
const PASSWORD = 'stress-password-0123'
const SLOT_BASE = Date.parse('2030-05-01T08:00:00.000Z')

const { seed, faultRate, inFlight } = SERVER_PATH
const { random, between } = seeded(seed)
const started = performance.now()
const { checked, violations, count } = createChecks()
const providers = stressProviders(SERVER_PATH.providers)
const providerIds = Object.keys(providers)
/** The Function's `BOOKING_PROVIDERS` variable for these providers (examples/booking-function). */
const BOOKING_PROVIDERS = JSON.stringify(
  providerIds.map((id) => ({
    id,
    userId: providers[id]!.userId,
    name: providers[id]!.name,
    hourlyPrice: providers[id]!.hourly,
    currency: 'EUR',
  })),
)

// ---- Appwrite in a child process, restarted after every kill ------------------------------------
interface Address {
  readonly endpoint: string
  readonly projectId: string
  readonly apiKey: string
}
interface Appwrite {
  readonly child: ChildProcess
  readonly lines: Interface
  readonly address: Address
}
const data = mkdtempSync(join(tmpdir(), 'booking-guard-fnstress-'))
const port = await freePort()
const benchDir = fileURLToPath(new URL('..', import.meta.url))
const workerFile = fileURLToPath(new URL('./functionWorker.ts', import.meta.url))
let appwrite: Appwrite | undefined
let boots = 0
let stopping = false
/** Faults fired in every Appwrite process so far, by kind. */
const fired: Record<string, number> = {}
const stops: Array<() => void> = []

const startAppwrite = () =>
  new Promise<Appwrite>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerFile], {
      cwd: benchDir,
      env: {
        ...process.env,
        STRESS_PORT: String(port),
        STRESS_DATA: data,
        STRESS_SEED: String(seed),
        STRESS_BOOT: String(boots++),
        STRESS_FAULT_RATE: String(faultRate),
        STRESS_LATE_MS: String(LATE_MS),
        BOOKING_PROVIDERS,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`Appwrite did not start within ${START_LIMIT_MS} ms`))
    }, START_LIMIT_MS)
    createInterface({ input: child.stderr! }).on('line', (line) => {
      console.error(`  [appwrite] ${line}`)
    })
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => {
      clearTimeout(timer)
      const ready = JSON.parse(line) as Address & { ready: boolean }
      appwrite = { child, lines, address: ready }
      resolve(appwrite)
    })
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (!stopping && signal !== 'SIGKILL') {
        violations.push(`Appwrite crashed on its own: exit ${code} ${signal}`)
        reject(new Error(`Appwrite exited: ${code} ${signal}`))
      }
    })
  })

/** How long each handler of the Function ran, in ms, over every Appwrite process. */
const handlerMs: number[] = []
/**
 * Sends `faults on` / `faults off` / `faults?` to Appwrite; answers the faults fired in it so far,
 * and keeps the run times of the handlers that ended since the last answer.
 */
const faults = (command: 'faults on' | 'faults off' | 'faults?') =>
  new Promise<Record<string, number>>((resolve, reject) => {
    const { child, lines } = appwrite!
    const timer = setTimeout(() => reject(new Error(`no answer to \`${command}\``)), 5_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      const answer = JSON.parse(line) as { fired: Record<string, number>; handlers: number[] }
      handlerMs.push(...answer.handlers)
      resolve(answer.fired)
    })
    child.stdin!.write(`${command}\n`)
  })
const addFired = (counts: Record<string, number>) => {
  for (const [name, hits] of Object.entries(counts)) fired[name] = (fired[name] ?? 0) + hits
}

try {
  const { address } = await startAppwrite()
  stops.push(() => appwrite?.child.kill('SIGKILL'))
  const keyClient = new KeyClient()
    .setEndpoint(address.endpoint)
    .setProject(address.projectId)
    .setKey(address.apiKey)
  // What `booking-guard provision` does against a project, with the key.
  await provisionSchema({ admin: emulatorTablesDB(address, 'key'), databaseId: DB })

  // ---- Users: created once with the key, signed in with email and password --------------------
  const users = new Users(keyClient)
  const signIn = async (userId: string, name: string) => {
    const email = `${userId}@example.com`
    await users.create({ userId, email, password: PASSWORD, name })
    // A server signs a user in for them (SSR): the session secret is answered to the key only.
    const session = await new KeyAccount(keyClient).createEmailPasswordSession({
      email,
      password: PASSWORD,
    })
    if (session.secret === '') throw new Error(`no session secret for ${userId}`)
    return new Client()
      .setEndpoint(address.endpoint)
      .setProject(address.projectId)
      .setSession(session.secret)
  }
  /** Each user's `appwrite` client, as their browser holds it, by user id. */
  const browsers = new Map<string, Client>()
  const clientOf = (browser: Client): BookingClient => {
    const client = createBookingClient({
      tablesDB: new TablesDB(browser),
      databaseId: DB,
      functions: new Functions(browser),
      functionId: FUNCTION_ID,
      watchdog: false,
    })
    stops.push(() => client.dispose())
    return client
  }
  const customers: BookingClient[] = []
  for (let i = 0; i < SERVER_PATH.customers; i++) {
    const browser = await signIn(customerId(i), `Customer ${i}`)
    browsers.set(customerId(i), browser)
    customers.push(clientOf(browser))
  }
  const providerClients: Record<string, BookingClient> = {}
  for (const id of providerIds) {
    const { userId, name } = providers[id]!
    // Providers hold a JWT made from their session (`account.createJWT()`), as a page that
    // hands one to another service does.
    const { jwt } = await new Account(await signIn(userId, name)).createJWT()
    const browser = new Client()
      .setEndpoint(address.endpoint)
      .setProject(address.projectId)
      .setJWT(jwt)
    browsers.set(userId, browser)
    providerClients[id] = clientOf(browser)
  }
  const sessionSecrets = new Map<string, string>()
  for (const [userId, browser] of browsers) {
    const session = (browser as unknown as { config: { session?: string } }).config.session
    if (session !== undefined && session !== '') sessionSecrets.set(userId, session)
  }

  const app = serverPathApp({
    random,
    between,
    customers,
    providerClients,
    providers,
  })

  // ---- After each restart: committed bookings and sign-ins survived --------------------------
  /** What a restart must keep: every booking a customer was told ok for before the kill. */
  const survived = async (toldOk: readonly string[]) => {
    const keyTables = emulatorTablesDB(address, 'key')
    const found = new Map<string, StoredRow>()
    for (let at = 0; at < toldOk.length; at += 100) {
      const { rows } = await keyTables.listRows({
        databaseId: DB,
        tableId: 'bookings',
        queries: [Query.equal('$id', toldOk.slice(at, at + 100)), Query.limit(100)],
      })
      for (const row of rows) found.set(row.$id, row as unknown as StoredRow)
    }
    for (const id of toldOk) {
      const row = found.get(id)
      // Delivered, or `pending` while a transition (an accept, a cancellation) was cut by the
      // crash: the reconciler finishes that. Missing, failed or void would be a lost booking.
      count(
        'a booking told ok survives a crash of Appwrite',
        row !== undefined && row.pipelineStatus !== 'failed' && !voided(row),
        () =>
          `${id} is ${stored(row)} after restart ${boots - 1} (updated ${String(row?.$updatedAt)}, created ${String(row?.$createdAt)})`,
      )
    }
    for (const [userId, browser] of browsers) {
      const account = await new Account(browser).get().then(
        (user) => user.$id,
        (error: unknown) => `${String((error as { type?: string }).type)}: ${String(error)}`,
      )
      count(
        'a session or JWT from before a crash still signs its user in',
        account === userId,
        () => `${userId} after restart ${boots - 1}: ${account}`,
      )
    }
  }
  let restarts = 0
  /** Booking calls running at each kill. */
  const inFlightAtKills: number[] = []
  const crash = async () => {
    addFired(await faults('faults?'))
    inFlightAtKills.push(app.bookingsInFlight())
    const toldOk = app.made.filter((m) => m.told === 'ok').map((m) => m.bookingId!)
    appwrite!.child.kill('SIGKILL')
    restarts++
    await sleep(between(50, 400)) // executions meet a closed port for a while
    await startAppwrite()
    await survived(toldOk)
    await faults('faults on')
  }

  // ---- Hostile requests: what a signed-in user can send, and raw HTTP ---------------------------
  /** An execution as `user` (their own `Functions`), read as the client reads it. */
  const execute = async (
    user: string | undefined,
    params: { xpath: string; body: unknown; method?: string; headers?: Record<string, string> },
  ): Promise<Answer> => {
    const browser =
      user === undefined
        ? new Client().setEndpoint(address.endpoint).setProject(address.projectId)
        : browsers.get(user)!
    try {
      const execution = await new Functions(browser).createExecution({
        functionId: FUNCTION_ID,
        xpath: params.xpath,
        body: typeof params.body === 'string' ? params.body : JSON.stringify(params.body),
        method: (params.method ?? 'POST') as never,
        headers: { 'content-type': 'application/json', ...params.headers },
      })
      return answerOf(execution.responseStatusCode, execution.responseBody)
    } catch (error) {
      return appwriteRefusal(error)
    }
  }
  /** Raw HTTP to the executions route, as devtools or curl would send it. */
  const rawExecution = async (headers: Record<string, string>, body: unknown): Promise<Answer> => {
    try {
      const response = await fetch(`${address.endpoint}/functions/${FUNCTION_ID}/executions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-appwrite-project': address.projectId,
          ...headers,
        },
        body: JSON.stringify({
          path: '/bookings',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      })
      const json = (await response.json()) as {
        type?: string
        responseStatusCode?: number
        responseBody?: string
      }
      return response.status === 201
        ? answerOf(json.responseStatusCode ?? 0, json.responseBody ?? '')
        : { status: response.status, code: json.type, body: json }
    } catch (error) {
      return noAnswer(error)
    }
  }
  const attackRound = () =>
    app.attackRound(
      (xpath, body, user) => execute(user, { xpath, body }),
      (form, mallory) => [
        ['an unknown path', execute(mallory, { xpath: '/admin/bookings', body: { input: form } })],
        ['GET /bookings', execute(mallory, { xpath: '/bookings', body: '', method: 'GET' })],
        [
          'X-Appwrite-User-Id in the execution headers',
          execute(mallory, {
            xpath: '/bookings',
            body: { input: form },
            headers: { 'X-Appwrite-User-Id': customerId(0) },
          }),
        ],
        [
          'x-appwrite-user-id in the execution headers',
          execute(mallory, {
            xpath: '/bookings',
            body: { input: form },
            headers: { 'x-appwrite-user-id': customerId(0) },
          }),
        ],
        [
          'X-Appwrite-Key in the execution headers',
          execute(mallory, {
            xpath: '/bookings',
            body: { input: form },
            headers: { 'X-Appwrite-Key': 'forged-key' },
          }),
        ],
        ['a guest executes', execute(undefined, { xpath: '/bookings', body: { input: form } })],
        [
          'a guest with x-appwrite-user-id over HTTP',
          rawExecution({ 'x-appwrite-user-id': customerId(0) }, { input: form }),
        ],
        [
          'a guest with a forged x-appwrite-key over HTTP',
          rawExecution({ 'x-appwrite-key': 'forged-key' }, { input: form }),
        ],
        [
          'a guest with a forged dynamic key over HTTP',
          rawExecution({ 'x-appwrite-key': 'dynamic_eyJhbGciOiJIUzI1NiJ9.e30.x' }, { input: form }),
        ],
        // Signed in as Mallory, naming someone else in the HTTP header: she gets her own booking.
        [
          'x-appwrite-user-id over HTTP, signed in',
          rawExecution(
            {
              'x-appwrite-session': sessionSecrets.get(mallory)!,
              'x-appwrite-user-id': customerId(0),
            },
            { input: form, idempotencyKey: `forged-${app.attacks.length}` },
          ),
          true,
        ],
      ],
    )

  // ---- The load: bookings with follow-ups, attacks and crashes alongside -----------------------
  await faults('faults on')
  const forms = app.plans(BOOKINGS, SERVER_PATH.slots, SLOT_BASE)
  const { notStarted, loadMs } = await app.load({
    forms,
    crash,
    crashEveryMs: CRASH_EVERY_MS,
    attackRound,
    onStuck: (problem) => violations.push(problem),
  })

  // ---- Quiesce, then one reconcile pass with the API key ----------------------------------------
  addFired(await faults('faults off'))
  // Every delayed write lands, and every handler still running ends, before the reconciler looks.
  await sleep(Math.max(LATE_MS, HANDLER_MS) + 1_000)
  const reconciler = createBookingGuard({
    tablesDB: emulatorTablesDB(address, 'key'),
    databaseId: DB,
    // The Function's own slot rule (examples/booking-function: `slotLock: true`).
    slotLock: true,
  })
  stops.push(() => reconciler.dispose())
  const report = await reconciler.reconcile({ olderThanMs: 0 })

  // ---- Invariants, over every row read back with the key ----------------------------------------
  const keyTables = emulatorTablesDB(address, 'key')
  const readAll = async (tableId: string) => {
    const rows: StoredRow[] = []
    for (let page = 0; page < 1_000; page++) {
      const last = rows.at(-1)
      const { rows: more } = await keyTables.listRows({
        databaseId: DB,
        tableId,
        queries: [Query.limit(500), ...(last ? [Query.cursorAfter(last.$id)] : [])],
      })
      rows.push(...(more as unknown as StoredRow[]))
      if (more.length < 500) break
    }
    return rows
  }
  const tables = bookingTables({
    bookings: await readAll('bookings'),
    chat_rooms: await readAll('chat_rooms'),
    chat_messages: await readAll('chat_messages'),
    notifications: await readAll('notifications'),
  })
  addFired(await faults('faults?'))
  const { byId, rows } = checkGuarantee(tables, count)
  // Appwrite answers an execution whose handler runs past the Function's `timeout` with a bare
  // 500 ("Execution timed out"): the booking server's typed answer never reaches the customer.
  for (const ms of handlerMs) {
    count(
      'the Function answers before its timeout',
      ms < TIMEOUT_S * 1_000,
      () => `a handler ran ${Math.round(ms)} ms, the Function's timeout is ${TIMEOUT_S} s`,
    )
  }
  checkServerPath(tables, byId, { ...app, providers }, count)

  // ---- Summary ----------------------------------------------------------------------------------
  console.log(
    `\nbooking-guard Function stress: seed ${seed}, ${inFlight} customers in flight, fault rate ${faultRate}, node ${process.version}`,
  )
  printUsers(app, { notStarted, loadMs })
  console.log(
    `Appwrite: killed with SIGKILL and restarted ${restarts} times, with ${inFlightAtKills.join(', ')} booking calls in flight`,
  )
  console.log('faults fired:', fired)
  const sorted = handlerMs.slice().sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.floor(q * (sorted.length - 1))] ?? 0)
  console.log(
    `Function handlers: ${sorted.length} ended (those cut by a kill never end), p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; timeout ${TIMEOUT_S} s`,
  )
  printReconcile(report)
  console.log(`rows: ${JSON.stringify(rows)}`)
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`)
  reportChecks(checked, violations)
} finally {
  stopping = true
  for (const stop of stops) stop()
  if (violations.length === 0) rmSync(data, { recursive: true, force: true })
  else console.log(`Appwrite's data dir is kept for a look: ${data}`)
}

/** Appwrite refused the execution itself (or gave no answer: status 0). */
function appwriteRefusal(error: unknown): Answer {
  const { code, type } = error as { code?: number; type?: string }
  return typeof code === 'number' && code > 0
    ? { status: code, code: type, body: undefined }
    : noAnswer(error)
}
