// Without `node-appwrite` installed, the server must say so as a configuration error (500, what
// to install) — not as a 401 "sign in again" for every user, nor as a bare import error.
import { describe, expect, it, vi } from 'vitest'
import { bookingErrorFromJSON } from '../errorJson'
import type { BookingErrorJSON } from '../errorJson'
import { createBookingHandler } from '../server/createBookingHandler'
import { form, resolveProvider } from './serverFixtures'

vi.mock('node-appwrite', () => {
  throw new Error("Cannot find package 'node-appwrite'")
})

describe('booking server without node-appwrite', () => {
  it('should answer 500 saying to install node-appwrite when the handler checks a JWT', async () => {
    vi.stubEnv('APPWRITE_ENDPOINT', 'http://127.0.0.1:9/v1')
    vi.stubEnv('APPWRITE_PROJECT', 'p')
    const handler = createBookingHandler({ databaseId: 'main', resolveProvider, apiKey: 'k' })
    const response = await handler(
      new Request('http://localhost/bookings', {
        method: 'POST',
        headers: { authorization: 'Bearer a.jwt.value' },
        body: JSON.stringify({ input: form }),
      }),
    )
    const body = (await response.json()) as { error: BookingErrorJSON }

    expect(response.status).toBe(500)
    expect(bookingErrorFromJSON(body.error)).toMatchObject({
      code: 'CONFIGURATION',
      message: expect.stringMatching(
        /booking handler: `node-appwrite` is not installed.*verifyJWT/,
      ) as unknown,
    })
  })
})
