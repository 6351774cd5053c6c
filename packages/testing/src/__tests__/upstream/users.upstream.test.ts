import { Query } from 'node-appwrite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAppwriteEmulator } from '../../emulator'
import type { AppwriteEmulator } from '../../emulator'

// Facts from tests/e2e/Services/Users/UsersBase.php (github:appwrite/appwrite, read at its current
// head), as UsersCustomServerTest.php runs it: every call with the project's API key. Each case
// names the trait method it carries the facts of; cases about services the emulator does not serve
// (hashed-password imports, tokens, targets, phone, MFA, memberships) are left out.

let emulator: AppwriteEmulator
let key: Record<string, string>
let guest: Record<string, string>

interface Answer {
  status: number
  text: string
  // Bodies are free-form JSON; cases read the fields the upstream case reads.
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request as upstream's `Client::call`: GET parameters in the query string, else JSON. */
async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  headers: Record<string, string>,
  params: Record<string, unknown> = {},
): Promise<Answer> {
  let url = `${emulator.endpoint}${path}`
  let body: string | undefined
  if (method === 'GET') {
    const search = new URLSearchParams()
    for (const [name, value] of Object.entries(params)) {
      if (Array.isArray(value)) value.forEach((item, i) => search.append(`${name}[${i}]`, item))
      else search.append(name, String(value))
    }
    if (search.size > 0) url += `?${search}`
  } else body = JSON.stringify(params)
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  const text = await response.text()
  return { status: response.status, text, body: text === '' ? {} : JSON.parse(text) }
}

/** `POST /users` with the key, password `password`: the answer. */
const createUser = (userId: string, email: string, name: string) =>
  call('POST', '/users', key, { userId, email, password: 'password', name })

/** The user `setupUser()` upstream makes (Cristiano Ronaldo), created once per call site. */
async function setupUser(userId = 'unique()', email = 'cristiano.ronaldo@manchester-united.co.uk') {
  const created = await createUser(userId, email, 'Cristiano Ronaldo')
  if (created.status !== 201)
    throw new Error(`setup: POST /users answered ${created.status}: ${created.text}`)
  return created.body.$id as string
}

/**
 * Sets `field` of a new `setupUser()` user (made with `email`) to each of `values` in turn with
 * `PATCH /users/{id}/{field}`, checking the answer and a read-back each time; the user's id.
 */
async function expectUpdatedInTurn(field: 'name' | 'email', email: string, values: string[]) {
  const userId = await setupUser('unique()', email)
  for (const value of values) {
    const updated = await call('PATCH', `/users/${userId}/${field}`, key, { [field]: value })
    expect(updated.status).toBe(200)
    expect(updated.body[field]).toBe(value)
    expect((await call('GET', `/users/${userId}`, key)).body[field]).toBe(value)
  }
  return userId
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  key = { 'x-appwrite-project': emulator.projectId, 'x-appwrite-key': emulator.apiKey }
  guest = { 'x-appwrite-project': emulator.projectId }
})

afterAll(() => emulator.close())

describe('tests/e2e/Services/Users/UsersBase.php', () => {
  it('testCreateUser: 201 with the user, prefs an object, and a custom id kept', async () => {
    const user = await createUser(
      'unique()',
      'cristiano.ronaldo@manchester-united.co.uk',
      'Cristiano Ronaldo',
    )
    expect(user.status).toBe(201)
    // Empty prefs go out as `{}`, not `[]`.
    const at = user.text.indexOf('"prefs":') + 8
    expect(user.text.slice(at, at + 2)).toBe('{}')
    expect(user.body).toMatchObject({
      name: 'Cristiano Ronaldo',
      email: 'cristiano.ronaldo@manchester-united.co.uk',
      status: true,
      labels: [],
    })
    expect(user.body.registration > '2000-01-01 00:00:00').toBe(true)

    const custom = await createUser('user1', 'lionel.messi@psg.fr', 'Lionel Messi')
    expect(custom.status).toBe(201)
    expect(custom.body).toMatchObject({
      $id: 'user1',
      name: 'Lionel Messi',
      email: 'lionel.messi@psg.fr',
      status: true,
    })
    expect(custom.body.registration > '2000-01-01 00:00:00').toBe(true)
  })

  it('testCreateUserTypes: email, password and phone are each optional', async () => {
    const cases: Array<
      [Record<string, unknown>, email: boolean, password: boolean, phone: boolean]
    > = [
      [{ email: 'emailuser@appwrite.io', password: 'emailUserPassword' }, true, true, false],
      [{ phone: '+123456789012' }, false, false, true],
      [{}, false, false, false],
      [{ email: 'emailonlyuser@appwrite.io' }, true, false, false],
      [{ password: 'passwordOnlyUser' }, false, true, false],
      [{ password: 'passwordOnlyUser', phone: '+123456789013' }, false, true, true],
    ]
    for (const [params, email, password, phone] of cases) {
      const response = await call('POST', '/users', key, { userId: 'unique()', ...params })
      expect({
        params,
        status: response.status,
        email: response.body.email !== '',
        password: response.body.password !== '',
        phone: response.body.phone !== '',
      }).toEqual({ params, status: 201, email, password, phone })
    }
  })

  it('testCreateSession: a server session signs the user in until it is deleted', async () => {
    const userId = await setupUser('unique()', 'session.user@appwrite.io')
    const response = await call('POST', `/users/${userId}/sessions`, key)
    expect(response.status).toBe(201)
    const session = response.body
    expect(session.userId).toBe(userId)
    expect(session.secret).not.toBe('')
    expect(session.expire).not.toBe('')
    expect(session.provider).toBe('server')

    const signedIn = { ...guest, 'x-appwrite-session': session.secret as string }
    expect((await call('GET', '/account', signedIn)).status).toBe(200)
    expect((await call('DELETE', '/account/sessions/current', signedIn)).status).toBe(204)
  })

  it('testListUsersDefaultOrderIsCreationOrder: no order lists users as created', async () => {
    const created: string[] = []
    for (const name of ['First', 'Second', 'Third']) {
      const user = await createUser('unique()', `${name.toLowerCase()}.order@localhost.test`, name)
      expect(user.status).toBe(201)
      created.push(user.body.$id as string)
    }
    const listed = await call('GET', '/users', key, {
      queries: [Query.equal('$id', [...created].reverse())],
    })
    expect(listed.status).toBe(200)
    expect(listed.body.users.map((user: { $id: string }) => user.$id)).toEqual(created)
  })

  it('testListUsers: equal queries, search, select refused, unknown cursor refused', async () => {
    const ronaldo = await setupUser('ronaldo', 'cristiano.ronaldo@manchester-united.co.uk.test')
    const messi = await call('GET', '/users/user1', key)
    const byName = await call('GET', '/users', key, {
      queries: [Query.equal('name', [messi.body.name as string])],
    })
    expect(byName.status).toBe(200)
    expect(byName.body.users).toHaveLength(1)
    expect(byName.body.users[0]).toMatchObject({
      name: 'Lionel Messi',
      email: 'lionel.messi@psg.fr',
    })

    // Endpoints take no select queries.
    const select = await call('GET', '/users', key, { queries: [Query.select(['name'])] })
    expect(select.status).toBe(400)

    const blocked = await call('GET', '/users', key, { queries: [Query.equal('status', [false])] })
    expect(blocked.status).toBe(200)
    expect(blocked.body.users).toEqual([])
    const verified = await call('GET', '/users', key, {
      queries: [Query.equal('emailVerification', [true])],
    })
    expect(verified.body.users).toEqual([])

    for (const search of ['Ronaldo', 'ronaldo', 'manchester-united.co.uk.test']) {
      const found = await call('GET', '/users', key, { search })
      const ids = (found.body.users as Array<{ $id: string }>).map((user) => user.$id)
      expect({ search, status: found.status, found: ids.includes(ronaldo) }).toEqual({
        search,
        status: 200,
        found: true,
      })
    }
    const none = await call('GET', '/users', key, { search: '>' })
    expect(none.status).toBe(200)
    expect(none.body.users).toEqual([])

    const unknownCursor = await call('GET', '/users', key, {
      queries: [Query.cursorAfter('unknown')],
    })
    expect(unknownCursor.status).toBe(400)
  })

  it('testGetUser: the user, its sessions, total=false, and 404 for an unknown id', async () => {
    const userId = await setupUser('unique()', 'get.user@appwrite.io')
    const user = await call('GET', `/users/${userId}`, key)
    expect(user.status).toBe(200)
    expect(user.body.name).not.toBe('')
    expect(user.body.email).not.toBe('')
    expect(user.body.status).toBe(true)
    expect(user.body.registration > '2000-01-01 00:00:00').toBe(true)

    const sessions = await call('GET', `/users/${userId}/sessions`, key)
    expect(sessions.status).toBe(200)
    expect(Array.isArray(sessions.body.sessions)).toBe(true)

    const users = await call('GET', '/users', key)
    expect(users.status).toBe(200)
    expect(users.body.total).toBeGreaterThan(0)

    const withoutTotal = await call('GET', '/users', key, { total: false })
    expect(withoutTotal.status).toBe(200)
    expect(withoutTotal.body.total).toBe(0)
    expect(withoutTotal.body.users.length).toBeGreaterThan(0)

    const missing = await call('GET', '/users/non_existent', key)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({
      code: 404,
      message: 'User with the requested ID could not be found.',
      type: 'user_not_found',
    })
  })

  it('testUpdateUserName: an empty name, then a new one, read back', async () => {
    const userId = await expectUpdatedInTurn('name', 'name.user@appwrite.io', ['', 'Updated name'])
    const found = await call('GET', '/users', key, { search: 'Updated name' })
    expect(found.body.users.map((user: { $id: string }) => user.$id)).toEqual([userId])
  })

  it("testUpdateUserEmail: '' removes the email, then a new email, each read back", async () => {
    await expectUpdatedInTurn('email', 'email.user@appwrite.io', ['', 'users.service@updated.com'])
  })

  // The session-invalidation step needs the project setting the emulator does not serve; the
  // rest is here.
  it("testUpdateUserPassword: '' removes the password; the new password signs in, the old one no longer", async () => {
    const userId = await setupUser('unique()', 'password.user@appwrite.io')
    const signIn = (password: string) =>
      call('POST', '/account/sessions/email', guest, {
        email: 'password.user@appwrite.io',
        password,
      })
    expect((await signIn('password')).status).toBe(201)
    const cleared = await call('PATCH', `/users/${userId}/password`, key, { password: '' })
    expect(cleared.status).toBe(200)
    expect(cleared.body.password).toBe('')
    expect((await signIn('password')).status).toBe(401)
    const updated = await call('PATCH', `/users/${userId}/password`, key, {
      password: 'password2',
    })
    expect(updated.status).toBe(200)
    expect(updated.body.$id).toBe(userId)
    expect(updated.body.password).not.toBe('')
    expect((await signIn('password')).status).toBe(401)
    expect((await signIn('password2')).status).toBe(201)
  })

  it('testUpdateUserStatus: a blocked user reads back as blocked', async () => {
    const userId = await setupUser('unique()', 'status.user@appwrite.io')
    const updated = await call('PATCH', `/users/${userId}/status`, key, { status: false })
    expect(updated.status).toBe(200)
    expect(updated.body.status).toBe(false)
    expect((await call('GET', `/users/${userId}`, key)).body.status).toBe(false)
  })

  it('testUpdateEmailVerification: verified, read back', async () => {
    const userId = await setupUser('unique()', 'verify.user@appwrite.io')
    const updated = await call('PATCH', `/users/${userId}/verification`, key, {
      emailVerification: true,
    })
    expect(updated.status).toBe(200)
    expect(updated.body.emailVerification).toBe(true)
    expect((await call('GET', `/users/${userId}`, key)).body.emailVerification).toBe(true)
  })

  it('testUpdateAndGetUserPrefs: prefs replaced and read back; a string or nothing is a 400', async () => {
    const userId = await setupUser('unique()', 'prefs.user@appwrite.io')
    const prefs = { funcKey1: 'funcValue1', funcKey2: 'funcValue2' }
    const updated = await call('PATCH', `/users/${userId}/prefs`, key, { prefs })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject(prefs)
    const read = await call('GET', `/users/${userId}/prefs`, key)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(prefs)

    expect(
      (await call('PATCH', `/users/${userId}/prefs`, key, { prefs: 'bad-string' })).status,
    ).toBe(400)
    expect((await call('PATCH', `/users/${userId}/prefs`, key)).status).toBe(400)
  })

  it.each([
    ['single label', ['admin'], ['admin']],
    ['replace with multiple labels', ['vip', 'pro'], ['vip', 'pro']],
    ['clear labels', [], []],
    ['duplicate labels', ['vip', 'vip', 'pro'], ['vip', 'pro']],
  ])('testUpdateUserLabels (%s): 200', async (_name, labels, expected) => {
    const userId = await setupUser('unique()', `labels.${labels.join('.') || 'none'}@appwrite.io`)
    const user = await call('PUT', `/users/${userId}/labels`, key, { labels })
    expect(user.status).toBe(200)
    expect(user.body.labels).toEqual(expected)
  })

  it.each([
    ['invalid label', ['invalid-label']],
    ['too long', ['a'.repeat(129)]],
    ['too many labels', [Array.from({ length: 101 }, () => 'a')]],
  ])('testUpdateUserLabels (%s): 400', async (name, labels) => {
    const userId = await setupUser('unique()', `refused.${name.replace(/ /g, '.')}@appwrite.io`)
    const user = await call('PUT', `/users/${userId}/labels`, key, { labels })
    expect(user.status).toBe(400)
    expect((await call('GET', `/users/${userId}`, key)).body.labels).toEqual([])
  })

  it('testUpdateUserLabelsWithoutLabels and testUpdateUserLabelsNonExistentUser: 400, 404', async () => {
    const userId = await setupUser('unique()', 'nolabels.user@appwrite.io')
    expect((await call('PUT', `/users/${userId}/labels`, key)).status).toBe(400)
    expect((await call('PUT', '/users/dne/labels', key, { labels: ['admin'] })).status).toBe(404)
  })
})
