// The booking server of the server-path stress scenario (`server.ts`), in its own process so the
// parent can kill it with SIGKILL mid-request: `createBookingHandler` from
// `@booking-guard/core/server` behind the `node:http` adapter the core README shows, verifying
// callers' JWTs with the default `account.get()` against the emulator and writing with its API key.
//
// Environment: APPWRITE_ENDPOINT, APPWRITE_PROJECT, APPWRITE_API_KEY (the emulator's),
// BOOKING_GUARD_DATABASE, BOOKING_GUARD_SLOT_SECRET, STRESS_PORT, STRESS_PROVIDERS (JSON: provider
// id → { userId, name, hourly }), STRESS_TIMEOUT_MS. Prints `{ "ready": true }` once it listens.
import { createServer } from 'node:http'
import { createBookingHandler } from '@booking-guard/core/server'
import type { BookingProvider } from '@booking-guard/core/server'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '')
    throw new Error(`stress server: environment variable ${name} is not set; run it from server.ts`)
  return value
}

const providers = JSON.parse(env('STRESS_PROVIDERS')) as Record<
  string,
  { userId: string; name: string; hourly: number }
>
const handle = createBookingHandler({
  databaseId: env('BOOKING_GUARD_DATABASE'),
  basePath: '/api/booking',
  resolveProvider: (providerId): BookingProvider | undefined => {
    const provider = providers[providerId]
    return (
      provider && {
        userId: provider.userId,
        name: provider.name,
        currency: 'EUR',
        price: (form) => Math.round((provider.hourly * Number(form.durationMinutes)) / 60),
      }
    )
  },
  guard: {
    slotLock: { secret: env('BOOKING_GUARD_SLOT_SECRET') },
    timeoutMs: Number(env('STRESS_TIMEOUT_MS')),
    breaker: { halfOpenAfter: 500 },
  },
  onError: (error) => console.error('stress server: untyped error', error),
})

createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const response = await handle(
    new Request(`http://localhost${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
    }),
  )
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.end(await response.text())
}).listen(Number(env('STRESS_PORT')), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
})
