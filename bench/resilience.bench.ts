// Overhead of booking-guard's retry + circuit breaker against cockatiel 4's `wrap(retry, circuitBreaker)`,
// measured side by side in one run on a resolved no-op; then the cost of a call an open circuit
// rejects, on both sides, in the same run. Run:
//   cd bench && node --expose-gc --import tsx resilience.bench.ts
// Targets: our overhead over a bare `await` ≤ half of cockatiel's, less memory per call, and an
// open-circuit rejection cheaper than cockatiel's.
import { createCircuitBreaker, createRetryPolicy, isCircuitOpenError } from '@booking-guard/core'
import { wrap } from '@booking-guard/core/resilience'
import {
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleAll,
  handleWhen,
  isBrokenCircuitError,
  retry,
  wrap as cockatielWrap,
} from 'cockatiel'
import { Bench } from 'tinybench'

const BATCH = 1_000 // sequential awaited calls per sample, so timer resolution does not dominate
const ROUNDS = 5
const IN_FLIGHT = 100_000 // concurrent calls for the memory measurement

const noop = (): Promise<void> => Promise.resolve()

// Same behaviour on both sides: 3 attempts in all, 300 ms exponential back-off capped at 3 s, and a
// consecutive breaker opening after 5 failures with a 30 s half-open delay.
const ours = wrap(createRetryPolicy(), createCircuitBreaker())
const theirs = cockatielWrap(
  retry(handleAll, {
    maxAttempts: 2,
    backoff: new ExponentialBackoff({ initialDelay: 300, maxDelay: 3_000 }),
  }),
  circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }),
)

const subjects = {
  'bare await': () => noop(),
  'booking-guard wrap(retry, breaker)': () => ours.execute(noop),
  'cockatiel 4 wrap(retry, circuitBreaker)': () => theirs.execute(noop),
} as const
type Subject = keyof typeof subjects
const names = Object.keys(subjects) as Subject[]

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (see the header of this file)')

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * One round of `subjects`, each timed in samples of `BATCH` sequential calls; the order rotates
 * with `round` so drift (thermal, other processes) does not favour one side. Returns the order
 * and the mean nanoseconds per call of each subject.
 */
async function timeRound<K extends string>(
  subjects: Record<K, () => Promise<unknown>>,
  round: number,
): Promise<{ order: K[]; nsPerCall: Record<K, number> }> {
  const keys = Object.keys(subjects) as K[]
  const order = keys.map((_, i) => keys[(i + round) % keys.length]!)
  const bench = new Bench({ time: 400, warmupTime: 100 })
  for (const name of order) {
    const call = subjects[name]
    bench.add(name, async () => {
      for (let i = 0; i < BATCH; i++) await call()
    })
  }
  await bench.run()
  const nsPerCall = {} as Record<K, number>
  for (const task of bench.tasks) {
    const result = task.result
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`)
    nsPerCall[task.name as K] = (result.latency.mean * 1e6) / BATCH
  }
  return { order, nsPerCall }
}

/** Heap bytes held per call while `IN_FLIGHT` calls are pending (after a full GC). */
async function retainedBytesPerCall(start: () => Promise<unknown>): Promise<number> {
  const pending: Array<Promise<unknown>> = new Array(IN_FLIGHT)
  gc!()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < IN_FLIGHT; i++) pending[i] = start()
  gc!()
  const after = process.memoryUsage().heapUsed
  await Promise.all(pending)
  return (after - before) / IN_FLIGHT
}

const perCall: Record<Subject, number[]> = Object.fromEntries(names.map((n) => [n, []])) as never
const memory: Record<Subject, number[]> = Object.fromEntries(names.map((n) => [n, []])) as never

for (let round = 0; round < ROUNDS; round++) {
  const { order, nsPerCall } = await timeRound(subjects, round)
  for (const name of order) perCall[name].push(nsPerCall[name])
  for (const name of order) memory[name].push(await retainedBytesPerCall(subjects[name]))
}

const bare = median(perCall['bare await'])
const bareMemory = median(memory['bare await'])
const rows = names.map((name) => ({
  subject: name,
  'ns/call (median)': median(perCall[name]).toFixed(1),
  'overhead ns/call': (median(perCall[name]) - bare).toFixed(1),
  'retained bytes/call': median(memory[name]).toFixed(0),
  'bytes/call over bare': (median(memory[name]) - bareMemory).toFixed(0),
}))
console.log(
  `node ${process.version}, ${ROUNDS} rounds × ${BATCH}-call samples; in-flight memory over ${IN_FLIGHT} calls`,
)
console.table(rows)

// Ratio per round (same round, same conditions), then the median of those ratios.
const ratios = perCall['bare await'].map((b, i) => {
  const o = perCall['booking-guard wrap(retry, breaker)'][i]! - b
  const c = perCall['cockatiel 4 wrap(retry, circuitBreaker)'][i]! - b
  return o / c
})
const ratio = median(ratios)
const ourMemory = median(memory['booking-guard wrap(retry, breaker)'])
const theirMemory = median(memory['cockatiel 4 wrap(retry, circuitBreaker)'])
console.log(
  `overhead ratio booking-guard / cockatiel: ${ratio.toFixed(2)} per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
)
console.log(`target overhead ratio ≤ 0.50: ${ratio <= 0.5 ? 'met' : 'NOT met'}`)
console.log(
  `target less memory per call: ${ourMemory < theirMemory ? 'met' : 'NOT met'} (${ourMemory.toFixed(0)} B vs ${theirMemory.toFixed(0)} B)`,
)

// ------------------------------------------------------------------------------------------------
// The open circuit: during an outage every call takes this path, so it must be cheap.
// ------------------------------------------------------------------------------------------------

// Both breakers count every error (cockatiel's handleAll) and are opened by five failures and stay open for the whole run (one-hour half-open
// delay). Cockatiel's retry is told not to retry its BrokenCircuitError, as ours never retries a
// CircuitOpenError, so both sides reject at once.
const HOUR = 3_600_000
const failing = (): Promise<never> => Promise.reject(new Error('backend down'))
const ourBreaker = createCircuitBreaker({ halfOpenAfter: HOUR, isFailure: () => true })
const theirBreaker = circuitBreaker(handleAll, {
  halfOpenAfter: HOUR,
  breaker: new ConsecutiveBreaker(5),
})
for (let i = 0; i < 5; i++) {
  await ourBreaker.execute(failing).catch(() => undefined)
  await theirBreaker.execute(failing).catch(() => undefined)
}
if (ourBreaker.state !== 'open') throw new Error(`our breaker did not open: ${ourBreaker.state}`)
if (theirBreaker.state !== CircuitState.Open)
  throw new Error(`cockatiel's breaker did not open: ${theirBreaker.state}`)
const ourOpen = wrap(createRetryPolicy(), ourBreaker)
const theirOpen = cockatielWrap(
  retry(
    handleWhen((error) => !isBrokenCircuitError(error)),
    { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 300, maxDelay: 3_000 }) },
  ),
  theirBreaker,
)

/** One rejected call; anything but the library's open-circuit error fails the run. */
function rejected(start: () => Promise<unknown>, isOpen: (error: unknown) => boolean) {
  return async (): Promise<void> => {
    try {
      await start()
    } catch (error) {
      if (isOpen(error)) return
      throw error
    }
    throw new Error('an open circuit let a call through')
  }
}

const openSubjects = {
  'booking-guard breaker, open': rejected(() => ourBreaker.execute(noop), isCircuitOpenError),
  'cockatiel 4 circuitBreaker, open': rejected(
    () => theirBreaker.execute(noop),
    isBrokenCircuitError,
  ),
  'booking-guard wrap(retry, breaker), open': rejected(
    () => ourOpen.execute(noop),
    isCircuitOpenError,
  ),
  'cockatiel 4 wrap(retry, circuitBreaker), open': rejected(
    () => theirOpen.execute(noop),
    isBrokenCircuitError,
  ),
} as const
type OpenSubject = keyof typeof openSubjects
const openNames = Object.keys(openSubjects) as OpenSubject[]
const openPerCall: Record<OpenSubject, number[]> = Object.fromEntries(
  openNames.map((n) => [n, []]),
) as never

for (let round = 0; round < ROUNDS; round++) {
  const { order, nsPerCall } = await timeRound(openSubjects, round)
  for (const name of order) openPerCall[name].push(nsPerCall[name])
}

console.log(`\nopen circuit: a rejected call, ${ROUNDS} rounds × ${BATCH}-call samples`)
console.table(
  openNames.map((name) => ({
    subject: name,
    'ns/call (median)': median(openPerCall[name]).toFixed(1),
    'min of rounds': Math.min(...openPerCall[name]).toFixed(1),
    'max of rounds': Math.max(...openPerCall[name]).toFixed(1),
  })),
)
const openRatio = (ours: OpenSubject, theirs: OpenSubject) => {
  const perRound = openPerCall[ours].map((o, i) => o / openPerCall[theirs][i]!)
  return { median: median(perRound), perRound }
}
for (const [label, ours, theirs] of [
  ['breaker alone', 'booking-guard breaker, open', 'cockatiel 4 circuitBreaker, open'],
  [
    'retry + breaker',
    'booking-guard wrap(retry, breaker), open',
    'cockatiel 4 wrap(retry, circuitBreaker), open',
  ],
] as const) {
  const { median: m, perRound } = openRatio(ours, theirs)
  console.log(
    `open-circuit ratio booking-guard / cockatiel, ${label}: ${m.toFixed(2)} per round: ${perRound.map((r) => r.toFixed(2)).join(', ')}`,
  )
  console.log(`target cheaper than cockatiel (${label}): ${m < 1 ? 'met' : 'NOT met'}`)
}
