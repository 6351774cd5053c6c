import { describe, expectTypeOf, it } from 'vitest'
import type { ComponentProps } from 'react'
import type { BookingClient, BookingGuard } from '@booking-guard/core'
import type { BookingGuardProvider } from '../index'

type GuardProp = ComponentProps<typeof BookingGuardProvider>['guard']

describe('BookingGuardProvider guard', () => {
  it('should take a booking client as it is, with no cast', () => {
    expectTypeOf<BookingClient>().toExtend<GuardProp>()
  })

  it('should take a booking guard as it is', () => {
    expectTypeOf<BookingGuard>().toExtend<GuardProp>()
  })

  it('should not take an object missing the writes', () => {
    expectTypeOf<Omit<BookingClient, 'createBooking'>>().not.toExtend<GuardProp>()
  })
})
