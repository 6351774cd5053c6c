// Shared by the reconciler's tests: the database they provision and a valid booking form.
import type { CreateBookingInput } from '@booking-guard/core'

export const databaseId = 'main'

/** A valid immediate booking, as the app's booking form sends it. */
export const input: CreateBookingInput = {
  customerId: 'cust1',
  customerName: 'Ana',
  providerId: 'prov1',
  providerType: 'therapist',
  providerName: 'Budi',
  bookingType: 'immediate',
  durationMinutes: 60,
  price: 25_000,
  currency: 'IDR',
} as CreateBookingInput
