// A booking worker in its own process, for the stress scenario (`run.ts`): a server process that
// runs createBooking through the real node-appwrite SDK against the emulator. The parent kills
// some of these with SIGKILL mid-flight (no compensation, no cleanup, nothing in `finally`), and
// starts others to retry, with the same idempotency keys, calls another process left unfinished.
//
// Protocol: the jobs arrive as one JSON line on stdin; every line on stdout is one JSON message:
// `{ "ready": true }` once the guard exists, `{ "start": key }` before a call, then its outcome.
import { createInterface } from 'node:readline'
import { createBookingGuard } from '@booking-guard/core'
import { Client, TablesDB } from 'node-appwrite'
import { describeOutcome } from './outcome'
import type { StressJob } from './outcome'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '')
    throw new Error(`stress worker: environment variable ${name} is not set; run it from run.ts`)
  return value
}

const tablesDB = new TablesDB(
  new Client()
    .setEndpoint(env('APPWRITE_ENDPOINT'))
    .setProject(env('APPWRITE_PROJECT'))
    .setKey(env('APPWRITE_API_KEY')),
)
const options = {
  tablesDB,
  databaseId: env('BOOKING_GUARD_DATABASE'),
  slotLock: { secret: env('BOOKING_GUARD_SLOT_SECRET') },
  timeoutMs: Number(env('STRESS_TIMEOUT_MS')),
  compensationTimeoutMs: Number(env('STRESS_COMPENSATION_TIMEOUT_MS')),
  breaker: { halfOpenAfter: 500 },
} as const
const guards = {
  saga: createBookingGuard({ ...options, mode: 'saga' }),
  transaction: createBookingGuard({ ...options, mode: 'transaction' }),
}
const inFlight = Number(env('STRESS_WORKER_IN_FLIGHT'))

const lines = createInterface({ input: process.stdin })
const first: string = await new Promise((resolve, reject) => {
  lines.once('line', resolve)
  lines.once('close', () =>
    reject(new Error('stress worker: stdin closed before the jobs arrived')),
  )
})
lines.close()
const jobs = JSON.parse(first) as StressJob[]
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`)

say({ ready: true })
let next = 0
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!
      say({ start: job.key })
      const started = performance.now()
      const outcome = await guards[job.mode]
        .createBooking(job.input, { idempotencyKey: job.key })
        .then(
          (result) => describeOutcome(job, result, undefined),
          (error: unknown) => describeOutcome(job, undefined, error),
        )
      say({ ...outcome, ms: performance.now() - started })
    }
  }),
)
for (const guard of Object.values(guards)) {
  await guard.idle()
  guard.dispose()
}
