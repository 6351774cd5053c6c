import { appwriteError } from '@booking-guard/testing'
import type { FakeAppwrite } from '@booking-guard/testing'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { bookingErrorFromJSON } from '../errorJson'
import type { BookingErrorJSON } from '../errorJson'
import {
  isBookingGuardError,
  isBookingStateError,
  isSchemaLockError,
  isSlotTakenError,
} from '../errors'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import { createBookingHandler } from '../server/createBookingHandler'
import type { BookingCaller } from '../server/bookingRoutes'
import {
  API_KEY,
  DB,
  bookingFunction,
  execute,
  form,
  provisionedFake,
  resolveProvider,
  runtimeContext,
} from './serverFixtures'
import type { BookingFunction } from './serverFixtures'
import { rowMethodsOf } from './pipelineFixtures'

let fake: FakeAppwrite
let run: BookingFunction

const rows = (tableId: string) => fake.snapshot()[DB]?.[tableId] ?? []
const errorOf = (body: Record<string, unknown>) =>
  bookingErrorFromJSON(body.error as BookingErrorJSON)

async function book(customer = 'user-ben', extra: Record<string, unknown> = {}) {
  const answer = await execute(run, customer, '/bookings', { input: { ...form, ...extra } })
  expect(answer.status).toBe(201)
  return (answer.body.booking as { $id: string }).$id
}

beforeEach(async () => {
  fake = await provisionedFake()
  run = bookingFunction(fake)
})

describe('createBookingFunction', () => {
  it('should book for the caller with the provider and price the server knows', async () => {
    const answer = await execute(run, 'user-ben', '/bookings', {
      input: form,
      idempotencyKey: 'form-1',
      source: 'bookingButton',
    })

    expect(answer.status).toBe(201)
    const [booking] = rows('bookings')
    expect(booking).toMatchObject({
      customerId: 'user-ben',
      customerName: 'Ben',
      providerId: 'anna',
      providerName: 'Anna',
      price: 9000,
      currency: 'EUR',
      status: 'pending',
      source: 'bookingButton',
    })
    // Rows readable by the customer and the provider's user, never by `any`.
    expect(booking?.$permissions).toEqual(
      expect.arrayContaining(['read("user:user-ben")', 'read("user:user-anna")']),
    )
    expect(booking?.$permissions.join()).not.toContain('any')
    // The provider's notification is readable by the provider's user, mapped by the resolver.
    expect(rows('notifications')[0]?.$permissions).toContain('read("user:user-anna")')
  })

  it('should answer a repeated idempotency key with the same booking, writing it once', async () => {
    const body = { input: form, idempotencyKey: 'form-2' }
    const first = await execute(run, 'user-ben', '/bookings', body)
    const second = await execute(run, 'user-ben', '/bookings', body)

    expect([first.status, second.status]).toEqual([201, 200])
    expect(second.body).toMatchObject({ replayed: true })
    expect(rows('bookings')).toHaveLength(1)
  })

  it("should keep one user's idempotency key away from another user's booking", async () => {
    const body = { input: form, idempotencyKey: 'shared-key' }
    const ben = await execute(run, 'user-ben', '/bookings', body)
    const chloe = await execute(run, 'user-chloe', '/bookings', body)
    const benAgain = await execute(run, 'user-ben', '/bookings', body)

    // Chloe's key is hers: a booking of her own, not a conflict naming Ben's booking.
    expect([ben.status, chloe.status, benAgain.status]).toEqual([201, 201, 200])
    expect(
      rows('bookings')
        .map((row) => row.customerId)
        .sort(),
    ).toEqual(['user-ben', 'user-chloe'])
    const id = (answer: { body: unknown }) =>
      (answer.body as { booking: { $id: string } }).booking.$id
    expect(id(chloe)).not.toBe(id(ben))
    expect(id(benAgain)).toBe(id(ben))
  })

  it.each([
    ['a price', { price: 1 }, 'price'],
    ['a currency', { currency: 'USD' }, 'currency'],
    ['a status', { status: 'confirmed' }, 'status'],
  ])('should refuse a form that sets %s with 400, writing nothing', async (_, extra, field) => {
    const answer = await execute(run, 'user-ben', '/bookings', { input: { ...form, ...extra } })

    expect(answer.status).toBe(400)
    const error = errorOf(answer.body)
    expect(isSchemaLockError(error) && error.issues.map((i) => i.path.join('.'))).toContain(field)
    expect(rows('bookings')).toEqual([])
  })

  it('should refuse to book as someone else with 403, writing nothing', async () => {
    const answer = await execute(run, 'user-ben', '/bookings', {
      input: { ...form, customerId: 'user-chloe' },
    })

    expect(answer.status).toBe(403)
    expect(isBookingStateError(errorOf(answer.body))).toBe(true)
    expect(errorOf(answer.body).message).toMatch(/not the signed-in user/)
    expect(rows('bookings')).toEqual([])
  })

  it('should refuse a provider the app does not know with 404, writing nothing', async () => {
    const answer = await execute(run, 'user-ben', '/bookings', {
      input: { ...form, providerId: 'nobody' },
    })

    expect(answer.status).toBe(404)
    const error = errorOf(answer.body)
    expect(isSchemaLockError(error) && error.issues[0]?.path).toEqual(['providerId'])
    expect(rows('bookings')).toEqual([])
  })

  it('should answer 401 when Appwrite names no user, writing nothing', async () => {
    const answer = await execute(run, undefined, '/bookings', { input: form })

    expect(answer.status).toBe(401)
    expect(errorOf(answer.body)).toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(rows('bookings')).toEqual([])
  })

  it('should refuse a caller’s own X-Appwrite-Key, joined with the execution’s, with 401, writing nothing', async () => {
    const { context, errors } = runtimeContext({
      path: '/bookings',
      body: JSON.stringify({ input: form }),
      // A caller's `X-Appwrite-Key` passes Appwrite's lower-case check and reaches the runtime
      // joined with the execution's own key.
      headers: { 'x-appwrite-user-id': 'user-ben', 'x-appwrite-key': `forged-key, ${API_KEY}` },
    })
    const answer = await run(context)

    expect(answer.statusCode).toBe(401)
    expect(errorOf(answer.body as Record<string, unknown>)).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/X-Appwrite-Key/) as unknown,
    })
    expect(errors).toHaveLength(1)
    expect(rows('bookings')).toEqual([])
  })

  it('should answer 400 for a body that is not JSON', async () => {
    const { context } = runtimeContext({
      path: '/bookings',
      body: '{"input": ',
      headers: { 'x-appwrite-user-id': 'user-ben', 'x-appwrite-key': API_KEY },
    })
    const answer = await run(context)

    expect(answer.statusCode).toBe(400)
    expect(errorOf(answer.body as Record<string, unknown>).message).toMatch(/not JSON/)
  })

  it('should answer 404 naming the routes for an unknown path', async () => {
    const answer = await execute(run, 'user-ben', '/bookingz', {})

    expect(answer.status).toBe(404)
    expect(errorOf(answer.body).message).toMatch(/no route POST \/bookingz.*\/bookings/)
  })

  it('should answer 500 with what to do when there is no API key', async () => {
    const { context, errors } = runtimeContext({
      path: '/bookings',
      body: JSON.stringify({ input: form }),
      headers: { 'x-appwrite-user-id': 'user-ben' },
    })
    vi.stubEnv('APPWRITE_API_KEY', '')
    const answer = await run(context)

    expect(answer.statusCode).toBe(500)
    expect(errorOf(answer.body as Record<string, unknown>)).toMatchObject({
      code: 'CONFIGURATION',
      message: expect.stringMatching(/databases\.write/) as unknown,
    })
    expect(errors).toHaveLength(1)
  })

  it('should answer 409 with a SlotTakenError for a taken slot', async () => {
    run = bookingFunction(fake, { guard: { slotLock: true } })
    const scheduled = { bookingType: 'scheduled', scheduledAt: '2030-01-01T10:00:00.000Z' }
    await book('user-ben', scheduled)
    const answer = await execute(run, 'user-chloe', '/bookings', {
      input: { ...form, ...scheduled },
    })

    expect(answer.status).toBe(409)
    expect(isSlotTakenError(errorOf(answer.body))).toBe(true)
  })

  it('should log and hide an error that is not booking-guard’s own', async () => {
    const onError = vi.fn()
    run = bookingFunction(fake, {
      onError,
      resolveProvider: () => {
        throw new TypeError('profiles table unreachable')
      },
    })
    const { context, errors } = runtimeContext({
      path: '/bookings',
      body: JSON.stringify({ input: form }),
      headers: { 'x-appwrite-user-id': 'user-ben', 'x-appwrite-key': API_KEY },
    })
    const answer = await run(context)

    expect(answer.statusCode).toBe(500)
    expect(JSON.stringify(answer.body)).not.toContain('profiles table')
    expect(onError).toHaveBeenCalledWith(expect.any(TypeError))
    expect(String(errors[0])).toContain('profiles table unreachable')
  })
})

describe('createBookingFunction respond and cancel', () => {
  it('should let the booking’s provider accept it', async () => {
    const bookingId = await book()
    const answer = await execute(run, 'user-anna', `/bookings/${bookingId}/respond`, {
      response: 'accept',
    })

    expect(answer.status).toBe(200)
    expect(rows('bookings')).toMatchObject([{ status: 'confirmed' }])
  })

  it.each([
    ['another provider', 'user-marco'],
    ['the customer', 'user-ben'],
  ])('should refuse %s accepting it with 403, writing nothing', async (_, userId) => {
    const bookingId = await book()
    const before = fake.snapshot()
    const answer = await execute(run, userId, `/bookings/${bookingId}/respond`, {
      response: 'accept',
    })

    expect(answer.status).toBe(403)
    expect(errorOf(answer.body)).toMatchObject({ code: 'BOOKING_STATE', reason: 'forbidden' })
    expect(fake.snapshot()).toEqual(before)
  })

  it('should answer a typed, retryable 503 when Appwrite stays unreachable while it checks who may answer', async () => {
    const bookingId = await book()
    const before = fake.snapshot()
    fake.faults.fail({ operation: 'getRow', table: 'bookings', error: 'network' })
    const answer = await execute(run, 'user-anna', `/bookings/${bookingId}/respond`, {
      response: 'accept',
    })

    expect(answer.status).toBe(503)
    const error = errorOf(answer.body)
    expect(isBookingGuardError(error, 'RETRY_BUDGET_EXCEEDED')).toBe(true)
    expect(describeBookingError(error)).toMatchObject({ kind: 'network', retryable: true })
    expect(fake.snapshot()).toEqual(before)
  })

  it('should share one circuit breaker across executions whose dynamic keys differ', async () => {
    const bookingId = await book()
    const warm = bookingFunction(fake, { guard: { retry: { maxAttempts: 1 } } })
    const respondWithKey = async (key: string) => {
      const { context } = runtimeContext({
        path: `/bookings/${bookingId}/respond`,
        body: JSON.stringify({ response: 'accept' }),
        headers: { 'x-appwrite-user-id': 'user-anna', 'x-appwrite-key': key },
      })
      const answer = await warm(context)
      return { status: answer.statusCode, error: errorOf(answer.body as Record<string, unknown>) }
    }
    fake.faults.fail({ error: 'network' })
    // The routes' breaker opens once 10 calls of the last 30 s were made and half of them failed,
    // each execution with its own key.
    for (let execution = 1; execution <= 10; execution++) {
      expect(await respondWithKey(`dynamic-key-${execution}`)).toMatchObject({ status: 503 })
    }
    const reached = fake.faults.counts.total

    const answer = await respondWithKey('dynamic-key-11')

    expect(answer.status).toBe(503)
    expect(isBookingGuardError(answer.error, 'CIRCUIT_OPEN')).toBe(true)
    expect(fake.faults.counts.total).toBe(reached)
    // The browser learns when the breaker probes again (the default 30 s after it opened).
    const { retryAt } = describeBookingError(answer.error)
    expect(retryAt).toBeGreaterThan(Date.now())
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 30_000)
    expect(rows('bookings')).toMatchObject([{ status: 'pending' }])
  })

  it('should not open its breaker on five failures in a row before 10 calls were made', async () => {
    const bookingId = await book()
    const calm = bookingFunction(fake, { guard: { retry: { maxAttempts: 1 } } })
    const respond = async (key: string, response: 'accept' | 'decline') => {
      const { context } = runtimeContext({
        path: `/bookings/${bookingId}/respond`,
        body: JSON.stringify({ response }),
        headers: { 'x-appwrite-user-id': 'user-anna', 'x-appwrite-key': key },
      })
      return (await calm(context)).statusCode
    }
    // Five unlucky calls in a row (the guard's default breaker, consecutive failures, opens
    // there), but no window of 10 calls half failing.
    fake.faults.fail({ error: 'network', times: 5 })
    for (let execution = 1; execution <= 5; execution++) {
      expect(await respond(`dynamic-key-${execution}`, 'accept')).toBe(503)
    }

    expect(await respond('dynamic-key-6', 'accept')).toBe(200)
    expect(rows('bookings')).toMatchObject([{ status: 'confirmed' }])
  })

  it('should not try a transaction again on a later key once the server refused one', async () => {
    let begun = 0
    const tablesDB = {
      ...rowMethodsOf(fake.tablesDB),
      createTransaction: () => {
        begun++
        // What an Appwrite server before 1.8 answers for the transactions route.
        return Promise.reject(appwriteError('general_route_not_found'))
      },
      createOperations: () => Promise.reject(new Error('unreachable')),
      updateTransaction: () => Promise.reject(new Error('unreachable')),
    }
    const sagaRun = bookingFunction(fake, { tablesDB: () => tablesDB })
    for (const key of ['dynamic-key-1', 'dynamic-key-2', 'dynamic-key-3']) {
      const { context } = runtimeContext({
        path: '/bookings',
        body: JSON.stringify({ input: { ...form, customerName: key } }),
        headers: { 'x-appwrite-user-id': 'user-ben', 'x-appwrite-key': key },
      })
      expect((await sagaRun(context)).statusCode).toBe(201)
    }

    expect(begun).toBe(1)
    expect(rows('bookings')).toHaveLength(3)
  })

  it('should answer a typed 504 before the Function’s timeout while Appwrite is slow, and go on', async () => {
    const bookingId = await book()
    vi.useFakeTimers()
    try {
      const slow = bookingFunction(fake, { timeoutMs: 15_000 })
      fake.faults.latency({ operation: 'getRow', table: 'bookings', ms: 20_000, times: 1 })
      const answering = execute(slow, 'user-anna', `/bookings/${bookingId}/respond`, {
        response: 'accept',
      })
      await vi.advanceTimersByTimeAsync(14_000)
      const answer = await answering

      expect(answer.status).toBe(504)
      const error = errorOf(answer.body)
      expect(error).toMatchObject({
        code: 'PIPELINE_TIMEOUT',
        bookingId,
        compensated: false,
        pendingReconcile: true,
      })
      expect(describeBookingError(error).retryable).toBe(true)
      expect(rows('bookings')).toMatchObject([{ status: 'pending' }])

      // The request goes on: the accept lands once Appwrite answers.
      await vi.advanceTimersByTimeAsync(10_000)
      expect(rows('bookings')).toMatchObject([{ status: 'confirmed' }])
    } finally {
      vi.useRealTimers()
    }
  })

  it('should answer 404 for a booking that does not exist', async () => {
    const answer = await execute(run, 'user-anna', '/bookings/nope/respond', {
      response: 'accept',
    })

    expect(answer.status).toBe(404)
    expect(errorOf(answer.body)).toMatchObject({ code: 'BOOKING_STATE', reason: 'notFound' })
  })

  it('should answer 409 when the booking no longer awaits an answer', async () => {
    const bookingId = await book()
    await execute(run, 'user-anna', `/bookings/${bookingId}/respond`, { response: 'decline' })
    const answer = await execute(run, 'user-anna', `/bookings/${bookingId}/respond`, {
      response: 'accept',
    })

    expect(answer.status).toBe(409)
    expect(rows('bookings')).toMatchObject([{ status: 'declined' }])
  })

  it('should let the customer cancel and refuse a stranger', async () => {
    const bookingId = await book()
    const stranger = await execute(run, 'user-chloe', `/bookings/${bookingId}/cancel`, {})
    const customer = await execute(run, 'user-ben', `/bookings/${bookingId}/cancel`, {
      reason: 'Plans changed',
    })

    expect(stranger.status).toBe(403)
    expect(customer.status).toBe(200)
    expect(rows('bookings')).toMatchObject([{ status: 'cancelled' }])
  })
})

describe('createBookingFunction messages', () => {
  it('should write as the customer or the provider, with the names the room holds', async () => {
    const roomId = await book()
    const customer = await execute(run, 'user-ben', `/rooms/${roomId}/messages`, {
      content: 'On my way',
      clientMessageId: 'm-1',
      senderName: 'Someone else',
    })
    const provider = await execute(run, 'user-anna', `/rooms/${roomId}/messages`, {
      content: 'See you',
    })

    expect([customer.status, provider.status]).toEqual([201, 201])
    const written = rows('chat_messages').filter((m) => m.senderType !== 'system')
    expect(written.map((m) => [m.senderId, m.senderType, m.senderName, m.content])).toEqual([
      ['user-ben', 'customer', 'Ben', 'On my way'],
      ['anna', 'therapist', 'Anna', 'See you'],
    ])
  })

  it('should refuse someone outside the room with 403, writing nothing', async () => {
    const roomId = await book()
    const before = rows('chat_messages').length
    const answer = await execute(run, 'user-marco', `/rooms/${roomId}/messages`, {
      content: 'Hello',
    })

    expect(answer.status).toBe(403)
    expect(rows('chat_messages')).toHaveLength(before)
  })
})

describe('createBookingHandler', () => {
  const callers: Record<string, BookingCaller> = {
    'jwt-ben': { id: 'user-ben', name: 'Ben B.' },
  }
  const verifyJWT = (jwt: string) => {
    const caller = callers[jwt]
    return caller === undefined
      ? Promise.reject(new Error('Failed to verify JWT. Invalid token: Expired'))
      : Promise.resolve(caller)
  }
  const handler = () =>
    createBookingHandler({
      databaseId: DB,
      resolveProvider,
      tablesDB: () => fake.tablesDB,
      apiKey: API_KEY,
      basePath: '/api/booking',
      verifyJWT,
    })
  const post = (path: string, body: unknown, jwt?: string) =>
    new Request(`https://app.example${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }),
      },
      body: JSON.stringify(body),
    })

  it('should book as the user the JWT names', async () => {
    const response = await handler()(post('/api/booking/bookings', { input: form }, 'jwt-ben'))

    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(rows('bookings')).toMatchObject([{ customerId: 'user-ben', customerName: 'Ben B.' }])
  })

  it.each([
    ['no JWT', undefined, /Authorization: Bearer/],
    ['a JWT Appwrite refuses', 'jwt-old', /sign in again.*Expired/],
  ])('should answer 401 for %s, writing nothing', async (_, jwt, message) => {
    const response = await handler()(post('/api/booking/bookings', { input: form }, jwt))

    expect(response.status).toBe(401)
    const body = (await response.json()) as Record<string, unknown>
    expect(errorOf(body)).toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(errorOf(body).message).toMatch(message)
    expect(rows('bookings')).toEqual([])
  })

  it.each([
    ['fails', { code: 503, type: 'general_server_error' }],
    ['rate-limits', { code: 429, type: 'general_rate_limit_exceeded' }],
    ['cannot be reached', { cause: { code: 'ECONNREFUSED' } }],
  ])(
    'should answer a retryable 503, not 401, when Appwrite %s while checking the JWT',
    async (_, fields) => {
      const outage = Object.assign(new TypeError('fetch failed'), fields, {
        ...('type' in fields ? { name: 'AppwriteException', message: 'Server Error' } : {}),
      })
      const handle = createBookingHandler({
        databaseId: DB,
        resolveProvider,
        tablesDB: () => fake.tablesDB,
        apiKey: API_KEY,
        verifyJWT: () => Promise.reject(outage),
      })
      const response = await handle(post('/bookings', { input: form }, 'jwt-ben'))

      expect(response.status).toBe(503)
      const error = errorOf((await response.json()) as Record<string, unknown>)
      expect(isBookingGuardError(error, 'RETRY_BUDGET_EXCEEDED')).toBe(true)
      expect(describeBookingError(error).retryable).toBe(true)
      expect(rows('bookings')).toEqual([])
    },
  )

  it('should answer 413 to an endless body after reading a bounded part of it, writing nothing', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 64 * 1024 * 1024) return controller.close() // 64 MiB: a hostile upload
        pulled += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    const request = new Request('https://app.example/api/booking/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer jwt-ben' },
      body: endless,
      duplex: 'half',
    } as RequestInit)

    const response = await handler()(request)

    expect(response.status).toBe(413)
    expect(errorOf((await response.json()) as Record<string, unknown>).message).toMatch(/larger/)
    expect(pulled).toBeLessThan(1024 * 1024)
    expect(rows('bookings')).toEqual([])
  })

  it('should answer 413 to a declared length over the limit without reading the body', async () => {
    const response = await handler()(
      new Request('https://app.example/api/booking/bookings', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(10 * 1024 * 1024),
          authorization: 'Bearer jwt-ben',
        },
        body: JSON.stringify({ input: form }),
      }),
    )
    expect(response.status).toBe(413)
    expect(rows('bookings')).toEqual([])
  })

  it('should ask Appwrite about a JWT once while it is cached', async () => {
    const verify = vi.fn(verifyJWT)
    let now = 0
    const handle = createBookingHandler({
      databaseId: DB,
      resolveProvider,
      tablesDB: () => fake.tablesDB,
      apiKey: API_KEY,
      verifyJWT: verify,
      callerCacheMs: 1_000,
      now: () => now,
    })
    await handle(post('/bookings', { input: form }, 'jwt-ben'))
    await handle(post('/bookings', { input: form }, 'jwt-ben'))
    now = 1_001
    await handle(post('/bookings', { input: form }, 'jwt-ben'))

    expect(verify).toHaveBeenCalledTimes(2)
  })
})
