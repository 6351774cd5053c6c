import { describe, expect, it } from 'vitest'
import { BookingGuardError, isBookingGuardError } from '../errors'

describe('errors', () => {
  it('should recognise a branded error by code', () => {
    const e = new BookingGuardError('SLOT_TAKEN', 'x')
    expect(isBookingGuardError(e, 'SLOT_TAKEN')).toBe(true)
    expect(isBookingGuardError(e, 'CIRCUIT_OPEN')).toBe(false)
    expect(isBookingGuardError(new Error('x'))).toBe(false)
  })
})
