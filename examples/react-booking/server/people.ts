// Who can be booked, and (on the emulator only) who can sign in without a password.

/** A therapist customers can book. `id` is the therapist's Appwrite user id. */
export interface Therapist {
  readonly id: string
  readonly name: string
  readonly speciality: string
  /** Price of one hour, in minor units of `currency`. */
  readonly hourlyPrice: number
  readonly currency: string
}

/** A user of the emulator's sign-in shortcut. */
export interface DemoUser {
  readonly id: string
  readonly name: string
  readonly role: 'customer' | 'therapist'
}

/** The label that makes an Appwrite user a therapist in this app (Auth → user → labels). */
export const THERAPIST_LABEL = 'therapist'

export const DEMO_THERAPISTS: readonly Therapist[] = [
  {
    id: 'therapist-anna',
    name: 'Anna',
    speciality: 'Swedish massage',
    hourlyPrice: 9000,
    currency: 'EUR',
  },
  {
    id: 'therapist-marco',
    name: 'Marco',
    speciality: 'Sports massage',
    hourlyPrice: 11000,
    currency: 'EUR',
  },
  {
    id: 'therapist-suki',
    name: 'Suki',
    speciality: 'Shiatsu',
    hourlyPrice: 10000,
    currency: 'EUR',
  },
]

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'customer-ben', name: 'Ben', role: 'customer' },
  { id: 'customer-chloe', name: 'Chloe', role: 'customer' },
  ...DEMO_THERAPISTS.map((t) => ({ id: t.id, name: t.name, role: 'therapist' as const })),
]

/**
 * The therapists from `THERAPISTS` (JSON: `[{ "id": "<user id>", "name": "Anna", "speciality":
 * "…", "hourlyPrice": 9000, "currency": "EUR" }]`), or the demo ones.
 */
export function therapistsFromEnv(value: string | undefined): readonly Therapist[] {
  if (value === undefined || value.trim() === '') return DEMO_THERAPISTS
  const parsed: unknown = JSON.parse(value)
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new Error(
      'THERAPISTS must be a non-empty JSON array of { id, name, speciality, hourlyPrice, currency }',
    )
  }
  return parsed.map((entry, index) => {
    const t = entry as Partial<Therapist>
    if (
      typeof t.id !== 'string' ||
      typeof t.name !== 'string' ||
      typeof t.hourlyPrice !== 'number'
    ) {
      throw new Error(
        `THERAPISTS[${index}] needs string \`id\` and \`name\` and a number \`hourlyPrice\``,
      )
    }
    return { speciality: '', currency: 'EUR', ...t } as Therapist
  })
}
