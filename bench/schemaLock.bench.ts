// Schema lock overhead: `lock.parse('booking', …)` against plain zod `safeParse` of the very same
// schema instance, side by side in one run, several rounds with the order swapped each round.
//   cd bench && node --expose-gc --import tsx schemaLock.bench.ts
// Target: the lock's overhead over zod at most 25% on a realistic booking.
import { Bench } from 'tinybench'
import { createSchemaLock, isSchemaLockError } from '@booking-guard/core'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1000)
// Each task body parses a batch, so the timer's own cost per sample stays negligible.
const BATCH = 100

const lock = createSchemaLock()
const schema = lock.schema('booking')

/** A realistic scheduled booking, as the pipeline writes it (every field canonical). */
const booking = {
  customerId: '6650f1a2b3c4d5e6f7a8',
  customerName: 'Ana Putri',
  providerId: '6650f1a2b3c4d5e6f7b9',
  providerType: 'therapist',
  providerName: 'Budi Santoso',
  status: 'pending',
  providerResponseStatus: 'AwaitingResponse',
  responseDeadline: '2026-01-01T10:05:00.000+00:00',
  bookingType: 'scheduled',
  scheduledAt: '2026-01-02T09:30:00.000+08:00',
  durationMinutes: 90,
  price: 35_000_000,
  currency: 'IDR',
  location: 'Jl. Raya Ubud No. 8, Gianyar, Bali',
  notes: 'Second floor, ring twice',
  source: 'bookingButton',
  pipelineStatus: 'pending',
  idempotencyKey: 'ck_01HZX3Y4Z5A6B7C8D9E0F1G2H3',
  fingerprint: '9f2c4e1d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a190817263',
}

/** The same booking read back from Appwrite by legacy code: aliases and system fields. */
const { providerId, providerName, ...rest } = booking
const legacy = {
  $id: 'b_6650f1a2b3c4',
  $sequence: '1042',
  $tableId: 'bookings',
  $databaseId: 'main',
  $createdAt: '2026-01-01T10:00:00.000+00:00',
  $updatedAt: '2026-01-01T10:00:00.000+00:00',
  $permissions: ['read("user:6650f1a2b3c4d5e6f7a8")', 'read("user:6650f1a2b3c4d5e6f7b9")'],
  therapistId: providerId,
  therapistName: providerName,
  ...rest,
}

/** An invalid booking: three field issues plus an unknown field. */
const invalid = {
  ...booking,
  durationMinutes: 0,
  currency: 'idr',
  scheduledAt: 'tomorrow',
  colour: 'red',
}
const { colour: _colour, ...invalidKnown } = invalid

// Sanity: both sides agree before we time them.
if (!schema.safeParse(booking).success) throw new Error('bench booking is not valid')
if (JSON.stringify(lock.parse('booking', legacy)) !== JSON.stringify(schema.parse(booking))) {
  throw new Error('legacy booking does not normalize to the canonical one')
}

let sink: unknown
const zodValid = () => {
  for (let i = 0; i < BATCH; i++) sink = schema.safeParse(booking)
}
const lockValid = () => {
  for (let i = 0; i < BATCH; i++) sink = lock.parse('booking', booking)
}
const lockLegacy = () => {
  for (let i = 0; i < BATCH; i++) sink = lock.parse('booking', legacy)
}
const zodInvalid = () => {
  for (let i = 0; i < BATCH; i++) sink = schema.safeParse(invalidKnown)
}
const lockInvalid = () => {
  for (let i = 0; i < BATCH; i++) {
    try {
      sink = lock.parse('booking', invalid)
    } catch (error) {
      if (!isSchemaLockError(error)) throw error
      sink = error
    }
  }
}

const pairs: Array<[string, () => void, () => void]> = [
  ['valid booking (canonical fields)', zodValid, lockValid],
  ['legacy row (2 aliases + 7 system fields) vs zod on the canonical row', zodValid, lockLegacy],
  ['invalid booking (3 issues + unknown field), lock throws', zodInvalid, lockInvalid],
]

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const ns = (ms: number) => `${Math.round((ms * 1e6) / BATCH)} ns`

const table: Array<Record<string, string>> = []
for (const [name, zodTask, lockTask] of pairs) {
  const ratios: number[] = []
  let zodMs = 0
  let lockMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc?.()
    const bench = new Bench({ time: TIME_MS, warmupTime: 200 })
    // Swap the order every round so neither side always runs on a colder or hotter process.
    if (round % 2 === 0) bench.add('zod', zodTask).add('lock', lockTask)
    else bench.add('lock', lockTask).add('zod', zodTask)
    await bench.run()
    const mean = (task: string) => {
      const result = bench.getTask(task)?.result
      if (result?.state !== 'completed') throw new Error(`task ${task} did not complete`)
      return result.latency.mean
    }
    const z = mean('zod')
    const l = mean('lock')
    zodMs += z / ROUNDS
    lockMs += l / ROUNDS
    ratios.push(l / z)
  }
  const overhead = median(ratios) - 1
  table.push({
    case: name,
    'zod safeParse / call': ns(zodMs),
    'lock.parse / call': ns(lockMs),
    'overhead (median of rounds)': `${(overhead * 100).toFixed(1)}%`,
    'per-round ratios': ratios.map((r) => r.toFixed(3)).join(' '),
  })
}

console.log(
  `schema lock vs zod ${process.version}, ${ROUNDS} rounds × ${TIME_MS} ms, batch ${BATCH}`,
)
console.table(table)
const main = table[0]!['overhead (median of rounds)']!
console.log(
  `target: overhead ≤ 25% on a valid booking → ${main} ${parseFloat(main) <= 25 ? 'MET' : 'NOT MET'}`,
)
void sink
