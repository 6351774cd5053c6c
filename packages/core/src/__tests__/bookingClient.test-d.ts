import type { Functions } from 'appwrite'
import { describe, expectTypeOf, it } from 'vitest'
import type { FetchLike, FunctionsLike } from '../client/createBookingClient'
import type { BookingGuardLike } from '../client/types'
import type { BookingGuard } from '../guard'
import { column, createBookingClient, createReadLock, createSchemaLock } from '../index'
import type { BookingClient, TablesDBLike } from '../index'

describe('createBookingClient types', () => {
  it('should take the web SDK’s Functions service', () => {
    expectTypeOf<Functions>().toExtend<FunctionsLike>()
  })

  it('should take the global fetch', () => {
    expectTypeOf<typeof fetch>().toExtend<FetchLike>()
  })

  it('should make the guard and the client the same shape for the UI', () => {
    expectTypeOf<BookingGuard>().toExtend<BookingGuardLike>()
    expectTypeOf<BookingClient>().toExtend<BookingGuardLike>()
  })

  it('should give the browser a read guard, without the pipeline’s writes', () => {
    expectTypeOf<BookingClient['guard']>().toHaveProperty('providerFeed')
    expectTypeOf<BookingClient['guard']>().toHaveProperty('customerFeed')
    expectTypeOf<BookingClient['guard']>().toHaveProperty('getCustomerBookings')
    expectTypeOf<BookingClient['guard']>().toHaveProperty('getBooking')
    expectTypeOf<BookingClient['guard']>().not.toHaveProperty('createBooking')
    expectTypeOf<BookingClient['guard']>().not.toHaveProperty('reconcile')
  })

  it('should take a lock extended with the app’s own columns, full or read-only', () => {
    const extend = { booking: { spaId: column.id() } }
    const options = {
      tablesDB: {} as TablesDBLike,
      databaseId: 'main',
      url: '/api',
      jwt: () => 'j',
    }
    const full = createBookingClient({ ...options, schemaLock: createSchemaLock({ extend }) })
    const read = createBookingClient({ ...options, schemaLock: createReadLock({ extend }) })
    expectTypeOf(full).toEqualTypeOf<BookingClient>()
    expectTypeOf(read).toEqualTypeOf<BookingClient>()
  })
})
