import type { FakeAppwrite } from '@booking-guard/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import type { TablesDBLike } from '../backend/types'
import { bookingErrorToJSON } from '../errorJson'
import { isBookingGuardError, isBookingPipelineError } from '../errors'
import { createBookingGuard } from '../guard'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import type { CreateBookingInput } from '../guard'
import { DB, form, provisionedFake } from './serverFixtures'

let fake: FakeAppwrite
const input = { ...form, customerId: 'user-ben', providerId: 'user-anna', providerName: 'Anna' }
const rows = (tableId: string) => fake.snapshot()[DB]?.[tableId] ?? []

/** The service as the web SDK shows it: its client's config holds a session, never a key. */
function withClient(tablesDB: TablesDBLike, config: Record<string, string>): TablesDBLike {
  const methods = ['createRow', 'getRow', 'listRows', 'updateRow', 'upsertRow', 'deleteRow']
  const service: Record<string, unknown> = { client: { config } }
  for (const name of methods) {
    const method = (tablesDB as unknown as Record<string, (...args: unknown[]) => unknown>)[name]
    service[name] = method?.bind(tablesDB)
  }
  return service as unknown as TablesDBLike
}

/** A browser guard: the user's own session, no API key, no server path. */
const browserGuard = (userId = 'user-ben', config: Record<string, string> = { session: 's' }) =>
  createBookingGuard({
    tablesDB: withClient(fake.as(`user:${userId}`).tablesDB, config),
    databaseId: DB,
    retry: { maxAttempts: 1 },
  })

beforeEach(async () => {
  fake = await provisionedFake()
})

describe('keylessWrite', () => {
  it('should fail a keyless guard’s first booking with a configuration error saying what to do', async () => {
    const error = await browserGuard()
      .createBooking(input as CreateBookingInput)
      .catch((e: unknown) => e)

    expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    expect(String(error)).toMatch(/no API key.*createBookingFunction.*createBookingClient/)
    // The pipeline's own failure stays reachable for logs.
    expect(isBookingPipelineError((error as Error).cause)).toBe(true)
    expect(describeBookingError(error).retryable).toBe(false)
    expect(rows('bookings').filter((b) => b.pipelineStatus !== 'failed')).toEqual([])
  })

  it('should fail a keyless provider’s answer the same way', async () => {
    const { booking } = await createBookingGuard({
      tablesDB: fake.tablesDB,
      databaseId: DB,
    }).createBooking(input as CreateBookingInput)
    const error = await browserGuard('user-anna')
      .respondToBooking(booking.$id, { providerId: 'user-anna', response: 'accept' })
      .catch((e: unknown) => e)

    expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    expect(rows('bookings')).toMatchObject([{ status: 'pending' }])
  })

  it('should keep the pipeline error of a guard whose client shows an API key', async () => {
    // A key set: a refusal means a wrong key, which the pipeline error's classification says.
    const error = await browserGuard('user-ben', { key: 'standard_wrong' })
      .createBooking(input as CreateBookingInput)
      .catch((e: unknown) => e)

    expect(isBookingPipelineError(error)).toBe(true)
    expect(JSON.stringify(bookingErrorToJSON(error))).toContain('user_unauthorized')
  })

  it('should leave a service that does not show its client alone', async () => {
    const guard = createBookingGuard({
      tablesDB: fake.as('user:user-ben').tablesDB,
      databaseId: DB,
      retry: { maxAttempts: 1 },
    })
    const error = await guard.createBooking(input as CreateBookingInput).catch((e: unknown) => e)

    expect(isBookingPipelineError(error)).toBe(true)
    expect(JSON.stringify(bookingErrorToJSON(error))).toContain('user_unauthorized')
  })
})
