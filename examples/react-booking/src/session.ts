// Signing in through Appwrite's Account API, and the browser's booking guard: reads and realtime
// as the signed-in user, the writes that reach another user through the booking Function.
import { createBookingClient, createErrorMonitor, createMetrics } from '@booking-guard/core'
import type { BookingClient, ErrorMonitor, Metrics } from '@booking-guard/core'
import type { ChatParticipant } from '@booking-guard/core/observers'
import { Account, Client, Functions, Realtime, TablesDB } from 'appwrite'
import type { AppConfig } from './config'

/** A signed-in user with everything the app needs. */
export interface Session {
  readonly user: ChatParticipant
  readonly config: AppConfig
  /** Reads and realtime under the user's own permissions; writes through the booking Function. */
  readonly guard: BookingClient
  readonly monitor: ErrorMonitor
  readonly metrics: Metrics
  signOut(): Promise<void>
}

const THERAPIST_LABEL = 'therapist'

function startSession(
  config: AppConfig,
  client: Client,
  account: Account,
  user: { $id: string; name: string; labels: string[] },
): Session {
  const therapist = user.labels.includes(THERAPIST_LABEL)
  const monitor = createErrorMonitor()
  const metrics = createMetrics({ monitor })
  const guard = createBookingClient({
    tablesDB: new TablesDB(client),
    realtime: new Realtime(client),
    databaseId: config.databaseId,
    // Who books, answers and writes is decided by the Function from the session, never here.
    functions: new Functions(client),
    functionId: config.functionId,
    monitor,
    metrics,
    // A canary every 5 s, trouble after 3 s without its echo; feeds poll every 3 s meanwhile.
    // "Offline" only after four missed canaries: a short realtime outage reads "Reconnecting".
    watchdog: { intervalMs: 5_000, timeoutMs: 3_000, deadAfterMisses: 4 },
    feeds: { pollIntervalMs: 3_000 },
  })
  return {
    user: { id: user.$id, name: user.name || user.$id, type: therapist ? 'therapist' : 'customer' },
    config,
    guard,
    monitor,
    metrics,
    signOut: async () => {
      guard.dispose()
      await account.deleteSession({ sessionId: 'current' })
    },
  }
}

function clientFor(config: AppConfig): Client {
  return new Client().setEndpoint(config.endpoint).setProject(config.projectId)
}

/** The session this browser already holds (its cookie), or `undefined` when signed out. */
export async function resumeSession(config: AppConfig): Promise<Session | undefined> {
  const client = clientFor(config)
  const account = new Account(client)
  try {
    return startSession(config, client, account, await account.get())
  } catch (error) {
    // 401: no session (a guest). Anything else (Appwrite unreachable) is the caller's to show.
    if ((error as { code?: unknown }).code === 401) return undefined
    throw error
  }
}

/** Email + password, through `account.createEmailPasswordSession`: Appwrite sets the session cookie. */
export async function signIn(config: AppConfig, email: string, password: string): Promise<Session> {
  const client = clientFor(config)
  const account = new Account(client)
  await account.createEmailPasswordSession({ email, password })
  return startSession(config, client, account, await account.get())
}
