// What both stress scenarios (`run.ts`, `server.ts`) need besides their load: a seeded source of
// choices, a real-time sleep, the emulator's TablesDB as the API key or a user, and the summary
// of the invariant checks that decides the exit status.
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
