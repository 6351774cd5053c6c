// The README's demo: a booking story told in the terminal. Everything printed is read back from
// what happened in this run (rows in the emulator, events, errors, timings), never canned text.
//
// 1. start the Appwrite emulator (the in-memory fake served over HTTP + WebSocket)
// 2. provision the schema with the `booking-guard` CLI, then `doctor`
// 3. a provider's feed subscribes through the real `appwrite` web SDK, signed in as the provider
// 4. bookings are made through the real `node-appwrite` SDK (server side, as an Appwrite Function would)
// 5. a notification outage: retries, the breaker opens, a loud typed error, nothing half-made
// 6. a customer process is killed mid-pipeline (saga mode); the reconciler finishes the booking
// 7. the provider's socket goes silent; the watchdog notices, the feed catches up by polling
// 8. the metrics snapshot
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createBookingGuard,
  createCircuitBreaker,
  createErrorMonitor,
  createMetrics,
  isBookingGuardError,
  type BookingInput,
} from '@booking-guard/core'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client as WebClient, Realtime, TablesDB as WebTablesDB } from 'appwrite'
import { Client as ServerClient, TablesDB as ServerTablesDB } from 'node-appwrite'
import { WebSocket } from 'undici'

// The web SDK's realtime needs a browser-like WebSocket, `window` and `localStorage` under Node.
const memory = new Map<string, string>()
const localStorage = {
  getItem: (key: string) => memory.get(key) ?? null,
  setItem: (key: string, value: string) => void memory.set(key, value),
  removeItem: (key: string) => void memory.delete(key),
}
Object.assign(globalThis, { WebSocket, window: globalThis, localStorage })

const DATABASE = 'main'
const PROVIDER = 'provider-anna'
const started = performance.now()
const since = () => `${((performance.now() - started) / 1000).toFixed(2)}s`
const say = (text: string) => console.log(`[${since()}] ${text}`)
const detail = (text: string) => console.log(`           ${text}`)
const heading = (text: string) => console.log(`\n== ${text}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`demo: timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}

function input(customer: string, extra: Record<string, unknown> = {}): BookingInput {
  return {
    customerId: customer,
    customerName: customer.replace('customer-', '').replace(/^./, (c) => c.toUpperCase()),
    providerId: PROVIDER,
    providerType: 'therapist',
    providerName: 'Anna',
    bookingType: 'immediate',
    durationMinutes: 60,
    price: 9000,
    currency: 'EUR',
    ...extra,
  } as BookingInput
}

const emulator = await startAppwriteEmulator({ latencyMs: 2 })
const { fake } = emulator
const rowsOf = (table: string) =>
  (fake.snapshot()[DATABASE]?.[table] ?? []) as Array<Record<string, unknown>>
const rowsFor = (bookingId: string) => ({
  bookings: rowsOf('bookings').filter((r) => r.$id === bookingId).length,
  rooms: rowsOf('chat_rooms').filter((r) => r.bookingId === bookingId).length,
  messages: rowsOf('chat_messages').filter((r) => r.bookingId === bookingId).length,
  notifications: rowsOf('notifications').filter((r) => r.bookingId === bookingId).length,
})

try {
  heading('1. Appwrite emulator')
  say(
    `listening on ${emulator.endpoint} (project ${emulator.projectId}); the in-memory fake is behind it`,
  )

  heading('2. Provision the schema with the booking-guard CLI')
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('@booking-guard/core/package.json')),
    'dist/bin.js',
  )
  const env = {
    ...process.env,
    APPWRITE_ENDPOINT: emulator.endpoint,
    APPWRITE_PROJECT: emulator.projectId,
    APPWRITE_API_KEY: emulator.apiKey,
    BOOKING_GUARD_DATABASE: DATABASE,
  }
  for (const args of [['doctor'], ['provision'], ['doctor']]) {
    const run = await runProcess(process.execPath, [cli, ...args], env)
    say(`$ booking-guard ${args.join(' ')}  → exit ${run.code}`)
    for (const line of run.output.trim().split('\n').slice(0, 12)) detail(line)
    if (args[0] === 'provision' && run.code !== 0) throw new Error('demo: provisioning failed')
  }
  const tables = (await fake.admin.listTables({ databaseId: DATABASE })).tables.map((t) => t.$id)
  say(`tables now in the emulator: ${tables.join(', ')}`)

  heading('3. The provider signs in and her booking feed subscribes (real `appwrite` web SDK)')
  // One monitor and one set of metrics for the whole app: the provider's realtime side and the
  // server's pipeline both report into them.
  const monitor = createErrorMonitor()
  const metrics = createMetrics({ monitor })
  const providerJwt = emulator.createJWT(PROVIDER)
  const providerClient = new WebClient()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setJWT(providerJwt)
  const providerGuard = createBookingGuard({
    tablesDB: new WebTablesDB(providerClient),
    realtime: new Realtime(providerClient),
    databaseId: DATABASE,
    monitor,
    metrics,
    // Demo timings: the defaults are a 15 s canary interval and a 5 s timeout (≤ 20 s detection).
    watchdog: { intervalMs: 1_000, timeoutMs: 500 },
    feeds: { pollIntervalMs: 500 },
  })
  const feedSeen = new Map<string, number>()
  const stopFeed = providerGuard.subscribeToProviderBookings(PROVIDER, ({ type, booking }) => {
    feedSeen.set(String(booking.$id), performance.now())
    say(
      `provider feed: ${type} booking ${booking.$id} (${booking.customerName}, status ${booking.status})`,
    )
  })
  await emulator.realtime.waitForSubscriptions(1)
  say(`feed live: ${emulator.realtime.subscriptions} realtime subscription(s) on the emulator`)

  heading('4. Bookings through the pipeline (real `node-appwrite` SDK with an API key)')
  const server = new ServerClient()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setKey(emulator.apiKey)
  // A partial outage (one table failing while other calls succeed) never trips a
  // consecutive-failure breaker; a sampling breaker opens on the failure ratio instead.
  const breaker = createCircuitBreaker({
    breaker: { kind: 'sampling', threshold: 0.5, duration: 2_000, minimumThroughput: 4 },
    halfOpenAfter: 1_500,
  })
  breaker.onStateChange(({ previous, state }) => say(`circuit breaker: ${previous} → ${state}`))
  const guard = createBookingGuard({
    tablesDB: new ServerTablesDB(server),
    databaseId: DATABASE,
    monitor,
    metrics,
    breaker,
  })
  guard.on((event) => {
    if (event.type === 'modeResolved') say(`pipeline mode: ${event.mode} (${event.reason})`)
  })
  for (const [customer, extra] of [
    ['customer-ben', {}],
    // A legacy client still sends `therapistId`: the schema lock maps it to `providerId`.
    ['customer-cleo', { providerId: undefined, therapistId: PROVIDER }],
  ] as const) {
    const t0 = performance.now()
    const result = await guard.createBooking(input(customer, extra), {
      idempotencyKey: `demo-${customer}`,
    })
    const ms = (performance.now() - t0).toFixed(0)
    say(`booked ${result.booking.$id} for ${customer} in ${ms} ms (${result.mode} mode)`)
    detail(
      `room ${result.chatRoom.$id}, system message "${String(result.systemMessage.content).slice(0, 60)}", notification ${result.notification.$id}`,
    )
    const { totalMs, roundTrips, ...rest } = result.timings as unknown as Record<string, unknown>
    detail(
      `timings: ${Math.round(Number(totalMs))} ms in total, ${String(roundTrips)} round trips on the critical path; ${JSON.stringify(rest)}`,
    )
    const seenAt = await waitFor('the provider feed to see the booking', () =>
      feedSeen.get(result.booking.$id),
    )
    detail(`provider feed saw it ${(seenAt - t0).toFixed(0)} ms after the call started`)
  }
  const replay = await guard.createBooking(input('customer-ben'), {
    idempotencyKey: 'demo-customer-ben',
  })
  say(
    `same idempotency key again → replayed: ${replay.replayed}, booking ${replay.booking.$id}; bookings in the table: ${rowsOf('bookings').length}`,
  )

  heading('5. Notification outage')
  const outage = fake.faults.fail({
    name: 'notification outage',
    when: (call) =>
      JSON.stringify(call.params).includes('"notifications"') || call.tableId === 'notifications',
    error: 'general_server_error',
  })
  const offOutage = guard.on((event) => {
    if (event.type === 'stepFailed') detail(`step ${event.step} failed: ${describe(event.error)}`)
    if (event.type === 'compensated')
      detail(
        `compensation ${event.ok ? 'done' : 'FAILED'}: undid ${event.undone.join(', ') || 'nothing'}`,
      )
  })
  for (const customer of ['customer-dan', 'customer-eve', 'customer-finn', 'customer-gia']) {
    try {
      await guard.createBooking(input(customer), { idempotencyKey: `demo-${customer}` })
      say(`unexpected: ${customer}'s booking went through during the outage`)
    } catch (error) {
      say(`${customer}: ${describe(error)}`)
      const id =
        isBookingGuardError(error) && 'bookingId' in error ? String(error.bookingId) : undefined
      if (id) {
        const left = rowsFor(id)
        const booking = rowsOf('bookings').find((r) => r.$id === id)
        detail(
          `left behind for ${id}: ${JSON.stringify(left)}${booking ? ` (booking pipelineStatus ${booking.pipelineStatus})` : ''}`,
        )
      }
    }
  }
  offOutage()
  outage.remove()
  const faultCount = fake.faults.log.filter((entry) =>
    JSON.stringify(entry).includes('notification outage'),
  ).length
  const { counters } = metrics.snapshot()
  say(
    `outage over: ${faultCount} injected failures, ${counters.retries.value} retries, ${counters.breakerOpenings.value} breaker openings, ${counters.bookingsFailed.value} bookings failed loudly`,
  )
  await sleep(1_600)
  const after = await guard.createBooking(input('customer-dan'), {
    idempotencyKey: 'demo-customer-dan-2',
  })
  say(`after the breaker's half-open probe: booked ${after.booking.$id} (${after.mode} mode)`)

  heading('6. A customer process is killed mid-pipeline (saga mode)')
  const hang = fake.faults.hang({
    name: 'hold delivery',
    operation: 'updateRow',
    table: 'bookings',
  })
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./customerProcess.ts', import.meta.url))],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await waitFor('the customer process to reach the last step', () => hang.pending > 0)
  const crashedId = String(rowsOf('bookings').find((r) => r.customerId === 'customer-fay')?.$id)
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  hang.remove()
  say(`killed the customer process (SIGKILL) while booking ${crashedId} was being delivered`)
  detail(
    `rows for it: ${JSON.stringify(rowsFor(crashedId))}, pipelineStatus ${rowsOf('bookings').find((r) => r.$id === crashedId)?.pipelineStatus}`,
  )
  const report = await guard.reconcile({ olderThanMs: 0 })
  say(
    `reconcile: ${report.pending.found} pending found, completed ${JSON.stringify(report.pending.completed)}, compensated ${JSON.stringify(report.pending.compensated)}`,
  )
  detail(
    `rows for it now: ${JSON.stringify(rowsFor(crashedId))}, pipelineStatus ${rowsOf('bookings').find((r) => r.$id === crashedId)?.pipelineStatus}`,
  )
  await waitFor('the provider feed to see the repaired booking', () => feedSeen.get(crashedId))

  heading("7. The provider's socket goes silent")
  const feed = providerGuard.providerFeed(PROVIDER)
  let last = feed.getSnapshot()
  const offFeed = feed.subscribe(() => {
    const now = feed.getSnapshot()
    if (now.connection !== last.connection || now.watchdog !== last.watchdog) {
      say(
        `provider feed: connection ${last.connection} → ${now.connection}, watchdog ${last.watchdog} → ${now.watchdog}`,
      )
    }
    last = now
  })
  await waitFor('the watchdog to be healthy', () => feed.getSnapshot().watchdog === 'healthy')
  const silence = fake.faults.realtime.drop({ name: 'silent socket' })
  const silentFrom = performance.now()
  say('every realtime event is now dropped on the wire; the socket stays open and looks fine')
  await waitFor(
    'the watchdog to notice',
    () => ['degraded', 'dead'].includes(feed.getSnapshot().watchdog),
    15_000,
  )
  say(
    `watchdog noticed after ${(performance.now() - silentFrom).toFixed(0)} ms (canary every 1 s, 0.5 s budget in this demo)`,
  )
  const during = await guard.createBooking(input('customer-gus'), {
    idempotencyKey: 'demo-customer-gus',
  })
  const bookedAt = performance.now()
  say(`booked ${during.booking.$id} while realtime is silent`)
  const caughtUp = await waitFor(
    'the feed to catch up',
    () => feedSeen.get(during.booking.$id),
    15_000,
  )
  detail(
    `the feed delivered it anyway (catch-up query) ${(caughtUp - bookedAt).toFixed(0)} ms after the booking`,
  )
  silence.remove()
  await waitFor('the watchdog to recover', () => feed.getSnapshot().watchdog === 'healthy', 15_000)
  say(
    `realtime is back: connection ${feed.getSnapshot().connection}, watchdog ${feed.getSnapshot().watchdog}`,
  )
  offFeed()

  heading('8. Metrics')
  const snapshot = metrics.snapshot()
  for (const rate of Object.values(snapshot.rates)) {
    const value = rate.value === undefined ? 'no samples' : `${(rate.value * 100).toFixed(1)}%`
    detail(
      `${rate.name.padEnd(42)} ${value.padStart(10)}  (${rate.total} samples, alert below ${rate.threshold * 100}%${rate.breached ? ', ALERTING' : ''})`,
    )
  }
  for (const metric of [...Object.values(snapshot.counters), ...Object.values(snapshot.gauges)]) {
    detail(`${metric.name.padEnd(42)} ${String(metric.value).padStart(10)}`)
  }
  say(`errors captured by the monitor: ${monitor.snapshot().total}`)
  stopFeed()
  say(
    `done: ${rowsOf('bookings').length} bookings, ${rowsOf('chat_rooms').length} rooms, ${rowsOf('notifications').length} notifications in the emulator`,
  )
} finally {
  await emulator.close()
}

function describe(error: unknown): string {
  if (isBookingGuardError(error)) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name})` : ''
    return `${error.name} [${error.code}]: ${error.message}${cause}`
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}
