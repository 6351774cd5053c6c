import { afterAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import type { MembershipsPrivacy } from '../../emulator'
import { createAccount, must, startUpstream } from './upstream'
import type { Upstream } from './upstream'

// Facts from tests/e2e/Services/Teams/TeamsCustomClientTest.php (appwrite 1.9.6), as a signed-in
// user (the `a_session_<project>` cookie). Upstream switches the project's memberships privacy
// with the console (`PATCH /v1/projects/{id}/auth/memberships-privacy`), which the emulator does
// not serve: each setting here is the emulator's `membershipsPrivacy` option of a fresh start.
// Upstream reads the invitation e-mail's HTML; the emulator sends no e-mail, so what is observable
// is the invitation link it keeps (`GET /v1/emulator/invitations`), built from the same `url`.
const CLIENT = 'tests/e2e/Services/Teams/TeamsCustomClientTest.php'

const clock = createManualClock()
const started: Upstream[] = []

afterAll(async () => {
  await Promise.all(started.map((up) => up.close()))
})

/** An emulator with `privacy`, a signed-in user, and the team it created (`createTeamHelper`). */
async function teamOn(privacy: Partial<MembershipsPrivacy> = {}) {
  const up = await startUpstream({
    fake: createFakeAppwrite({ strict: true, clock }),
    membershipsPrivacy: privacy,
  })
  started.push(up)
  const user = await createAccount(up, clock.now())
  const headers = up.as(up.sessionOf(user.session))
  const team = must(
    await up.call('POST', '/teams', headers, {
      teamId: 'unique()',
      name: 'Arsenal',
      roles: ['player'],
    }),
    201,
    'creating the team',
  )
  return { up, user, headers, teamId: team.body.$id as string }
}

describe('Teams from a client, as the server tests it', () => {
  it(`${CLIENT} testGetMembershipPrivacy: should hide the member's name, email and MFA flag as the project's privacy says`, async () => {
    const settings: Array<[Partial<MembershipsPrivacy>, { name: boolean; email: boolean }]> = [
      [
        { userName: false, userEmail: false, mfa: false },
        { name: false, email: false },
      ],
      [
        { userName: true, userEmail: true, mfa: true },
        { name: true, email: true },
      ],
      [
        { userName: false, userEmail: false, mfa: true },
        { name: false, email: false },
      ],
    ]
    for (const [privacy, shown] of settings) {
      const { up, headers, user, teamId } = await teamOn(privacy)
      const listed = await up.call('GET', `/teams/${teamId}/memberships`, headers)
      expect(listed.status).toBe(200)
      expect(Number.isInteger(listed.body.total)).toBe(true)
      const [member] = listed.body.memberships
      expect(member.$id).not.toBe('')
      expect({ privacy, userName: member.userName, userEmail: member.userEmail }).toEqual({
        privacy,
        userName: shown.name ? user.name : '',
        userEmail: shown.email ? user.email : '',
      })
      // The user has no MFA, so the flag reads false whether shown or hidden.
      expect(member.mfa).toBe(false)
      // The API key always sees every field.
      const asKey = await up.call('GET', `/teams/${teamId}/memberships`, up.key)
      expect(asKey.body.memberships[0]).toMatchObject({
        userName: user.name,
        userEmail: user.email,
      })
    }
  })

  it(`${CLIENT} testTeamsInviteHTMLInjection: should take a url carrying HTML and link to it exactly as given, then let the owner delete the invitation`, async () => {
    const { up, headers, teamId } = await teamOn()
    const email = `${clock.now()}friend@localhost.test`
    must(
      await up.call('POST', '/account', up.guest, {
        userId: 'unique()',
        email,
        password: 'password',
        name: 'Friend User',
      }),
      201,
      'signing up the friend',
    )
    // PHP's single quotes keep the backslash: the url holds `\"`.
    const url = 'http://localhost:5000/join-us\\"></a><h1>INJECTED</h1>'
    const invited = await up.call('POST', `/teams/${teamId}/memberships`, headers, {
      email,
      name: 'Friend User',
      roles: ['admin', 'editor'],
      url,
    })
    expect(invited.status).toBe(201)

    const outbox = must(
      await up.call('GET', '/emulator/invitations', up.key),
      200,
      'reading the invitations',
    )
    const invitation = (outbox.body.invitations as Array<{ email: string; url: string }>).find(
      (sent) => sent.email === email,
    )
    // Not escaped by the server: the app must escape it, as upstream notes.
    expect(invitation?.url.startsWith(`${url}?`)).toBe(true)
    expect(invitation?.url).toContain('<h1>INJECTED</h1>')

    const deleted = await up.call(
      'DELETE',
      `/teams/${teamId}/memberships/${invited.body.$id as string}`,
      headers,
    )
    expect(deleted.status).toBe(204)
  })
})
