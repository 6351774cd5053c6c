// The one module the Appwrite Function (main.ts) and the Node worker (worker.ts) share: build a
// guard from the environment, run one reconcile pass (and the health check when asked), and
// return a plain JSON report.
import { createBookingGuard } from '@booking-guard/core'
import type {
  BookingGuard,
  HealthCheckResult,
  RealtimeLike,
  ReconcileReport,
} from '@booking-guard/core'
import { Client, TablesDB } from 'node-appwrite'

/** Environment variables read by {@link loadConfig}; `process.env` fits. */
export type Env = Readonly<Record<string, string | undefined>>

/** Where and how to reconcile. */
export interface ReconcilerConfig {
  /** Appwrite endpoint, e.g. `https://cloud.appwrite.io/v1`. */
  readonly endpoint: string
  /** Appwrite project id. */
  readonly projectId: string
  /** API key with `databases.read`/`databases.write` (or the Function's dynamic key). */
  readonly apiKey: string
  /** Database of the booking tables. Defaults to `main` (`BOOKING_GUARD_DATABASE_ID`). */
  readonly databaseId: string
  /** Only bookings pending longer than this are touched, in ms. Defaults to `60_000`. */
  readonly olderThanMs: number
  /** Most rows per phase and pass. Defaults to `100`. */
  readonly limit: number
  /** Run the synthetic health check after the pass (`BOOKING_GUARD_HEALTH_CHECK=1`). Defaults to `false`. */
  readonly healthCheck: boolean
}

/** The JSON the Function returns and the worker logs. */
export interface ReconcilerRunReport {
  readonly ok: boolean
  readonly reconcile: ReconcileReport
  readonly healthCheck: HealthCheckResult | { readonly skipped: string } | undefined
}

function required(value: string | undefined, names: string): string {
  if (value === undefined || value === '') {
    throw new Error(`missing configuration: set ${names}`)
  }
  return value
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a non-negative integer, got \`${value}\``)
  }
  return parsed
}

/**
 * Reads the configuration. Inside an Appwrite Function the runtime provides
 * `APPWRITE_FUNCTION_API_ENDPOINT` and `APPWRITE_FUNCTION_PROJECT_ID`, and the dynamic API key
 * arrives as the `x-appwrite-key` request header (pass it as `apiKey`); elsewhere set
 * `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT` and `APPWRITE_API_KEY`.
 */
export function loadConfig(env: Env, overrides: { apiKey?: string } = {}): ReconcilerConfig {
  return {
    endpoint: required(
      env.APPWRITE_ENDPOINT ?? env.APPWRITE_FUNCTION_API_ENDPOINT,
      'APPWRITE_ENDPOINT (or run inside an Appwrite Function)',
    ),
    projectId: required(
      env.APPWRITE_PROJECT ?? env.APPWRITE_FUNCTION_PROJECT_ID,
      'APPWRITE_PROJECT (or run inside an Appwrite Function)',
    ),
    apiKey: required(
      overrides.apiKey ?? env.APPWRITE_API_KEY,
      'APPWRITE_API_KEY (or give the Function the databases.read/write scopes)',
    ),
    databaseId: env.BOOKING_GUARD_DATABASE_ID ?? 'main',
    olderThanMs: integer(env.BOOKING_GUARD_OLDER_THAN_MS, 'BOOKING_GUARD_OLDER_THAN_MS', 60_000),
    limit: integer(env.BOOKING_GUARD_LIMIT, 'BOOKING_GUARD_LIMIT', 100),
    healthCheck:
      env.BOOKING_GUARD_HEALTH_CHECK === '1' || env.BOOKING_GUARD_HEALTH_CHECK === 'true',
  }
}

/** A saga-mode guard over node-appwrite with the API key. */
export function createGuardFromConfig(
  config: ReconcilerConfig,
  options: { realtime?: RealtimeLike } = {},
): BookingGuard {
  const client = new Client()
    .setEndpoint(config.endpoint)
    .setProject(config.projectId)
    .setKey(config.apiKey)
  return createBookingGuard({
    tablesDB: new TablesDB(client),
    databaseId: config.databaseId,
    ...(options.realtime === undefined ? {} : { realtime: options.realtime }),
  })
}

/**
 * One pass: reconcile, then the health check when configured. The health check needs a realtime
 * client (node-appwrite has none), so without `realtime` it is reported as skipped.
 */
export async function runReconciler(
  config: ReconcilerConfig,
  options: { realtime?: RealtimeLike; signal?: AbortSignal } = {},
): Promise<ReconcilerRunReport> {
  const guard = createGuardFromConfig(config, options)
  try {
    const reconcile = await guard.reconcile({
      olderThanMs: config.olderThanMs,
      limit: config.limit,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    let healthCheck: ReconcilerRunReport['healthCheck']
    if (config.healthCheck) {
      healthCheck =
        options.realtime === undefined
          ? { skipped: 'the health check needs a realtime client' }
          : await guard.runHealthCheck()
    }
    // Pushes retried by the pass run in the background: finish them before a Function returns.
    await guard.idle()
    const failed =
      reconcile.errors.length > 0 ||
      reconcile.pending.failed.length > 0 ||
      reconcile.expired.failed.length > 0 ||
      reconcile.orphans.failed.length > 0
    const healthOk = healthCheck === undefined || !('ok' in healthCheck) || healthCheck.ok
    return { ok: !failed && healthOk, reconcile, healthCheck }
  } finally {
    guard.dispose()
  }
}
