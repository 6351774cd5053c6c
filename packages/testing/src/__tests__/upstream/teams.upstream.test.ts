import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { createAccount, isDatetime, must, startUpstream } from './upstream'
import type { Answer, Upstream } from './upstream'

// Facts from tests/e2e/Services/Teams/TeamsBase.php, TeamsBaseClient.php, TeamsBaseServer.php and
// TeamsCustomServerTest.php, and the Teams cases of tests/e2e/Services/Realtime/
// RealtimeCustomClientTest.php (appwrite 1.9.6): the Teams service over raw HTTP, as a signed-in
// user (the `CustomClient` scope: the `a_session_<project>` cookie) and with the API key (the
// `CustomServer` scope). Upstream reads invitation secrets from the e-mail it catches; here they
// come from the emulator's `GET /v1/emulator/invitations`. Left out: the console project's
// owner rules, the invitation e-mail's subject and HTML, and the `url` host check (this emulator
// is started without `redirectHosts`, so every host passes). Memberships privacy and the HTML
// injection case are in `teamsClient.upstream.test.ts`.
const BASE = 'tests/e2e/Services/Teams/TeamsBase.php'
const CLIENT = 'tests/e2e/Services/Teams/TeamsBaseClient.php'
const SERVER = 'tests/e2e/Services/Teams/TeamsBaseServer.php'
const CUSTOM_SERVER = 'tests/e2e/Services/Teams/TeamsCustomServerTest.php'
const REALTIME = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

const clock = createManualClock()
let up: Upstream
/** The signed-in user of the client scope (upstream's `getUser()`). */
let owner: { $id: string; email: string; headers: Record<string, string>; session: string }
let emails = 0

beforeAll(async () => {
  up = await startUpstream({ fake: createFakeAppwrite({ strict: true, clock }) })
  const created = await createAccount(up, clock.now())
  const session = up.sessionOf(created.session)
  owner = { $id: created.$id, email: created.email, headers: up.as(session), session }
})

afterAll(async () => {
  await up.close()
})

/** The two scopes the base traits run in: a signed-in client, and the API key. */
const SCOPES = ['client', 'server'] as const
const headersOf = (scope: (typeof SCOPES)[number]) => (scope === 'client' ? owner.headers : up.key)

/** `createTeamHelper`: a team named `name` with the creator's `roles`; its id and name. */
async function createTeam(headers: Record<string, string>, name = 'Arsenal', roles = ['player']) {
  const answer = await up.call('POST', '/teams', headers, { teamId: 'unique()', name, roles })
  must(answer, 201, `creating the team ${name}`)
  return { teamId: answer.body.$id as string, teamName: answer.body.name as string }
}

const friendEmail = () => `${(emails += 1)}.${clock.now()}friend@localhost.test`

/** The last invitation the emulator "e-mailed" to `email` (upstream's `getLastEmailByAddress`). */
async function lastInvitation(email: string) {
  const outbox = must(
    await up.call('GET', '/emulator/invitations', up.key),
    200,
    'reading invitations',
  )
  const mine = (outbox.body.invitations as Array<Record<string, string>>).filter(
    (invitation) => invitation.email === email,
  )
  const last = mine.at(-1)
  if (last === undefined) throw new Error(`upstream setup: no invitation was sent to ${email}`)
  const link = new URL(last.url!)
  return Object.fromEntries(link.searchParams) as Record<
    'membershipId' | 'userId' | 'secret' | 'teamId' | 'teamName',
    string
  >
}

/** `createPendingMembershipHelper`: the owner invites a new address as `developer`. */
async function pendingMembership(teamId: string) {
  const email = friendEmail()
  must(
    await up.call('POST', `/teams/${teamId}/memberships`, owner.headers, {
      email,
      name: 'Friend User',
      roles: ['developer'],
      url: 'http://localhost:5000/join-us#title',
    }),
    201,
    'inviting a friend',
  )
  return { email, ...(await lastInvitation(email)) }
}

/** `createAndAcceptMembershipHelper`: a pending membership accepted signed out; its session. */
async function acceptedMembership(teamId: string) {
  const pending = await pendingMembership(teamId)
  const accepted = must(
    await up.call(
      'PATCH',
      `/teams/${teamId}/memberships/${pending.membershipId}/status`,
      { ...up.guest, origin: 'http://localhost' },
      { secret: pending.secret, userId: pending.userId },
    ),
    200,
    'accepting the invitation',
  )
  return { ...pending, session: up.sessionOf(accepted) }
}

/** `createServerMembershipHelper`: the key adds a new address as `admin` + `editor`, confirmed. */
async function serverMembership(teamId: string) {
  const answer = must(
    await up.call('POST', `/teams/${teamId}/memberships`, up.key, {
      email: friendEmail(),
      name: 'Friend User',
      roles: ['admin', 'editor'],
      url: 'http://localhost:5000/join-us#title',
    }),
    201,
    'adding a member with the key',
  )
  return { userId: answer.body.userId as string, membershipId: answer.body.$id as string }
}

describe('Teams, as the server tests it (both scopes)', () => {
  it.each(SCOPES)(
    `${BASE} testCreateTeam: should create teams with a picked or custom id, 400 without params, 409 for a taken id (%s)`,
    async (scope) => {
      const headers = headersOf(scope)
      const first = await up.call('POST', '/teams', headers, {
        teamId: 'unique()',
        name: 'Arsenal',
        roles: ['player'],
      })
      expect(first.status).toBe(201)
      expect(first.body.name).toBe('Arsenal')
      expect(Number.isInteger(first.body.total)).toBe(true)
      // A client becomes the team's first member; the key adds nobody.
      expect(first.body.total).toBe(scope === 'client' ? 1 : 0)
      expect(first.body.prefs).toEqual({})
      expect(isDatetime(first.body.$createdAt)).toBe(true)
      const teamId = `custom-${scope}-${clock.now()}`
      const second = await up.call('POST', '/teams', headers, { teamId, name: 'Manchester United' })
      expect(second.status).toBe(201)
      expect(second.body.$id).toBe(teamId)
      expect((await up.call('POST', '/teams', headers, {})).status).toBe(400)
      const taken = await up.call('POST', '/teams', headers, { teamId, name: 'John' })
      expect(taken.status).toBe(409)
      expect(taken.body.type).toBe('team_already_exists')
    },
  )

  it.each(SCOPES)(
    `${BASE} testGetTeam / testUpdateTeam / testDeleteTeam: should read, rename (400 without a name), delete (204) and then 404 (%s)`,
    async (scope) => {
      const headers = headersOf(scope)
      const { teamId } = await createTeam(headers)
      const got = await up.call('GET', `/teams/${teamId}`, headers)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({ $id: teamId, name: 'Arsenal' })
      expect(got.body).toHaveProperty('prefs')
      const renamed = await up.call('PUT', `/teams/${teamId}`, headers, { name: 'Demo New' })
      expect(renamed.status).toBe(200)
      expect(renamed.body.name).toBe('Demo New')
      expect((await up.call('PUT', `/teams/${teamId}`, headers, {})).status).toBe(400)
      const deleted = await up.call('DELETE', `/teams/${teamId}`, headers)
      expect(deleted.status).toBe(204)
      expect(deleted.body).toBe('')
      expect((await up.call('GET', `/teams/${teamId}`, headers)).status).toBe(404)
    },
  )

  it.each(SCOPES)(
    `${BASE} testListTeams: should page, filter, search, walk cursors, refuse an unknown cursor and skip the total (%s)`,
    async (scope) => {
      const headers = headersOf(scope)
      const arsenal = await createTeam(headers, 'Arsenal')
      await createTeam(headers, 'Manchester United')
      await createTeam(headers, 'Newcastle')
      const list = (params: Record<string, unknown> = {}) =>
        up.call('GET', '/teams', headers, params)
      const all = await list()
      expect(all.status).toBe(200)
      expect(all.body.teams.length).toBeGreaterThan(2)
      expect(
        (await list({ queries: ['{"method":"limit","values":[2]}'] })).body.teams,
      ).toHaveLength(2)
      expect(
        (await list({ queries: ['{"method":"offset","values":[1]}'] })).body.teams.length,
      ).toBeGreaterThan(1)
      const atLeastZero = await list({
        queries: ['{"method":"greaterThanEqual","attribute":"total","values":[0]}'],
      })
      expect(atLeastZero.body.teams.length).toBeGreaterThan(2)
      const named = await list({
        queries: ['{"method":"equal","attribute":"name","values":["Arsenal","Newcastle"]}'],
      })
      expect(named.body.teams.length).toBeGreaterThanOrEqual(2)
      for (const term of ['Manchester', 'United']) {
        const found = await list({ search: term })
        expect(found.body.total).toBeGreaterThan(0)
        expect(found.body.teams[0].name).toBe('Manchester United')
      }
      const byId = await list({ search: arsenal.teamId })
      expect(byId.body.teams).toHaveLength(1)
      expect(byId.body.teams[0].name).toBe('Arsenal')
      const two = (await list({ queries: ['{"method":"limit","values":[2]}'] })).body.teams
      const after = await list({
        queries: [
          '{"method":"limit","values":[1]}',
          `{"method":"cursorAfter","values":["${two[0].$id}"]}`,
        ],
      })
      expect(after.body.teams.map((t: { $id: string }) => t.$id)).toEqual([two[1].$id])
      const before = await list({
        queries: [
          '{"method":"limit","values":[1]}',
          `{"method":"cursorBefore","values":["${two[1].$id}"]}`,
        ],
      })
      expect(before.body.teams.map((t: { $id: string }) => t.$id)).toEqual([two[0].$id])
      expect(
        (await list({ queries: ['{"method":"cursorAfter","values":["unknown"]}'] })).status,
      ).toBe(400)
      const noTotal = await list({ total: false })
      expect(noTotal.body.total).toBe(0)
      expect(noTotal.body.teams.length).toBeGreaterThan(0)
    },
  )

  it.each(SCOPES)(
    `${BASE} testUpdateAndGetUserPrefs: should store team prefs, show them on the team, and 400 for a string (%s)`,
    async (scope) => {
      const headers = headersOf(scope)
      const { teamId } = await createTeam(headers)
      const prefs = { funcKey1: 'funcValue1', funcKey2: 'funcValue2' }
      const put = await up.call('PUT', `/teams/${teamId}/prefs`, headers, { prefs })
      expect(put.status).toBe(200)
      expect(put.body).toEqual(prefs)
      expect((await up.call('GET', `/teams/${teamId}/prefs`, headers)).body).toEqual(prefs)
      expect((await up.call('GET', `/teams/${teamId}`, headers)).body.prefs).toEqual(prefs)
      const bad = await up.call('PUT', `/teams/${teamId}/prefs`, headers, { prefs: 'bad-string' })
      expect(bad.status).toBe(400)
    },
  )
})

describe('Teams memberships, as the server tests them for a signed-in client', () => {
  it(`${CLIENT} testGetTeamMemberships: should list the creator as owner + player, page, filter on confirm and search`, async () => {
    const { teamId, teamName } = await createTeam(owner.headers)
    const list = (params: Record<string, unknown> = {}) =>
      up.call('GET', `/teams/${teamId}/memberships`, owner.headers, params)
    const all = await list()
    expect(all.status).toBe(200)
    const [first] = all.body.memberships
    expect(first.mfa).toBe(false)
    expect(first).toHaveProperty('userName')
    expect(first).toHaveProperty('userEmail')
    expect(first.teamName).toBe(teamName)
    expect(first.roles).toEqual(expect.arrayContaining(['owner', 'player']))
    expect(
      (await list({ queries: ['{"method":"limit","values":[1]}'] })).body.memberships,
    ).toHaveLength(1)
    expect(
      (await list({ queries: ['{"method":"offset","values":[1]}'] })).body.memberships,
    ).toHaveLength(0)
    const confirmed = (value: boolean) =>
      list({ queries: [`{"method":"equal","attribute":"confirm","values":[${value}]}`] })
    expect((await confirmed(true)).body.memberships).toHaveLength(1)
    expect((await confirmed(false)).body.memberships).toHaveLength(0)
    for (const term of [owner.$id, first.$id as string]) {
      const found = await list({ search: term })
      expect(found.body.memberships[0].roles).toEqual(expect.arrayContaining(['owner', 'player']))
    }
    const none = await list({ search: 'unknown' })
    expect(none.body.memberships).toEqual([])
    expect(none.body.total).toBe(0)
  })

  it(`${CLIENT} testGetTeamMembership: should read a pending invitation (not joined), 404 for an unknown id, 401 for a guest`, async () => {
    const { teamId } = await createTeam(owner.headers)
    const pending = await pendingMembership(teamId)
    const path = `/teams/${teamId}/memberships/${pending.membershipId}`
    const got = await up.call('GET', path, owner.headers)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ mfa: false, confirm: false, roles: ['developer'], joined: '' })
    expect(got.body.teamName).not.toBe('')
    expect((await up.call('GET', `${path}dasdasd`, owner.headers)).status).toBe(404)
    expect((await up.call('GET', path, up.guest)).status).toBe(401)
  })

  it(`${CLIENT} testCreateTeamMembership: should invite by email and by user id (404 for an unknown one), resend, and 400 for a bad email or roles`, async () => {
    const { teamId, teamName } = await createTeam(owner.headers)
    const email = friendEmail()
    const invite = (params: Record<string, unknown>) =>
      up.call('POST', `/teams/${teamId}/memberships`, owner.headers, {
        roles: ['developer'],
        url: 'http://localhost:5000/join-us#title',
        ...params,
      })
    const byEmail = await invite({ email, name: 'Friend User' })
    expect(byEmail.status).toBe(201)
    expect(byEmail.body).toMatchObject({
      userName: 'Friend User',
      userEmail: email,
      confirm: false,
    })
    expect(byEmail.body.roles).toHaveLength(1)
    expect(isDatetime(byEmail.body.joined)).toBe(false)
    const link = await lastInvitation(email)
    expect(link.teamName).toBe(teamName)
    expect(link.teamId).toBe(teamId)

    const foe = await createAccount(up, clock.now(), up.guest, 'Another Foe')
    expect((await invite({ userId: 'abcdefdg' })).status).toBe(404)
    const byUserId = await invite({ userId: foe.$id })
    expect(byUserId.status).toBe(201)
    expect(byUserId.body).toMatchObject({ userName: 'Another Foe', userEmail: foe.email })
    expect((await lastInvitation(foe.email)).teamId).toBe(teamId)
    // Inviting the same address again re-sends the invitation.
    expect((await invite({ email, name: 'Friend User' })).status).toBe(201)
    expect((await invite({ email: 'dasdkaskdjaskdjasjkd', name: 'x' })).status).toBe(400)
    expect((await invite({ email, roles: 'bad string' })).status).toBe(400)
  })

  it(`${CLIENT} testListTeamMemberships: should walk the list with cursorAfter`, async () => {
    const { teamId } = await createTeam(owner.headers)
    await pendingMembership(teamId)
    await pendingMembership(teamId)
    const all = await up.call('GET', `/teams/${teamId}/memberships`, owner.headers)
    expect(all.body.memberships).toHaveLength(3)
    const after = await up.call('GET', `/teams/${teamId}/memberships`, owner.headers, {
      queries: [`{"method":"cursorAfter","values":["${all.body.memberships[0].$id}"]}`],
    })
    expect(after.body.memberships).toHaveLength(2)
    expect(after.body.memberships[0].$id).toBe(all.body.memberships[1].$id)
  })

  it(`${CLIENT} testUpdateTeamMembership: should accept signed out (a session, a verified email, a first password without the old one), then refuse bad secrets, users and a second accept`, async () => {
    const { teamId } = await createTeam(owner.headers)
    const pending = await pendingMembership(teamId)
    const path = `/teams/${teamId}/memberships/${pending.membershipId}/status`
    const guest = { ...up.guest, origin: 'http://localhost' }
    const accepted = await up.call('PATCH', path, guest, {
      secret: pending.secret,
      userId: pending.userId,
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body.roles).toHaveLength(1)
    expect(isDatetime(accepted.body.joined)).toBe(true)
    expect(accepted.body.confirm).toBe(true)
    const session = up.as(up.sessionOf(accepted))
    const me = await up.call('GET', '/account', session)
    expect(me.status).toBe(200)
    expect(me.body.emailVerification).toBe(true)
    const setPassword = (params: Record<string, string>) =>
      up.call('PATCH', '/account/password', session, params)
    expect((await setPassword({ password: 'new-password' })).status).toBe(200)
    expect((await setPassword({ password: 'new-password' })).status).toBe(401)
    const updated = await setPassword({ password: 'newer-password', oldPassword: 'new-password' })
    expect(updated.status).toBe(200)
    expect(updated.body.email).toBe(pending.email)

    const attempt = (secret: string, userId: string) =>
      up.call('PATCH', path, guest, { secret, userId })
    expect((await attempt('sdasdasd', pending.userId)).status).toBe(401)
    expect((await attempt('', pending.userId)).status).toBe(400)
    expect((await attempt(pending.secret, 'sdasd')).status).toBe(401)
    expect((await attempt(pending.secret, '$notallowed')).status).toBe(400)
    expect((await attempt(pending.secret, pending.userId)).status).toBe(409)
  })

  it(`${CLIENT} testUpdateMembershipWithSession: should accept with the invitee's own session and set no cookie`, async () => {
    const { teamId } = await createTeam(owner.headers)
    const foe = await createAccount(up, clock.now(), up.guest, 'test')
    const session = up.sessionOf(foe.session)
    must(
      await up.call('POST', `/teams/${teamId}/memberships`, owner.headers, {
        email: foe.email,
        roles: ['developer'],
        url: 'http://localhost:5000/join-us#title',
      }),
      201,
      'inviting a signed-up user',
    )
    const link = await lastInvitation(foe.email)
    const accepted = await up.call(
      'PATCH',
      `/teams/${teamId}/memberships/${link.membershipId}/status`,
      { ...up.as(session), origin: 'http://localhost' },
      { secret: link.secret, userId: link.userId },
    )
    expect(accepted.status).toBe(200)
    expect(accepted.body.roles).toHaveLength(1)
    expect(accepted.headers.getSetCookie()).toEqual([])
  })

  it(`${CLIENT} testUpdateTeamMembershipRoles: should let the owner set roles, 404 for an unknown team or membership, 401 for the member`, async () => {
    const { teamId } = await createTeam(owner.headers)
    const member = await acceptedMembership(teamId)
    const path = `/teams/${teamId}/memberships/${member.membershipId}`
    const roles = ['editor', 'uncle']
    const updated = await up.call('PATCH', path, owner.headers, { roles })
    expect(updated.status).toBe(200)
    expect(updated.body.roles).toEqual(roles)
    expect(
      (
        await up.call('PATCH', `/teams/abc/memberships/${member.membershipId}`, owner.headers, {
          roles,
        })
      ).status,
    ).toBe(404)
    expect(
      (await up.call('PATCH', `/teams/${teamId}/memberships/abc`, owner.headers, { roles })).status,
    ).toBe(404)
    const byMember = await up.call('PATCH', path, up.as(member.session), { roles })
    expect(byMember.status).toBe(401)
    expect(byMember.body.message).toBe('User is not allowed to modify roles')
  })

  it(`${CLIENT} testDeleteTeamMembership: should let a member leave but not remove the owner, count members, and let the owner leave`, async () => {
    const { teamId } = await createTeam(owner.headers)
    await pendingMembership(teamId)
    await pendingMembership(teamId)
    const member = await acceptedMembership(teamId)
    const list = () => up.call('GET', `/teams/${teamId}/memberships`, owner.headers)
    const before = await list()
    expect(before.body.total).toBe(4)
    const ownerMembership = before.body.memberships[0].$id as string
    const asMember = up.as(member.session)
    const remove = (membershipId: string, headers: Record<string, string>) =>
      up.call('DELETE', `/teams/${teamId}/memberships/${membershipId}`, headers)
    expect((await remove('dne', asMember)).status).toBe(404)
    expect((await remove(ownerMembership, asMember)).status).toBe(401)
    const left = await remove(member.membershipId, asMember)
    expect(left.status).toBe(204)
    expect(left.body).toBe('')
    expect((await list()).body.total).toBe(3)
    expect((await remove(ownerMembership, owner.headers)).status).toBe(204)
    expect(
      (await up.call('GET', `/teams/${teamId}/memberships/${ownerMembership}`, up.key)).status,
    ).toBe(404)
  })
})

describe('Teams memberships, as the server tests them with the API key', () => {
  it(`${SERVER} testGetTeamMemberships: should list no member in a team the key created`, async () => {
    const { teamId } = await createTeam(up.key)
    const listed = await up.call('GET', `/teams/${teamId}/memberships`, up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(0)
  })

  it(`${SERVER} testGetTeamMembership: should read a confirmed membership with two roles, 404 for an unknown id, 401 for a guest`, async () => {
    const { teamId } = await createTeam(up.key)
    const { membershipId } = await serverMembership(teamId)
    const path = `/teams/${teamId}/memberships/${membershipId}`
    const got = await up.call('GET', path, up.key)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ mfa: false, confirm: true, userName: 'Friend User' })
    expect(got.body.userEmail).not.toBe('')
    expect(got.body.roles).toHaveLength(2)
    expect(isDatetime(got.body.joined)).toBe(true)
    expect((await up.call('GET', `${path}dasdasd`, up.key)).status).toBe(404)
    expect((await up.call('GET', path, up.guest)).status).toBe(401)
  })

  it(`${SERVER} testCreateTeamMembership: should add a member confirmed at once, 409 the second time, 400 for a bad email or roles`, async () => {
    const { teamId } = await createTeam(up.key)
    const email = friendEmail()
    const add = (params: Record<string, unknown>) =>
      up.call('POST', `/teams/${teamId}/memberships`, up.key, {
        email,
        name: 'Friend User',
        roles: ['admin', 'editor'],
        url: 'http://localhost:5000/join-us#title',
        ...params,
      })
    const added = await add({})
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ userName: 'Friend User', userEmail: email, confirm: true })
    expect(added.body.roles).toHaveLength(2)
    expect(isDatetime(added.body.joined)).toBe(true)
    const again = await add({})
    expect(again.status).toBe(409)
    expect(again.body.type).toBe('membership_already_confirmed')
    expect((await add({ email: 'dasdkaskdjaskdjasjkd' })).status).toBe(400)
    expect((await add({ roles: 'bad string' })).status).toBe(400)
  })

  it(`${SERVER} testUpdateMembershipRoles: should set three roles in order`, async () => {
    const { teamId } = await createTeam(up.key)
    const { membershipId } = await serverMembership(teamId)
    const roles = ['admin', 'editor', 'uncle']
    const updated = await up.call('PATCH', `/teams/${teamId}/memberships/${membershipId}`, up.key, {
      roles,
    })
    expect(updated.status).toBe(200)
    expect(updated.body.roles).toEqual(roles)
  })

  it(`${SERVER} testDeleteUserUpdatesTeamMembershipCount: should count a deleted user's membership off its team`, async () => {
    const { teamId } = await createTeam(up.key)
    const { userId } = await serverMembership(teamId)
    expect((await up.call('GET', `/teams/${teamId}`, up.key)).body.total).toBe(1)
    expect((await up.call('DELETE', `/users/${userId}`, up.key)).status).toBe(204)
    const team = await up.call('GET', `/teams/${teamId}`, up.key)
    expect(team.body).toMatchObject({ name: 'Arsenal', total: 0 })
  })

  it(`${CUSTOM_SERVER} testMembershipDeletedWhenTeamDeleted: should drop the user's memberships with the team`, async () => {
    const { teamId } = await createTeam(up.key, 'Demo')
    const user = await createAccount(up, clock.now())
    must(
      await up.call('POST', `/teams/${teamId}/memberships`, up.key, {
        userId: user.$id,
        roles: ['admin', 'editor'],
        url: 'http://localhost:5000/join-us#title',
      }),
      201,
      'adding the user',
    )
    const memberships = () => up.call('GET', `/users/${user.$id}/memberships`, up.key)
    expect((await memberships()).body.memberships[0].teamId).toBe(teamId)
    expect((await up.call('DELETE', `/teams/${teamId}`, up.key)).status).toBe(204)
    expect((await up.call('GET', `/teams/${teamId}`, up.key)).status).toBe(404)
    const after = await memberships()
    expect(after.status).toBe(200)
    expect(after.body.memberships).toEqual([])
  })
})

describe('Teams realtime, as the server tests it', () => {
  /** The next `event` frame of `socket`'s queue. */
  const eventOf = async (next: () => Promise<{ type: string; data: Answer['body'] }>) => {
    const frame = await next()
    expect(frame.type).toBe('event')
    return frame.data
  }
  /** Expects `event` to carry at least `names.channels` and `names.events`, in any order. */
  const expectNames = (
    event: Answer['body'],
    names: { channels?: string[]; events: string[] },
  ): void => {
    if (names.channels !== undefined)
      expect(event.channels).toEqual(expect.arrayContaining(names.channels))
    expect(event.events).toEqual(expect.arrayContaining(names.events))
  }

  it(`${REALTIME} testChannelTeams: should send the team's create, update and prefs events on teams`, async () => {
    const socket = await up.socket(['teams'], {
      origin: 'http://localhost',
      cookie: `${up.cookieName}=${owner.session}`,
    })
    try {
      const connected = await socket.next()
      expect(connected.type).toBe('connected')
      expect(connected.data.channels).toEqual(['teams'])
      expect(connected.data.user.$id).toBe(owner.$id)

      const { teamId } = await createTeam(owner.headers)
      const created = await eventOf(socket.next)
      expect(created.channels).toHaveLength(4)
      expectNames(created, {
        channels: ['teams', `teams.${teamId}`, 'teams.create', `teams.${teamId}.create`],
        events: [`teams.${teamId}.create`, `teams.${teamId}`, 'teams.*.create', 'teams.*'],
      })
      expect(created.payload.$id).toBe(teamId)

      must(
        await up.call('PUT', `/teams/${teamId}`, owner.headers, { name: 'Manchester' }),
        200,
        'renaming',
      )
      const updated = await eventOf(socket.next)
      expectNames(updated, {
        channels: ['teams', `teams.${teamId}`, 'teams.update', `teams.${teamId}.update`],
        events: [`teams.${teamId}.update`, 'teams.*.update', `teams.${teamId}`, 'teams.*'],
      })

      const prefs = { funcKey1: 'funcValue1', funcKey2: 'funcValue2' }
      must(await up.call('PUT', `/teams/${teamId}/prefs`, owner.headers, { prefs }), 200, 'prefs')
      const prefsEvent = await eventOf(socket.next)
      expect(prefsEvent.channels).toHaveLength(4)
      expectNames(prefsEvent, {
        events: [
          `teams.${teamId}.update`,
          `teams.${teamId}.update.prefs`,
          `teams.${teamId}`,
          'teams.*.update.prefs',
          'teams.*.update',
          'teams.*',
        ],
      })
      expect(prefsEvent.payload).toEqual(prefs)
    } finally {
      socket.close()
    }
  })

  it(`${REALTIME} testChannelMemberships: should send a role update on memberships with every event name`, async () => {
    const { teamId } = await createTeam(owner.headers)
    const socket = await up.socket(['memberships'], {
      origin: 'http://localhost',
      cookie: `${up.cookieName}=${owner.session}`,
    })
    try {
      expect((await socket.next()).data.channels).toEqual(['memberships'])
      const listed = await up.call('GET', `/teams/${teamId}/memberships`, owner.headers)
      const membershipId = listed.body.memberships[0].$id as string
      must(
        await up.call('PATCH', `/teams/${teamId}/memberships/${membershipId}`, owner.headers, {
          roles: ['admin', 'editor', 'uncle'],
        }),
        200,
        'updating roles',
      )
      const event = await eventOf(socket.next)
      expect(event.channels).toHaveLength(4)
      const m = `memberships.${membershipId}`
      expectNames(event, {
        channels: [
          'memberships',
          `memberships.${membershipId}`,
          'memberships.update',
          `memberships.${membershipId}.update`,
        ],
        events: [
          `teams.${teamId}.${m}.update`,
          `teams.${teamId}.${m}`,
          `teams.${teamId}.memberships.*.update`,
          `teams.${teamId}.memberships.*`,
          `teams.${teamId}`,
          `teams.*.${m}.update`,
          `teams.*.${m}`,
          'teams.*.memberships.*.update',
          'teams.*.memberships.*',
          'teams.*',
        ],
      })
      expect(event.payload.roles).toEqual(['admin', 'editor', 'uncle'])
    } finally {
      socket.close()
    }
  })
})
