import { describe, expectTypeOf, it } from 'vitest'
import { createFakeAppwrite } from '@booking-guard/testing'
import type {
  BookingRow,
  BookingGuard,
  BookingGuardOptions,
  CreateBookingInput,
  CreateBookingResult,
  ProviderBookingsPage,
  SchemaExtensions,
  SchemaLock,
  SchemaLockError,
} from '../index'
import type { BookingSubmitError } from '../observers/index'
import { MINIMAL_INPUT } from './realtimeFixtures'
import {
  column,
  createBookingGuard,
  createSchemaLock,
  isSchemaLockError,
  isSlotTakenError,
} from '../index'
import { createBookingSubmitObserver, createCustomerBookingsObserver } from '../observers/index'

const fake = createFakeAppwrite()

const valid = MINIMAL_INPUT

const extensions = {
  booking: {
    spaId: column.id({ required: false }),
    tier: column.enum(['standard', 'vip']),
  },
} satisfies SchemaExtensions

describe('guard', () => {
  describe('createBooking input', () => {
    const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main' })

    it('should accept exactly the fields a caller may set', () => {
      void guard.createBooking(valid)
      void guard.createBooking({
        ...valid,
        bookingType: 'scheduled',
        scheduledAt: '2026-06-01T10:00:00.000Z',
        price: 25_000,
        currency: 'EUR',
        location: null,
        notes: undefined,
      })
      expectTypeOf<CreateBookingInput['durationMinutes']>().toEqualTypeOf<number>()
      expectTypeOf<CreateBookingInput['scheduledAt']>().toEqualTypeOf<string | null | undefined>()
    })

    it('should refuse an unknown key, a pipeline field, a missing field and a wrong value', () => {
      // @ts-expect-error a misspelt field
      void guard.createBooking({ ...valid, providerID: 'p1' })
      // @ts-expect-error set by the pipeline, never by the caller
      void guard.createBooking({ ...valid, status: 'confirmed' })
      // @ts-expect-error set by the pipeline, never by the caller
      void guard.createBooking({ ...valid, pipelineStatus: 'delivered' })
      // @ts-expect-error an Appwrite system field is not data
      void guard.createBooking({ ...valid, $id: 'b1' })
      const { providerName: _providerName, ...withoutName } = valid
      // @ts-expect-error providerName is required
      void guard.createBooking(withoutName)
      // @ts-expect-error not a provider type
      void guard.createBooking({ ...valid, providerType: 'robot' })
      // @ts-expect-error a duration is a number of minutes
      void guard.createBooking({ ...valid, durationMinutes: '60' })
      expectTypeOf<{ providerID: string }>().not.toExtend<Partial<CreateBookingInput>>()
    })

    it('should accept the default legacy aliases in place of their field, and nothing else', () => {
      const { providerId: _providerId, providerName: _providerName, ...rest } = valid
      void guard.createBooking({ ...rest, therapistId: 'p1', therapistName: 'Budi' })
      void guard.createBooking({ ...valid, therapistId: 'p1' })
      void guard.createBooking({
        ...rest,
        providerId: undefined,
        therapistId: 'p1',
        providerName: 'B',
      })
      // @ts-expect-error providerId, under its own name or an alias, is required
      void guard.createBooking({ ...rest, therapistName: 'Budi' })
      // @ts-expect-error an alias of another kind (chat messages)
      void guard.createBooking({ ...valid, message: 'hi' })
      // @ts-expect-error an alias carries its field's type
      void guard.createBooking({ ...rest, providerName: 'Budi', therapistId: 7 })
      expectTypeOf({
        ...rest,
        therapistId: 'p1',
        therapistName: 'B',
      }).toExtend<CreateBookingInput>()
    })

    it('should type the input by the extensions of the guard’s lock, without widening it', () => {
      const lock = createSchemaLock({ extend: extensions })
      const extended = createBookingGuard({
        tablesDB: fake.tablesDB,
        databaseId: 'main',
        schemaLock: lock,
      })
      expectTypeOf(extended).toEqualTypeOf<BookingGuard<typeof extensions>>()
      expectTypeOf(extended.schemaLock).toEqualTypeOf<SchemaLock<typeof extensions>>()
      void extended.createBooking({ ...valid, tier: 'vip', spaId: 'spa1' })
      void extended.createBooking({ ...valid, tier: 'standard' })
      expectTypeOf<CreateBookingInput<typeof extensions>['tier']>().toEqualTypeOf<
        'standard' | 'vip'
      >()
      // @ts-expect-error tier is a required extension column
      void extended.createBooking(valid)
      // @ts-expect-error not one of the tier's values
      void extended.createBooking({ ...valid, tier: 'gold' })
      // @ts-expect-error still no unknown key
      void extended.createBooking({ ...valid, tier: 'vip', providerID: 'p1' })
      // @ts-expect-error still no pipeline field
      void extended.createBooking({ ...valid, tier: 'vip', status: 'pending' })
      // @ts-expect-error the default guard knows no extension column
      void guard.createBooking({ ...valid, tier: 'vip' })
      // A guard with extensions still goes where any guard is expected (React's provider).
      expectTypeOf(extended).toExtend<BookingGuard>()
    })
  })

  describe('options', () => {
    it('should insist on a data service', () => {
      // @ts-expect-error neither tablesDB nor databases
      createBookingGuard({ databaseId: 'main' })
      createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main' })
      createBookingGuard({ databases: fake.databases, databaseId: 'main' })
      expectTypeOf({ databaseId: 'main' }).not.toExtend<BookingGuardOptions>()
      // @ts-expect-error databaseId is required
      createBookingGuard({ tablesDB: fake.tablesDB })
    })
  })

  describe('submit errors', () => {
    const extended = createBookingGuard({
      tablesDB: fake.tablesDB,
      databaseId: 'main',
      schemaLock: createSchemaLock({ extend: extensions }),
    })

    it('should type a submit’s error as what createBooking rejects with', () => {
      const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main' })
      const observer = createBookingSubmitObserver({ guard })
      const { error } = observer.getSnapshot()
      expectTypeOf(error).toEqualTypeOf<BookingSubmitError | undefined>()
      expectTypeOf(error).not.toBeUnknown()
      if (isSchemaLockError(error)) expectTypeOf(error).toEqualTypeOf<SchemaLockError>()
      if (isSlotTakenError(error)) expectTypeOf(error.code).toEqualTypeOf<'SLOT_TAKEN'>()
      if (error !== undefined && error.code === 'CONFIGURATION') {
        expectTypeOf(error.message).toBeString()
      }
    })

    it('should type the observer’s input by the guard’s lock', () => {
      const observer = createBookingSubmitObserver({
        guard: extended,
        onSuccess: (_result, context) => {
          expectTypeOf(context.input.tier).toEqualTypeOf<'standard' | 'vip'>()
        },
      })
      void observer.submit({ ...valid, tier: 'vip' })
      // @ts-expect-error an unknown key
      void observer.submit({ ...valid, tier: 'vip', providerID: 'p1' })
      // @ts-expect-error the extension's required column
      void observer.submit(valid)
    })

    it('should type onError, onSettled and the TanStack flags', () => {
      const observer = createBookingSubmitObserver({
        guard: extended,
        onError: (error, context) => {
          expectTypeOf(error).toEqualTypeOf<BookingSubmitError>()
          expectTypeOf(context.input.tier).toEqualTypeOf<'standard' | 'vip'>()
          expectTypeOf(context.idempotencyKey).toBeString()
        },
        onSettled: (result, error, context) => {
          expectTypeOf(result).toEqualTypeOf<CreateBookingResult | undefined>()
          expectTypeOf(error).toEqualTypeOf<BookingSubmitError | null>()
          expectTypeOf(context.input.tier).toEqualTypeOf<'standard' | 'vip'>()
        },
      })
      const snapshot = observer.getSnapshot()
      expectTypeOf(snapshot.isIdle).toBeBoolean()
      expectTypeOf(snapshot.isPending).toBeBoolean()
      expectTypeOf(snapshot.isSuccess).toBeBoolean()
      expectTypeOf(snapshot.isError).toBeBoolean()
      expectTypeOf(observer.cancel).toEqualTypeOf<() => void>()
      // @ts-expect-error onError's error is typed, not any value
      createBookingSubmitObserver({ guard: extended, onError: (error: number) => error })
    })
  })

  describe('reads', () => {
    it('should type getBooking as a normalized row or null, and the customer reads', () => {
      const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main' })
      expectTypeOf(guard.getBooking('b1')).toEqualTypeOf<Promise<BookingRow | null>>()
      expectTypeOf(guard.getCustomerBookings('c1')).toEqualTypeOf<Promise<ProviderBookingsPage>>()
      expectTypeOf(guard.customerFeed('c1').getSnapshot().bookings[0]!.customerId).toBeString()
      const observer = createCustomerBookingsObserver({ guard, customerId: 'c1' })
      expectTypeOf(observer.getSnapshot().bookings).toEqualTypeOf<readonly BookingRow[]>()
      expectTypeOf(observer.getSnapshot().status).toEqualTypeOf<'loading' | 'ready' | 'error'>()
      // @ts-expect-error the booking id is a string
      void guard.getBooking(42)
    })
  })
})
