// The stress scenario: the emulator on 127.0.0.1, the schema provisioned, the real node-appwrite
// SDK driven through booking guards (saga and transaction) with 64 calls in flight while faults of
// six kinds hit about 5% of the calls; double submissions, contested slots, fuzzed input, worker
// processes killed with SIGKILL mid-flight, retries of their calls from other processes, and two
// users attacking each other's rows. Then one `guard.reconcile({ olderThanMs: 0 })` pass and the
// guarantee's invariants over every row. Prints a summary; exits 1 on any violation.
//   cd bench && node --import tsx stress/run.ts          (or `pnpm stress` from the root)
// Options (environment variables):
//   STRESS_SEED=1          seed of the scenario's choices and of the fault rules
//   STRESS_CALLS=1200      calls made by the main process (workers and retries come on top)
//   STRESS_FAULT_RATE=0.05 share of Appwrite calls that get an injected fault
// Not part of the unit test run: it takes about a minute of real time.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createBookingGuard } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import type {
  BookingGuard,
  BookingInput,
  FeedBooking,
  PipelineMode,
  ReconcileReport,
} from '@booking-guard/core'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { HangFaultRule } from '@booking-guard/testing'
import { AppwriteException, ID } from 'node-appwrite'
import type { Models } from 'node-appwrite'
import { fuzzedInput } from './fuzz'
import {
  bookingTables,
  checkGuarantee,
  createChecks,
  delivered,
  stored,
  voided,
} from './invariants'
import type { StoredRow } from './invariants'
import { describeOutcome } from './outcome'
import type { CallKind, CallOutcome, StressJob } from './outcome'
import { callFaults, childEnv, emulatorTablesDB, reportChecks, seeded, sleep } from './support'

const SEED = Number(process.env.STRESS_SEED ?? 1)
const CALLS = Number(process.env.STRESS_CALLS ?? 1_200)
const FAULT_RATE = Number(process.env.STRESS_FAULT_RATE ?? 0.05)
const IN_FLIGHT = 64
/** The main load stops starting calls after this long, whatever is left. */
const LOAD_LIMIT_MS = 45_000
const TIMEOUT_MS = 8_000
const COMPENSATION_TIMEOUT_MS = 3_000
/** The latency fault: longer than a call's budget, so its write lands after the caller gave up. */
const LATE_MS = TIMEOUT_MS + 1_000
/** Held calls are let go this often: some before their caller's budget ends, some after. */
const HANG_RELEASE_EVERY_MS = 10_000
const WORKERS = 4
const WORKER_JOBS = 40
const WORKER_IN_FLIGHT = 8
/** A worker is killed this long (random in the range) after it said it was ready. */
const KILL_AFTER_MS: readonly [number, number] = [500, 4_000]
const RETRY_PROCESSES = 2
const RETRY_IN_FLIGHT = 16
const RETRY_PROCESS_LIMIT_MS = 30_000
const SLOTS = 24
const FOLLOWED_PROVIDERS = 5
const ATTACK_ROUNDS = 12
const ATTACK_EVERY_MS = 2_000
const DB = 'main'
const SLOT_SECRET = 'stress-slot-secret-0123456789abcdef'
const SLOT_BASE = Date.parse('2030-03-01T08:00:00.000Z')

const { random, between } = seeded(SEED)
const started = performance.now()
const durations = new Map<string, number>()
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now()
  try {
    return await work()
  } finally {
    durations.set(name, performance.now() - start)
  }
}

const { checked, violations, count } = createChecks()
const violation = (text: string) => violations.push(text)

/** A valid booking input. */
function bookingInput(customer: number, provider: string, slot?: number): BookingInput {
  return {
    customerId: `customer-${customer}`,
    customerName: `Customer ${customer}`,
    providerId: provider,
    providerType: 'therapist',
    providerName: `Therapist ${provider}`,
    bookingType: slot === undefined ? 'immediate' : 'scheduled',
    ...(slot === undefined
      ? {}
      : { scheduledAt: new Date(SLOT_BASE + slot * 3_600_000).toISOString() }),
    durationMinutes: 60,
    price: 9_000,
    currency: 'EUR',
  } as BookingInput
}
const slotProvider = (slot: number) => `provider-slot-${slot % 6}`
const mode = (): PipelineMode => (random() < 0.5 ? 'saga' : 'transaction')

const emulator = await startAppwriteEmulator({ host: '127.0.0.1' })
const { fake } = emulator
const children = new Set<ChildProcess>()
const stops: Array<() => void> = []
try {
  await timed('setup', () => provisionSchema({ admin: fake.admin, databaseId: DB }))
  const serverTablesDB = () => emulatorTablesDB(emulator, 'key')
  const userTablesDB = (userId: string) =>
    emulatorTablesDB(emulator, { jwt: emulator.createJWT(userId) })
  const guardOptions = {
    databaseId: DB,
    slotLock: { secret: SLOT_SECRET },
    timeoutMs: TIMEOUT_MS,
    compensationTimeoutMs: COMPENSATION_TIMEOUT_MS,
    breaker: { halfOpenAfter: 500 },
  }
  const guards: Record<PipelineMode, BookingGuard> = {
    saga: createBookingGuard({ ...guardOptions, tablesDB: serverTablesDB(), mode: 'saga' }),
    transaction: createBookingGuard({
      ...guardOptions,
      tablesDB: serverTablesDB(),
      mode: 'transaction',
    }),
  }
  // Fuzzed input goes through a guard whose every backend call is counted: there must be none.
  let fuzzBackendCalls = 0
  const counted = new Proxy(serverTablesDB(), {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        fuzzBackendCalls++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  const fuzzGuard = createBookingGuard({ ...guardOptions, tablesDB: counted, mode: 'saga' })
  for (const guard of [guards.saga, guards.transaction, fuzzGuard])
    stops.push(() => guard.dispose())

  // Provider feeds of a few providers, signed in as them: every version they are shown.
  const shown: FeedBooking[] = []
  const followed = Array.from({ length: FOLLOWED_PROVIDERS }, (_, i) => `provider-${i}`)
  for (const providerId of followed) {
    const feedGuard = createBookingGuard({
      databaseId: DB,
      tablesDB: userTablesDB(providerId),
      realtime: fake.as(`user:${providerId}`).realtime,
      watchdog: false,
    })
    stops.push(
      feedGuard.subscribeToProviderBookings(providerId, ({ booking }) => shown.push(booking)),
    )
    stops.push(() => feedGuard.dispose())
  }

  // Faults: five kinds of call fault at an equal share of FAULT_RATE each, and realtime drops.
  const share = FAULT_RATE / 5
  const faults = callFaults(fake, share, SEED, LATE_MS)
  const hang: HangFaultRule = fake.faults.hang({ rate: share, seed: SEED * 10 + 5 })
  faults.push(['hang, then release', hang])
  faults.push([
    'realtime drop',
    fake.faults.realtime.drop({ rate: FAULT_RATE, seed: SEED * 10 + 6 }),
  ])
  const releaser = setInterval(() => hang.release(), HANG_RELEASE_EVERY_MS)
  stops.push(() => clearInterval(releaser))

  const outcomes: CallOutcome[] = []
  const inputs = new Map<string, { input: BookingInput; mode: PipelineMode }>()
  const call = async (job: StressJob, guard: BookingGuard = guards[job.mode]) => {
    const start = performance.now()
    const told = await guard.createBooking(job.input, { idempotencyKey: job.key }).then(
      (result) => describeOutcome(job, result, undefined),
      (error: unknown) => describeOutcome(job, undefined, error),
    )
    const outcome = { ...told, ms: performance.now() - start }
    outcomes.push(outcome)
    return outcome
  }

  // ---- Worker processes, killed with SIGKILL mid-flight --------------------------------------
  const benchDir = fileURLToPath(new URL('..', import.meta.url))
  const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url))
  const workerEnv = {
    ...childEnv(emulator, DB, SLOT_SECRET),
    STRESS_TIMEOUT_MS: String(TIMEOUT_MS),
    STRESS_COMPENSATION_TIMEOUT_MS: String(COMPENSATION_TIMEOUT_MS),
  }
  interface ChildRun {
    /** Keys of calls started and not finished when the process ended. */
    inFlight: string[]
    finished: number
    killed: boolean
    exit: string
  }
  /**
   * Runs `jobs` in a worker process, `inFlight` at a time; kills it `killAfterMs` after it is
   * ready when given, else at the time bound.
   */
  function runChild(
    jobs: StressJob[],
    inFlight: number,
    killAfterMs: number | undefined,
  ): Promise<ChildRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', workerFile], {
        cwd: benchDir,
        env: { ...workerEnv, STRESS_WORKER_IN_FLIGHT: String(inFlight) },
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      children.add(child)
      const open = new Set<string>()
      const run: ChildRun = { inFlight: [], finished: 0, killed: false, exit: '' }
      const limit = setTimeout(
        () => {
          run.killed = true
          child.kill('SIGKILL')
        },
        RETRY_PROCESS_LIMIT_MS + (killAfterMs ?? 0),
      )
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { ready?: true; start?: string } & Partial<CallOutcome>
        if (message.ready === true && killAfterMs !== undefined) {
          setTimeout(() => {
            run.killed = true
            child.kill('SIGKILL')
          }, killAfterMs)
        } else if (message.start !== undefined) {
          open.add(message.start)
        } else if (message.outcome !== undefined) {
          open.delete(message.key!)
          outcomes.push(message as CallOutcome)
          run.finished++
        }
      })
      child.once('error', reject)
      child.once('exit', (code, signal) => {
        clearTimeout(limit)
        children.delete(child)
        run.inFlight = [...open]
        run.exit = signal ?? `exit ${code}`
        resolve(run)
      })
      child.stdin!.end(`${JSON.stringify(jobs)}\n`)
    })
  }
  const workerJobs = (w: number): StressJob[] =>
    Array.from({ length: WORKER_JOBS }, (_, j) => {
      const contested = random() < 0.25
      const slot = between(0, SLOTS - 1)
      const input = contested
        ? bookingInput(1_000 + w * 100 + j, slotProvider(slot), slot)
        : bookingInput(1_000 + w * 100 + j, `provider-${between(0, 99)}`)
      const job: StressJob = { key: `worker-${w}-${j}`, kind: 'worker', mode: mode(), input }
      inputs.set(job.key, { input, mode: job.mode })
      return job
    })
  const workers = Array.from({ length: WORKERS }, (_, w) =>
    runChild(workerJobs(w), WORKER_IN_FLIGHT, between(...KILL_AFTER_MS)),
  )

  // ---- The main load ---------------------------------------------------------------------------
  type Task = () => Promise<unknown>
  const tasks: Task[] = []
  const doubles: Array<[string, CallOutcome[]]> = []
  let planned = 0
  while (planned < CALLS) {
    const r = random()
    const customer = between(0, 499)
    const jobMode = mode()
    /** A job of this customer's in this mode, registered in `inputs` for the final check. */
    const plan = (key: string, kind: CallKind, provider: string, slot?: number): StressJob => {
      const job: StressJob = {
        key,
        kind,
        mode: jobMode,
        input: bookingInput(customer, provider, slot),
      }
      inputs.set(key, job)
      return job
    }
    if (r < 0.1) {
      const key = `fuzz-${planned}`
      const input = fuzzedInput(random, bookingInput(customer, `provider-${between(0, 99)}`))
      tasks.push(() =>
        call({ key, kind: 'fuzz', mode: 'saga', input: input as BookingInput }, fuzzGuard),
      )
      planned++
    } else if (r < 0.25) {
      const slot = between(0, SLOTS - 1)
      const job = plan(`slot-${planned}`, 'contested', slotProvider(slot), slot)
      tasks.push(() => call(job))
      planned++
    } else if (r < 0.35) {
      const job = plan(`double-${planned}`, 'double', `provider-${between(0, 99)}`)
      tasks.push(async () => {
        // The same submission twice at once (a double click, a client retry racing the first).
        const pair = await Promise.all([call(job), call(job)])
        doubles.push([job.key, pair])
      })
      planned += 2
    } else {
      const job = plan(`plain-${planned}`, 'plain', `provider-${between(0, 99)}`)
      tasks.push(() => call(job))
      planned++
    }
  }

  // ---- Two users attacking each other's rows ---------------------------------------------------
  const attacks = { tried: 0, accepted: 0, refused: 0, inconclusive: 0 }
  const attackErrors = new Map<string, number>()
  /** One write (or read) a user must not be able to make: refused with 401/403/404, else a violation. */
  async function attack(name: string, attempt: () => Promise<unknown>): Promise<void> {
    attacks.tried++
    for (let tries = 0; tries < 3; tries++) {
      try {
        await attempt()
        attacks.accepted++
        violation(`attack accepted: ${name}`)
        return
      } catch (error) {
        if (error instanceof AppwriteException && [401, 403, 404].includes(error.code)) {
          attacks.refused++
          attackErrors.set(error.type, (attackErrors.get(error.type) ?? 0) + 1)
          return
        }
        // An injected fault answered instead of the permission check: ask again.
        if (tries === 2) {
          attacks.inconclusive++
          console.warn(`attack ${name}: no permission answer after 3 tries`, error)
        }
      }
    }
  }
  async function attackRound(round: number): Promise<void> {
    const victims = outcomes.filter((o) => o.ok && o.bookingId !== undefined)
    if (victims.length === 0) return
    const victimId = victims[Math.floor(random() * victims.length)]!.bookingId!
    const victim = fake.snapshot()[DB]?.bookings?.find((row) => row.$id === victimId)
    if (victim === undefined) return
    const attackerId = `attacker-${round % 2}`
    const attacker = userTablesDB(attackerId)
    const where = (table: string, rowId: string) => ({ databaseId: DB, tableId: table, rowId })
    await Promise.all([
      attack(`${attackerId} creates a booking row`, () =>
        attacker.createRow<Models.DefaultRow>({
          ...where('bookings', ID.unique()),
          data: { ...victim, $id: undefined, customerId: attackerId },
        }),
      ),
      attack(`${attackerId} cancels ${victimId}`, () =>
        attacker.updateRow<Models.DefaultRow>({
          ...where('bookings', victimId),
          data: { status: 'cancelled' },
        }),
      ),
      attack(`${attackerId} reads ${victimId}`, () => attacker.getRow(where('bookings', victimId))),
      attack(`${attackerId} deletes the chat room of ${victimId}`, () =>
        attacker.deleteRow(where('chat_rooms', victimId)),
      ),
      attack(`${attackerId} posts into the chat room of ${victimId}`, () =>
        attacker.createRow<Models.DefaultRow>({
          ...where('chat_messages', ID.unique()),
          data: {
            roomId: victimId,
            bookingId: victimId,
            senderId: attackerId,
            senderType: 'customer',
            senderName: 'Mallory',
            content: 'pay me instead',
            messageType: 'text',
          },
        }),
      ),
      // A participant answering their own booking in the provider's place: only the server's
      // respondToBooking may write a booking row.
      attack(`${String(victim.customerId)} accepts their own booking ${victimId}`, () =>
        userTablesDB(String(victim.customerId)).updateRow<Models.DefaultRow>({
          ...where('bookings', victimId),
          data: { status: 'confirmed', providerResponseStatus: 'Accepted' },
        }),
      ),
      attack(`${attackerId} marks the notification of ${victimId} read`, () =>
        attacker.updateRow<Models.DefaultRow>({
          ...where('notifications', victimId),
          data: { read: true },
        }),
      ),
    ])
  }

  const loadDeadline = performance.now() + LOAD_LIMIT_MS
  let next = 0
  let notStarted = 0
  await timed('load', async () => {
    let loading = true
    const attacking = (async () => {
      for (let round = 0; round < ATTACK_ROUNDS && loading; round++) {
        await sleep(ATTACK_EVERY_MS)
        await attackRound(round)
      }
    })()
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < tasks.length && performance.now() < loadDeadline) await tasks[next++]!()
      }),
    )
    loading = false
    notStarted = tasks.length - next
    await attacking
  })
  const killed = await timed('workers', () => Promise.all(workers))

  // ---- Retries from other processes, with the same idempotency keys ----------------------------
  const retryKeys = new Set<string>()
  for (const run of killed) for (const key of run.inFlight) retryKeys.add(key)
  const byOutcome = (test: (o: CallOutcome) => boolean, count: number) =>
    outcomes
      .filter((o) => o.kind !== 'fuzz' && test(o))
      .slice(0, count)
      .forEach((o) => retryKeys.add(o.key))
  byOutcome((o) => !o.ok && !o.compensated, 20) // unknown outcome, pending, breaker open
  byOutcome((o) => o.compensated, 10) // told nothing was kept: a retry may book it again
  byOutcome((o) => o.ok, 10) // done: a retry must replay it
  const retryJobs: StressJob[] = [...retryKeys].map((key) => ({
    key,
    kind: 'retry' as CallKind,
    mode: inputs.get(key)!.mode,
    input: inputs.get(key)!.input,
  }))
  const retries = await timed('retries', () =>
    Promise.all(
      Array.from({ length: RETRY_PROCESSES }, (_, p) =>
        runChild(
          retryJobs.filter((_, i) => i % RETRY_PROCESSES === p),
          RETRY_IN_FLIGHT,
          undefined,
        ),
      ),
    ),
  )

  // ---- Quiesce, then one reconcile pass --------------------------------------------------------
  const faultsFired = faults.map(([name, rule]) => [name, rule.hits] as const)
  await timed('quiesce', async () => {
    clearInterval(releaser)
    hang.release()
    fake.faults.clear()
    await sleep(LATE_MS + 500) // every delayed write lands before the reconciler looks
    await Promise.all([guards.saga.idle(), guards.transaction.idle()])
  })
  const report: ReconcileReport = await timed('reconcile', () =>
    guards.saga.reconcile({ olderThanMs: 0 }),
  )
  await sleep(300) // the feeds see the reconciler's writes

  // ---- Invariants over every row ---------------------------------------------------------------
  const invariants = await timed('checks', async () => {
    const { byId, rows } = checkGuarantee(
      bookingTables(fake.snapshot()[DB] as Record<string, StoredRow[]> | undefined),
      count,
    )

    // What callers were told, against what is stored.
    const revivedByRetry = new Set(
      outcomes
        .filter((o) => o.ok || / (unknown|pendingReconcile)$/.test(o.outcome))
        .map((o) => o.bookingId),
    )
    for (const run of [...killed, ...retries]) {
      for (const key of run.inFlight) {
        // A killed call may have written anything; a later retry of its key is legitimate.
        revivedByRetry.add(outcomes.find((o) => o.key === key && o.bookingId)?.bookingId)
      }
    }
    for (const o of outcomes) {
      if (o.ok) {
        const row = byId.get(o.bookingId!)
        count(
          "a successful call's booking is delivered",
          row !== undefined && delivered(row),
          () =>
            `${o.key} (${o.kind}, ${o.mode}) was told ok for ${o.bookingId}, stored ${stored(row)}`,
        )
      }
      if (o.compensated && o.bookingId !== undefined && !revivedByRetry.has(o.bookingId)) {
        const row = byId.get(o.bookingId)
        count(
          'a caller told `compensated` has no live booking',
          row === undefined || !delivered(row),
          () =>
            `${o.key} (${o.kind}, ${o.mode}) was told ${o.outcome}, ${o.bookingId} is delivered`,
        )
      }
      if (o.kind === 'fuzz') {
        count(
          'fuzzed input gets SchemaLockError',
          o.outcome === 'SCHEMA_LOCK',
          () => `${o.key}: ${o.outcome} ${o.message ?? ''}`,
        )
      }
      count('every error is typed', !o.untyped, () => `${o.key} (${o.kind}): ${o.message ?? ''}`)
    }
    count(
      'fuzzed input writes nothing',
      fuzzBackendCalls === 0,
      () => `${fuzzBackendCalls} backend calls`,
    )
    for (const [key, pair] of doubles) {
      const ids = new Set(pair.filter((o) => o.ok).map((o) => o.bookingId))
      count(
        'a double submission makes one booking',
        ids.size <= 1,
        () => `${key}: ${[...ids].join(', ')}`,
      )
    }
    for (const version of shown) {
      const row = byId.get(version.$id)
      count(
        'the feed never shows a booking that is not live',
        !voided(version as unknown as Record<string, unknown>) &&
          row !== undefined &&
          row.pipelineStatus !== 'failed',
        () =>
          `${version.$id} shown (pipelineStatus ${String(version.pipelineStatus)}), stored ${stored(row)}`,
      )
    }
    return { checked, rows }
  })

  // ---- Summary ---------------------------------------------------------------------------------
  const total = performance.now() - started
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  console.log(
    `\nbooking-guard stress: seed ${SEED}, ${IN_FLIGHT} in flight, fault rate ${FAULT_RATE}, node ${process.version}, emulator ${emulator.endpoint}`,
  )
  const kinds = new Map<string, Map<string, number>>()
  for (const o of outcomes) {
    const row = kinds.get(o.kind) ?? new Map<string, number>()
    row.set(o.outcome, (row.get(o.outcome) ?? 0) + 1)
    kinds.set(o.kind, row)
  }
  console.log(
    `\ncalls told an outcome: ${outcomes.length} (main process not started: ${notStarted})`,
  )
  const percentile = (kind: string, p: number) => {
    const times = outcomes
      .filter((o) => o.kind === kind && o.ms !== undefined)
      .map((o) => o.ms!)
      .sort((a, b) => a - b)
    return times.length === 0
      ? '-'
      : Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]!)
  }
  console.table(
    [...kinds].map(([kind, row]) => ({
      kind,
      calls: [...row.values()].reduce((a, b) => a + b, 0),
      'p50 ms': percentile(kind, 0.5),
      'p95 ms': percentile(kind, 0.95),
      ...Object.fromEntries(row),
    })),
  )
  console.log('faults fired:')
  console.table(Object.fromEntries(faultsFired.map(([name, hits]) => [name, { hits }])))
  console.log(
    `workers: ${killed.length} spawned, ${killed.filter((run) => run.killed).length} killed with SIGKILL, ` +
      `${killed.reduce((n, run) => n + run.finished, 0)} calls finished before the kill, ` +
      `${killed.reduce((n, run) => n + run.inFlight.length, 0)} in flight at the kill`,
  )
  console.log(
    `retry processes: ${retries.length}, ${retryJobs.length} keys retried, ` +
      `${retries.reduce((n, run) => n + run.finished, 0)} finished, ` +
      `${retries.filter((run) => run.killed).length} cut at the ${RETRY_PROCESS_LIMIT_MS / 1000} s bound ` +
      `with ${retries.reduce((n, run) => n + run.inFlight.length, 0)} calls in flight`,
  )
  console.log(
    `attacks: ${attacks.tried} tried, ${attacks.accepted} accepted, ${attacks.refused} refused (${[...attackErrors].map(([type, n]) => `${type} ×${n}`).join(', ')}), ${attacks.inconclusive} inconclusive`,
  )
  console.log(
    `feeds: ${followed.length} providers followed, ${shown.length} booking versions shown`,
  )
  console.log(
    `reconcile (olderThanMs 0): ${Math.round(report.durationMs)} ms, complete ${report.complete}; ` +
      `revived voided ${report.revived.voided.length}, pending completed ${report.pending.completed.length} / compensated ${report.pending.compensated.length}, ` +
      `delivered checked ${report.delivered.checked} (rows rewritten ${report.delivered.completed.length}, duplicate slots ${report.delivered.duplicateSlots.length}), ` +
      `orphans removed ${report.orphans.removed.length}; failures ${report.revived.failed.length + report.pending.failed.length + report.delivered.failed.length + report.orphans.failed.length}, errors ${report.errors.length}`,
  )
  for (const error of report.errors)
    console.log(`  reconcile error in ${error.phase}: ${error.message}`)
  console.log(`rows: ${JSON.stringify(invariants.rows)}`)
  console.log(
    `durations: ${[...durations].map(([name, ms]) => `${name} ${fmt(ms)}`).join(', ')}; total ${fmt(total)}`,
  )
  reportChecks(invariants.checked, violations)
} finally {
  for (const stop of stops) stop()
  for (const child of children) child.kill('SIGKILL')
  await emulator.close()
}
