import { BookingGuardError } from '../errors'

const MAX_CAUSE_DEPTH = 6

/** Whether an Appwrite `user_unauthorized` (401) is anywhere in the error's cause chain. */
function refusedAsUser(error: unknown): boolean {
  let current = error
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null) return false
    const record = current as { code?: unknown; type?: unknown; cause?: unknown }
    if (record.code === 401 && record.type === 'user_unauthorized') return true
    current = record.cause
  }
  return false
}

/**
 * Whether the SDK service carries an API key: `true` (node-appwrite with `setKey`), `false` (a
 * client without one: the web SDK, or node-appwrite with a session or JWT), `undefined` when the
 * service does not show its client (the fake, a wrapper).
 */
function hasApiKey(service: unknown): boolean | undefined {
  const config = (service as { client?: { config?: { key?: unknown } } } | undefined)?.client
    ?.config
  if (typeof config !== 'object' || config === null) return undefined
  return typeof config.key === 'string' && config.key !== ''
}

/**
 * Runs one of the guard's cross-user writes. When the guard's SDK client shows no API key (the
 * `appwrite` web SDK, or node-appwrite with only a session or JWT) and Appwrite refuses the write
 * as `user_unauthorized`, the failure becomes a `CONFIGURATION` error that says what to do (run
 * the writes on a server) instead of a pipeline error a user would be asked to retry. Any other
 * guard (a key set, or a service that does not show its client) gets `write()`'s own promise,
 * untouched.
 *
 * @internal
 */
export function explainKeylessWrite<T>(
  method: string,
  service: unknown,
  write: () => Promise<T>,
): Promise<T> {
  if (hasApiKey(service) !== false) return write()
  return write().catch((error: unknown) => {
    if (!refusedAsUser(error)) throw error
    throw new BookingGuardError(
      'CONFIGURATION',
      `guard.${method}: Appwrite refused the write (401 user_unauthorized) and this guard has no API key. A guard without one writes as the signed-in user, and a user cannot create rows another user must read (the provider's booking, notification and messages), so retrying cannot help. Run the writes on a server: createBookingFunction (an Appwrite Function) or createBookingHandler from '@booking-guard/core/server', with an API key; in the browser use createBookingClient({ functions, functionId, … }) instead of createBookingGuard`,
      { cause: error },
    )
  })
}
