import type { FakeAppwrite } from '@booking-guard/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import type { TablesDBLike } from '../backend/types'
import { isBookingGuardError, isBookingPipelineError } from '../errors'
import { createBookingGuard } from '../guard'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import type { CreateBookingInput } from '../pipeline/createBooking'
import { DB, form, provisionedFake } from './serverFixtures'

let fake: FakeAppwrite
const input = { ...form, customerId: 'user-ben', providerId: 'user-anna', providerName: 'Anna' }
const rows = (tableId: string) => fake.snapshot()[DB]?.[tableId] ?? []

/** A browser guard: the user's own session, no API key, no server path. */
const browserGuard = (tablesDB: TablesDBLike = fake.as('user:user-ben').tablesDB) =>
  createBookingGuard({ tablesDB, databaseId: DB, retry: { maxAttempts: 1 } })

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
    const error = await browserGuard(fake.as('user:user-anna').tablesDB)
      .respondToBooking(booking.$id, { providerId: 'user-anna', response: 'accept' })
      .catch((e: unknown) => e)

    expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    expect(rows('bookings')).toMatchObject([{ status: 'pending' }])
  })

  it('should keep the pipeline error of a guard whose client shows an API key', async () => {
    // An SDK service with a key set: a refusal means a wrong key, which the pipeline error says.
    const keyed = Object.assign(Object.create(fake.as('user:user-ben').tablesDB) as TablesDBLike, {
      client: { config: { key: 'standard_wrong' } },
    })
    const error = await browserGuard(keyed)
      .createBooking(input as CreateBookingInput)
      .catch((e: unknown) => e)

    expect(isBookingPipelineError(error)).toBe(true)
  })
})
