// What both stress scenarios (`run.ts`, `server.ts`) need besides their load: a seeded source of
// choices, a real-time sleep, the emulator's TablesDB as the API key or a user, and the summary
// of the invariant checks that decides the exit status.
import { createSeededRandom } from '@booking-guard/core/resilience'
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
