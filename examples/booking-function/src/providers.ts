// Who can be booked, and at what price: the app's own knowledge, looked up by the server. Here it
// is a JSON variable of the Function; a real app would read its provider profiles table.
import type { BookingProvider } from '@booking-guard/core/server'

/** One entry of `BOOKING_PROVIDERS`. */
export interface ProviderEntry {
  /** The id the booking form sends (a profile id, or the provider's user id). */
  readonly id: string
  /** The provider's Appwrite user id: who may accept, decline and write as the provider. */
  readonly userId: string
  readonly name: string
  /** `therapist` (default) or `place`. */
  readonly providerType?: 'therapist' | 'place'
  /** Price of one hour in minor units of `currency`. */
  readonly hourlyPrice: number
  readonly currency: string
}

/**
 * The providers from `BOOKING_PROVIDERS` (a JSON array of {@link ProviderEntry}) as a resolver for
 * `createBookingFunction`: the price is the hourly price × the booked minutes.
 */
export function providersFrom(
  json: string | undefined,
): (providerId: string) => BookingProvider | undefined {
  if (json === undefined || json.trim() === '') {
    throw new Error(
      'missing configuration: set BOOKING_PROVIDERS to a JSON array of { id, userId, name, hourlyPrice, currency }',
    )
  }
  const parsed: unknown = JSON.parse(json)
  if (!Array.isArray(parsed)) throw new Error('BOOKING_PROVIDERS must be a JSON array')
  const byId = new Map<string, ProviderEntry>()
  parsed.forEach((entry: Partial<ProviderEntry>, index) => {
    if (
      typeof entry.id !== 'string' ||
      typeof entry.userId !== 'string' ||
      typeof entry.name !== 'string' ||
      typeof entry.hourlyPrice !== 'number' ||
      typeof entry.currency !== 'string'
    ) {
      throw new Error(
        `BOOKING_PROVIDERS[${index}] needs string id, userId, name, currency and a number hourlyPrice`,
      )
    }
    byId.set(entry.id, entry as ProviderEntry)
  })
  return (providerId) => {
    const entry = byId.get(providerId)
    return (
      entry && {
        userId: entry.userId,
        name: entry.name,
        providerType: entry.providerType ?? 'therapist',
        currency: entry.currency,
        price: (form) => {
          const minutes = Number(form.durationMinutes)
          return Number.isFinite(minutes)
            ? Math.round((entry.hourlyPrice * minutes) / 60)
            : undefined
        },
      }
    )
  }
}
