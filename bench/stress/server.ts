// The server-path stress scenario: what an app built as booking-guard recommends meets. The
// emulator on 127.0.0.1; the booking server (`createBookingHandler` behind `node:http`, in a child
// process, `serverWorker.ts`) killed with SIGKILL and restarted while requests are in flight;
// customers and providers on `createBookingClient` (reads as themselves with a JWT, writes through
// the server); faults on about 5% of Appwrite calls; hostile users sending what a browser's
// devtools can send. Then one reconcile pass and the invariants over every row. Exits 1 on any
// violation.
//   cd bench && node --import tsx stress/server.ts          (or `pnpm stress:server` from the root)
// Options (environment variables):
//   STRESS_SEED=1           seed of the scenario's choices and of the fault rules
//   STRESS_BOOKINGS=240     bookings the customers try to make
//   STRESS_FAULT_RATE=0.05  share of Appwrite calls that get an injected fault
//   STRESS_CRASHES=4        times the booking server is killed with SIGKILL during the load
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createBookingClient, createBookingGuard } from '@booking-guard/core'
import type { BookingClient } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { freePort } from '../support'
import { bookingTables, checkGuarantee, checkServerPath, createChecks } from './invariants'
import type { StoredRow } from './invariants'
import {
  callFaults,
  childEnv,
  customerId,
  emulatorTablesDB,
  answerOf,
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

const BOOKINGS = Number(process.env.STRESS_BOOKINGS ?? 240)
const TIMEOUT_MS = 6_000
const CRASH_EVERY_MS = 5_000
const DB = 'main'
const SLOT_SECRET = 'stress-server-slot-secret-0123456789'
const SLOT_BASE = Date.parse('2030-04-01T08:00:00.000Z')

const { seed, faultRate, inFlight } = SERVER_PATH
const { random, between } = seeded(seed)
const started = performance.now()
const { checked, violations, count } = createChecks()

const providers = stressProviders(SERVER_PATH.providers)
const providerIds = Object.keys(providers)

const emulator = await startAppwriteEmulator({ host: '127.0.0.1' })
const { fake } = emulator
let server: ChildProcess | undefined
let stopping = false
const stops: Array<() => void> = []
try {
  await provisionSchema({ admin: fake.admin, databaseId: DB })
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/api/booking`
  const jwts = new Map<string, string>()
  const jwtOf = (userId: string, name: string) => {
    if (!jwts.has(userId)) jwts.set(userId, emulator.createJWT(userId, { name }))
    return jwts.get(userId)!
  }

  // ---- The booking server, restarted after every kill -----------------------------------------
  const benchDir = fileURLToPath(new URL('..', import.meta.url))
  const serverFile = fileURLToPath(new URL('./serverWorker.ts', import.meta.url))
  let restarts = 0
  const startServer = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', serverFile], {
        cwd: benchDir,
        env: {
          ...childEnv(emulator, DB, SLOT_SECRET),
          STRESS_PORT: String(port),
          STRESS_PROVIDERS: JSON.stringify(providers),
          STRESS_TIMEOUT_MS: String(TIMEOUT_MS),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      server = child
      createInterface({ input: child.stderr! }).on('line', (line) => {
        // The server reports untyped errors (a bug, never a fault's typed error) on stderr.
        if (line.startsWith('stress server: untyped error')) violation(`server: ${line}`)
        console.error(`  [server] ${line}`)
      })
      createInterface({ input: child.stdout! }).on('line', () => resolve())
      child.once('error', reject)
      child.once('exit', (code, signal) => {
        if (!stopping && signal !== 'SIGKILL') reject(new Error(`server exited: ${code}`))
      })
    })
  const crash = async () => {
    server?.kill('SIGKILL')
    restarts++
    await sleep(between(50, 400)) // requests meet a closed port for a while
    await startServer()
  }
  await startServer()
  stops.push(() => server?.kill('SIGKILL'))

  // ---- Users: each on createBookingClient, reading as themselves -------------------------------
  const clientOf = (userId: string, name: string): BookingClient => {
    const jwt = jwtOf(userId, name)
    const client = createBookingClient({
      tablesDB: emulatorTablesDB(emulator, { jwt }),
      databaseId: DB,
      url,
      jwt: () => jwt,
      watchdog: false,
    })
    stops.push(() => client.dispose())
    return client
  }
  const customers = Array.from({ length: SERVER_PATH.customers }, (_, i) =>
    clientOf(customerId(i), `Customer ${i}`),
  )
  const providerClients = Object.fromEntries(
    providerIds.map((id) => [id, clientOf(providers[id]!.userId, providers[id]!.name)]),
  )

  // Faults on every Appwrite call the server and the browsers make: 5xx, network, 429, latency
  // past the server's budget (the write lands after the server answered), each a quarter.
  const share = faultRate / 4
  const faults = callFaults(fake, share, seed, TIMEOUT_MS + 500)

  // ---- What the users do, and what they were told ----------------------------------------------
  const app = serverPathApp({
    random,
    between,
    customers,
    providerClients,
    providers,
  })

  // ---- Hostile requests: raw HTTP, as devtools would send them ---------------------------------
  const post = async (path: string, body: unknown, headers: Record<string, string>) => {
    try {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
      return answerOf(response.status, await response.text())
    } catch (error) {
      return noAnswer(error)
    }
  }
  const as = (userId: string) => ({ authorization: `Bearer ${jwtOf(userId, userId)}` })
  const attackRound = () =>
    app.attackRound(
      (path, body, user) => post(path, body, as(user)),
      (form, mallory) => [
        ['no Authorization', post('/bookings', { input: form }, {})],
        [
          'a forged JWT',
          post(
            '/bookings',
            { input: form },
            { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' },
          ),
        ],
        [
          'a body of 1 MB',
          post('/bookings', { input: form, notes: 'x'.repeat(1_000_000) }, as(mallory)),
        ],
      ],
    )

  // ---- The load: bookings with follow-ups, attacks and crashes alongside -----------------------
  const forms = app.plans(BOOKINGS, SERVER_PATH.slots, SLOT_BASE)
  const { notStarted, loadMs } = await app.load({
    forms,
    crash,
    crashEveryMs: CRASH_EVERY_MS,
    attackRound,
    onStuck: (problem) => violations.push(problem),
  })
  const faultsFired = faults.map(([name, rule]) => [name, rule.hits] as const)

  // ---- Quiesce, then one reconcile pass with the API key ----------------------------------------
  fake.faults.clear()
  await sleep(TIMEOUT_MS + 1_000) // every delayed write lands before the reconciler looks
  const reconciler = createBookingGuard({
    tablesDB: emulatorTablesDB(emulator, 'key'),
    databaseId: DB,
    slotLock: { secret: SLOT_SECRET },
  })
  stops.push(() => reconciler.dispose())
  const report = await reconciler.reconcile({ olderThanMs: 0 })

  // ---- Invariants -------------------------------------------------------------------------------
  const tables = bookingTables(fake.snapshot()[DB] as Record<string, StoredRow[]> | undefined)
  const { byId, rows } = checkGuarantee(tables, count)
  checkServerPath(tables, byId, { ...app, providers }, count)

  // ---- Summary ----------------------------------------------------------------------------------
  console.log(
    `\nbooking-guard server stress: seed ${seed}, ${inFlight} customers in flight, fault rate ${faultRate}, node ${process.version}`,
  )
  printUsers(app, { notStarted, loadMs })
  console.log(`server: killed with SIGKILL and restarted ${restarts} times`)
  console.log('faults fired:', Object.fromEntries(faultsFired))
  printReconcile(report)
  console.log(`rows: ${JSON.stringify(rows)}`)
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`)
  reportChecks(checked, violations)
} finally {
  stopping = true
  for (const stop of stops) stop()
  await emulator.close()
}

function violation(text: string) {
  violations.push(text)
}
