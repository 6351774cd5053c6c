// The Appwrite Function entry (Node runtime). Browsers call it with `functions.createExecution`
// through `createBookingClient`, signed in; Appwrite names the caller in `x-appwrite-user-id` and
// hands the execution an API key in `x-appwrite-key` (the Function's scopes: databases.read and
// databases.write, see appwrite.json).
import type { BookingGuardOptions } from '@booking-guard/core'
import { createBookingFunction } from '@booking-guard/core/server'
import type { FunctionContextLike } from '@booking-guard/core/server'
import { providersFrom } from './providers'

/** The environment the Function reads; Appwrite passes the Function's variables in `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>

/** What a host can add to the Function beyond its environment. */
export interface FunctionExtras {
  /**
   * A realtime client signed in as the health check's synthetic provider, for `POST
   * /health-check` (node-appwrite has no realtime). Defaults to none: the health check then
   * answers a configuration error naming what is missing. A local host (the emulator) can give one.
   */
  readonly realtime?: BookingGuardOptions['realtime']
}

/** The booking Function for `env`: `BOOKING_PROVIDERS`, `BOOKING_GUARD_DATABASE_ID` (default `main`). */
export function createFunction(env: Env, extras: FunctionExtras = {}) {
  return createBookingFunction({
    databaseId: env.BOOKING_GUARD_DATABASE_ID ?? 'main',
    resolveProvider: providersFrom(env.BOOKING_PROVIDERS),
    // The `timeout` of appwrite.json (15 s): a request still running at 14 s is answered with a
    // typed 504, never Appwrite's bare "Execution timed out".
    timeoutMs: 15_000,
    guard: {
      // Two bookings of one provider for the same start: the second gets SlotTakenError (409).
      slotLock: true,
      // A write's whole budget, its compensation included (9 s + 4 s), fits in that timeout, so
      // a slow Appwrite gets the pipeline's own answer (compensated or not) to the browser.
      timeoutMs: 9_000,
      compensationTimeoutMs: 4_000,
      ...(extras.realtime === undefined ? {} : { realtime: extras.realtime }),
    },
  })
}

let entry: ReturnType<typeof createFunction> | undefined

// Built on the first execution, then kept while the runtime stays warm.
export default async <R>(context: FunctionContextLike<R>): Promise<R> =>
  (entry ??= createFunction(process.env))(context)
