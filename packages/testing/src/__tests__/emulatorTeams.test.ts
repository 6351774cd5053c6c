import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Account, Client, ID, Permission, Query, Role, TablesDB, Teams } from 'appwrite'
import * as sdk11 from 'appwrite-11'
import * as server from 'node-appwrite'
import WebSocket from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import {
  appwriteError,
  mainDatabase,
  memoryStorage,
  openFrameQueue,
  rejection,
  setGlobals,
} from './helpers'
import { serverClient } from './emulatorHelpers'

// The Teams service through the real `appwrite` web SDK (users signed up and signed in through the
// emulator's Account API) and `node-appwrite` (API key), and team roles in row permissions.

const storage = new Map<string, string>()
let emulator: AppwriteEmulator
let restoreGlobals: () => void
let adminTeams: server.Teams
let adminRows: server.TablesDB
let userCount = 0

const target = { databaseId: 'main', tableId: 'docs' }

/** Signs a new user up and in through the web SDK's Account; a web client carrying its session. */
async function signUp(
  name: string,
): Promise<{ client: Client; userId: string; email: string; session: string }> {
  userCount += 1
  const email = `${name.toLowerCase()}${userCount}@example.com`
  const anonymous = new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  const account = new Account(anonymous)
  const user = await account.create({ userId: ID.unique(), email, password: 'password123', name })
  storage.clear()
  await account.createEmailPasswordSession({ email, password: 'password123' })
  // The web SDK keeps the session in its cookie fallback; one client per user carries it instead.
  const fallback = JSON.parse(storage.get('cookieFallback') ?? '{}') as Record<string, string>
  storage.clear()
  const value = fallback[`a_session_${emulator.projectId}`]
  if (value === undefined) throw new Error('sign-in set no cookie fallback')
  const client = new Client()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setSession(value)
  return { client, userId: user.$id, email, session: value }
}

/** A row readable by `Role.team(teamId[, role])` only; its id. */
async function teamRow(teamId: string, role?: string): Promise<string> {
  const row = await adminRows.createRow({
    ...target,
    rowId: ID.unique(),
    data: { title: 'plan' },
    permissions: [
      Permission.read(role === undefined ? Role.team(teamId) : Role.team(teamId, role)),
    ],
  })
  return row.$id
}

/** A user signed up as `ownerName` and the team `teamName` it created, with its web SDK `Teams`. */
async function ownTeam(ownerName: string, teamName: string) {
  const owner = await signUp(ownerName)
  const teams = new Teams(owner.client)
  const team = await teams.create({ teamId: ID.unique(), name: teamName })
  return { owner, teams, team }
}

/** Adds the user `userId` to the team with `roles` through the API key: confirmed at once. */
const addMember = (teamId: string, userId: string, roles: string[]) =>
  adminTeams.createMembership({ teamId, roles, userId })

beforeAll(async () => {
  restoreGlobals = setGlobals({ window: globalThis, localStorage: memoryStorage(storage) })
  emulator = await startAppwriteEmulator({
    fake: createFakeAppwrite({ databases: mainDatabase({ docs: { rowSecurity: true } }) }),
  })
  adminTeams = new server.Teams(serverClient(emulator))
  adminRows = new server.TablesDB(serverClient(emulator))
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

beforeEach(() => storage.clear())

describe('emulator Teams service', () => {
  it('should make a signed-in creator the confirmed owner and show the team only to its members', async () => {
    const ada = await signUp('Ada')
    const bob = await signUp('Bob')
    const team = await new Teams(ada.client).create({ teamId: ID.unique(), name: 'Clinic' })
    expect(team).toMatchObject({ name: 'Clinic', total: 1, prefs: {} })

    const { memberships } = await new Teams(ada.client).listMemberships({ teamId: team.$id })
    expect(memberships).toHaveLength(1)
    expect(memberships[0]).toMatchObject({
      userId: ada.userId,
      userName: 'Ada',
      userEmail: ada.email,
      teamName: 'Clinic',
      confirm: true,
      roles: ['owner'],
    })
    expect((await new Teams(ada.client).list()).teams.map((t) => t.$id)).toEqual([team.$id])
    expect((await new Teams(bob.client).list()).total).toBe(0)
    expect(await rejection(new Teams(bob.client).get({ teamId: team.$id }))).toMatchObject(
      appwriteError(404, 'team_not_found'),
    )
  })

  it('should let a team member read a row granted to Role.team and refuse it to others', async () => {
    const { owner, team } = await ownTeam('Owner', 'Therapists')
    const member = await signUp('Member')
    const outsider = await signUp('Outsider')
    const rowId = await teamRow(team.$id)
    // With an API key an existing user is added confirmed at once.
    const added = await addMember(team.$id, member.userId, [])
    expect(added.confirm).toBe(true)

    const read = (client: Client) => new TablesDB(client).getRow({ ...target, rowId })
    expect((await read(owner.client)).$id).toBe(rowId)
    expect((await read(member.client)).$id).toBe(rowId)
    expect(await rejection(read(outsider.client))).toMatchObject({
      code: 404,
      type: 'row_not_found',
    })
    const listed = await new TablesDB(outsider.client).listRows({
      ...target,
      queries: [Query.equal('$id', rowId)],
    })
    expect(listed.total).toBe(0)
  })

  it('should apply a role change to or from Role.team(id, admin) on the next request', async () => {
    const { teams, team } = await ownTeam('Lead', 'Desk')
    const member = await signUp('Staff')
    const rowId = await teamRow(team.$id, 'admin')
    const membership = await addMember(team.$id, member.userId, ['viewer'])
    const read = () => new TablesDB(member.client).getRow({ ...target, rowId })

    expect(await rejection(read())).toMatchObject({ code: 404, type: 'row_not_found' })
    await teams.updateMembership({
      teamId: team.$id,
      membershipId: membership.$id,
      roles: ['admin'],
    })
    expect((await read()).$id).toBe(rowId)
    await teams.updateMembership({
      teamId: team.$id,
      membershipId: membership.$id,
      roles: ['viewer'],
    })
    expect(await rejection(read())).toMatchObject({ code: 404, type: 'row_not_found' })
  })

  it('should take a deleted membership and a deleted team away from the next request', async () => {
    const { owner, teams, team } = await ownTeam('Host', 'Room')
    const member = await signUp('Guest')
    const rowId = await teamRow(team.$id)
    const membership = await addMember(team.$id, member.userId, [])
    const read = (client: Client) => new TablesDB(client).getRow({ ...target, rowId })
    expect((await read(member.client)).$id).toBe(rowId)

    // A member may leave (its own membership's delete permission).
    await new Teams(member.client).deleteMembership({
      teamId: team.$id,
      membershipId: membership.$id,
    })
    expect(await rejection(read(member.client))).toMatchObject({ code: 404 })
    expect((await teams.get({ teamId: team.$id })).total).toBe(1)

    await teams.delete({ teamId: team.$id })
    expect(await rejection(read(owner.client))).toMatchObject({ code: 404 })
    expect(await rejection(adminTeams.get({ teamId: team.$id }))).toMatchObject(
      appwriteError(404, 'team_not_found'),
    )
  })

  it('should invite by email from a client, and confirm with the secret and sign the invitee in', async () => {
    const { teams, team } = await ownTeam('Inviter', 'Practice')
    const rowId = await teamRow(team.$id, 'editor')
    const invited = await teams.createMembership({
      teamId: team.$id,
      roles: ['editor'],
      email: 'newcomer@example.com',
      name: 'Newcomer',
      url: 'http://localhost:5173/join',
    })
    expect(invited).toMatchObject({
      userName: 'Newcomer',
      userEmail: 'newcomer@example.com',
      confirm: false,
      joined: '',
      roles: ['editor'],
    })
    // The invitee was created as a user, with no password.
    const users = new server.Users(serverClient(emulator))
    expect((await users.get({ userId: invited.userId })).email).toBe('newcomer@example.com')
    expect((await teams.get({ teamId: team.$id })).total).toBe(1)

    // The emulator keeps what it would have e-mailed (emulator only).
    const outbox = await fetch(`${emulator.endpoint}/emulator/invitations`, {
      headers: { 'x-appwrite-project': emulator.projectId, 'x-appwrite-key': emulator.apiKey },
    })
    const { invitations } = (await outbox.json()) as {
      invitations: Array<{ membershipId: string; secret: string; url: string }>
    }
    const invitation = invitations.find((i) => i.membershipId === invited.$id)!
    const link = new URL(invitation.url)
    expect(link.origin + link.pathname).toBe('http://localhost:5173/join')
    expect(link.searchParams.get('teamName')).toBe('Practice')
    expect(link.searchParams.get('secret')).toBe(invitation.secret)

    // The invitee opens the link signed out: the wrong secret is refused, the right one joins.
    const invitee = new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
    const accept = (secret: string) =>
      new Teams(invitee).updateMembershipStatus({
        teamId: team.$id,
        membershipId: invited.$id,
        userId: invited.userId,
        secret,
      })
    expect(await rejection(accept('not-the-secret'))).toMatchObject({
      code: 401,
      type: 'team_invalid_secret',
    })
    const joined = await accept(invitation.secret)
    expect(joined).toMatchObject({ confirm: true, userId: invited.userId })
    expect(joined.joined).not.toBe('')
    expect(await rejection(accept(invitation.secret))).toMatchObject({
      code: 409,
      type: 'membership_already_confirmed',
    })
    expect((await teams.get({ teamId: team.$id })).total).toBe(2)

    // Accepting signed the invitee in (its cookie fallback), verified its email, and its new
    // session carries the team role.
    const fallback = JSON.parse(storage.get('cookieFallback') ?? '{}') as Record<string, string>
    const session = fallback[`a_session_${emulator.projectId}`]!
    const signedIn = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setSession(session)
    storage.clear()
    const me = await new Account(signedIn).get()
    expect(me).toMatchObject({ $id: invited.userId, emailVerification: true })
    expect((await new TablesDB(signedIn).getRow({ ...target, rowId })).$id).toBe(rowId)
  })

  it('should refuse invitations, role changes and team updates to members who are not owners', async () => {
    const { team } = await ownTeam('Boss', 'Firm')
    const member = await signUp('Worker')
    const membership = await addMember(team.$id, member.userId, ['staff'])
    const teams = new Teams(member.client)
    expect(
      await rejection(
        teams.createMembership({
          teamId: team.$id,
          roles: [],
          email: 'friend@example.com',
          url: 'http://localhost/join',
        }),
      ),
    ).toMatchObject(
      appwriteError(
        401,
        'user_unauthorized',
        'User is not allowed to send invitations for this team',
      ),
    )
    expect(
      await rejection(
        teams.updateMembership({
          teamId: team.$id,
          membershipId: membership.$id,
          roles: ['owner'],
        }),
      ),
    ).toMatchObject(appwriteError(401, 'user_unauthorized', 'User is not allowed to modify roles'))
    expect(await rejection(teams.updateName({ teamId: team.$id, name: 'Mine' }))).toMatchObject({
      code: 401,
      type: 'user_unauthorized',
    })
    expect(await rejection(teams.delete({ teamId: team.$id }))).toMatchObject({ code: 401 })
    // Reading is every member's.
    expect((await teams.get({ teamId: team.$id })).name).toBe('Firm')
  })

  it('should serve team prefs, and a user’s memberships to the API key', async () => {
    const { owner, teams, team } = await ownTeam('Prefs', 'Settings')
    expect(await teams.updatePrefs({ teamId: team.$id, prefs: { theme: 'dark' } })).toEqual({
      theme: 'dark',
    })
    expect(await teams.getPrefs({ teamId: team.$id })).toEqual({ theme: 'dark' })
    expect((await teams.get({ teamId: team.$id })).prefs).toEqual({ theme: 'dark' })

    const users = new server.Users(serverClient(emulator))
    const list = await users.listMemberships({ userId: owner.userId })
    expect(list.total).toBe(1)
    expect(list.memberships[0]).toMatchObject({ teamId: team.$id, teamName: 'Settings' })
  })

  it('should query memberships roles with contains only, and refuse other queries as parameter errors', async () => {
    const { owner, teams, team } = await ownTeam('Roles', 'Squad')
    const users = new server.Users(serverClient(emulator))
    const found = await users.listMemberships({
      userId: owner.userId,
      queries: [Query.contains('roles', ['owner'])],
    })
    expect(found.memberships.map((m) => m.teamId)).toEqual([team.$id])
    const refusals: Array<[string, string]> = [
      [
        Query.equal('roles', ['owner']),
        'Invalid `queries` param: Invalid query: Cannot query equal on attribute "roles" because it is an array.',
      ],
      [
        Query.equal('userName', ['Roles']),
        'Invalid `queries` param: Invalid query: Attribute not found in schema: userName',
      ],
    ]
    for (const [query, message] of refusals) {
      for (const list of [
        () => users.listMemberships({ userId: owner.userId, queries: [query] }),
        () => teams.listMemberships({ teamId: team.$id, queries: [query] }),
      ])
        expect(await rejection(list())).toMatchObject(
          appwriteError(400, 'general_argument_invalid', message),
        )
    }
    expect(await rejection(teams.list({ queries: [Query.equal('prefs', ['x'])] }))).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query: Attribute not found in schema: prefs',
      ),
    )
  })

  it('should re-subscribe a member’s realtime socket with its new roles when it joins or leaves', async () => {
    const { owner, team } = await ownTeam('Realtime', 'Live')
    const member = await signUp('Listener')
    const channels = ['tablesdb.main.tables.docs.rows', 'teams', 'memberships']
    const query = channels.map((c) => `channels[]=${encodeURIComponent(c)}`).join('&')
    const ws = new WebSocket(
      `${emulator.realtimeEndpoint}/realtime?project=${emulator.projectId}&${query}`,
      {
        headers: {
          cookie: `a_session_${emulator.projectId}=${encodeURIComponent(member.session)}`,
        },
      },
    )
    type Frame = { type: string; data: { events: string[]; payload: { $id: string } } }
    const next = await openFrameQueue<Frame>(ws)
    try {
      expect((await next()).type).toBe('connected')
      const own = async () =>
        (
          await adminRows.createRow({
            ...target,
            rowId: ID.unique(),
            data: { title: 'own' },
            permissions: [Permission.read(Role.user(member.userId))],
          })
        ).$id
      // Not a member yet: the team's row and the team's events do not reach it, its own row does.
      await teamRow(team.$id)
      await new Teams(owner.client).updateName({ teamId: team.$id, name: 'Live 2' })
      const first = await own()
      expect((await next()).data.payload.$id).toBe(first)

      const membership = await addMember(team.$id, member.userId, [])
      const created = await next()
      expect(created.data.events[0]).toBe(`teams.${team.$id}.memberships.${membership.$id}.create`)
      const shared = await teamRow(team.$id)
      expect((await next()).data.payload.$id).toBe(shared)

      await adminTeams.deleteMembership({ teamId: team.$id, membershipId: membership.$id })
      await teamRow(team.$id)
      const last = await own()
      expect((await next()).data.payload.$id).toBe(last)
    } finally {
      ws.close()
    }
  })

  it('should show signed-in members only what membershipsPrivacy allows, and the API key everything', async () => {
    const private_ = await startAppwriteEmulator({
      membershipsPrivacy: {
        userEmail: false,
        userId: false,
        userPhone: false,
        userAccessedAt: true,
      },
    })
    try {
      const key = serverClient(private_)
      const users = new server.Users(key)
      await users.create({
        userId: 'ada',
        email: 'ada@example.com',
        phone: '+14155550100',
        password: 'password123',
        name: 'Ada',
      })
      // MFA counts only with a factor the server could ask for: here the verified email.
      await users.updateMFA({ userId: 'ada', mfa: true })
      const { secret } = await users.createSession({ userId: 'ada' })
      const asAda = new Client()
        .setEndpoint(private_.endpoint)
        .setProject(private_.projectId)
        .setSession(secret)
      const team = await new Teams(asAda).create({ teamId: 'crew', name: 'Crew' })
      const mine = () => new Teams(asAda).listMemberships({ teamId: team.$id })
      expect((await mine()).memberships[0]).toMatchObject({
        userName: 'Ada',
        userEmail: '',
        userId: '',
        userPhone: '',
        mfa: false,
      })
      await users.updateEmailVerification({ userId: 'ada', emailVerification: true })
      const [member] = (await mine()).memberships
      expect(member?.mfa).toBe(true)
      expect(member?.userAccessedAt).not.toBe('')
      const got = await new Teams(asAda).getMembership({
        teamId: team.$id,
        membershipId: member!.$id,
      })
      expect(got).toMatchObject({ userEmail: '', userId: '', mfa: true })
      const asKey = await new server.Teams(key).listMemberships({ teamId: team.$id })
      expect(asKey.memberships[0]).toMatchObject({
        userName: 'Ada',
        userEmail: 'ada@example.com',
        userId: 'ada',
        userPhone: '+14155550100',
      })
    } finally {
      await private_.close()
    }
  })

  it('should keep teams, memberships and their roles across a restart on a data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bg-teams-'))
    const databases = mainDatabase({ docs: { rowSecurity: true } })
    const first = await startAppwriteEmulator({
      fake: createFakeAppwrite({ databases }),
      data: dir,
    })
    try {
      const key = serverClient(first)
      const user = await new server.Users(key).create({ userId: 'member', email: 'm@example.com' })
      const team = await new server.Teams(key).create({ teamId: 'crew', name: 'Crew' })
      await new server.Teams(key).createMembership({
        teamId: team.$id,
        roles: ['admin'],
        userId: user.$id,
      })
      await new server.TablesDB(key).createRow({
        ...target,
        rowId: 'secret',
        data: { title: 'plan' },
        permissions: [Permission.read(Role.team('crew', 'admin'))],
      })
    } finally {
      await first.close()
    }
    const second = await startAppwriteEmulator({
      fake: createFakeAppwrite({ databases }),
      data: dir,
    })
    try {
      const key = serverClient(second)
      expect(await new server.Teams(key).get({ teamId: 'crew' })).toMatchObject({
        name: 'Crew',
        total: 1,
      })
      const { memberships } = await new server.Teams(key).listMemberships({ teamId: 'crew' })
      expect(memberships.map((m) => [m.userId, m.roles, m.confirm])).toEqual([
        ['member', ['admin'], true],
      ])
      const jwt = second.createJWT('member')
      const client = new Client()
        .setEndpoint(second.endpoint)
        .setProject(second.projectId)
        .setJWT(jwt)
      expect((await new TablesDB(client).getRow({ ...target, rowId: 'secret' })).$id).toBe('secret')
      // An export carries them too (`import` / `--import`).
      const exported = join(dir, 'export')
      await second.exportSnapshot(exported)
      const third = await startAppwriteEmulator({
        fake: createFakeAppwrite({ databases }),
        import: exported,
      })
      try {
        const imported = await new server.Teams(serverClient(third)).listMemberships({
          teamId: 'crew',
        })
        expect(imported.memberships.map((m) => m.roles)).toEqual([['admin']])
      } finally {
        await third.close()
      }
    } finally {
      await second.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('should convert the string queries of web SDK 11 on the teams and memberships lists', async () => {
    const owner = await signUp('Legacy')
    const teams = new Teams(owner.client)
    await teams.create({ teamId: ID.unique(), name: 'Old one' })
    const kept = await teams.create({ teamId: ID.unique(), name: 'Old two' })
    const client = new sdk11.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(emulator.createJWT(owner.userId))
    const old = new sdk11.Teams(client)
    const listed = await old.list([sdk11.Query.equal('name', 'Old two'), sdk11.Query.limit(1)])
    expect(listed.teams.map((team) => team.$id)).toEqual([kept.$id])
    const members = await old.listMemberships(kept.$id, [sdk11.Query.equal('confirm', true)])
    expect(members.memberships.map((m) => m.userId)).toEqual([owner.userId])
  })

  it('should page before a cursor with an offset, and search team names by word prefix', async () => {
    const ids: string[] = []
    for (const n of [1, 2, 3, 4])
      ids.push((await adminTeams.create({ teamId: ID.unique(), name: `Pager ${n}` })).$id)
    const page = await adminTeams.list({
      search: 'pag',
      queries: [Query.cursorBefore(ids[3]!), Query.offset(1), Query.limit(1)],
    })
    expect(page.teams.map((team) => team.name)).toEqual(['Pager 2'])
    expect(page.total).toBe(4)
    const after = await adminTeams.list({
      search: 'pager',
      queries: [Query.cursorAfter(ids[0]!), Query.limit(2), Query.orderAsc('name')],
    })
    expect(after.teams.map((team) => team.name)).toEqual(['Pager 2', 'Pager 3'])
    expect((await adminTeams.list({ search: 'ager' })).total).toBe(0)
  })

  it('should refuse an invitation phone number that is not E.164, naming the param', async () => {
    const team = await adminTeams.create({ teamId: ID.unique(), name: 'Dial' })
    for (const phone of ['12065550100', '+0123456789', '+1234567890123456']) {
      const refused = await rejection(
        adminTeams.createMembership({ teamId: team.$id, roles: [], phone }),
      )
      expect(refused).toMatchObject({
        code: 400,
        type: 'general_argument_invalid',
        message:
          "Invalid `phone` param: Phone number must start with a '+' can have a maximum of fifteen digits.",
      })
    }
    // A valid number passes the check and reaches the next one: the API key adds the member.
    expect(
      (await adminTeams.createMembership({ teamId: team.$id, roles: [], phone: '+12065550100' }))
        .confirm,
    ).toBe(true)
  })

  it('should invite by phone from a client, keeping the invitation its SMS would carry', async () => {
    const { teams, team } = await ownTeam('Dialer', 'Phones')
    const invited = await teams.createMembership({
      teamId: team.$id,
      roles: ['viewer'],
      phone: '+12065550177',
      url: 'http://localhost:5173/join',
    })
    expect(invited).toMatchObject({ confirm: false, roles: ['viewer'] })
    const response = await fetch(`${emulator.endpoint}/emulator/invitations`, {
      headers: { 'x-appwrite-project': emulator.projectId, 'x-appwrite-key': emulator.apiKey },
    })
    const { invitations } = (await response.json()) as {
      invitations: Array<{ membershipId: string; phone: string; url: string }>
    }
    const sent = invitations.find((invitation) => invitation.membershipId === invited.$id)
    expect(sent?.phone).toBe('+12065550177')
    expect(sent?.url.startsWith('http://localhost:5173/join?')).toBe(true)
  })

  it('should let faults fail Teams calls on the wire, with api teams', async () => {
    const { faults } = emulator.fake
    const team = await adminTeams.create({ teamId: ID.unique(), name: 'Faulty' })
    faults.fail({ api: 'teams', operation: 'createMembership', times: 1 })
    const add = () =>
      adminTeams.createMembership({ teamId: team.$id, roles: [], email: 'f@example.com' })
    await expect(add()).rejects.toMatchObject(appwriteError(500, 'general_server_error'))
    // The failed call changed nothing: the retry adds the member.
    expect((await add()).confirm).toBe(true)
    expect(faults.log.at(-1)).toMatchObject({
      kind: 'error',
      api: 'teams',
      operation: 'createMembership',
    })
    faults.fail({ api: 'teams', operation: 'get', times: 1, error: 'network' })
    await expect(adminTeams.get({ teamId: team.$id })).rejects.toThrow('fetch failed')
    expect((await adminTeams.get({ teamId: team.$id })).total).toBe(1)
    faults.reset()
  })

  it('should keep shortcut JWT teams working beside memberships', async () => {
    const team = await adminTeams.create({ teamId: ID.unique(), name: 'Shortcut' })
    expect(team.total).toBe(0)
    const rowId = await teamRow(team.$id, 'owner')
    const client = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(emulator.createJWT('shortcut-user', { teams: { [team.$id]: ['owner'] } }))
    expect((await new TablesDB(client).getRow({ ...target, rowId })).$id).toBe(rowId)
  })
})
