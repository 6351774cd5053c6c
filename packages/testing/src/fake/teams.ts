import type { AccountStore, StoredUser } from './accounts'
import type { FakeClock } from './clock'
import { createIdGenerator } from './ids'
import type { IdGenerator } from './ids'
import type { FakeTeamMembership } from './permissions'
import { randomBytes, sha256, toHex, utf8 } from './sha256'
import { toServerDatetime } from './validation'

/*
 * The Teams service's state for the emulator: teams, memberships and the invitations it "sent".
 * Server references (github:appwrite/appwrite 1.9): src/Appwrite/Platform/Modules/Teams/Http/**,
 * src/Appwrite/Utopia/Response/Model/{Team,Membership}.php, src/Appwrite/Event/Event.php
 * (`generateEvents`) and src/Appwrite/Messaging/Adapter/Realtime.php (`fromPayload`).
 *
 * A user's confirmed memberships are written into its `teams` (the map the emulator's sign-in
 * shortcut also sets), which is what the caller's roles (`team:ID`, `team:ID/ROLE`,
 * `member:MEMBERSHIP_ID`) are computed from on every request, so a change takes effect on the next one.
 */

/** One stored team. @internal */
export interface StoredTeam {
  readonly $id: string
  readonly $createdAt: number
  $updatedAt: number
  name: string
  /** Confirmed memberships. */
  total: number
  prefs: Record<string, unknown>
}

/** One stored membership. Only the SHA-256 of its invitation secret is kept. @internal */
export interface StoredMembership {
  readonly $id: string
  readonly $createdAt: number
  $updatedAt: number
  readonly userId: string
  readonly teamId: string
  roles: string[]
  invited: number
  /** `null` until confirmed. */
  joined: number | null
  confirm: boolean
  secretHash: string
}

/** An invitation the emulator would have e-mailed: the link's parameters. @internal */
export interface StoredInvitation {
  readonly teamId: string
  readonly teamName: string
  readonly membershipId: string
  readonly userId: string
  readonly email: string
  readonly phone: string
  /** The invitation secret (`secret` of `updateMembershipStatus`). */
  readonly secret: string
  /** The `url` given, with `membershipId`, `userId`, `secret`, `teamId` and `teamName` added. */
  readonly url: string
  /** Server datetime of the invitation. */
  readonly createdAt: string
}

/** A Teams event, for realtime. @internal */
export interface TeamChange {
  readonly teamId: string
  /** Event names, most specific first (`teams.T.memberships.M.update.status`, …). */
  readonly events: readonly string[]
  /** `teams`, `teams.T` or `memberships`, `memberships.M`, and their action forms. */
  readonly channels: readonly string[]
  readonly payload: Record<string, unknown>
  /** The users who hold `team:T` for this event: they receive it (its read role). */
  readonly recipients: ReadonlySet<string>
  /** A user whose team roles this change altered (its realtime subscriptions are re-rolled). */
  readonly rolesChangedFor: string | undefined
}

/** Told about every change to teams and memberships (the emulator's data dir listens). @internal */
export interface TeamObserver {
  teamChanged(teamId: string): void
  membershipChanged(membershipId: string): void
  /** Every team and membership was dropped (`fake.reset()`). */
  cleared(): void
}

/** `Realtime::SUPPORTED_ACTIONS`. */
const ACTIONS = new Set(['create', 'update', 'upsert', 'delete'])

/**
 * `Event::generateEvents` for a pattern without a third level: each pattern with the param values,
 * then every param as `*`, then each param alone as `*`, in the order the route set the params.
 */
function generateEvents(
  patterns: readonly string[],
  params: ReadonlyArray<readonly [string, string]>,
): string[] {
  const fill = (pattern: string, star: (name: string) => boolean) =>
    pattern.replace(/\[(\w+)\]/g, (_, name: string) =>
      star(name) ? '*' : (params.find(([key]) => key === name)?.[1] ?? `[${name}]`),
    )
  const events = new Set<string>()
  for (const pattern of patterns) {
    events.add(fill(pattern, () => false))
    events.add(fill(pattern, () => true))
    for (const [key] of params)
      for (const [current] of params)
        if (current !== key) events.add(fill(pattern, (n) => n === current))
  }
  return [...events]
}

/** `Realtime::fromPayload` for a Teams event: the channels, with their action-suffixed siblings. */
function teamChannels(events: readonly string[]): string[] {
  const parts = events[0]!.split('.')
  const base =
    parts[2] === 'memberships'
      ? ['memberships', `memberships.${parts[3]}`]
      : ['teams', `teams.${parts[1]}`]
  const last = parts[parts.length - 1]!
  const action = ACTIONS.has(last)
    ? last
    : ACTIONS.has(parts[parts.length - 2] ?? '')
      ? parts[parts.length - 2]
      : undefined
  return action === undefined ? base : [...base, ...base.map((channel) => `${channel}.${action}`)]
}

/** @internal */
export class TeamStore {
  readonly #clock: FakeClock
  readonly #accounts: AccountStore
  readonly #ids: IdGenerator
  readonly #teams = new Map<string, StoredTeam>()
  readonly #memberships = new Map<string, StoredMembership>()
  readonly #invitations: StoredInvitation[] = []
  readonly #listeners = new Set<(change: TeamChange) => void>()
  #observer: TeamObserver | undefined

  constructor(options: { clock: FakeClock; accounts: AccountStore; seed?: number | string }) {
    this.#clock = options.clock
    this.#accounts = options.accounts
    this.#ids = createIdGenerator({
      seed: options.seed === undefined ? undefined : `${options.seed}/teams`,
    })
    // The server's deletes worker removes a deleted user's memberships (and counts them off).
    this.#accounts.onChange((change) => {
      if (change.suffix !== 'delete') return
      for (const membership of [...this.#memberships.values()])
        if (membership.userId === change.userId) this.removeMembership(membership)
    })
  }

  now(): number {
    return this.#clock.now()
  }

  nextId(): string {
    return this.#ids.next()
  }

  /** Sets the observer told about every change; `undefined` removes it. */
  observe(observer: TeamObserver | undefined): void {
    this.#observer = observer
  }

  /** Listens to Teams events (realtime). */
  onChange(listener: (change: TeamChange) => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  team(teamId: string): StoredTeam | undefined {
    return this.#teams.get(teamId)
  }

  /** Every team, in creation order. */
  teams(): StoredTeam[] {
    return [...this.#teams.values()]
  }

  membership(membershipId: string): StoredMembership | undefined {
    return this.#memberships.get(membershipId)
  }

  /** Every membership, in creation order. */
  memberships(): StoredMembership[] {
    return [...this.#memberships.values()]
  }

  /** The membership of `userId` in `teamId`, confirmed or not. */
  membershipOf(teamId: string, userId: string): StoredMembership | undefined {
    for (const membership of this.#memberships.values())
      if (membership.teamId === teamId && membership.userId === userId) return membership
    return undefined
  }

  /** Invitations sent so far, oldest first (they are not persisted). */
  invitations(): readonly StoredInvitation[] {
    return this.#invitations
  }

  addInvitation(invitation: StoredInvitation): void {
    this.#invitations.push(invitation)
  }

  putTeam(team: StoredTeam): void {
    this.#teams.set(team.$id, team)
    this.#observer?.teamChanged(team.$id)
  }

  /** Marks a team changed (it is edited in place). */
  touchTeam(team: StoredTeam): void {
    team.$updatedAt = this.#clock.now()
    this.#observer?.teamChanged(team.$id)
  }

  /** Deletes a team and every membership in it (the server does it synchronously). */
  deleteTeam(team: StoredTeam): void {
    // Memberships first: while the team is known, `syncRoles` drops its entry from each user.
    for (const membership of [...this.#memberships.values()])
      if (membership.teamId === team.$id) {
        this.#memberships.delete(membership.$id)
        this.#observer?.membershipChanged(membership.$id)
        this.syncRoles(membership.userId)
      }
    this.#teams.delete(team.$id)
    this.#observer?.teamChanged(team.$id)
  }

  putMembership(membership: StoredMembership): void {
    this.#memberships.set(membership.$id, membership)
    this.#observer?.membershipChanged(membership.$id)
    this.syncRoles(membership.userId)
  }

  /** Marks a membership changed (edited in place) and refreshes its user's roles. */
  touchMembership(membership: StoredMembership): void {
    membership.$updatedAt = this.#clock.now()
    this.#observer?.membershipChanged(membership.$id)
    this.syncRoles(membership.userId)
  }

  /** Deletes a membership; a confirmed one is counted off its team. */
  removeMembership(membership: StoredMembership): void {
    if (!this.#memberships.delete(membership.$id)) return
    this.#observer?.membershipChanged(membership.$id)
    const team = this.#teams.get(membership.teamId)
    if (team !== undefined && membership.confirm && team.total > 0) {
      team.total -= 1
      this.touchTeam(team)
    }
    this.syncRoles(membership.userId)
  }

  /**
   * Writes the confirmed memberships of `userId` into its `teams` (roles `team:T`, `team:T/ROLE`,
   * `member:M`), keeping entries for teams this store does not know (set by the sign-in shortcut).
   */
  syncRoles(userId: string): void {
    const user = this.#accounts.user(userId)
    if (user === undefined) return
    const teams: Record<string, readonly string[] | FakeTeamMembership> = {}
    for (const [teamId, entry] of Object.entries(user.teams))
      if (!this.#teams.has(teamId)) teams[teamId] = entry
    for (const membership of this.#memberships.values())
      if (membership.userId === userId && membership.confirm && this.#teams.has(membership.teamId))
        teams[membership.teamId] = { roles: [...membership.roles], membershipId: membership.$id }
    // The shortcut's update sets `teams` without touching `$updatedAt`, as a membership change
    // leaves the user document alone on the server; it also tells the data dir.
    this.#accounts.upsertShortcutUser(userId, { teams })
  }

  /** A new invitation secret and its hash. */
  newSecret(): { secret: string; hash: string } {
    const secret = toHex(randomBytes(64))
    return { secret, hash: hashSecret(secret) }
  }

  /**
   * Tells listeners about a Teams event. `pattern` is the route's event label
   * (`teams.[teamId].memberships.[membershipId].update.status`), `params` the params in the order
   * the route sets them; `recipients` defaults to the users holding `team:T` now.
   */
  emit(
    pattern: string,
    params: ReadonlyArray<readonly [string, string]>,
    payload: Record<string, unknown>,
    options: { recipients?: ReadonlySet<string>; rolesChangedFor?: string } = {},
  ): void {
    if (this.#listeners.size === 0) return
    const teamId = params.find(([name]) => name === 'teamId')?.[1] ?? ''
    const events = generateEvents(eventPatterns(pattern), params)
    const change: TeamChange = {
      teamId,
      events,
      channels: teamChannels(events),
      payload,
      recipients: options.recipients ?? this.holdersOf(teamId),
      rolesChangedFor: options.rolesChangedFor,
    }
    for (const listener of [...this.#listeners]) listener(change)
  }

  /** The users holding the role `team:<teamId>` (memberships, or the sign-in shortcut's teams). */
  holdersOf(teamId: string): Set<string> {
    const holders = new Set<string>()
    for (const user of this.#accounts.users())
      if (Object.hasOwn(user.teams, teamId)) holders.add(user.$id)
    return holders
  }

  /**
   * Puts back teams and memberships saved earlier (a restart on the data dir), replacing what the
   * store holds. Not reported to the observer: the users saved with them carry their roles.
   */
  restore(state: { teams: Iterable<StoredTeam>; memberships: Iterable<StoredMembership> }): void {
    this.#teams.clear()
    this.#memberships.clear()
    for (const team of state.teams) this.#teams.set(team.$id, team)
    for (const membership of state.memberships) this.#memberships.set(membership.$id, membership)
  }

  reset(): void {
    this.#teams.clear()
    this.#memberships.clear()
    this.#invitations.length = 0
    this.#ids.reset()
    this.#observer?.cleared()
  }

  /** `Response::MODEL_TEAM`. */
  teamModel(team: StoredTeam): Record<string, unknown> {
    return {
      $id: team.$id,
      $createdAt: toServerDatetime(team.$createdAt),
      $updatedAt: toServerDatetime(team.$updatedAt),
      name: team.name,
      total: team.total,
      prefs: { ...team.prefs },
    }
  }

  /**
   * `Response::MODEL_MEMBERSHIP`. `details` adds what the get and list routes read from the user
   * (`userPhone`, `mfa`, and `userAccessedAt` for an API key); the write routes set only the name
   * and email. A signed-in user's reads (`read`) show only what `privacy` lets them; an API key's
   * (`readAsKey`) show everything.
   */
  membershipModel(
    membership: StoredMembership,
    details: 'write' | 'read' | 'readAsKey' = 'write',
    privacy: MembershipsPrivacy = DEFAULT_MEMBERSHIPS_PRIVACY,
  ): Record<string, unknown> {
    const user: StoredUser | undefined = this.#accounts.user(membership.userId)
    const team = this.#teams.get(membership.teamId)
    const write = details === 'write'
    const shown = details === 'readAsKey' ? KEY_PRIVACY : privacy
    return {
      $id: membership.$id,
      $createdAt: toServerDatetime(membership.$createdAt),
      $updatedAt: toServerDatetime(membership.$updatedAt),
      userId: write || shown.userId ? membership.userId : '',
      userName: write || shown.userName ? (user?.name ?? '') : '',
      userEmail: write || shown.userEmail ? (user?.email ?? '') : '',
      userPhone: !write && shown.userPhone ? (user?.phone ?? '') : '',
      teamId: membership.teamId,
      teamName: team?.name ?? '',
      invited: toServerDatetime(membership.invited),
      joined: membership.joined === null ? '' : toServerDatetime(membership.joined),
      confirm: membership.confirm,
      mfa: !write && shown.mfa && user !== undefined && mfaOn(user),
      userAccessedAt:
        !write && shown.userAccessedAt && user !== undefined
          ? toServerDatetime(user.accessedAt)
          : '',
      roles: [...membership.roles],
    }
  }
}

/**
 * What the memberships get and list routes show a signed-in user of each member (the project's
 * Auth › Memberships privacy settings on the server): each field is left empty when `false`.
 * API keys always see every field.
 */
export interface MembershipsPrivacy {
  /** The member's name. Defaults to `true`. */
  readonly userName: boolean
  /** The member's email. Defaults to `true`. */
  readonly userEmail: boolean
  /** Whether the member has multi-factor sign-in on. Defaults to `true`. */
  readonly mfa: boolean
  /** The member's user id. Defaults to `true`. */
  readonly userId: boolean
  /** The member's phone number. Defaults to `true`. */
  readonly userPhone: boolean
  /** When the member was last active. Defaults to `false`. */
  readonly userAccessedAt: boolean
}

/** The server's defaults for a project that never changed its memberships privacy. @internal */
export const DEFAULT_MEMBERSHIPS_PRIVACY: MembershipsPrivacy = {
  userName: true,
  userEmail: true,
  mfa: true,
  userId: true,
  userPhone: true,
  userAccessedAt: false,
}

const KEY_PRIVACY: MembershipsPrivacy = {
  userName: true,
  userEmail: true,
  mfa: true,
  userId: true,
  userPhone: true,
  userAccessedAt: true,
}

/**
 * A member's `mfa` as the server reports it: the flag, but only with a factor it could ask for (a
 * verified email or phone; the emulator serves no authenticator app).
 */
function mfaOn(user: StoredUser): boolean {
  if (user.mfa !== true) return false
  return (!!user.email && user.emailVerification) || (!!user.phone && user.phoneVerification)
}

/** The SHA-256 (hex) of an invitation secret. @internal */
export function hashSecret(secret: string): string {
  return toHex(sha256(utf8(secret)))
}

/**
 * `Event::generateEvents`'s patterns for a Teams event label: with the action (and attribute), the
 * resource without them, the attribute on the team alone, and the team.
 */
function eventPatterns(pattern: string): string[] {
  const parts = pattern.split('.')
  const nested = parts[2] === 'memberships'
  const [type, resource] = parts as [string, string]
  const action = nested ? parts[4] : parts[2]
  const attribute = nested ? parts[5] : parts[3]
  const patterns: string[] = []
  if (nested) {
    const sub = [type, resource, 'memberships', parts[3]!]
    if (attribute !== undefined) patterns.push([...sub, action!, attribute].join('.'))
    patterns.push([...sub, action!].join('.'), sub.join('.'))
  } else patterns.push([type, resource, action!].join('.'))
  if (attribute !== undefined) patterns.push([type, resource, action!, attribute].join('.'))
  if (nested) patterns.push([type, resource, 'memberships', parts[3]!].join('.'))
  patterns.push(`${type}.${resource}`)
  return [...new Set(patterns)]
}

const teamStores = new WeakMap<object, TeamStore>()

/**
 * The Teams store of a fake, made on first use and cleared by `fake.reset()`. Only the emulator
 * serves Teams, so the fake's browser-safe entry does not carry this module.
 *
 * @internal
 */
export function teamStore(internals: {
  readonly accounts: AccountStore
  readonly clock: FakeClock
  readonly seed: number | string | undefined
  readonly resets: Set<() => void>
}): TeamStore {
  let store = teamStores.get(internals)
  if (store === undefined) {
    const created = new TeamStore({
      clock: internals.clock,
      accounts: internals.accounts,
      seed: internals.seed,
    })
    internals.resets.add(() => created.reset())
    teamStores.set(internals, created)
    store = created
  }
  return store
}
