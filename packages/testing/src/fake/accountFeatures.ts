import { check } from './accounts'
import { appwriteError } from './errors'
import type { AccountStore, StoredUser } from './accounts'
import { AccountEmails } from './accountEmails'
import { fakeInternals } from './createFakeAppwrite'
import type { FakeAppwrite, FakeInternals } from './createFakeAppwrite'
import { ImportedPasswords } from './importedUsers'
import { userEventNames } from './userEvents'
import { planList, runList, searchMatches } from './userQueries'
import { FakeUsers } from './users'
import type { FakeUserList, FakeUserModel } from './users'
import type { FaultGate } from './types'

/*
 * The parts of the Account and Users services that the emulator serves and a browser bundle of
 * the fake need not carry: the email flows and their outbox, the `users.list` queries, and users
 * with imported password hashes (bcrypt, argon2, …). `FakeAccount` and `FakeUsers` keep the
 * methods and run them here once installed; the emulator installs them on its fake.
 */

/** `Queries\Users::ALLOWED_ATTRIBUTES`. */
const LIST_ATTRIBUTES = new Set([
  'name',
  'email',
  'phone',
  'status',
  'passwordUpdate',
  'registration',
  'emailVerification',
  'phoneVerification',
  'labels',
  'impersonator',
])

/** The users' array attributes: the database refuses `equal` and the like on them. */
const ARRAY_ATTRIBUTES = new Set(['labels'])

/** `Queries\Identities::ALLOWED_ATTRIBUTES`. */
const IDENTITY_ATTRIBUTES = new Set([
  'userId',
  'provider',
  'providerUid',
  'providerEmail',
  'providerAccessTokenExpiry',
])

/** The queries of the Users lists, as the server's parameter validator and database run them. @internal */
export class UserLists {
  readonly #store: AccountStore

  constructor(store: AccountStore) {
    this.#store = store
  }

  /** `FakeUsers.list` with `queries` or `search`. */
  users(params: { queries?: string[]; search?: string; total?: boolean }): FakeUserList {
    const plan = planList(params.queries, LIST_ATTRIBUTES, undefined, ARRAY_ATTRIBUTES)
    if (params.search !== undefined) check.text('search', params.search, 256)
    let users = this.#store.users()
    const search = params.search ?? ''
    if (search !== '')
      users = users.filter((user) =>
        searchMatches(search, [user.$id, user.email, user.phone, user.name].join(' ')),
      )
    const { page, total } = runList(
      users,
      plan,
      (user, attribute) => this.#attribute(user, attribute),
      'User',
    )
    return {
      total: params.total === false ? 0 : total,
      users: page.map((user) => this.#store.userModel(user) as unknown as FakeUserModel),
    }
  }

  #attribute(user: StoredUser, attribute: string): unknown {
    if (attribute === '$sequence') return user.$createdAt
    if (attribute === 'impersonator') return false
    return this.#store.accountModel(user)[attribute]
  }

  /** `FakeUsers.listLogs` with `queries`: checks them (only `limit` and `offset`); there are no logs. */
  logs(params: { queries?: string[] }): void {
    planList(params.queries, new Set(), new Set(['limit', 'offset']))
  }

  /** `FakeUsers.listIdentities` with `queries` or `search`: checks them; there are no identities. */
  identities(params: { queries?: string[]; search?: string }): void {
    const plan = planList(params.queries, IDENTITY_ATTRIBUTES)
    if (params.search !== undefined) check.text('search', params.search, 256)
    // The route turns `search` into a query on a `search` attribute the identities' collection
    // does not have, which the database refuses, so a search never lists identities.
    if ((params.search ?? '') !== '')
      throw appwriteError(
        'general_query_invalid',
        'Invalid query: Attribute not found in schema: search',
      )
    runList([], plan, () => undefined, 'User')
  }
}

/**
 * The account features of one fake: what `AccountStore.features` holds once installed.
 *
 * @internal
 */
export class AccountFeatures {
  /** The email flows, their tokens and the outbox. */
  readonly emails: AccountEmails
  /** Users with imported password hashes and their sign-in. */
  readonly passwords: ImportedPasswords
  /** The Users lists' queries. */
  readonly lists: UserLists
  /** The Users service (`fake.users`). */
  readonly users: FakeUsers

  constructor(store: AccountStore, faults: FaultGate) {
    this.emails = new AccountEmails(store)
    this.passwords = new ImportedPasswords(store)
    this.lists = new UserLists(store)
    this.users = new FakeUsers(store, faults)
  }
}

/**
 * The account features of the fake behind `internals`, installed on first use (as the emulator
 * does when it starts). `fake.reset()` empties their outbox.
 *
 * @internal
 */
export function accountFeatures(internals: FakeInternals): AccountFeatures {
  const store = internals.accounts
  if (store.features === undefined) {
    const features = new AccountFeatures(store, internals.faults)
    store.features = features
    internals.resets.add(() => features.emails.outbox.clear())
    // User events run the functions that list them (`users.*.create`, …).
    internals.functions.addEventSource((trigger) =>
      store.onChange((change) =>
        trigger(userEventNames(change.userId, change.suffix), change.payload),
      ),
    )
  }
  return store.features
}

/**
 * Adds to a fake the parts of its Account and Users services that its root entry leaves out, so
 * that a browser bundle of the fake stays small: the email flows (`account.createEmailVerification`,
 * `createRecovery`, `createEmailToken`, `createMagicURLToken`, `createSession` with their secrets,
 * and `fake.outbox()`), the phone flows, user events that run functions (`events:
 * ['users.*.create']`), and the Users service, an API key's (`fake.users`: `create`, `list` with
 * `queries` or `search`, `createToken`, users with imported password hashes such as
 * `createBcryptUser` and `createArgon2User`, and the rest). Without it those calls reject with an
 * error that names this function (reading `fake.users` never throws). Installing twice does
 * nothing more; the emulator installs them on its fake itself.
 *
 * @example
 * ```ts
 * import { createFakeAppwrite } from '@booking-guard/testing'
 * import { installAccountFeatures } from '@booking-guard/testing/accounts'
 *
 * const fake = createFakeAppwrite()
 * installAccountFeatures(fake)
 * await fake.account.createMagicURLToken({ userId: 'unique()', email: 'ada@example.com' })
 * const [mail] = fake.outbox({ email: 'ada@example.com' })
 * await fake.account.createSession({ userId: mail!.userId, secret: mail!.secret })
 * ```
 */
export function installAccountFeatures(fake: FakeAppwrite): void {
  accountFeatures(fakeInternals(fake))
}
