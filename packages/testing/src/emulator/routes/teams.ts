import { check } from '../../fake/accounts'
import type { StoredUser } from '../../fake/accounts'
import { CUSTOM_ID_DESCRIPTION, SERVER_PICKED_ID, UID_DESCRIPTION, isValidId } from '../../fake/ids'
import { runGated } from '../../fake/faults'
import type { FaultApi } from '../../fake/faults'
import { simpleListQueries } from '../../fake/simpleQueries'
import type { SimpleQuery } from '../../fake/simpleQueries'
import { DEFAULT_MEMBERSHIPS_PRIVACY, hashSecret } from '../../fake/teams'
import type { MembershipsPrivacy, StoredMembership, StoredTeam, TeamStore } from '../../fake/teams'
import type { FaultGate } from '../../fake/types'
import { constantTimeEqual } from '../../fake/sha256'
import { checkRedirectUrl, linkWith } from '../../fake/tokens'
import { toServerDatetime } from '../../fake/validation'
import { requireScopes } from '../auth'
import type { AuthRegistry, Caller } from '../auth'
import { EmulatorHttpError, httpError, looseBoolean } from '../http'
import type { Params, RouteResult } from '../http'
import type { HttpMethod, RouteContext, RouteHandler, Router } from '../router'
import { sessionHeaders } from './account'

/*
 * The Teams service as Appwrite 1.9 serves it (github:appwrite/appwrite
 * src/Appwrite/Platform/Modules/Teams/Http/**): teams, their prefs, and memberships with
 * invitations. Teams and memberships carry the server's document permissions: a team is readable by
 * `team:T` and writable by `team:T/owner`; an invitation is readable by anyone and changeable by its
 * invitee or a team owner.
 */

/** Errors of the Teams service (`app/config/errors.php`, 1.9). */
const TEAM_ERRORS = {
  team_not_found: [404, 'Team with the requested ID could not be found.'],
  team_invite_not_found: [404, 'The requested team invitation could not be found.'],
  team_invalid_secret: [
    401,
    'The team invitation secret is invalid. Please request a new invitation and try again.',
  ],
  team_membership_mismatch: [404, 'The membership ID does not belong to the team ID.'],
  team_invite_mismatch: [401, 'The invite does not belong to the current user.'],
  team_already_exists: [
    409,
    'Team with requested ID already exists. Please choose a different ID and try again.',
  ],
  membership_not_found: [404, 'Membership with the requested ID could not be found.'],
  membership_already_confirmed: [409, 'Membership is already confirmed.'],
} as const

const teamError = (type: keyof typeof TEAM_ERRORS, message?: string) =>
  new EmulatorHttpError(type, TEAM_ERRORS[type][0], message ?? TEAM_ERRORS[type][1])

const invalid = (param: string, description: string) =>
  httpError('general_argument_invalid', `Invalid \`${param}\` param: ${description}`)

const required = (params: Params, name: string): unknown => {
  const value = params[name]
  if (value === undefined)
    throw httpError('general_argument_invalid', `Param "${name}" is not optional.`)
  return value
}

function uid(param: string, value: unknown): string {
  if (!isValidId(value)) throw invalid(param, UID_DESCRIPTION)
  return value
}

/** utopia's `Text(max)` (at least 1 char unless empty is allowed). */
function text(param: string, value: unknown, max: number, allowEmpty = false): string {
  if (typeof value !== 'string' || value.length > max || (!allowEmpty && value === ''))
    throw invalid(
      param,
      `Value must be a valid string and at least ${allowEmpty ? 0 : 1} chars and no longer than ${max} chars`,
    )
  return value
}

/** utopia's `Key`: letters, digits, `.`, `-`, `_`, not starting with a special char. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** `ArrayList(Key(maxLength), 100)`: the team roles. */
function roles(value: unknown, maxLength: number): string[] {
  const key = `Parameter must contain at most ${maxLength} chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char`
  const description = `Value must a valid array no longer than 100 items and ${key}`
  if (!Array.isArray(value) || value.length > 100) throw invalid('roles', description)
  for (const role of value)
    if (typeof role !== 'string' || role.length > maxLength || !KEY.test(role))
      throw invalid('roles', description)
  return value as string[]
}

/** A URL the invitation link can point at: an `http(s)` URL (its host is checked apart). */
function redirectUrl(value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s/?#]+/i.test(value))
    throw invalid('url', 'Invalid URI')
  return value
}

/** The ids of the route's path, `teamId` (and `membershipId`), validated as UIDs. */
const pathIds = (ctx: RouteContext) => ({
  teamId: uid('teamId', ctx.path.teamId),
  membershipId:
    ctx.path.membershipId === undefined ? '' : uid('membershipId', ctx.path.membershipId),
})

/** `team:T` / `team:T/ROLE` held by the caller (the roles the request started with). */
function holds(caller: Caller, teamId: string, role?: string): boolean {
  if (caller.kind !== 'user') return false
  const entry = Object.prototype.hasOwnProperty.call(caller.user.teams, teamId)
    ? caller.user.teams[teamId]
    : undefined
  if (entry === undefined) return false
  if (role === undefined) return true
  const list = Array.isArray(entry) ? entry : ((entry as { roles?: string[] }).roles ?? [])
  return list.includes(role)
}

/** Step 9 of `shared/api.php`: guests hold no `teams.*` scope; users and the API key do. */
function requireTeamsScope(caller: Caller, scope: 'teams.read' | 'teams.write'): void {
  if (caller.kind === 'guest') requireScopes(caller, [scope])
}

/**
 * The Teams routes by SDK method (the fault gate's `operation`): method, path, the scope the
 * caller needs (`null`: `public`) and the params the route declares.
 */
const TEAMS_ROUTES = {
  create: ['POST', '/v1/teams', 'teams.write', ['teamId', 'name', 'roles']],
  list: ['GET', '/v1/teams', 'teams.read', ['queries', 'search', 'total']],
  get: ['GET', '/v1/teams/:teamId', 'teams.read', []],
  updateName: ['PUT', '/v1/teams/:teamId', 'teams.write', ['name']],
  delete: ['DELETE', '/v1/teams/:teamId', 'teams.write', []],
  getPrefs: ['GET', '/v1/teams/:teamId/prefs', 'teams.read', []],
  updatePrefs: ['PUT', '/v1/teams/:teamId/prefs', 'teams.write', ['prefs']],
  createMembership: [
    'POST',
    '/v1/teams/:teamId/memberships',
    'teams.write',
    ['email', 'userId', 'phone', 'roles', 'url', 'name'],
  ],
  listMemberships: [
    'GET',
    '/v1/teams/:teamId/memberships',
    'teams.read',
    ['queries', 'search', 'total'],
  ],
  getMembership: ['GET', '/v1/teams/:teamId/memberships/:membershipId', 'teams.read', []],
  updateMembership: [
    'PATCH',
    '/v1/teams/:teamId/memberships/:membershipId',
    'teams.write',
    ['roles'],
  ],
  updateMembershipStatus: [
    'PATCH',
    '/v1/teams/:teamId/memberships/:membershipId/status',
    null,
    ['userId', 'secret'],
  ],
  deleteMembership: ['DELETE', '/v1/teams/:teamId/memberships/:membershipId', 'teams.write', []],
} as const satisfies Record<
  string,
  readonly [HttpMethod, string, 'teams.read' | 'teams.write' | null, readonly string[]]
>

/** What the Teams routes need from the emulator. @internal */
export interface TeamsRoutesOptions {
  readonly auth: AuthRegistry
  readonly teams: TeamStore
  /** The fake's faults: they apply to these routes with `api: 'teams'` (`'users'` for the user's list). */
  readonly faults: FaultGate
  readonly projectId: string
  /** The hostnames an invitation `url` may point at (the project's Web platforms); `undefined`: any. */
  readonly redirectHosts?: readonly string[]
  /** What signed-in users see of other members. Defaults to the server's defaults. */
  readonly membershipsPrivacy?: MembershipsPrivacy
}

/**
 * The Teams service (`/v1/teams/**`) and `GET /v1/users/{userId}/memberships`, over the fake's
 * team store; and `GET /v1/emulator/invitations` (API key only, emulator only): the invitations the
 * server would have e-mailed, with their secrets, like the Firebase Auth emulator's `oobCodes`.
 *
 * @internal
 */
export function registerTeamsRoutes(router: Router, options: TeamsRoutesOptions): void {
  const { auth, teams: store, faults, projectId } = options
  const privacy = options.membershipsPrivacy ?? DEFAULT_MEMBERSHIPS_PRIVACY
  const now = () => store.now()
  /** `handler` behind the fault gate, as the SDK method `operation` of `api`. */
  const gated =
    (operation: string, handler: RouteHandler, api: FaultApi = 'teams'): RouteHandler =>
    (ctx) => {
      const call = faults.idle
        ? undefined
        : { api, operation, params: { ...ctx.path, ...ctx.params } }
      // `then` flattens a promised result into the call's own promise.
      return runGated(faults, call, () => handler(ctx)).then((result) => result)
    }

  /** Registers the route of `operation`: `handler` behind the fault gate, after the scope check. */
  const route = (operation: keyof typeof TEAMS_ROUTES, handler: RouteHandler) => {
    const [method, path, scope, params] = TEAMS_ROUTES[operation]
    router.add(
      method,
      path,
      gated(operation, (ctx) => {
        if (scope !== null) requireTeamsScope(ctx.caller, scope)
        return handler(ctx)
      }),
      { params: [...params] },
    )
  }

  /** The team, as `getDocument('teams', …)` answers the caller: not found unless it may read it. */
  const readTeam = (caller: Caller, teamId: string): StoredTeam => {
    const team = store.team(teamId)
    if (team === undefined || (caller.kind !== 'key' && !holds(caller, teamId)))
      throw teamError('team_not_found')
    return team
  }

  /** The membership, if the caller may read it (an invitation: anyone; else the user or team). */
  const readMembership = (caller: Caller, membershipId: string): StoredMembership | undefined => {
    const membership = store.membership(membershipId)
    if (membership === undefined || caller.kind === 'key') return membership
    // An invitation is readable by anyone; the creator's own membership by its user and team.
    if (membership.secretHash !== '') return membership
    const own = caller.kind === 'user' && caller.user.$id === membership.userId
    return own || holds(caller, membership.teamId) ? membership : undefined
  }

  const isOwnerOrKey = (caller: Caller, teamId: string) =>
    caller.kind === 'key' || holds(caller, teamId, 'owner')

  /** The team, if the caller may change it: its update and delete permission is `team:T/owner`. */
  const ownedTeam = (caller: Caller, teamId: string): StoredTeam => {
    const team = readTeam(caller, teamId)
    if (!isOwnerOrKey(caller, teamId)) throw httpError('user_unauthorized')
    return team
  }

  /** The team's membership `membershipId`, as the membership routes look it up for the caller. */
  const teamMembership = (caller: Caller, teamId: string, membershipId: string) => {
    readTeam(caller, teamId)
    const membership = readMembership(caller, membershipId)
    if (membership === undefined) throw teamError('membership_not_found')
    if (membership.teamId !== teamId) throw teamError('team_membership_mismatch')
    return membership
  }

  /**
   * A membership event (`teams.[teamId].memberships.[membershipId].<action>`), told to the member's
   * roles too; its params in the order the route sets them: `userId` first, `teamId` first for a
   * delete.
   */
  const emitMembership = (
    action: 'create' | 'update' | 'update.status' | 'delete',
    membership: StoredMembership,
    payload: Record<string, unknown>,
  ) => {
    const user = ['userId', membership.userId] as const
    const team = ['teamId', membership.teamId] as const
    store.emit(
      `teams.[teamId].memberships.[membershipId].${action}`,
      [...(action === 'delete' ? [team, user] : [user, team]), ['membershipId', membership.$id]],
      payload,
      { rolesChangedFor: membership.userId },
    )
  }

  // --- teams ---------------------------------------------------------------------------------

  route('create', ({ caller, params }) => {
    const rawId = required(params, 'teamId')
    if (rawId !== SERVER_PICKED_ID && !isValidId(rawId))
      throw invalid('teamId', CUSTOM_ID_DESCRIPTION)
    const name = text('name', required(params, 'name'), 128)
    const given = params.roles === undefined ? ['owner'] : roles(params.roles, 32)
    const teamId = rawId === SERVER_PICKED_ID ? store.nextId() : rawId
    if (store.team(teamId) !== undefined) throw teamError('team_already_exists')
    const at = now()
    const asUser = caller.kind === 'user'
    const team: StoredTeam = {
      $id: teamId,
      $createdAt: at,
      $updatedAt: at,
      name,
      total: asUser ? 1 : 0,
      prefs: {},
    }
    store.putTeam(team)
    if (caller.kind === 'user') {
      // A client's team starts with its creator as a confirmed owner.
      store.putMembership({
        $id: store.nextId(),
        $createdAt: at,
        $updatedAt: at,
        userId: caller.user.$id,
        teamId,
        roles: given.includes('owner') ? [...given] : [...given, 'owner'],
        invited: at,
        joined: at,
        confirm: true,
        secretHash: '',
      })
    }
    const body = store.teamModel(team)
    const eventParams: Array<[string, string]> = [['teamId', teamId]]
    if (caller.kind === 'user') eventParams.push(['userId', caller.user.$id])
    store.emit('teams.[teamId].create', eventParams, body, {
      ...(caller.kind === 'user' ? { rolesChangedFor: caller.user.$id } : {}),
    })
    return { status: 201, body }
  })

  route('list', ({ caller, params }) => {
    const visible = store.teams().filter((team) => caller.kind === 'key' || holds(caller, team.$id))
    const result = listPage(visible, params, TEAM_LIST)
    return {
      body: { total: result.total, teams: result.page.map((team) => store.teamModel(team)) },
    }
  })

  route('get', (ctx) => ({
    body: store.teamModel(readTeam(ctx.caller, pathIds(ctx).teamId)),
  }))

  route('updateName', (ctx) => {
    const { teamId } = pathIds(ctx)
    const name = text('name', required(ctx.params, 'name'), 128)
    const team = ownedTeam(ctx.caller, teamId)
    team.name = name
    store.touchTeam(team)
    const body = store.teamModel(team)
    store.emit('teams.[teamId].update', [['teamId', teamId]], body)
    return { body }
  })

  route('delete', (ctx) => {
    const { teamId } = pathIds(ctx)
    const team = ownedTeam(ctx.caller, teamId)
    // The members' realtime connections keep `team:T` until their next change, so they hear it.
    const recipients = store.holdersOf(teamId)
    const payload = store.teamModel(team)
    store.deleteTeam(team)
    store.emit('teams.[teamId].delete', [['teamId', teamId]], payload, { recipients })
    return { status: 204 }
  })

  route('getPrefs', (ctx) => ({
    body: { ...readTeam(ctx.caller, pathIds(ctx).teamId).prefs },
  }))

  route('updatePrefs', (ctx) => {
    const { teamId } = pathIds(ctx)
    const prefs = required(ctx.params, 'prefs')
    // utopia's `Assoc`: an object (a JSON list is no object).
    if (prefs === null || typeof prefs !== 'object' || Array.isArray(prefs))
      throw invalid('prefs', 'Value must be a valid object.')
    const team = ownedTeam(ctx.caller, teamId)
    team.prefs = { ...(prefs as Record<string, unknown>) }
    store.touchTeam(team)
    const body = { ...team.prefs }
    store.emit('teams.[teamId].update.prefs', [['teamId', teamId]], body)
    return { body }
  })

  // --- memberships ---------------------------------------------------------------------------

  route('createMembership', async (ctx) => {
    const { caller, params } = ctx
    const { teamId } = pathIds(ctx)
    const asKey = caller.kind === 'key'
    let email = params.email === undefined || params.email === '' ? '' : check.email(params.email)
    let userId =
      params.userId === undefined || params.userId === '' ? '' : uid('userId', params.userId)
    let phone = params.phone === undefined || params.phone === '' ? '' : check.phone(params.phone)
    const given = roles(required(params, 'roles'), 81)
    const url = params.url === undefined || params.url === '' ? '' : redirectUrl(params.url)
    if (url !== '' && options.redirectHosts !== undefined)
      checkRedirectUrl(url, projectId, options.redirectHosts)
    let name = params.name === undefined ? '' : text('name', params.name, 128, true)
    if (url === '' && !asKey) throw httpError('general_argument_invalid', 'URL is required')
    if (userId === '' && email === '' && phone === '')
      throw httpError(
        'general_argument_invalid',
        'At least one of userId, email, or phone is required',
      )
    if (name === '') name = email
    const team = readTeam(caller, teamId)
    let invitee: StoredUser | undefined
    if (userId !== '') {
      invitee = auth.store.user(userId)
      if (invitee === undefined)
        throw httpError('user_not_found', "User with given userId doesn't exist.")
      if (email !== '' && (invitee.email ?? '') !== email)
        throw httpError('user_already_exists', "Given userId and email doesn't match")
      if (phone !== '' && (invitee.phone ?? '') !== phone)
        throw httpError('user_already_exists', "Given userId and phone doesn't match")
      email = invitee.email ?? ''
      phone = invitee.phone ?? ''
      name = invitee.name || name
    } else if (email !== '') {
      invitee = auth.store.byEmail(email)
      if (invitee !== undefined && phone !== '' && (invitee.phone ?? '') !== phone)
        throw httpError('user_already_exists', "Given email and phone doesn't match")
    } else {
      invitee = auth.store.users().find((user) => user.phone === phone)
    }
    // An invitee nobody signed up yet becomes a user with no password (it sets one later).
    invitee ??= await auth.store.createUser({
      userId: SERVER_PICKED_ID,
      email: email === '' ? null : email,
      phone: phone === '' ? null : phone,
      password: null,
      name,
    })
    userId = invitee.$id
    if (!isOwnerOrKey(caller, teamId))
      throw httpError('user_unauthorized', 'User is not allowed to send invitations for this team')
    const { secret, hash } = store.newSecret()
    const at = now()
    let membership = store.membershipOf(teamId, userId)
    if (membership === undefined) {
      membership = {
        $id: store.nextId(),
        $createdAt: at,
        $updatedAt: at,
        userId,
        teamId,
        roles: [...given],
        invited: at,
        joined: asKey ? at : null,
        confirm: asKey,
        secretHash: hash,
      }
      if (asKey) team.total += 1
      store.putMembership(membership)
      if (asKey) store.touchTeam(team)
    } else if (!membership.confirm) {
      membership.secretHash = hash
      membership.invited = at
      if (asKey) {
        membership.joined = at
        membership.confirm = true
        team.total += 1
        store.touchTeam(team)
      }
      store.touchMembership(membership)
    } else throw teamError('membership_already_confirmed')
    if (!asKey) {
      // As if SMS were set up (as for the account's phone routes): a phone invitation is kept too.
      store.addInvitation({
        teamId,
        teamName: team.name,
        membershipId: membership.$id,
        userId,
        email,
        phone,
        secret,
        url: linkWith(url, {
          membershipId: membership.$id,
          userId,
          secret,
          teamId,
          teamName: team.name,
        }),
        createdAt: toServerDatetime(at),
      })
    }
    const body = store.membershipModel(membership)
    emitMembership('create', membership, body)
    return { status: 201, body }
  })

  route('listMemberships', (ctx) => {
    const { teamId } = pathIds(ctx)
    readTeam(ctx.caller, teamId)
    const all = store.memberships().filter((m) => m.teamId === teamId)
    return {
      body: membershipList(store, all, ctx.params, ctx.caller.kind === 'key', privacy),
    }
  })

  route('getMembership', (ctx) => {
    const { teamId, membershipId } = pathIds(ctx)
    const membership = teamMembership(ctx.caller, teamId, membershipId)
    return {
      body: store.membershipModel(
        membership,
        ctx.caller.kind === 'key' ? 'readAsKey' : 'read',
        privacy,
      ),
    }
  })

  route('updateMembership', (ctx) => {
    const { teamId, membershipId } = pathIds(ctx)
    const given = roles(required(ctx.params, 'roles'), 81)
    const membership = teamMembership(ctx.caller, teamId, membershipId)
    if (auth.store.user(membership.userId) === undefined) throw httpError('user_not_found')
    if (!isOwnerOrKey(ctx.caller, teamId))
      throw httpError('user_unauthorized', 'User is not allowed to modify roles')
    membership.roles = [...given]
    store.touchMembership(membership)
    const body = store.membershipModel(membership)
    emitMembership('update', membership, body)
    return { body }
  })

  route('updateMembershipStatus', (ctx) => {
    // Scope `public`: a guest may accept an invitation (and is signed in by it).
    const { caller, params } = ctx
    const { teamId, membershipId } = pathIds(ctx)
    const userId = uid('userId', required(params, 'userId'))
    const secret = text('secret', required(params, 'secret'), 256)
    const membership = store.membership(membershipId)
    if (membership === undefined) throw teamError('membership_not_found')
    const team = store.team(teamId)
    if (team === undefined) throw teamError('team_not_found')
    if (membership.teamId !== teamId) throw teamError('team_membership_mismatch')
    if (
      membership.secretHash === '' ||
      !constantTimeEqual(hashSecret(secret), membership.secretHash)
    )
      throw teamError('team_invalid_secret')
    const signedIn = caller.kind === 'user' ? auth.store.user(caller.user.$id) : undefined
    const mismatch = () =>
      teamError(
        'team_invite_mismatch',
        `Invite does not belong to current user (${signedIn?.email ?? ''})`,
      )
    if (userId !== membership.userId) throw mismatch()
    const target = signedIn ?? auth.store.user(userId)
    if (target === undefined || target.$id !== membership.userId) throw mismatch()
    if (membership.confirm) throw teamError('membership_already_confirmed')
    const at = now()
    target.emailVerification = true
    auth.store.touch(target)
    let headers: RouteResult['headers']
    if (signedIn === undefined) {
      // Like a sign-in: the invitee gets a session and its cookies.
      const { session, value } = auth.store.createSession(target, 'email', undefined, ctx.clientIp)
      headers = sessionHeaders(projectId, value, session.expire)
    }
    membership.joined = at
    membership.confirm = true
    store.touchMembership(membership)
    team.total += 1
    store.touchTeam(team)
    const body = store.membershipModel(membership)
    emitMembership('update.status', membership, body)
    return headers === undefined ? { body } : { body, headers }
  })

  route('deleteMembership', (ctx) => {
    const { teamId, membershipId } = pathIds(ctx)
    const { caller } = ctx
    const membership = readMembership(caller, membershipId)
    if (membership === undefined) throw teamError('team_invite_not_found')
    if (auth.store.user(membership.userId) === undefined) throw httpError('user_not_found')
    readTeam(caller, teamId)
    if (membership.teamId !== teamId) throw teamError('team_membership_mismatch')
    // Delete permission: the invitee, or `team:T/owner`.
    const own = caller.kind === 'user' && caller.user.$id === membership.userId
    if (!own && !isOwnerOrKey(caller, teamId)) throw httpError('user_unauthorized')
    const payload = store.membershipModel(membership)
    store.removeMembership(membership)
    emitMembership('delete', membership, payload)
    return { status: 204 }
  })

  // --- users and the emulator's outbox -------------------------------------------------------

  router.add(
    'GET',
    '/v1/users/:userId/memberships',
    gated(
      'listMemberships',
      (ctx) => {
        requireScopes(ctx.caller, ['users.read'])
        const userId = uid('userId', ctx.path.userId)
        if (auth.store.user(userId) === undefined) throw httpError('user_not_found')
        const all = store.memberships().filter((m) => m.userId === userId)
        return { body: membershipList(store, all, ctx.params, true, privacy) }
      },
      'users',
    ),
    { params: ['queries', 'search', 'total'] },
  )

  router.add(
    'GET',
    '/v1/emulator/invitations',
    ({ caller }) => {
      if (caller.kind !== 'key') throw httpError('general_unauthorized_scope')
      const invitations = store.invitations()
      return { body: { total: invitations.length, invitations: [...invitations] } }
    },
    { params: [] },
  )
}

// --- lists ---------------------------------------------------------------------------------

/** `Queries\Teams::ALLOWED_ATTRIBUTES` plus the system ones. */
const TEAM_ATTRIBUTES = new Set(['name', 'total', 'billingPlan', '$id', '$createdAt', '$updatedAt'])
/** `Queries\Memberships::ALLOWED_ATTRIBUTES` plus the system ones. */
const MEMBERSHIP_ATTRIBUTES = new Set([
  'userId',
  'teamId',
  'invited',
  'joined',
  'confirm',
  'roles',
  '$id',
  '$createdAt',
  '$updatedAt',
])

/** How list queries read each attribute of a team (any other reads as null). */
const TEAM_VALUES: Record<string, (team: StoredTeam) => unknown> = {
  name: (team) => team.name,
  total: (team) => team.total,
  $id: (team) => team.$id,
  $createdAt: (team) => toServerDatetime(team.$createdAt),
  $updatedAt: (team) => toServerDatetime(team.$updatedAt),
}

/** How list queries read each attribute of a membership (any other reads as null). */
const MEMBERSHIP_VALUES: Record<string, (membership: StoredMembership) => unknown> = {
  invited: (membership) => toServerDatetime(membership.invited),
  joined: (membership) => (membership.joined === null ? null : toServerDatetime(membership.joined)),
  $createdAt: (membership) => toServerDatetime(membership.$createdAt),
  $updatedAt: (membership) => toServerDatetime(membership.$updatedAt),
  userId: (membership) => membership.userId,
  teamId: (membership) => membership.teamId,
  roles: (membership) => membership.roles,
  confirm: (membership) => membership.confirm,
  $id: (membership) => membership.$id,
}

/** What a list route queries over its items. */
interface ListSpec<T> {
  /** The attributes queries may name (the others are `general_query_invalid`). */
  readonly attributes: ReadonlySet<string>
  /** How queries read each attribute; one it does not name reads as null. */
  readonly values: Record<string, (item: T) => unknown>
  /** The item's words that `search` matches. */
  searchText(item: T): string
  /** The item's name in the cursor-not-found message. */
  readonly noun: string
  /** The array attributes: only `contains` and the null checks may query them. */
  readonly arrays?: ReadonlySet<string>
}

/** The methods the database's filter validator lets query an array attribute. */
const ARRAY_METHODS = new Set(['contains', 'notContains', 'isNull', 'isNotNull'])

const TEAM_LIST: ListSpec<StoredTeam> = {
  attributes: TEAM_ATTRIBUTES,
  values: TEAM_VALUES,
  searchText: (team) => `${team.$id} ${team.name}`,
  noun: 'Team',
}

const MEMBERSHIP_LIST: ListSpec<StoredMembership> = {
  attributes: MEMBERSHIP_ATTRIBUTES,
  values: MEMBERSHIP_VALUES,
  searchText: (membership) => `${membership.$id} ${membership.userId}`,
  noun: 'Membership',
  arrays: new Set(['roles']),
}

function membershipList(
  store: TeamStore,
  all: StoredMembership[],
  params: Params,
  asKey: boolean,
  privacy: MembershipsPrivacy,
): Record<string, unknown> {
  const result = listPage(all, params, MEMBERSHIP_LIST)
  return {
    total: result.total,
    memberships: result.page.map((membership) =>
      store.membershipModel(membership, asKey ? 'readAsKey' : 'read', privacy),
    ),
  }
}

const COMPARISONS: Record<string, (a: unknown, b: unknown) => boolean> = {
  lessThan: (a, b) => compare(a, b) < 0,
  lessThanEqual: (a, b) => compare(a, b) <= 0,
  greaterThan: (a, b) => compare(a, b) > 0,
  greaterThanEqual: (a, b) => compare(a, b) >= 0,
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * A list route's page over plain items: `queries` (`equal`, `notEqual`, the range comparisons,
 * `contains` on arrays, `isNull`/`isNotNull`, `orderAsc`/`orderDesc`, `cursorAfter`/`cursorBefore`,
 * `limit`, `offset`) on the allowed attributes, and `search` over the item's words (fulltext: a word
 * of the item starts with one of the search's words). `total` counts the filtered items.
 */
function listPage<T extends { readonly $id: string }>(
  all: readonly T[],
  params: Params,
  spec: ListSpec<T>,
): { total: number; page: T[] } {
  const { attributes, values, searchText } = spec
  const read = (item: T, attribute: string) =>
    Object.prototype.hasOwnProperty.call(values, attribute) ? values[attribute]!(item) : null
  let items = [...all]
  let cursor: { id: string; after: boolean } | undefined
  // What the route's `queries` validator (`Queries\Teams` / `Queries\Memberships`) refuses is a
  // parameter error, as for every other validated parameter.
  const attributeOf = (query: SimpleQuery) => {
    const attribute = typeof query.attribute === 'string' ? query.attribute : ''
    if (!attributes.has(attribute))
      throw invalid('queries', `Invalid query: Attribute not found in schema: ${attribute}`)
    const method = String(query.method)
    const order = method === 'orderAsc' || method === 'orderDesc'
    if (!order && spec.arrays?.has(attribute) === true && !ARRAY_METHODS.has(method))
      throw invalid(
        'queries',
        `Invalid query: Cannot query ${method} on attribute "${attribute}" because it is an array.`,
      )
    return attribute
  }
  const queries = params.queries
  if (
    queries !== undefined &&
    (!Array.isArray(queries) || queries.some((q) => typeof q !== 'string'))
  )
    throw invalid(
      'queries',
      'Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 4096 chars',
    )
  const sorts: Array<(a: T, b: T) => number> = []
  const page = simpleListQueries(queries as string[] | undefined, (query) => {
    const method = String(query.method)
    if (method === 'cursorAfter' || method === 'cursorBefore') {
      cursor = { id: String(query.values[0]), after: method === 'cursorAfter' }
      return true
    }
    if (method === 'orderAsc' || method === 'orderDesc') {
      const attribute = attributeOf(query)
      const sign = method === 'orderAsc' ? 1 : -1
      sorts.push((a, b) => sign * compare(read(a, attribute), read(b, attribute)))
      return true
    }
    const attribute = method === '' ? '' : attributeOf(query)
    const value = (item: T) => read(item, attribute)
    switch (method) {
      case 'equal':
        items = items.filter((item) => query.values.includes(value(item)))
        return true
      case 'notEqual':
        items = items.filter((item) => !query.values.includes(value(item)))
        return true
      case 'contains':
        items = items.filter((item) => {
          const held = value(item)
          return Array.isArray(held)
            ? query.values.some((v) => held.includes(v))
            : query.values.some((v) => String(held).toLowerCase().includes(String(v).toLowerCase()))
        })
        return true
      case 'isNull':
        items = items.filter((item) => value(item) === null)
        return true
      case 'isNotNull':
        items = items.filter((item) => value(item) !== null)
        return true
      default: {
        const test = COMPARISONS[method]
        if (test === undefined) return false
        items = items.filter((item) => test(value(item), query.values[0]))
        return true
      }
    }
  })
  const search = params.search === undefined ? '' : text('search', params.search, 256, true)
  if (search.trim() !== '') {
    const terms = search.toLowerCase().split(/\s+/).filter(Boolean)
    items = items.filter((item) => {
      const words = searchText(item).toLowerCase().split(/\s+/)
      return terms.some((term) => words.some((word) => word.startsWith(term)))
    })
  }
  if (sorts.length > 0)
    items.sort((a, b) => {
      for (const sort of sorts) {
        const order = sort(a, b)
        if (order !== 0) return order
      }
      return 0
    })
  const total = looseBoolean(params.total) === false ? 0 : items.length
  if (cursor !== undefined) {
    const { id, after } = cursor
    const at = items.findIndex((item) => item.$id === id)
    if (at === -1 && !all.some((item) => item.$id === id))
      throw httpError(
        'general_cursor_not_found',
        `${spec.noun} '${id}' for the 'cursor' value not found.`,
      )
    if (after) items = at === -1 ? [] : items.slice(at + 1)
    else {
      // The page just before the cursor, `offset` items further back, in the list's order.
      const end = Math.max(0, at - page.offset)
      return { total, page: at === -1 ? [] : items.slice(Math.max(0, end - page.limit), end) }
    }
  }
  return { total, page: items.slice(page.offset, page.offset + page.limit) }
}
