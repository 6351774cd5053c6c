// What the stress scenarios (`run.ts`, `server.ts`, `function.ts`) share besides their checks: a
// seeded source of choices, a real-time sleep, the emulator's TablesDB as the API key or a user,
// the call faults, the summary of the invariant checks that decides the exit status, and the
// customers' app and hostile requests of the two server-path scenarios.
import { readFileSync } from 'node:fs'
import { describeBookingError, isBookingGuardError } from '@booking-guard/core'
import type { BookingClient, BookingInput, ReconcileReport } from '@booking-guard/core'
import { createSeededRandom } from '@booking-guard/core/resilience'
import type { FakeAppwrite, FaultRule } from '@booking-guard/testing'
import { Client, TablesDB } from 'node-appwrite'

/** A seeded source: `random()` in [0, 1) and `between(min, max)`, an integer in the range. */
export function seeded(seed: number) {
  const random = createSeededRandom(seed)
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  return { random, between }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The emulator's address, project and API key. */
interface EmulatorAddress {
  readonly endpoint: string
  readonly projectId: string
  readonly apiKey: string
}

/**
 * The environment of a child process of a scenario (a booking worker or server): this one's, with
 * the emulator's address and key and the booking database and slot secret.
 */
export function childEnv(emulator: EmulatorAddress, databaseId: string, slotSecret: string) {
  return {
    ...process.env,
    APPWRITE_ENDPOINT: emulator.endpoint,
    APPWRITE_PROJECT: emulator.projectId,
    APPWRITE_API_KEY: emulator.apiKey,
    BOOKING_GUARD_DATABASE: databaseId,
    BOOKING_GUARD_SLOT_SECRET: slotSecret,
  }
}

/** node-appwrite's TablesDB on the emulator, with its API key or signed in with `jwt`. */
export function emulatorTablesDB(emulator: EmulatorAddress, as: { jwt: string } | 'key') {
  const client = new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  return new TablesDB(as === 'key' ? client.setKey(emulator.apiKey) : client.setJWT(as.jwt))
}

/** Prints how often each invariant was checked and every violation; exit status 1 on any. */
export function reportChecks(checked: Record<string, number>, violations: readonly string[]) {
  console.log('invariant checks:')
  console.table(
    Object.fromEntries(Object.entries(checked).map(([name, n]) => [name, { checked: n }])),
  )
  console.log(`\ninvariant violations: ${violations.length}`)
  for (const text of violations.slice(0, 50)) console.log(`  - ${text}`)
  if (violations.length > 50) console.log(`  … and ${violations.length - 50} more`)
  process.exitCode = violations.length === 0 ? 0 : 1
}

/**
 * The call faults both scenarios inject, each on `share` of all Appwrite calls: a 500, a network
 * error, a 429, and a latency of `lateMs` (the write lands after its caller gave up). Seeded from
 * `seed`, one rule each; named as the summary prints them.
 */
export function callFaults(
  fake: FakeAppwrite,
  share: number,
  seed: number,
  lateMs: number,
): Array<[string, FaultRule]> {
  const rule = (n: number) => ({ rate: share, seed: seed * 10 + n })
  return [
    ['5xx', fake.faults.fail({ error: 'general_server_error', ...rule(1) })],
    ['network', fake.faults.fail({ error: 'network', ...rule(2) })],
    ['429', fake.faults.fail({ error: 'general_rate_limit_exceeded', ...rule(3) })],
    [`latency ${lateMs} ms`, fake.faults.latency({ ms: lateMs, ...rule(4) })],
  ]
}

/** An environment variable a child process of a scenario needs; throws naming it when unset. */
export function env(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '')
    throw new Error(
      `stress: environment variable ${name} is not set; start this process from its scenario`,
    )
  return value
}

// ---- The customers' app of the server-path scenarios (`server.ts`, `function.ts`) ---------------

/** A provider of the server-path scenarios: its user, name and hourly price in EUR cents. */
export interface StressProvider {
  readonly userId: string
  readonly name: string
  readonly hourly: number
}

/**
 * The settings both server-path scenarios share. From the environment: `STRESS_SEED` (1),
 * `STRESS_FAULT_RATE` (0.05), `STRESS_CRASHES` (4); `STRESS_BOOKINGS` per scenario.
 */
export const SERVER_PATH = {
  seed: Number(process.env.STRESS_SEED ?? 1),
  faultRate: Number(process.env.STRESS_FAULT_RATE ?? 0.05),
  /** Times the server (or Appwrite) is killed with SIGKILL during the load. */
  crashes: Number(process.env.STRESS_CRASHES ?? 4),
  /** Bookings in flight at once. */
  inFlight: 16,
  /** The load stops starting work after this long, whatever is left. */
  loadLimitMs: 60_000,
  /** A booking still running this long after the load window closed is cut (a violation). */
  drainLimitMs: 60_000,
  customers: 24,
  /** Customers whose bookings nobody answers: the hostile users aim at these. */
  victims: 4,
  providers: 6,
  /** Contested hourly slots of the first three providers. */
  slots: 12,
  /** Times a customer tries again a booking they were told to try again, same key. */
  appRetries: 4,
  /** Hostile rounds, one every 1.5 s while the load runs, at most. */
  attackRounds: 60,
} as const

/** `count` providers `therapist-<i>`, users `provider-user-<i>`, at 60 € an hour + 10 € × i. */
export function stressProviders(count: number): Record<string, StressProvider> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `therapist-${i}`,
      { userId: `provider-user-${i}`, name: `Therapist ${i}`, hourly: 6_000 + i * 1_000 },
    ]),
  )
}

/** The user id of customer `i`. */
export const customerId = (i: number) => `customer-${i}`

/** One booking form a customer fills in, and what became of it. */
export interface Made {
  readonly key: string
  readonly customer: number
  readonly providerId: string
  bookingId?: string
  /** The last thing the customer was told: `ok`, or an error's code and reason. */
  told: string
  /** Whether what the customer was told invites another try (a retryable error, or "unavailable"). */
  again: boolean
  /** The last error's message and its causes' (for a violation's report). */
  detail?: string
}

/** What the server-path scenarios' users are (see {@link SERVER_PATH} for what they do). */
export interface ServerPathUsers {
  readonly random: () => number
  readonly between: (min: number, max: number) => number
  readonly customers: readonly BookingClient[]
  /** By provider id. */
  readonly providerClients: Readonly<Record<string, BookingClient>>
  readonly providers: Readonly<Record<string, StressProvider>>
}

/** An error's message and its causes', outermost first, each clipped. */
function messages(error: unknown): string {
  const parts: string[] = []
  for (let at = error, depth = 0; at !== undefined && at !== null && depth < 4; depth++) {
    const { message, code, type } = at as { message?: unknown; code?: unknown; type?: unknown }
    parts.push(`${String(type ?? code ?? '')}: ${String(message ?? at).slice(0, 200)}`)
    at = (at as { cause?: unknown }).cause
  }
  return parts.join(' ← ')
}

/**
 * The customers' app as the README shows it: one idempotency key per form; tries again what
 * `describeBookingError` calls retryable and also kind `unavailable` ("try again in a moment"),
 * at most `appRetries` more times, 0.5–1.5 s × the attempt apart. After a booking is made, its
 * provider writes in the room and accepts (45%) or declines (20%) it, and its customer cancels
 * 15%; the victims' bookings are left alone.
 */
export function serverPathApp(users: ServerPathUsers) {
  const { random, between, customers, providerClients, providers } = users
  const { victims, appRetries } = SERVER_PATH
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
    return { told: `${error.code}${reason ? ` ${reason}` : ''}`, again, detail: messages(error) }
  }

  /** Booking calls running now (each attempt of `book`). */
  let booking = 0
  const book = async (plan: Made, input: BookingInput) => {
    for (let attempt = 0; attempt <= appRetries; attempt++) {
      try {
        booking++
        const result = await customers[plan.customer]!.createBooking(input, {
          idempotencyKey: plan.key,
        }).finally(() => booking--)
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
    if (plan.told !== 'ok' || plan.bookingId === undefined || plan.customer < victims) return
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

  /**
   * `count` forms: 60% immediate with any provider, 40% on `slots` hourly slots from `slotBase`
   * shared by the first three providers (contested), each with its own key `form-<n>`.
   */
  const plans = (count: number, slots: number, slotBase: number) => {
    const providerIds = Object.keys(providers)
    return Array.from({ length: count }, (_, n) => {
      const customer = n % customers.length
      const scheduled = random() < 0.4
      const slot = between(0, slots - 1)
      const providerId = scheduled
        ? providerIds[slot % 3]!
        : providerIds[between(0, providerIds.length - 1)]!
      const plan: Made = {
        key: `form-${n}`,
        customer,
        providerId,
        told: 'not started',
        again: false,
      }
      const input = {
        customerName: `Customer ${customer}`,
        providerId,
        providerType: 'therapist',
        bookingType: scheduled ? 'scheduled' : 'immediate',
        ...(scheduled ? { scheduledAt: new Date(slotBase + slot * 3_600_000).toISOString() } : {}),
        durationMinutes: 30 * between(1, 4),
      } as unknown as BookingInput
      return { plan, input }
    })
  }

  /**
   * The load: the forms {@link SERVER_PATH}`.inFlight` at a time until all ran or `loadLimitMs`
   * passed (forms not started by then are left), with `crash()` every `crashEveryMs` (at most
   * `crashes` times) and `attackRound()` every 1.5 s alongside, both while the load runs. Answers
   * how many forms were not started and how long it took; a load that has not ended
   * `drainLimitMs` after its window is a violation (`onStuck`), and is not awaited.
   */
  const load = async (options: {
    readonly forms: ReadonlyArray<{ plan: Made; input: BookingInput }>
    readonly crash: () => Promise<void>
    readonly crashEveryMs: number
    readonly attackRound: () => Promise<void>
    readonly onStuck: (problem: string) => void
  }) => {
    const { forms } = options
    const started = performance.now()
    const deadline = started + SERVER_PATH.loadLimitMs
    let next = 0
    let loading = true
    const crashes = (async () => {
      for (let n = 0; n < SERVER_PATH.crashes && loading; n++) {
        await sleep(options.crashEveryMs)
        if (loading) await options.crash()
      }
    })()
    const hostile = (async () => {
      for (let round = 0; round < SERVER_PATH.attackRounds && loading; round++) {
        await sleep(1_500)
        await options.attackRound()
      }
    })()
    const limitMs = SERVER_PATH.loadLimitMs + SERVER_PATH.drainLimitMs
    let stuckTimer: ReturnType<typeof setTimeout> | undefined
    const stuck = new Promise<void>((resolve) => {
      stuckTimer = setTimeout(() => {
        options.onStuck(`the load did not end within ${limitMs / 1000} s`)
        resolve()
      }, limitMs)
    })
    await Promise.race([
      Promise.all(
        Array.from({ length: SERVER_PATH.inFlight }, async () => {
          while (next < forms.length && performance.now() < deadline) {
            const { plan, input } = forms[next++]!
            made.push(plan)
            await book(plan, input)
            await followUp(plan)
          }
        }),
      ),
      stuck,
    ])
    // The process exits once the scenario is done, not when this limit would have passed.
    clearTimeout(stuckTimer)
    const loadMs = performance.now() - started
    loading = false
    await Promise.all([crashes, hostile])
    return { notStarted: forms.length - next, loadMs }
  }

  /** The victims' bookings their customer was told are made. */
  const victimBookings = () =>
    made.filter((m) => m.customer < victims && m.told === 'ok' && m.bookingId !== undefined)

  /**
   * The requests a signed-in user can send to the booking server whatever the transport (HTTP
   * `POST <url><path>` or a Function execution with `xpath`), each as `[name, path, body, user]`:
   * a form for someone else, with its own price, a status, an unknown provider, a body that is not
   * JSON; on a victim's booking, another provider or its own customer accepting it, a stranger
   * cancelling it, a stranger or another provider writing into its room, its provider answering
   * `maybe`; and, last, a booking under the victim's idempotency key (see {@link ownBooking}).
   */
  const hostileRequests = () => {
    const bookings = victimBookings()
    const victim = bookings[between(0, Math.max(0, bookings.length - 1))]
    const mallory = customerId(between(victims, customers.length - 1))
    const providerIds = Object.keys(providers)
    const form = {
      customerName: 'Mallory',
      providerId: providerIds[0]!,
      providerType: 'therapist',
      bookingType: 'immediate',
      durationMinutes: 60,
    }
    const tries: Array<[name: string, path: string, body: unknown, user: string]> = [
      [
        'a booking for someone else',
        '/bookings',
        { input: { ...form, customerId: customerId(0) } },
        mallory,
      ],
      ['a booking with its own price', '/bookings', { input: { ...form, price: 1 } }, mallory],
      [
        'a booking with a status',
        '/bookings',
        { input: { ...form, status: 'confirmed' } },
        mallory,
      ],
      [
        'a booking with no such provider',
        '/bookings',
        { input: { ...form, providerId: 'nobody' } },
        mallory,
      ],
      ['a body that is not JSON', '/bookings', '{"input": {', mallory],
    ]
    if (victim?.bookingId !== undefined) {
      const id = victim.bookingId
      const stranger = providers[providerIds.find((p) => p !== victim.providerId)!]!.userId
      tries.push(
        ['another provider accepts', `/bookings/${id}/respond`, { response: 'accept' }, stranger],
        [
          'the customer accepts their own booking',
          `/bookings/${id}/respond`,
          { response: 'accept' },
          customerId(victim.customer),
        ],
        ['a stranger cancels', `/bookings/${id}/cancel`, { reason: 'mine now' }, mallory],
        [
          'a stranger posts into the room',
          `/rooms/${id}/messages`,
          { content: 'pay me instead' },
          mallory,
        ],
        [
          'another provider posts into the room',
          `/rooms/${id}/messages`,
          { content: 'come to me' },
          stranger,
        ],
        [
          'the provider answers `maybe`',
          `/bookings/${id}/respond`,
          { response: 'maybe' },
          providers[victim.providerId]!.userId,
        ],
      )
    }
    return { tries, victim, mallory, form }
  }

  const attacks: Attack[] = []
  /**
   * One hostile round: {@link hostileRequests} sent with `send` as their user, and the transport's
   * own (`extra(form, mallory)`: `[name, answer, ownBooking?]`, where `ownBooking` means the right
   * answer is Mallory's own new booking), all at once; then the booking under the victim's key.
   * Every answer goes into `attacks`.
   */
  const attackRound = async (
    send: (path: string, body: unknown, user: string) => Promise<Answer>,
    extra: (
      form: Record<string, unknown>,
      mallory: string,
    ) => Array<[name: string, answer: Promise<Answer>, ownBooking?: boolean]>,
  ) => {
    const { tries, victim, mallory, form } = hostileRequests()
    const sent = [
      ...tries.map(([name, path, body, user]) => [name, send(path, body, user)] as const),
      ...extra(form, mallory),
    ]
    for (const [name, answer, own] of sent as Array<[string, Promise<Answer>, boolean?]>) {
      const { status, code, body } = await answer
      attacks.push(
        own === true ? ownBooking(name, mallory, { status, code, body }) : { name, status, code },
      )
    }
    if (victim !== undefined) {
      const answer = await send('/bookings', { input: form, idempotencyKey: victim.key }, mallory)
      attacks.push(ownBooking("another user's idempotency key", mallory, answer, victim.bookingId))
    }
  }

  return {
    made,
    legit,
    untyped,
    outcomeOf,
    plans,
    load,
    attacks,
    attackRound,
    /** How many booking calls are running now. */
    bookingsInFlight: () => booking,
  }
}

/** A booking server's answer: its HTTP status, its error code (if any) and its JSON body. */
export interface Answer {
  readonly status: number
  readonly code: string | undefined
  readonly body: unknown
}

/** A booking server's answer `text` with `status`: its error code, `not JSON` when it is not. */
export function answerOf(status: number, text: string): Answer {
  try {
    const body = JSON.parse(text) as { error?: { code?: string } }
    return { status, code: body.error?.code, body }
  } catch {
    return { status, code: 'not JSON', body: text }
  }
}

/** No answer at all (the server or Appwrite was down): status 0. */
export const noAnswer = (error: unknown): Answer => ({
  status: 0,
  code: `no answer (${error instanceof Error ? error.message : String(error)})`,
  body: undefined,
})

/** What one hostile request was answered; status `-1` for the key attack answered right. */
export interface Attack {
  readonly name: string
  readonly status: number
  readonly code?: string | undefined
}

/**
 * The verdict on an attack that tries to book as someone else (a victim's idempotency key, a
 * forged caller header): Mallory must get her own new booking, never `notBookingId` (the victim's)
 * nor anything else 2xx.
 */
export function ownBooking(
  name: string,
  mallory: string,
  answer: { status: number; code?: string | undefined; body: unknown },
  notBookingId?: string,
): Attack {
  const booking = (answer.body as { booking?: { $id?: string; customerId?: string } } | undefined)
    ?.booking
  const own =
    booking !== undefined && booking.customerId === mallory && booking.$id !== notBookingId
  const ok = answer.status === 201 || answer.status === 200
  return { name, status: ok && own ? -1 : answer.status, code: answer.code }
}

/** Counts of each key, most first. */
export function tally<T>(items: readonly T[], key: (item: T) => string) {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
}

/** Prints what the customers were told, the transitions and the hostile requests' answers. */
export function printUsers(
  app: Pick<ReturnType<typeof serverPathApp>, 'made' | 'legit' | 'attacks'>,
  load: { readonly notStarted: number; readonly loadMs: number },
) {
  const { attacks } = app
  console.log(
    `bookings tried: ${app.made.length} (not started: ${load.notStarted}) in ${(load.loadMs / 1000).toFixed(1)} s; what the customers were told:`,
  )
  console.table(tally(app.made, (m) => m.told))
  const { accepted, declined, cancelled } = app.legit
  console.log(
    `legit transitions told ok: accepted ${accepted.size}, declined ${declined.size}, cancelled ${cancelled.size}`,
  )
  console.log(`hostile requests: ${attacks.length}; answers:`)
  console.table(
    tally(
      attacks,
      (a) => `${a.name} → ${a.status === -1 ? 'own booking' : a.status} ${a.code ?? ''}`,
    ),
  )
}

/** Prints what one reconcile pass did, and its first failures. */
export function printReconcile(report: ReconcileReport) {
  console.log(
    `reconcile (olderThanMs 0): ${Math.round(report.durationMs)} ms, complete ${report.complete}; pending found ${report.pending.found}, completed ${report.pending.completed.length} / compensated ${report.pending.compensated.length}, revived voided ${report.revived.voided.length}, orphans removed ${report.orphans.removed.length}`,
  )
  const failures = [
    ...report.errors.map((e) => `${e.phase}: ${e.message}`),
    ...[report.revived, report.restored, report.pending].flatMap((phase) =>
      phase.failed.map((f) => `${f.id}: ${f.message}`),
    ),
  ]
  for (const failure of failures.slice(0, 5)) console.log(`  reconcile failed: ${failure}`)
}

/** The booking Function as `examples/booking-function/appwrite.json` deploys it. */
export function bookingFunctionSpec() {
  const { functions } = JSON.parse(
    readFileSync(new URL('../../examples/booking-function/appwrite.json', import.meta.url), 'utf8'),
  ) as {
    functions: Array<{ $id: string; execute: string[]; scopes: string[]; timeout: number }>
  }
  const spec = functions.find((f) => f.$id === 'booking')
  if (spec === undefined)
    throw new Error('examples/booking-function/appwrite.json has no function `booking`')
  return spec
}
