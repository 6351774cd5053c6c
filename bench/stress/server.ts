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
import {
  createBookingClient,
  createBookingGuard,
  describeBookingError,
  isBookingGuardError,
} from '@booking-guard/core'
import type { BookingClient, BookingInput } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { freePort } from '../support'
import { bookingTables, checkGuarantee, createChecks, delivered, stored } from './invariants'
import type { StoredRow } from './invariants'
import { callFaults, childEnv, emulatorTablesDB, reportChecks, seeded, sleep } from './support'

const SEED = Number(process.env.STRESS_SEED ?? 1)
const BOOKINGS = Number(process.env.STRESS_BOOKINGS ?? 240)
const FAULT_RATE = Number(process.env.STRESS_FAULT_RATE ?? 0.05)
const CRASHES = Number(process.env.STRESS_CRASHES ?? 4)
const IN_FLIGHT = 16
/** The load stops starting work after this long, whatever is left. */
const LOAD_LIMIT_MS = 60_000
const TIMEOUT_MS = 6_000
const CRASH_EVERY_MS = 5_000
const CUSTOMERS = 24
/** Customers whose bookings nobody answers: the hostile users aim at these. */
const VICTIMS = 4
const PROVIDERS = 6
const SLOTS = 12
/** Times a customer tries a booking the client gave up on (no connection, 5xx), same key. */
const APP_RETRIES = 4
const DB = 'main'
const SLOT_SECRET = 'stress-server-slot-secret-0123456789'
const SLOT_BASE = Date.parse('2030-04-01T08:00:00.000Z')

const { random, between } = seeded(SEED)
const started = performance.now()
const { checked, violations, count } = createChecks()

const providers = Object.fromEntries(
  Array.from({ length: PROVIDERS }, (_, i) => [
    `therapist-${i}`,
    { userId: `provider-user-${i}`, name: `Therapist ${i}`, hourly: 6_000 + i * 1_000 },
  ]),
)
const providerIds = Object.keys(providers)
const customerId = (i: number) => `customer-${i}`

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
  const customers = Array.from({ length: CUSTOMERS }, (_, i) =>
    clientOf(customerId(i), `Customer ${i}`),
  )
  const providerClients = Object.fromEntries(
    providerIds.map((id) => [id, clientOf(providers[id]!.userId, providers[id]!.name)]),
  )

  // Faults on every Appwrite call the server and the browsers make: 5xx, network, 429, latency
  // past the server's budget (the write lands after the server answered), each a quarter.
  const share = FAULT_RATE / 4
  const faults = callFaults(fake, share, SEED, TIMEOUT_MS + 500)

  // ---- What the users do, and what they were told ----------------------------------------------
  interface Made {
    readonly key: string
    readonly customer: number
    readonly providerId: string
    bookingId?: string
    /** The last thing the customer was told: `ok`, or an error's code and reason. */
    told: string
    /** Whether what the customer was told invites another try (a retryable error, or "unavailable"). */
    again: boolean
  }
  const made: Made[] = []
  /** Transitions the legit users were told ok, and the accepts they sent (told ok or not). */
  const legit = {
    accepted: new Set<string>(),
    declined: new Set<string>(),
    cancelled: new Set<string>(),
    acceptSent: new Set<string>(),
  }
  const untyped: string[] = []
  /** What a customer's app makes of an error: its code, and whether to try again (as the hook does). */
  const outcomeOf = (error: unknown) => {
    const { retryable, kind } = describeBookingError(error)
    // "Try again in a moment" (an open circuit): a customer does, later, with the same form.
    const again = retryable || kind === 'unavailable'
    if (!isBookingGuardError(error)) {
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
      untyped.push(
        error instanceof Error
          ? `${error.name}: ${error.message}${cause ? ` (cause: ${String(cause.code ?? cause.message)})` : ''}`
          : String(error),
      )
      return { told: `untyped ${error instanceof Error ? error.name : typeof error}`, again }
    }
    const reason = (error as { reason?: string }).reason
    return { told: `${error.code}${reason ? ` ${reason}` : ''}`, again }
  }

  const book = async (plan: Made, input: BookingInput) => {
    for (let attempt = 0; attempt <= APP_RETRIES; attempt++) {
      try {
        const result = await customers[plan.customer]!.createBooking(input, {
          idempotencyKey: plan.key,
        })
        plan.bookingId = result.booking.$id
        plan.told = 'ok'
        plan.again = false
        return
      } catch (error) {
        Object.assign(plan, outcomeOf(error))
        const bookingId = (error as { bookingId?: string }).bookingId
        if (bookingId) plan.bookingId = bookingId
        if (!plan.again) return
        await sleep(between(500, 1_500) * (attempt + 1))
      }
    }
  }
  const followUp = async (plan: Made) => {
    if (plan.told !== 'ok' || plan.bookingId === undefined || plan.customer < VICTIMS) return
    const id = plan.bookingId
    const provider = providerClients[plan.providerId]!
    const r = random()
    const quietly = (work: () => Promise<unknown>, onOk: () => void) =>
      work().then(onOk, (error: unknown) => outcomeOf(error))
    await quietly(
      () =>
        provider.sendMessage(id, {
          senderId: providers[plan.providerId]!.userId,
          senderType: 'therapist',
          senderName: 'Therapist',
          content: 'Hello, see you soon',
        }),
      () => {},
    )
    if (r < 0.45) {
      legit.acceptSent.add(id)
      await quietly(
        () => provider.respondToBooking(id, { providerId: plan.providerId, response: 'accept' }),
        () => legit.accepted.add(id),
      )
    } else if (r < 0.65) {
      await quietly(
        () => provider.respondToBooking(id, { providerId: plan.providerId, response: 'decline' }),
        () => legit.declined.add(id),
      )
    }
    if (random() < 0.15) {
      await quietly(
        () =>
          customers[plan.customer]!.cancelBooking(id, {
            by: 'customer',
            actorId: customerId(plan.customer),
            reason: 'Plans changed',
          }),
        () => legit.cancelled.add(id),
      )
    }
  }

  const inputFor = (customer: number, providerId: string, slot?: number): BookingInput =>
    ({
      customerName: `Customer ${customer}`,
      providerId,
      providerType: 'therapist',
      bookingType: slot === undefined ? 'immediate' : 'scheduled',
      ...(slot === undefined
        ? {}
        : { scheduledAt: new Date(SLOT_BASE + slot * 3_600_000).toISOString() }),
      durationMinutes: 30 * between(1, 4),
    }) as unknown as BookingInput

  // ---- Hostile requests: raw HTTP, as devtools would send them ---------------------------------
  interface Attack {
    readonly name: string
    readonly status: number
    readonly code?: string
  }
  const attacks: Attack[] = []
  const post = async (path: string, body: unknown, headers: Record<string, string>) => {
    try {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await response.text()
      let code: string | undefined
      let answer: unknown
      try {
        answer = JSON.parse(text)
        code = (answer as { error?: { code?: string } }).error?.code
      } catch {
        code = 'not JSON'
      }
      return { status: response.status, code, body: answer }
    } catch (error) {
      return { status: 0, code: `no answer (${(error as Error).message})`, body: undefined }
    }
  }
  const as = (userId: string) => ({ authorization: `Bearer ${jwtOf(userId, userId)}` })
  const victimBookings = () =>
    made.filter((m) => m.customer < VICTIMS && m.told === 'ok' && m.bookingId !== undefined)
  const attackRound = async () => {
    const victim = victimBookings()[between(0, Math.max(0, victimBookings().length - 1))]
    const mallory = customerId(between(VICTIMS, CUSTOMERS - 1))
    const otherProvider = (id: string) => providerIds.find((p) => p !== id)!
    const form = {
      providerId: 'therapist-0',
      providerType: 'therapist',
      bookingType: 'immediate',
      durationMinutes: 60,
    }
    const tries: Array<[string, Promise<{ status: number; code: string | undefined }>]> = [
      ['no Authorization', post('/bookings', { input: form }, {})],
      [
        'a forged JWT',
        post('/bookings', { input: form }, { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' }),
      ],
      [
        'a booking for someone else',
        post('/bookings', { input: { ...form, customerId: customerId(0) } }, as(mallory)),
      ],
      [
        'a booking with its own price',
        post('/bookings', { input: { ...form, price: 1 } }, as(mallory)),
      ],
      [
        'a booking with a status',
        post('/bookings', { input: { ...form, status: 'confirmed' } }, as(mallory)),
      ],
      [
        'a booking with no such provider',
        post('/bookings', { input: { ...form, providerId: 'nobody' } }, as(mallory)),
      ],
      ['a body that is not JSON', post('/bookings', '{"input": {', as(mallory))],
      [
        'a body of 1 MB',
        post('/bookings', { input: form, notes: 'x'.repeat(1_000_000) }, as(mallory)),
      ],
    ]
    if (victim?.bookingId !== undefined) {
      const id = victim.bookingId
      const stranger = providers[otherProvider(victim.providerId)]!.userId
      tries.push(
        [
          'another provider accepts',
          post(`/bookings/${id}/respond`, { response: 'accept' }, as(stranger)),
        ],
        [
          'the customer accepts their own booking',
          post(`/bookings/${id}/respond`, { response: 'accept' }, as(customerId(victim.customer))),
        ],
        ['a stranger cancels', post(`/bookings/${id}/cancel`, { reason: 'mine now' }, as(mallory))],
        [
          'a stranger posts into the room',
          post(`/rooms/${id}/messages`, { content: 'pay me instead' }, as(mallory)),
        ],
        [
          'another provider posts into the room',
          post(`/rooms/${id}/messages`, { content: 'come to me' }, as(stranger)),
        ],
        [
          'the provider answers `maybe`',
          post(
            `/bookings/${id}/respond`,
            { response: 'maybe' },
            as(providers[victim.providerId]!.userId),
          ),
        ],
      )
    }
    for (const [name, answer] of tries) {
      const { status, code } = await answer
      attacks.push({ name, status, code })
    }
    // A key another user used names that user's booking only in their scope: Mallory gets her own.
    if (victim !== undefined) {
      const { status, code, body } = await post(
        '/bookings',
        { input: form, idempotencyKey: victim.key },
        as(mallory),
      )
      const booking = (body as { booking?: { $id?: string; customerId?: string } } | undefined)
        ?.booking
      const own =
        booking !== undefined && booking.customerId === mallory && booking.$id !== victim.bookingId
      // Her own new booking is the right answer; the victim's booking (or anything else 2xx) is not.
      attacks.push({
        name: "another user's idempotency key",
        status: (status === 201 || status === 200) && own ? -1 : status,
        code,
      })
    }
  }

  // ---- The load: bookings with follow-ups, attacks and crashes alongside -----------------------
  const plans: Array<{ plan: Made; input: BookingInput }> = Array.from(
    { length: BOOKINGS },
    (_, n) => {
      const customer = n % CUSTOMERS
      const scheduled = random() < 0.4
      const slot = between(0, SLOTS - 1)
      const providerId = scheduled
        ? providerIds[slot % 3]!
        : providerIds[between(0, PROVIDERS - 1)]!
      const plan: Made = {
        key: `form-${n}`,
        customer,
        providerId,
        told: 'not started',
        again: false,
      }
      return { plan, input: inputFor(customer, providerId, scheduled ? slot : undefined) }
    },
  )
  const deadline = performance.now() + LOAD_LIMIT_MS
  let next = 0
  let loading = true
  const crashes = (async () => {
    for (let n = 0; n < CRASHES && loading; n++) {
      await sleep(CRASH_EVERY_MS)
      if (loading) await crash()
    }
  })()
  const hostile = (async () => {
    while (loading) {
      await sleep(1_500)
      await attackRound()
    }
  })()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < plans.length && performance.now() < deadline) {
        const { plan, input } = plans[next++]!
        made.push(plan)
        await book(plan, input)
        await followUp(plan)
      }
    }),
  )
  loading = false
  await Promise.all([crashes, hostile])
  const notStarted = plans.length - next
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
  for (const plan of made) {
    if (plan.told !== 'ok') continue
    const row = byId.get(plan.bookingId!)
    count(
      'a customer told ok has a delivered booking',
      row !== undefined && delivered(row),
      () => `${plan.key} was told ok for ${plan.bookingId}, stored ${stored(row)}`,
    )
  }
  const customerOfScope = (key: unknown) => {
    const match = typeof key === 'string' ? /^(\d+):/.exec(key) : null
    if (match === null) return undefined
    const start = match[0].length
    return (key as string).slice(start, start + Number(match[1]))
  }
  // A customer told a final "no" (not "try again") must have no live booking: the app shows
  // "not booked" and offers no retry, so a delivered one would be a booking nobody knows about.
  // Told "try again" and stopped (out of app retries), the same key returns the booking.
  const planOfKey = new Map(made.map((plan) => [`${customerId(plan.customer)}:${plan.key}`, plan]))
  for (const row of tables.bookings) {
    const owner = customerOfScope(row.idempotencyKey)
    const key = String(row.idempotencyKey)
    const plan = planOfKey.get(`${String(owner)}:${key.slice(key.indexOf('/') + 1)}`)
    if (plan === undefined || !delivered(row) || plan.told === 'ok') continue
    count(
      'a customer told a final failure has no live booking',
      plan.again,
      () =>
        `${plan.key} (${String(owner)}) was told ${plan.told}, not to retry, but ${row.$id} is ${stored(row)}`,
    )
  }
  for (const row of tables.bookings) {
    count(
      'a booking is made for the user who sent it',
      customerOfScope(row.idempotencyKey) === row.customerId,
      () => `${row.$id}: customerId ${String(row.customerId)}, key ${String(row.idempotencyKey)}`,
    )
    const provider = providers[String(row.providerId)]
    const price = provider && Math.round((provider.hourly * Number(row.durationMinutes)) / 60)
    count(
      "the price is the server's",
      provider !== undefined && row.price === price && row.currency === 'EUR',
      () =>
        `${row.$id}: ${String(row.price)} ${String(row.currency)} for ${String(row.providerId)}, expected ${String(price)} EUR`,
    )
    if (row.status === 'confirmed' || row.providerResponseStatus === 'Accepted') {
      count(
        'only its provider accepts a booking',
        legit.acceptSent.has(row.$id) || !delivered(row),
        () =>
          `${row.$id} is ${String(row.status)} (${String(row.providerResponseStatus)}) with no accept sent by its provider`,
      )
    }
  }
  for (const message of tables.messages) {
    const booking = byId.get(String(message.bookingId))
    if (message.senderType === 'system' || booking === undefined) continue
    const participants = [
      booking.customerId,
      booking.providerId,
      providers[String(booking.providerId)]?.userId,
    ]
    count(
      'only participants write into a room',
      participants.includes(message.senderId),
      () => `${message.$id} in ${String(message.bookingId)} from ${String(message.senderId)}`,
    )
  }
  for (const plan of made.filter((m) => m.customer < VICTIMS)) {
    const row = plan.bookingId === undefined ? undefined : byId.get(plan.bookingId)
    if (row === undefined || !delivered(row)) continue
    count(
      'an attacked booking is untouched',
      row.status === 'pending' || row.status === 'expired',
      () => `${row.$id} is ${String(row.status)}`,
    )
    const written = tables.messages.filter(
      (m) => m.bookingId === row.$id && m.senderType !== 'system',
    )
    count(
      'nobody writes into an attacked room',
      written.length === 0,
      () => `${row.$id}: ${written.map((m) => String(m.senderId)).join(', ')}`,
    )
  }
  const refusals = new Set([400, 401, 403, 404, 409, 413])
  for (const attack of attacks) {
    // A typed 5xx (a fault, the server restarting) is inconclusive; an untyped answer or a 2xx is not.
    const typedFailure =
      attack.status >= 502 && attack.code !== undefined && attack.code !== 'not JSON'
    const noAnswer = attack.status === 0
    count(
      'every hostile request is refused with a typed error',
      (refusals.has(attack.status) && attack.code !== undefined && attack.code !== 'not JSON') ||
        attack.status === -1 ||
        typedFailure ||
        noAnswer,
      () => `${attack.name}: ${attack.status} ${String(attack.code)}`,
    )
  }
  count('every error a client surfaced is typed', untyped.length === 0, () =>
    untyped.slice(0, 5).join(' | '),
  )

  // ---- Summary ----------------------------------------------------------------------------------
  const tally = <T>(items: readonly T[], key: (item: T) => string) => {
    const counts = new Map<string, number>()
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
  }
  console.log(
    `\nbooking-guard server stress: seed ${SEED}, ${IN_FLIGHT} customers in flight, fault rate ${FAULT_RATE}, node ${process.version}`,
  )
  console.log(
    `bookings tried: ${made.length} (not started: ${notStarted}); what the customers were told:`,
  )
  console.table(tally(made, (m) => m.told))
  console.log(
    `legit transitions told ok: accepted ${legit.accepted.size}, declined ${legit.declined.size}, cancelled ${legit.cancelled.size}`,
  )
  console.log(`server: killed with SIGKILL and restarted ${restarts} times`)
  console.log('faults fired:', Object.fromEntries(faultsFired))
  console.log(`hostile requests: ${attacks.length}; answers:`)
  console.table(
    tally(
      attacks,
      (a) => `${a.name} → ${a.status === -1 ? 'own booking' : a.status} ${a.code ?? ''}`,
    ),
  )
  console.log(
    `reconcile (olderThanMs 0): ${Math.round(report.durationMs)} ms; pending completed ${report.pending.completed.length} / compensated ${report.pending.compensated.length}, revived voided ${report.revived.voided.length}, orphans removed ${report.orphans.removed.length}, errors ${report.errors.length}`,
  )
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
