// Random booking inputs that are each wrong in at least one way the schema lock must refuse, drawn
// from a seeded generator so a failing run can be replayed with the same STRESS_SEED.
import type { BookingInput } from '@booking-guard/core'
import type { RandomSource } from '@booking-guard/core/resilience'

/** A random number in [0, 1): core's seeded source, so a seed replays the same scenario. */
type Random = RandomSource

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!
const int = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1))
const text = (random: Random, length: number) =>
  Array.from({ length }, () => String.fromCharCode(int(random, 0x20, 0x7e))).join('')

/** An id the lock must refuse: a character outside `[A-Za-z0-9._-]`, a bad first one, or too long. */
function badId(random: Random): unknown {
  const good = `u${int(random, 0, 1e6)}`
  return pick(random, [
    () => `${good}${pick(random, [' ', '/', '#', '?', '€', '\n', '@', ':', '*'])}${good}`,
    () => `${pick(random, ['_', '-', '.'])}${good}`,
    () => 'x'.repeat(int(random, 37, 300)),
    () => '',
    () => int(random, -1e6, 1e6),
    () => null,
    () => ({ $id: good }),
  ])()
}

/** One field set to a value of the wrong kind or out of range. */
const MUTATIONS: ReadonlyArray<(input: Record<string, unknown>, random: Random) => void> = [
  (input, random) => (input.customerId = badId(random)),
  (input, random) => (input.providerId = badId(random)),
  (input, random) => (input.customerName = pick(random, [null, int(random, 0, 99), [], {}])),
  (input, random) => (input.providerName = 'n'.repeat(int(random, 1_000, 5_000))),
  (input, random) => (input.providerType = pick(random, ['doctor', 'THERAPIST', '', 'place '])),
  (input, random) => (input.bookingType = pick(random, ['later', 'now', 'Immediate', 7])),
  (input) => {
    // Scheduled without a start.
    input.bookingType = 'scheduled'
    delete input.scheduledAt
  },
  (input, random) => {
    input.bookingType = 'scheduled'
    input.scheduledAt = pick(random, [
      `2030-${int(random, 13, 99)}-01T10:00:00.000Z`,
      `2030-02-${int(random, 30, 99)}T10:00:00.000Z`,
      text(random, int(random, 1, 40)),
      int(random, 0, 2e12),
    ])
  },
  (input, random) =>
    (input.durationMinutes = pick(random, [
      -int(random, 1, 1e6),
      0,
      int(random, 1, 600) + 0.5,
      1e12,
      `${int(random, 1, 600)}`,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
    ])),
  (input, random) =>
    (input.price = pick(random, [-int(random, 1, 1e6), int(random, 0, 1e6) + 0.25, '100', 1e30])),
  (input, random) =>
    (input.currency = pick(random, ['eur', 'EURO', 'E', '€€€', int(random, 100, 999)])),
  (input, random) => (input.notes = text(random, int(random, 2_001, 6_000))),
  (input, random) => {
    const field = pick(random, ['customerId', 'providerId', 'providerType', 'durationMinutes'])
    delete input[field]
  },
]

/** A bad booking input: a valid one with one to three mutations, or not an object at all. */
export function fuzzedInput(random: Random, valid: BookingInput): unknown {
  if (random() < 0.05) return pick(random, [null, undefined, 'booking', 42, [], [valid]])
  const input: Record<string, unknown> = { ...valid }
  const count = int(random, 1, 3)
  for (let i = 0; i < count; i++) pick(random, MUTATIONS)(input, random)
  return input
}
