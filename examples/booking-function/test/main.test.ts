// Runs the Function's entry as Appwrite's Node runtime would: a context object built by hand
// (lower-cased headers, `bodyText`, `res.json`), the caller in `x-appwrite-user-id`, the key in
// `x-appwrite-key`, and the writes going through node-appwrite to the emulator over HTTP.
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import run from '../src/main'

const databaseId = 'main'
let emulator: AppwriteEmulator

const rows = (tableId: string) => emulator.fake.snapshot()[databaseId]?.[tableId] ?? []

interface Answer {
  readonly body: { error?: { name: string; message: string; code?: string } } & Record<
    string,
    unknown
  >
  readonly statusCode: number
}

/** One execution, as `functions.createExecution({ xpath, body })` from `userId`'s browser. */
async function execute(userId: string, path: string, body: unknown): Promise<Answer> {
  const errors: unknown[] = []
  const answer = await run<Answer>({
    req: {
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        'x-appwrite-trigger': 'http',
        'x-appwrite-user-id': userId,
        'x-appwrite-key': emulator.apiKey,
      },
      bodyText: JSON.stringify(body),
    },
    res: {
      json: (value, statusCode = 200) => ({
        body: JSON.parse(JSON.stringify(value)) as Answer['body'],
        statusCode,
      }),
    },
    log: () => {},
    error: (message) => errors.push(message),
  })
  if (answer.statusCode >= 500) throw new Error(`the Function failed: ${JSON.stringify(errors)}`)
  return answer
}

const form = {
  customerName: 'Ben',
  providerId: 'anna',
  providerType: 'therapist',
  bookingType: 'scheduled',
  scheduledAt: '2030-03-01T10:00:00.000Z',
  durationMinutes: 90,
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  await provisionSchema({ admin: emulator.fake.admin, databaseId })
  // What Appwrite sets for a Function, plus the Function's own variable.
  vi.stubEnv('APPWRITE_FUNCTION_API_ENDPOINT', emulator.endpoint)
  vi.stubEnv('APPWRITE_FUNCTION_PROJECT_ID', emulator.projectId)
  vi.stubEnv(
    'BOOKING_PROVIDERS',
    JSON.stringify([
      { id: 'anna', userId: 'user-anna', name: 'Anna', hourlyPrice: 9000, currency: 'EUR' },
      { id: 'marco', userId: 'user-marco', name: 'Marco', hourlyPrice: 11000, currency: 'EUR' },
    ]),
  )
})

afterAll(async () => {
  vi.unstubAllEnvs()
  await emulator.close()
})

describe('booking Function', () => {
  it('should book for the caller, then let only the booking’s provider accept it', async () => {
    const booked = await execute('user-ben', '/bookings', { input: form, idempotencyKey: 'f-1' })
    expect(booked.statusCode).toBe(201)
    const bookingId = (booked.body.booking as { $id: string }).$id
    expect(rows('bookings')).toMatchObject([
      { $id: bookingId, customerId: 'user-ben', providerName: 'Anna', price: 13500 },
    ])

    const stranger = await execute('user-marco', `/bookings/${bookingId}/respond`, {
      response: 'accept',
    })
    expect(stranger.statusCode).toBe(403)
    expect(rows('bookings')).toMatchObject([{ status: 'pending' }])

    const provider = await execute('user-anna', `/bookings/${bookingId}/respond`, {
      response: 'accept',
    })
    expect(provider.statusCode).toBe(200)
    expect(rows('bookings')).toMatchObject([{ status: 'confirmed' }])

    const message = await execute('user-anna', `/rooms/${bookingId}/messages`, {
      content: 'See you on the 1st',
    })
    expect(message.statusCode).toBe(201)
    expect(rows('chat_messages').map((m) => m.senderName)).toContain('Anna')
  })

  it('should refuse a booking made for someone else, a forged price and a taken slot', async () => {
    const before = rows('bookings').length
    const asOther = await execute('user-chloe', '/bookings', {
      input: { ...form, customerId: 'user-ben' },
    })
    const cheap = await execute('user-chloe', '/bookings', { input: { ...form, price: 1 } })
    const taken = await execute('user-chloe', '/bookings', { input: form })

    expect([asOther.statusCode, cheap.statusCode, taken.statusCode]).toEqual([403, 400, 409])
    expect(taken.body.error).toMatchObject({ name: 'SlotTakenError', code: 'SLOT_TAKEN' })
    expect(rows('bookings')).toHaveLength(before)
  })
})
