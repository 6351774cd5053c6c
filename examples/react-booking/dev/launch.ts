// The dev launcher: the Appwrite emulator with the booking Function registered, the demo users and
// the provisioned tables, then Vite for the React app. It is a stand-in for an Appwrite project,
// not an app server: the page talks to Appwrite only (Account, TablesDB, Realtime, Functions), and
// on a real project only Vite runs.
import { fileURLToPath } from 'node:url'
import { DEFAULT_SYNTHETIC_PROVIDER_ID } from '@booking-guard/core/realtime'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, Realtime } from 'appwrite'
import { WebSocket } from 'undici'
import { createServer as createViteServer } from 'vite'
import type { InlineConfig, ViteDevServer } from 'vite'
import { createFunction } from '../../booking-function/src/main'
import type { AppEnv, Therapist } from '../src/config'
import { DEMO_ACCOUNTS, DEMO_THERAPISTS, THERAPIST_LABEL } from './people'

/** The booking Function's id, as in examples/booking-function/appwrite.json. */
export const BOOKING_FUNCTION_ID = 'booking'

export interface DemoOptions {
  /** Port of the app (Vite). Defaults to `5173`; `0` picks a free one. */
  port?: number
  /**
   * A real Appwrite project (provisioned, with the booking Function deployed): then no emulator
   * starts and only Vite runs. Defaults to the emulator.
   */
  appwrite?: { endpoint: string; projectId: string }
  /** Database of the booking tables. Defaults to `'main'`. */
  databaseId?: string
  /** Who can be booked. Defaults to the demo therapists. */
  therapists?: readonly Therapist[]
  /** Extra Vite config, merged over `vite.config.ts` (tests point the packages at their sources). */
  vite?: InlineConfig
}

export interface Demo {
  /** Where the app is, e.g. `http://127.0.0.1:5173/`. */
  readonly url: string
  /** The emulator, when no Appwrite project was given. */
  readonly emulator: AppwriteEmulator | undefined
  close(): Promise<void>
}

const root = fileURLToPath(new URL('..', import.meta.url))

/** The web SDK's realtime needs a browser's WebSocket, `window` and `localStorage` under Node 20. */
function installBrowserGlobals(): void {
  const memory = new Map<string, string>()
  const g = globalThis as Record<string, unknown>
  g.WebSocket ??= WebSocket
  g.window ??= globalThis
  g.localStorage ??= {
    getItem: (key: string) => memory.get(key) ?? null,
    setItem: (key: string, value: string) => void memory.set(key, value),
    removeItem: (key: string) => void memory.delete(key),
  }
}

/**
 * Starts the emulator as the example's Appwrite project: the tables (what `booking-guard
 * provision` does), the demo users (Appwrite users with email, password and the `therapist`
 * label), and the booking Function with `execute: ["users"]` and its database scopes, as
 * examples/booking-function/appwrite.json deploys it.
 */
async function startEmulator(
  databaseId: string,
  therapists: readonly Therapist[],
): Promise<{ emulator: AppwriteEmulator; stop(): void }> {
  const emulator = await startAppwriteEmulator()
  try {
    await provisionSchema({ admin: emulator.fake.admin, databaseId })
    for (const user of DEMO_ACCOUNTS) {
      await emulator.fake.users.create({
        userId: user.userId,
        email: user.email,
        password: user.password,
        name: user.name,
      })
      if (user.role === 'therapist') {
        await emulator.fake.users.updateLabels({ userId: user.userId, labels: [THERAPIST_LABEL] })
      }
    }
    // The Function's health check waits for its synthetic booking's realtime event like a
    // therapist's browser would, signed in as the synthetic provider. node-appwrite has no
    // realtime, so this host lends the Function the web SDK's (a deployed one answers the
    // health check with a configuration error instead; the reconciler Function runs the checks).
    installBrowserGlobals()
    const client = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(emulator.createJWT(DEFAULT_SYNTHETIC_PROVIDER_ID))
    // JWTs last 15 minutes: a fresh one every 10 for the socket's reconnects.
    const renew = setInterval(
      () => client.setJWT(emulator.createJWT(DEFAULT_SYNTHETIC_PROVIDER_ID)),
      10 * 60_000,
    )
    renew.unref()
    const variables = {
      BOOKING_GUARD_DATABASE_ID: databaseId,
      BOOKING_PROVIDERS: JSON.stringify(
        therapists.map((t) => ({
          id: t.id,
          userId: t.id,
          name: t.name,
          hourlyPrice: t.hourlyPrice,
          currency: t.currency,
        })),
      ),
    }
    emulator.fake.functions.register(BOOKING_FUNCTION_ID, {
      name: 'booking',
      execute: ['users'],
      scopes: ['databases.read', 'databases.write'],
      timeout: 15,
      variables,
      handler: createFunction(variables, { realtime: new Realtime(client) }),
    })
    return { emulator, stop: () => clearInterval(renew) }
  } catch (error) {
    await emulator.close()
    throw error
  }
}

/** The emulator (unless `appwrite` is given) and the app, on one machine. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const databaseId = options.databaseId ?? 'main'
  const therapists = options.therapists ?? DEMO_THERAPISTS
  const local =
    options.appwrite === undefined ? await startEmulator(databaseId, therapists) : undefined
  const emulator = local?.emulator
  let vite: ViteDevServer | undefined
  try {
    // On the emulator the launcher knows the project; on a real one Vite reads VITE_* itself.
    const env: AppEnv | undefined =
      emulator === undefined
        ? undefined
        : {
            VITE_APPWRITE_ENDPOINT: emulator.endpoint,
            VITE_APPWRITE_PROJECT: emulator.projectId,
            VITE_BOOKING_DATABASE: databaseId,
            VITE_BOOKING_FUNCTION: BOOKING_FUNCTION_ID,
            VITE_THERAPISTS: JSON.stringify(therapists),
            VITE_DEMO_USERS: JSON.stringify(
              DEMO_ACCOUNTS.map(({ name, email, password, role }) => ({
                name,
                email,
                password,
                role,
              })),
            ),
          }
    vite = await createViteServer({
      ...options.vite,
      root,
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      define: {
        ...options.vite?.define,
        ...Object.fromEntries(
          Object.entries(env ?? {}).map(([key, value]) => [
            `import.meta.env.${key}`,
            JSON.stringify(value),
          ]),
        ),
      },
      // 127.0.0.1 like the emulator: one site, so the session cookie goes along with every call.
      server: {
        ...options.vite?.server,
        host: '127.0.0.1',
        port: options.port ?? 5173,
        strictPort: options.port !== 0,
      },
    })
    await vite.listen()
  } catch (error) {
    await vite?.close()
    local?.stop()
    await emulator?.close()
    throw error
  }
  const address = vite.httpServer?.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const server = vite
  return {
    url: `http://127.0.0.1:${port}/`,
    emulator,
    async close() {
      await server.close()
      local?.stop()
      await emulator?.close()
    },
  }
}
