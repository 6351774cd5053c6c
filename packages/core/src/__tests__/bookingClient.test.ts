import type { FakeAppwrite } from '@booking-guard/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { createBookingClient } from '../client/createBookingClient'
import type { BookingClientOptions, FetchLike, FunctionsLike } from '../client/createBookingClient'
import { isBookingGuardError, isSchemaLockError, isSlotTakenError } from '../errors'
import type { CreateBookingInput } from '../guard'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import { classifyAppwriteError } from '../resilience/classifyError'
import { createBookingHandler } from '../server/createBookingHandler'
import {
  API_KEY,
  DB,
  bookingFunction,
  form,
  functionsAs,
  provisionedFake,
  resolveProvider,
} from './serverFixtures'
import type { BookingFunction } from './serverFixtures'

let fake: FakeAppwrite
let run: BookingFunction

const input = form as unknown as CreateBookingInput
const rows = (tableId: string) => fake.snapshot()[DB]?.[tableId] ?? []
const noWaits = { writeRetry: { initialDelay: 0, maxDelay: 0, jitter: 'none' as const } }

/** A browser client of `userId`: reads on the user's own permissions, writes through the Function. */
function clientOf(userId: string, options: Partial<BookingClientOptions> = {}) {
  const functions = functionsAs(run, userId)
  const client = createBookingClient({
    tablesDB: fake.as(`user:${userId}`).tablesDB,
    databaseId: DB,
    functions,
    functionId: 'booking',
    ...noWaits,
    ...options,
  })
  return { client, functions }
}

/** A browser client of user-ben whose handler URL is answered by `fetch`, counting its calls. */
function handlerClientOf(fetch: FetchLike) {
  let attempts = 0
  const client = createBookingClient({
    tablesDB: fake.as('user:user-ben').tablesDB,
    databaseId: DB,
    url: 'http://127.0.0.1:9/api/booking',
    jwt: () => 'jwt-ben',
    fetch: (url, init) => {
      attempts++
      return fetch(url, init)
    },
    ...noWaits,
  })
  return { client, attempts: () => attempts }
}

beforeEach(async () => {
  fake = await provisionedFake()
  run = bookingFunction(fake, { guard: { slotLock: true } })
})

describe('createBookingClient', () => {
  it('should book through the Function and read the booking back as the user', async () => {
    const { client } = clientOf('user-ben')
    const { booking } = await client.createBooking(input, { idempotencyKey: 'form-1' })

    expect(booking).toMatchObject({ customerId: 'user-ben', providerId: 'anna', price: 9000 })
    const { messages } = await client.listMessages(booking.$id)
    expect(messages.map((m) => m.senderType)).toEqual(['system'])
    const { readAt } = await client.markMessagesRead(booking.$id, { readerId: 'user-ben' })
    expect(Date.parse(String(rows('chat_rooms')[0]?.customerLastReadAt))).toBe(Date.parse(readAt))
  })

  it('should read a booking and the customer’s own bookings under the user’s permissions', async () => {
    const { client: ben } = clientOf('user-ben')
    const { client: cara } = clientOf('user-cara')
    const { booking } = await ben.createBooking(input, { idempotencyKey: 'form-r' })
    await cara.createBooking(input, { idempotencyKey: 'form-c' })

    expect(await ben.getBooking(booking.$id)).toMatchObject({
      $id: booking.$id,
      customerId: 'user-ben',
      providerId: 'anna',
    })
    // Another user's booking reads as missing: Appwrite hides rows the user may not read.
    expect(await cara.getBooking(booking.$id)).toBeNull()
    const mine = await ben.getCustomerBookings('user-ben')
    expect(mine.bookings.map((b) => b.$id)).toEqual([booking.$id])
    expect((await cara.getCustomerBookings('user-ben')).bookings).toEqual([])
  })

  it('should stop waiting for the Function when the call is aborted, and not retry', async () => {
    let executions = 0
    const functions: FunctionsLike = {
      createExecution: () => {
        executions++
        return new Promise(() => {})
      },
    }
    const { client } = clientOf('user-ben', { functions })
    const controller = new AbortController()
    const call = client.createBooking(input, { signal: controller.signal })
    await Promise.resolve()
    controller.abort()
    await expect(call).rejects.toMatchObject({ name: 'AbortError' })
    expect(executions).toBe(1)
  })

  it('should let the provider accept and write in the room, as the server decides', async () => {
    const { client: customer } = clientOf('user-ben')
    const { client: provider } = clientOf('user-anna')
    const { booking } = await customer.createBooking(input)

    await provider.respondToBooking(booking.$id, { providerId: 'ignored', response: 'accept' })
    const { message } = await provider.sendMessage(booking.$id, {
      senderId: 'user-ben',
      senderType: 'customer',
      senderName: 'Ben',
      content: 'See you at 10',
    })

    expect(rows('bookings')).toMatchObject([{ status: 'confirmed' }])
    expect(message).toMatchObject({ senderId: 'anna', senderType: 'therapist', senderName: 'Anna' })
  })

  it('should cancel as the customer, whatever actor the browser names', async () => {
    const { client } = clientOf('user-ben')
    const { booking } = await client.createBooking(input)
    await client.cancelBooking(booking.$id, { by: 'provider', actorId: 'anna', reason: 'Ill' })

    expect(rows('bookings')).toMatchObject([{ status: 'cancelled' }])
    expect(rows('notifications').map((n) => n.recipientId)).toContain('anna')
  })

  it('should bring the server’s configuration error back for a health check it cannot run', async () => {
    const { client } = clientOf('user-ben')
    const error = await client.runHealthCheck().catch((e: unknown) => e)

    expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    expect(String(error)).toMatch(/needs realtime/)
    expect(() => client.startHealthChecks()).toThrow(/schedule health checks on the server/)
  })

  it('should rehydrate a SchemaLockError with its fields for the form', async () => {
    const { client } = clientOf('user-ben')
    const error = await client
      .createBooking({ ...input, customerName: '' })
      .catch((e: unknown) => e)

    expect(isSchemaLockError(error)).toBe(true)
    const description = describeBookingError(error)
    expect(description).toMatchObject({ kind: 'invalid', retryable: false })
    expect(Object.keys(description.fields)).toEqual(['customerName'])
  })

  it('should rehydrate a SlotTakenError as on the server', async () => {
    const scheduled = {
      ...input,
      bookingType: 'scheduled',
      scheduledAt: '2030-01-01T10:00:00.000Z',
    } as CreateBookingInput
    await clientOf('user-ben').client.createBooking(scheduled)
    const error = await clientOf('user-chloe')
      .client.createBooking(scheduled)
      .catch((e: unknown) => e)

    expect(isSlotTakenError(error)).toBe(true)
    expect(describeBookingError(error)).toMatchObject({ kind: 'slotTaken', retryable: false })
  })

  it('should send one idempotency key for every attempt and book once', async () => {
    const { functions } = clientOf('user-ben')
    let failures = 1
    const flaky: FunctionsLike = {
      async createExecution(params) {
        const execution = await functions.createExecution(params)
        // The answer is lost on the way back the first time: the booking exists, the browser does not know.
        if (failures-- > 0) throw new TypeError('Failed to fetch')
        return execution
      },
    }
    const { client } = clientOf('user-ben', { functions: flaky })
    const result = await client.createBooking(input)

    const keys = functions.calls.map((c) => (c.body as { idempotencyKey: string }).idempotencyKey)
    expect(keys).toHaveLength(2)
    expect(new Set(keys).size).toBe(1)
    expect(result.replayed).toBe(true)
    expect(rows('bookings')).toHaveLength(1)
  })

  it('should report a Function that crashed without an answer as retryable', async () => {
    const crashed: FunctionsLike = {
      createExecution: () =>
        Promise.resolve({ responseStatusCode: 500, responseBody: '', status: 'failed' }),
    }
    const { client } = clientOf('user-ben', { functions: crashed })
    const error = await client.createBooking(input).catch((e: unknown) => e)

    expect(isBookingGuardError(error, 'RETRY_BUDGET_EXCEEDED')).toBe(true)
    expect(classifyAppwriteError((error as Error).cause)).toMatchObject({
      status: 500,
      retryable: true,
    })
    expect(describeBookingError(error)).toMatchObject({ kind: 'unavailable', retryable: true })
    expect(String(error)).toMatch(/execution logs.*same idempotency key/)
  })

  it('should give up on a server it cannot reach with a typed error the form may retry', async () => {
    const { client, attempts } = handlerClientOf(() =>
      Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
    )
    const error = await client.createBooking(input, { idempotencyKey: 'form-1' }).catch((e) => e)

    expect(attempts()).toBe(3)
    expect(isBookingGuardError(error, 'RETRY_BUDGET_EXCEEDED')).toBe(true)
    expect((error as Error).message).toMatch(/\/bookings.*fetch failed.*same idempotency key/)
    expect((error as Error).cause).toBeInstanceOf(TypeError)
    expect(describeBookingError(error)).toMatchObject({ kind: 'network', retryable: true })
  })

  it('should pass a refusal through as the server typed it, without retrying', async () => {
    const { client, attempts } = handlerClientOf(() =>
      Promise.resolve({ status: 404, text: () => Promise.resolve('') }),
    )
    const error = await client.createBooking(input).catch((e: unknown) => e)

    expect(attempts()).toBe(1)
    expect(isBookingGuardError(error)).toBe(false)
    expect((error as Error).name).toBe('BookingServerError')
  })

  it('should say how to deploy when Appwrite will not run the Function', async () => {
    const missing: FunctionsLike = {
      createExecution: () =>
        Promise.reject(
          Object.assign(new Error('Function with the requested ID could not be found.'), {
            name: 'AppwriteException',
            code: 404,
            type: 'function_not_found',
          }),
        ),
    }
    const { client } = clientOf('user-ben', { functions: missing })
    const error = await client.createBooking(input).catch((e: unknown) => e)

    expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    expect(String(error)).toMatch(/appwrite push functions/)
  })

  it('should read as the user through a read guard that has none of the server’s writes', async () => {
    const { client } = clientOf('user-ben')
    const { booking } = await client.createBooking(input)

    const { messages } = await client.guard.listMessages(booking.$id)
    expect(messages.map((m) => m.senderType)).toEqual(['system'])
    for (const write of [
      'createBooking',
      'respondToBooking',
      'reconcile',
      'runHealthCheck',
      'on',
    ]) {
      expect(client.guard).not.toHaveProperty(write)
    }
    expect(() => client.watchdog()).toThrow(/needs realtime/)
  })

  it('should refuse to be created without a server path', () => {
    expect(() =>
      createBookingClient({ tablesDB: fake.as('user:user-ben').tablesDB, databaseId: DB }),
    ).toThrow(/no server path for the writes.*createBookingFunction/)
    expect(() =>
      createBookingClient({
        tablesDB: fake.tablesDB,
        databaseId: DB,
        url: '/api/booking',
      }),
    ).toThrow(/`url` needs `jwt/)
  })

  it('should write through a Fetch handler with the user’s JWT', async () => {
    const handler = createBookingHandler({
      databaseId: DB,
      resolveProvider,
      tablesDB: () => fake.tablesDB,
      apiKey: API_KEY,
      basePath: '/api/booking',
      verifyJWT: (jwt) =>
        jwt === 'jwt-ben' ? Promise.resolve({ id: 'user-ben' }) : Promise.reject(new Error('no')),
    })
    const seen: string[] = []
    const fetch: FetchLike = async (url, init) => {
      seen.push(`${init.method} ${url} ${init.headers.authorization}`)
      return handler(new Request(new URL(url, 'https://app.example'), init))
    }
    const client = createBookingClient({
      tablesDB: fake.as('user:user-ben').tablesDB,
      databaseId: DB,
      url: '/api/booking/',
      jwt: () => 'jwt-ben',
      fetch,
    })
    const { booking } = await client.createBooking(input)

    expect(seen).toEqual(['POST /api/booking/bookings Bearer jwt-ben'])
    expect(booking.customerId).toBe('user-ben')
    const { bookings } = await createBookingClient({
      tablesDB: fake.as('user:user-anna').tablesDB,
      databaseId: DB,
      url: '/api/booking',
      jwt: () => 'jwt-anna',
      fetch,
    }).getProviderBookings('anna')
    expect(bookings.map((b) => b.$id)).toEqual([booking.$id])
  })
})
