// What the app needs to start, from Vite's environment (`VITE_*`, put in the page at build time).
// `pnpm dev` on the emulator sets them itself; on a real project set them in the shell or `.env`.

/** A therapist customers can book. `id` is what the booking form sends as `providerId`. */
export interface Therapist {
  readonly id: string
  readonly name: string
  readonly speciality: string
  /** Price of one hour, in minor units of `currency` (what the booking Function charges). */
  readonly hourlyPrice: number
  readonly currency: string
}

/** A user of the emulator's demo accounts: signs in with email and password like anyone else. */
export interface DemoUser {
  readonly name: string
  readonly email: string
  readonly password: string
  readonly role: 'customer' | 'therapist'
}

export interface AppConfig {
  /** Appwrite's endpoint, e.g. `https://cloud.appwrite.io/v1`. */
  readonly endpoint: string
  readonly projectId: string
  /** The database of the booking tables. */
  readonly databaseId: string
  /** The id of the booking Function (examples/booking-function). */
  readonly functionId: string
  readonly therapists: readonly Therapist[]
  /** Emulator only: accounts offered as one-click sign-ins. Empty on a real project. */
  readonly demoUsers: readonly DemoUser[]
}

/** The environment keys the app reads (all strings; JSON where noted). */
export interface AppEnv {
  readonly VITE_APPWRITE_ENDPOINT?: string
  readonly VITE_APPWRITE_PROJECT?: string
  /** Defaults to `main`. */
  readonly VITE_BOOKING_DATABASE?: string
  /** Defaults to `booking`. */
  readonly VITE_BOOKING_FUNCTION?: string
  /** JSON array of {@link Therapist}. */
  readonly VITE_THERAPISTS?: string
  /** JSON array of {@link DemoUser}; set by the emulator launcher only. */
  readonly VITE_DEMO_USERS?: string
}

function jsonArray<T>(name: string, value: string | undefined): T[] {
  if (value === undefined || value.trim() === '') return []
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (error) {
    throw new Error(`${name} is not JSON: ${(error as Error).message}`, { cause: error })
  }
  if (!Array.isArray(parsed)) throw new Error(`${name} must be a JSON array`)
  return parsed as T[]
}

/** Reads the app's configuration; throws a message naming what is missing. */
export function loadConfig(env: AppEnv): AppConfig {
  const endpoint = env.VITE_APPWRITE_ENDPOINT
  const projectId = env.VITE_APPWRITE_PROJECT
  if (!endpoint || !projectId) {
    throw new Error(
      'set VITE_APPWRITE_ENDPOINT and VITE_APPWRITE_PROJECT (or start the app with `pnpm --filter react-booking dev`, which runs it on the emulator)',
    )
  }
  const therapists = jsonArray<Therapist>('VITE_THERAPISTS', env.VITE_THERAPISTS)
  if (therapists.length === 0) {
    throw new Error(
      'set VITE_THERAPISTS to a JSON array of { id, name, speciality, hourlyPrice, currency }: the therapists of the booking Function’s BOOKING_PROVIDERS',
    )
  }
  return {
    endpoint,
    projectId,
    databaseId: env.VITE_BOOKING_DATABASE || 'main',
    functionId: env.VITE_BOOKING_FUNCTION || 'booking',
    therapists,
    demoUsers: jsonArray<DemoUser>('VITE_DEMO_USERS', env.VITE_DEMO_USERS),
  }
}
