import { Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { must, upstreamSuite } from './upstream'

// Facts from tests/e2e/Services/Users/UsersBase.php (appwrite 1.9.6), as UsersCustomServerTest.php
// runs it: every call with the project's API key. Upstream's `setupUser()` is one user per
// project (Cristiano Ronaldo) whose name, email and phone the `ensureUser…Updated()` helpers change
// in turn; the search cases below run on that one user, in the emulator of this file only, so the
// one-match counts hold as they do upstream.
const BASE = 'tests/e2e/Services/Users/UsersBase.php'

const clock = createManualClock()
const suite = upstreamSuite(() => ({ fake: createFakeAppwrite({ strict: true, clock }) }))

let ronaldo: string | undefined

/** `setupUser()`: the project's one Cristiano Ronaldo, created on first use; its id. */
async function setupUser(): Promise<string> {
  if (ronaldo !== undefined) return ronaldo
  const { up } = suite
  const created = must(
    await up.call('POST', '/users', up.key, {
      userId: 'unique()',
      email: 'cristiano.ronaldo@manchester-united.co.uk',
      password: 'password',
      name: 'Cristiano Ronaldo',
    }),
    201,
    'creating Cristiano Ronaldo',
  )
  ronaldo = created.body.$id as string
  return ronaldo
}

/** `ensureUser{Name,Email,Number}Updated()`: one `PATCH /users/{id}/{field}` on `setupUser()`'s user. */
async function ensureUpdated(field: 'name' | 'email' | 'phone', value: string): Promise<string> {
  const userId = await setupUser()
  const param = field === 'phone' ? 'number' : field
  must(
    await suite.up.call('PATCH', `/users/${userId}/${field}`, suite.up.key, { [param]: value }),
    200,
    `setting the ${field} of ${userId}`,
  )
  return userId
}

/** `GET /users?search=…` with the key; expects 200 and returns the users found. */
async function search(term: string): Promise<Array<Record<string, string>>> {
  const found = await suite.up.call('GET', '/users', suite.up.key, { search: term })
  expect(found.status).toBe(200)
  return found.body.users as Array<Record<string, string>>
}

describe('Users, as the server tests it with the API key (continued)', () => {
  it(`${BASE} testCreateToken: should make a 6-char secret by default, one of \`length\` chars, and refuse a length of 1 or an expiry past the limit`, async () => {
    const { up } = suite
    const userId = await setupUser()
    const tokens = `/users/${userId}/tokens`
    const plain = await up.call('POST', tokens, up.key)
    expect(plain.status).toBe(201)
    expect(plain.body.userId).toBe(userId)
    expect(plain.body.secret).not.toBe('')
    expect(plain.body.expire).not.toBe('')

    const long = await up.call('POST', tokens, up.key, { length: 15, expire: 60 })
    expect(long.status).toBe(201)
    expect(long.body.userId).toBe(userId)
    expect(long.body.secret).toHaveLength(15)
    expect(long.body.expire).not.toBe('')

    for (const params of [{ length: 1, expire: 1 }, { expire: 999999999999999 }]) {
      const refused = await up.call('POST', tokens, up.key, params)
      expect({ params, status: refused.status }).toEqual({ params, status: 400 })
      expect(refused.body).not.toHaveProperty('userId')
      expect(refused.body).not.toHaveProperty('secret')
    }
  })

  it(`${BASE} testListIdentitiesInvalidSearch: should refuse a search on identities with 400 general_query_invalid`, async () => {
    const { up } = suite
    const answer = await up.call('GET', '/users/identities', up.key, { search: 'identity' })
    expect(answer.status).toBe(400)
    expect(answer.body.type).toBe('general_query_invalid')
  })

  it(`${BASE} testListUserMemberships: should list a user's memberships, filter them with contains on roles, and refuse equal on that array`, async () => {
    const { up } = suite
    const userId = await setupUser()
    const join = async (name: string, roles: string[]) => {
      const team = must(
        await up.call('POST', '/teams', up.key, { teamId: 'unique()', name }),
        201,
        `creating the team ${name}`,
      )
      return must(
        await up.call('POST', `/teams/${team.body.$id as string}/memberships`, up.key, {
          userId,
          roles,
        }),
        201,
        `adding ${userId} to ${name}`,
      ).body.$id as string
    }
    const memberships = `/users/${userId}/memberships`
    const first = await join('Test Team', ['new-role'])
    const listed = await up.call('GET', memberships, up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.memberships[0].$id).toBe(first)
    expect(listed.body.memberships[0].roles).toEqual(['new-role'])
    expect(listed.body.total).toBe(1)

    const second = await join('Test Team 2', ['new-role-2'])
    const byRole = await up.call('GET', memberships, up.key, {
      queries: [Query.contains('roles', ['new-role-2'])],
    })
    expect(byRole.status).toBe(200)
    expect(byRole.body.memberships[0].$id).toBe(second)
    expect(byRole.body.memberships[0].roles).toEqual(['new-role-2'])
    expect(byRole.body.total).toBe(1)

    const equal = await up.call('GET', memberships, up.key, {
      queries: [Query.equal('roles', ['new-role-2'])],
    })
    expect(equal.body).toMatchObject({
      code: 400,
      message:
        'Invalid `queries` param: Invalid query: Cannot query equal on attribute "roles" because it is an array.',
      type: 'general_argument_invalid',
    })
  })

  it(`${BASE} testUpdateUserNameSearch: should find the renamed user, alone, by its new name and by its id`, async () => {
    const userId = await ensureUpdated('name', 'Updated name')
    for (const term of ['Updated name', userId]) {
      const users = await search(term)
      expect({ term, ids: users.map((user) => user.$id) }).toEqual({ term, ids: [userId] })
    }
  })

  it(`${BASE} testUpdateUserEmailSearch: should find the user, alone, by its new email in quotes and by its id`, async () => {
    const userId = await ensureUpdated('email', 'users.service@updated.com')
    for (const term of ['"users.service@updated.com"', userId]) {
      const users = await search(term)
      expect({ term, ids: users.map((user) => user.$id) }).toEqual({ term, ids: [userId] })
    }
  })

  it(`${BASE} testUpdateUserNumberSearch: should find the user, alone, by its new phone number`, async () => {
    const userId = await ensureUpdated('phone', '+910000000000')
    const users = await search('+910000000000')
    expect(users.map((user) => user.$id)).toEqual([userId])
    expect(users[0]?.phone).toBe('+910000000000')
  })

  it(`${BASE} testDeleteUserSessionRequiresOwnership: should answer 404 user_session_not_found for another user's session and keep it`, async () => {
    const { up } = suite
    const make = async (prefix: string, name: string) => {
      const userId = `${prefix}-${clock.now()}`
      must(
        await up.call('POST', '/users', up.key, {
          userId,
          email: `${prefix}-${userId}@example.com`,
          password: 'password',
          name,
        }),
        201,
        `creating ${name}`,
      )
      return userId
    }
    const owner = await make('session-owner', 'Session Owner')
    const other = await make('session-other', 'Other User')
    const session = await up.call('POST', `/users/${owner}/sessions`, up.key)
    expect(session.status).toBe(201)
    const sessionId = session.body.$id as string
    const sessionsOf = async (userId: string) => {
      const listed = await up.call('GET', `/users/${userId}/sessions`, up.key)
      expect(listed.status).toBe(200)
      return listed.body as { total: number; sessions: Array<{ $id: string }> }
    }
    const before = await sessionsOf(owner)
    expect(before.total).toBe(1)
    expect(before.sessions.map((s) => s.$id)).toEqual([sessionId])

    const foreign = await up.call('DELETE', `/users/${other}/sessions/${sessionId}`, up.key)
    expect(foreign.status).toBe(404)
    expect(foreign.body.type).toBe('user_session_not_found')
    const kept = await sessionsOf(owner)
    expect(kept.total).toBe(1)
    expect(kept.sessions.map((s) => s.$id)).toEqual([sessionId])

    expect((await up.call('DELETE', `/users/${owner}/sessions/${sessionId}`, up.key)).status).toBe(
      204,
    )
    const after = await sessionsOf(owner)
    expect(after.total).toBe(0)
    expect(after.sessions).toEqual([])
    expect((await up.call('DELETE', `/users/${owner}`, up.key)).status).toBe(204)
    expect((await up.call('DELETE', `/users/${other}`, up.key)).status).toBe(204)
  })
})

// The emulator serves neither messaging targets, nor MFA factors, nor impersonation: the cases of
// those (testCreateUserTarget … testDeleteUserTarget, testGetMFAChallenge, testUpdateUserImpersonator
// and the impersonation cases) get the documented refusal, a 405 that says so, never a silent pass.
describe('Users services the emulator refuses, as its README lists them', () => {
  it.each([
    ['testCreateUserTarget', 'POST', '/targets', 'messaging targets'],
    ['testListUserTarget', 'GET', '/targets', 'messaging targets'],
    ['testGetMFAChallenge', 'GET', '/mfa/challenges/unknown', 'multi-factor authentication'],
    ['testUpdateUserImpersonator', 'PATCH', '/impersonator', 'user impersonation'],
  ] as const)(
    `${BASE} %s: should answer 405 general_not_implemented naming what is not served`,
    async (_method, verb, path, what) => {
      const { up } = suite
      const userId = await setupUser()
      const answer = await up.call(verb, `/users/${userId}${path}`, up.key, {})
      expect(answer.status).toBe(405)
      expect(answer.body.type).toBe('general_not_implemented')
      expect(answer.body.message).toContain(`does not serve ${what}`)
    },
  )
})
