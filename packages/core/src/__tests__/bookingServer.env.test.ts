// The booking handler with nothing but the environment: the JWT check and the writes must go to
// one Appwrite project, whatever variables are set (inside a Function, Appwrite sets its own next
// to any the app set), so a user is never verified in one project and written for in another.
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { provisionSchema } from '../schema/provision'
import { createSchemaLock } from '../schema/schemaLock'
import { createBookingHandler } from '../server/createBookingHandler'
import { DB, form, resolveProvider } from './serverFixtures'

let emulator: AppwriteEmulator

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  await provisionSchema({ admin: emulator.fake.admin, databaseId: DB, lock: createSchemaLock() })
})

afterAll(async () => {
  await emulator.close()
})

afterEach(() => {
  vi.unstubAllEnvs()
})

/** Books through a handler configured by the environment only, as `userId`. */
async function bookAs(userId: string) {
  const handler = createBookingHandler({ databaseId: DB, resolveProvider })
  const jwt = emulator.createJWT(userId, { name: 'Ben B.' })
  return handler(
    new Request('https://app.example/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
      body: JSON.stringify({ input: form }),
    }),
  )
}

describe('createBookingHandler from the environment', () => {
  it('should check the JWT in the project it writes to when a Function’s variables are set too', async () => {
    // The app's own variables name another project (nothing listens there); Appwrite's name the
    // emulator. The writes have always followed Appwrite's; the JWT check must too.
    vi.stubEnv('APPWRITE_ENDPOINT', 'http://127.0.0.1:9/v1')
    vi.stubEnv('APPWRITE_PROJECT', 'another-project')
    vi.stubEnv('APPWRITE_FUNCTION_API_ENDPOINT', emulator.endpoint)
    vi.stubEnv('APPWRITE_FUNCTION_PROJECT_ID', emulator.projectId)
    vi.stubEnv('APPWRITE_API_KEY', emulator.apiKey)

    const response = await bookAs('user-ben')

    expect(response.status).toBe(201)
    const bookings = emulator.fake.snapshot()[DB]?.bookings ?? []
    expect(bookings).toMatchObject([{ customerId: 'user-ben', customerName: 'Ben B.' }])
  })

  it('should use APPWRITE_ENDPOINT and APPWRITE_PROJECT outside a Function', async () => {
    vi.stubEnv('APPWRITE_ENDPOINT', emulator.endpoint)
    vi.stubEnv('APPWRITE_PROJECT', emulator.projectId)
    vi.stubEnv('APPWRITE_FUNCTION_API_ENDPOINT', '')
    vi.stubEnv('APPWRITE_FUNCTION_PROJECT_ID', '')
    vi.stubEnv('APPWRITE_API_KEY', emulator.apiKey)

    const response = await bookAs('user-cleo')

    expect(response.status).toBe(201)
    const bookings = emulator.fake.snapshot()[DB]?.bookings ?? []
    expect(bookings.map((row) => row.customerId)).toContain('user-cleo')
  })
})
