// A customer's booking in its own process, so the demo can kill it mid-pipeline (SIGKILL) the way
// a crashed tab or a killed server process dies: no compensation, no cleanup, nothing in `finally`.
import { createBookingGuard } from '@booking-guard/core'
import { Client, TablesDB } from 'node-appwrite'

const env = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`customerProcess: ${name} is not set`)
  return value
}

const client = new Client()
  .setEndpoint(env('APPWRITE_ENDPOINT'))
  .setProject(env('APPWRITE_PROJECT'))
  .setKey(env('APPWRITE_API_KEY'))
const guard = createBookingGuard({
  tablesDB: new TablesDB(client),
  databaseId: env('BOOKING_GUARD_DATABASE'),
  mode: 'saga',
})

await guard.createBooking(
  {
    customerId: 'customer-fay',
    customerName: 'Fay',
    providerId: 'provider-anna',
    providerType: 'therapist',
    providerName: 'Anna',
    bookingType: 'immediate',
    durationMinutes: 90,
  },
  { idempotencyKey: 'demo-customer-fay' },
)
console.log('customerProcess: booking delivered (the demo should have killed this process first)')
