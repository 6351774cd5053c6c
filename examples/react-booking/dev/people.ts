// The emulator's seed: who can be booked, and the demo accounts (real Appwrite users on the
// emulator, with an email and a password, signing in through the Account API).
import type { DemoUser, Therapist } from '../src/config'

/** The label that makes an Appwrite user a therapist in this app (Auth → user → labels). */
export const THERAPIST_LABEL = 'therapist'

/** The password of every demo account (emulator only). */
export const DEMO_PASSWORD = 'booking-guard-demo'

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

/** A demo account with its Appwrite user id. */
export interface DemoAccount extends DemoUser {
  readonly userId: string
}

const account = (userId: string, name: string, role: DemoUser['role']): DemoAccount => ({
  userId,
  name,
  role,
  email: `${name.toLowerCase()}@example.com`,
  password: DEMO_PASSWORD,
})

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  account('customer-ben', 'Ben', 'customer'),
  account('customer-chloe', 'Chloe', 'customer'),
  ...DEMO_THERAPISTS.map((t) => account(t.id, t.name, 'therapist')),
]
