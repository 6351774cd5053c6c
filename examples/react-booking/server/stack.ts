// One HTTP server for the whole example: the `/api/*` routes (server-side writes) and Vite (the
// React app), on one port. Without an Appwrite project it also starts the emulator, provisions
// the schema and offers a password-free sign-in for demo users.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { DEFAULT_SYNTHETIC_PROVIDER_ID } from '@booking-guard/core/realtime'
import { provisionSchema } from '@booking-guard/core/admin'
import type { BookingGuardOptions } from '@booking-guard/core'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client as WebClient, Realtime } from 'appwrite'
import { Client, Users } from 'node-appwrite'
import { WebSocket } from 'undici'
import { createServer as createViteServer } from 'vite'
import type { InlineConfig } from 'vite'
import { createBookingApi } from './api'
import type { AppwriteServerConfig, BookingApi } from './api'
import { DEMO_USERS, THERAPIST_LABEL } from './people'
import type { Therapist } from './people'
import { DEMO_THERAPISTS } from './people'

export interface StackOptions {
  /** Port of the app. Defaults to `5173`; `0` picks a free one. */
  port?: number
  /** A real Appwrite project (provisioned with the CLI). Defaults to the emulator. */
  appwrite?: AppwriteServerConfig
  /** Database of the booking tables. Defaults to `'main'`. */
  databaseId?: string
  therapists?: readonly Therapist[]
  /** Extra options for the server's guard. */
  guard?: Partial<BookingGuardOptions>
  /**
   * How often the server runs the synthetic health check on its own. Defaults to `60_000`; `0`
   * runs it only when asked (`POST /api/health/check`).
   */
  healthCheckIntervalMs?: number
  /** Extra Vite config, merged over `vite.config.ts` (tests point the packages at their sources). */
  vite?: InlineConfig
}

export interface Stack {
  /** Where the app is, e.g. `http://localhost:5173/`. */
  readonly url: string
  /** The emulator, when no Appwrite project was given. */
  readonly emulator: AppwriteEmulator | undefined
  readonly api: BookingApi
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
 * Realtime signed in as the health check's synthetic provider: a JWT from the emulator's shortcut,
 * or from `users.createJWT` with the API key on a real project (the user must exist there). JWTs
 * last 15 minutes, so a new one is set every 10 for the socket's reconnects.
 */
async function healthRealtime(
  appwrite: AppwriteServerConfig,
  emulator: AppwriteEmulator | undefined,
): Promise<{ realtime: Realtime; stop(): void }> {
  installBrowserGlobals()
  const users = new Users(
    new Client()
      .setEndpoint(appwrite.endpoint)
      .setProject(appwrite.projectId)
      .setKey(appwrite.apiKey),
  )
  const jwt = async () =>
    emulator === undefined
      ? (await users.createJWT({ userId: DEFAULT_SYNTHETIC_PROVIDER_ID })).jwt
      : emulator.createJWT(DEFAULT_SYNTHETIC_PROVIDER_ID)
  const client = new WebClient()
    .setEndpoint(appwrite.endpoint)
    .setProject(appwrite.projectId)
    .setJWT(await jwt())
  const timer = setInterval(() => {
    jwt().then(
      (fresh) => client.setJWT(fresh),
      (error: unknown) =>
        console.error('[react-booking] could not renew the health check JWT', error),
    )
  }, 10 * 60_000)
  timer.unref()
  return { realtime: new Realtime(client), stop: () => clearInterval(timer) }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const databaseId = options.databaseId ?? 'main'
  const therapists = options.therapists ?? DEMO_THERAPISTS
  let emulator: AppwriteEmulator | undefined
  let appwrite = options.appwrite
  if (appwrite === undefined) {
    emulator = await startAppwriteEmulator()
    // What `booking-guard provision` does against a real project.
    await provisionSchema({ admin: emulator.fake.admin, databaseId })
    appwrite = {
      endpoint: emulator.endpoint,
      projectId: emulator.projectId,
      apiKey: emulator.apiKey,
    }
  }
  const running = emulator
  const healthInterval = options.healthCheckIntervalMs ?? 60_000
  const health = await healthRealtime(appwrite, emulator)
  const api = createBookingApi({
    appwrite,
    databaseId,
    therapists,
    realtime: health.realtime,
    guard: options.guard,
    signIn:
      running === undefined
        ? undefined
        : {
            users: DEMO_USERS,
            createJWT: (user) =>
              running.createJWT(user.id, {
                name: user.name,
                labels: user.role === 'therapist' ? [THERAPIST_LABEL] : [],
              }),
          },
  })

  const server: Server = createServer()
  const vite = await createViteServer({
    ...options.vite,
    root,
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    appType: 'spa',
    server: { ...options.vite?.server, middlewareMode: true, hmr: { server } },
  })
  server.on('request', (req, res) => {
    api.handle(req, res).then(
      (handled) => {
        if (!handled) vite.middlewares(req, res)
      },
      (error: unknown) => {
        console.error('[react-booking]', error)
        res.statusCode = 500
        res.end()
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 5173, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const stopHealthChecks = healthInterval > 0 ? api.startHealthChecks(healthInterval) : () => {}

  return {
    url: `http://localhost:${port}/`,
    emulator,
    api,
    async close() {
      stopHealthChecks()
      health.stop()
      api.guard.dispose()
      await vite.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await emulator?.close()
    },
  }
}
