import { describe, expect, it } from 'vitest'
import { isSchemaLockError } from '../errors'
import { harness } from './pipelineFixtures'

describe('lifecycle', () => {
  describe('transition input', () => {
    it.each([
      {
        name: 'a response other than accept or decline',
        call: (h: ReturnType<typeof harness>) =>
          h.guard.respondToBooking('b1', { providerId: 'prov1', response: 'maybe' as 'accept' }),
        issue: { path: ['response'], code: 'invalid_value', message: "Use 'accept' or 'decline'" },
      },
      {
        name: 'a cancel by someone other than the customer or the provider',
        call: (h: ReturnType<typeof harness>) =>
          h.guard.cancelBooking('b1', { by: 'admin' as 'customer', actorId: 'cust1' }),
        issue: { path: ['by'], code: 'invalid_value', message: "Use 'customer' or 'provider'" },
      },
      {
        name: 'a reason longer than 500 characters',
        call: (h: ReturnType<typeof harness>) =>
          h.guard.cancelBooking('b1', {
            by: 'customer',
            actorId: 'cust1',
            reason: 'x'.repeat(501),
          }),
        issue: {
          path: ['reason'],
          code: 'too_big',
          message: 'Invalid reason: use a string of at most 500 characters',
        },
      },
    ])('should refuse $name with one issue naming the field, before any request', async (c) => {
      const h = harness()
      // Booking `b1` does not exist: a refusal that read it first would be a notFound state error.
      const error = await c.call(h).catch((e: unknown) => e)
      expect(isSchemaLockError(error)).toBe(true)
      expect((error as { issues: unknown }).issues).toEqual([c.issue])
      expect(h.events).toEqual([])
    })
  })
})
