// Runs the Function's entry as Appwrite's Node runtime would: a context object built by hand
// (lower-cased headers, `bodyText`, `res.json`), the caller in `x-appwrite-user-id`, the key in
// `x-appwrite-key`, and the writes going through node-appwrite to the emulator over HTTP.
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, Functions } from 'node-appwrite'
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

const BOOKING_PROVIDERS = JSON.stringify([
  { id: 'anna', userId: 'user-anna', name: 'Anna', hourlyPrice: 9000, currency: 'EUR' },
  { id: 'marco', userId: 'user-marco', name: 'Marco', hourlyPrice: 11000, currency: 'EUR' },
])

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  await provisionSchema({ admin: emulator.fake.admin, databaseId })
  // What Appwrite sets for a Function, plus the Function's own variable.
  vi.stubEnv('APPWRITE_FUNCTION_API_ENDPOINT', emulator.endpoint)
  vi.stubEnv('APPWRITE_FUNCTION_PROJECT_ID', emulator.projectId)
  vi.stubEnv('BOOKING_PROVIDERS', BOOKING_PROVIDERS)
  // The entry deployed as appwrite.json describes it, for the executions over HTTP below.
  emulator.fake.functions.register('booking', {
    load: () => import('../src/main'),
    execute: ['users'],
    scopes: ['databases.read', 'databases.write'],
    variables: { BOOKING_PROVIDERS },
  })
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

describe('booking Function on the emulator', () => {
  /** `userId` signed in (a session), calling the Function as a browser would. */
  const functionsOf = (userId: string) =>
    new Functions(
      new Client()
        .setEndpoint(emulator.endpoint)
        .setProject(emulator.projectId)
        .setSession(emulator.createSession(userId)),
    )
  const book = (userId: string, headers: Record<string, string>, key: string) =>
    functionsOf(userId).createExecution({
      functionId: 'booking',
      xpath: '/bookings',
      body: JSON.stringify({
        input: { ...form, scheduledAt: '2030-04-01T10:00:00.000Z' },
        idempotencyKey: key,
      }),
      headers: { 'content-type': 'application/json', ...headers },
    })

  it('should refuse a caller who sends their own x-appwrite-user-id, in any case, and write nothing', async () => {
    const before = rows('bookings').length

    // Appwrite itself refuses the lower-case name…
    await expect(book('user-chloe', { 'x-appwrite-user-id': 'user-ben' }, 'h-1')).rejects.toThrow(
      /must not start with x-appwrite-/,
    )
    // …but not another case: the Function gets `user-ben, user-chloe` and refuses it.
    const forged = await book('user-chloe', { 'X-Appwrite-User-Id': 'user-ben' }, 'h-2')
    expect(forged.responseStatusCode).toBe(401)
    expect(JSON.parse(forged.responseBody)).toMatchObject({
      error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/user-ben, user-chloe/) },
    })
    expect(rows('bookings')).toHaveLength(before)

    const honest = await book('user-chloe', {}, 'h-3')
    expect(honest.responseStatusCode).toBe(201)
    expect(rows('bookings')).toHaveLength(before + 1)
    expect(rows('bookings').at(-1)).toMatchObject({ customerId: 'user-chloe' })
  })
})
