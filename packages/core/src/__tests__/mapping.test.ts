import { describe, expect, it } from 'vitest'
import { isBookingGuardError } from '../errors'
import { createSchemaLock } from '../schema/schemaLock'

const values = { booking: { status: { Pending: 'pending', Cancelled: 'cancelled' } } } as const

describe('mapping', () => {
  it('should read and accept the app spelling of enum values as the canonical ones', () => {
    const lock = createSchemaLock({ values, onIssue: () => {} })
    expect(lock.normalize('booking', { $id: 'b1', status: 'Pending' }).status).toBe('pending')
    expect(lock.normalize('booking', { $id: 'b1', status: 'declined' }).status).toBe('declined')
    const patch = lock.parsePatch('booking', { status: 'Cancelled' })
    expect(patch.status).toBe('cancelled')
  })

  it('should leave values alone without a mapping', () => {
    const lock = createSchemaLock({ onIssue: () => {} })
    expect(lock.normalize('booking', { $id: 'b1', status: 'Pending' }).status).toBe('Pending')
  })

  it('should refuse a mapping to a value the column does not have', () => {
    const attempt = () =>
      createSchemaLock({ values: { booking: { status: { Pending: 'waiting' } } } })
    expect(attempt).toThrow(/maps to `waiting`, which is not one of/)
    const error: unknown = (() => {
      try {
        attempt()
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(isBookingGuardError(error) && error.code).toBe('CONFIGURATION')
    expect(() => createSchemaLock({ values: { booking: { colour: { Red: 'red' } } } })).toThrow(
      /`colour`, which is not a column/,
    )
  })
})
