// What a lock that writes an app's own names and spellings (`columnNames`, `writeValues`) costs
// createBooking, side by side with an unmapped lock on the same fake, in one run: each booking's
// four rows are renamed and respelled on the way out and mapped back on the way in.
//   cd bench && node --import tsx mapping.bench.ts
// Options (environment variables): BENCH_BOOKINGS (per round, default 4000), BENCH_ROUNDS
// (default 3), BENCH_CONCURRENCY (default 32).
import { createBookingGuard, createSchemaLock } from '@booking-guard/core'
import type { SchemaLock } from '@booking-guard/core'
import { createFakeAppwrite } from '@booking-guard/testing'
import { bookingInputs, median } from './support'

const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 4_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)

const plain = createSchemaLock()
const mapped = createSchemaLock({
  values: { booking: { status: { PENDING: 'pending' } } },
  columnNames: {
    booking: { providerId: 'therapistId', providerName: 'therapistName' },
    notification: { recipientId: 'userId', read: 'isRead' },
    chatMessage: { content: 'message' },
  },
  writeValues: { booking: { status: { pending: 'Pending', confirmed: 'Confirmed' } } },
})

const input = bookingInputs()

/** Bookings per second through a fresh schemaless fake. */
async function throughput(lock: SchemaLock, mode: 'saga' | 'transaction'): Promise<number> {
  const fake = createFakeAppwrite()
  const guard = createBookingGuard({
    tablesDB: fake.tablesDB,
    databaseId: 'main',
    schemaLock: lock,
    mode,
  })
  // Warm-up, so both sides run jitted code.
  for (let i = 0; i < 200; i++) await guard.createBooking(input())
  const started = performance.now()
  let left = BOOKINGS
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await guard.createBooking(input())
    }),
  )
  return (BOOKINGS / (performance.now() - started)) * 1000
}

for (const mode of ['saga', 'transaction'] as const) {
  const results = { plain: [] as number[], mapped: [] as number[] }
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating order, so drift in the machine's load hits both sides alike.
    const order = round % 2 === 0 ? (['plain', 'mapped'] as const) : (['mapped', 'plain'] as const)
    for (const which of order) {
      results[which].push(await throughput(which === 'plain' ? plain : mapped, mode))
    }
  }
  const p = median(results.plain)
  const m = median(results.mapped)
  console.log(
    `${mode.padEnd(11)} unmapped ${p.toFixed(0).padStart(6)} bookings/s   mapped ${m.toFixed(0).padStart(6)} bookings/s   mapped/unmapped ${(m / p).toFixed(2)}×   (medians of ${ROUNDS} rounds of ${BOOKINGS})`,
  )
}
