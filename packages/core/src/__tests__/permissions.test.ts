// Who may write a booking row. Every write to a booking (creating it, answering it, cancelling it,
// the pipeline's own status fields) runs on the server with an API key, so a participant's session
// needs to read its booking, never to update it: with `update` a customer can accept their own
// booking for the provider, or set `pipelineStatus: 'failed'` so the reconciler removes the chat
// room and the provider's notification. Found while building the stress scenario's attacks.
import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { createBookingGuard } from '../guard'
import { provisionSchema } from '../schema/provision'
import { bookingInput } from './pipelineFixtures'

async function provisioned() {
  const fake = createFakeAppwrite()
  await provisionSchema({ admin: fake.admin, databaseId: 'main' })
  const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main', mode: 'saga' })
  const { booking } = await guard.createBooking(
    bookingInput({ customerId: 'cust1', providerId: 'prov1' }),
  )
  return { fake, guard, bookingId: booking.$id }
}

describe('permissions', () => {
  it.each([
    ['customer', 'user:cust1', { status: 'confirmed', providerResponseStatus: 'Accepted' }],
    ['customer', 'user:cust1', { pipelineStatus: 'failed' }],
    ['provider', 'user:prov1', { price: 1 }],
  ])(
    'should not let the %s update the booking row from their own session (%#)',
    async (_who, role, data) => {
      const { fake, guard, bookingId } = await provisioned()
      const session = fake.as(role).tablesDB
      const write = session.updateRow({
        databaseId: 'main',
        tableId: 'bookings',
        rowId: bookingId,
        data,
      })
      await expect(write).rejects.toMatchObject({ code: 401 })
      // The participant still reads it.
      await expect(
        session.getRow({ databaseId: 'main', tableId: 'bookings', rowId: bookingId }),
      ).resolves.toMatchObject({ $id: bookingId, status: 'pending' })
      guard.dispose()
    },
  )
})
