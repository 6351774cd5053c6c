import { Query } from 'node-appwrite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { startAppwriteEmulator } from '../../emulator'
import type { AppwriteEmulator } from '../../emulator'

// Facts from tests/e2e/Services/Users/UsersBase.php (github:appwrite/appwrite, read at its current
// head), as UsersCustomServerTest.php runs it: every call with the project's API key. Each case
// names the trait method it carries the facts of; cases about services the emulator does not serve
// (targets, impersonation) are left out. The user memberships, `users.createToken`, search and
// session-ownership cases run on the one shared user upstream gives them, in
// `usersRoutes.upstream.test.ts`.

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

/** The hashed-password users `setupHashedPasswordUsers()` upstream imports, all of "appwrite". */
const HASHED: Array<[path: string, params: Record<string, unknown>]> = [
  [
    'md5',
    {
      userId: 'md5',
      email: 'md5@appwrite.io',
      password: '144fa7eaa4904e8ee120651997f70dcc',
      name: 'MD5 User',
    },
  ],
  [
    'bcrypt',
    {
      userId: 'bcrypt',
      email: 'bcrypt@appwrite.io',
      password: '$2a$15$xX/myGbFU.ZSKHSi6EHdBOySTdYm8QxBLXmOPHrYMwV0mHRBBSBOq',
      name: 'Bcrypt User',
    },
  ],
  [
    'argon2',
    {
      userId: 'argon2',
      email: 'argon2@appwrite.io',
      password:
        '$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI',
      name: 'Argon2 User',
    },
  ],
  [
    'sha',
    {
      userId: 'sha512',
      email: 'sha512@appwrite.io',
      password:
        '4243da0a694e8a2f727c8060fe0507c8fa01ca68146c76d2c190805b638c20c6bf6ba04e21f11ae138785d0bff63c416e6f87badbffad37f6dee50094cc38c70',
      name: 'SHA512 User',
      passwordVersion: 'sha512',
    },
  ],
  [
    'scrypt',
    {
      userId: 'scrypt',
      email: 'scrypt@appwrite.io',
      password:
        '3fdef49701bc4cfaacd551fe017283513284b4731e6945c263246ef948d3cf63b5d269c31fd697246085111a428245e24a4ddc6b64c687bc60a8910dbafc1d5b',
      name: 'Scrypt User',
      passwordSalt: 'appwrite',
      passwordCpu: 16384,
      passwordMemory: 13,
      passwordParallel: 2,
      passwordLength: 64,
    },
  ],
  [
    'phpass',
    {
      userId: 'phpass',
      email: 'phpass@appwrite.io',
      password: '$P$Br387rwferoKN7uwHZqNMu98q3U8RO.',
      name: 'PHPass User',
    },
  ],
  [
    'scrypt-modified',
    {
      userId: 'scrypt-modified',
      email: 'scrypt-modified@appwrite.io',
      password:
        'UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ==',
      name: 'Scrypt Modified User',
      passwordSalt: 'UxLMreBr6tYyjQ==',
      passwordSaltSeparator: 'Bw==',
      passwordSignerKey:
        'XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ==',
    },
  ],
]

describe('tests/e2e/Services/Users/UsersBase.php: hashed passwords, phone, logs, JWTs', () => {
  it('testCreateUser (hashed passwords): each hash kept as sent, with its algorithm and options', async () => {
    const created: Record<string, Answer> = {}
    for (const [path, params] of HASHED) {
      created[path] = await call('POST', `/users/${path}`, key, params)
      expect({ path, status: created[path].status }).toEqual({ path, status: 201 })
      expect(created[path].body.password).toBe(params.password)
    }
    expect(created.bcrypt?.body.hash).toBe('bcrypt')
    expect(created.argon2?.body.hash).toBe('argon2')
    expect(created.sha?.body.hash).toBe('sha')
    expect(created.sha?.body.hashOptions.version).toBe('sha512')
    expect(created.scrypt?.body.hash).toBe('scrypt')
    expect(created.scrypt?.body.hashOptions).toMatchObject({
      salt: 'appwrite',
      costCpu: 16384,
      costMemory: 13,
      costParallel: 2,
      length: 64,
    })
    expect(created['scrypt-modified']?.body.hash).toBe('scryptMod')
    expect(created['scrypt-modified']?.body.hashOptions).toMatchObject({
      salt: 'UxLMreBr6tYyjQ==',
      signerKey:
        'XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ==',
      saltSeparator: 'Bw==',
    })
  })

  // Upstream re-hashes with argon2 (`hash: 'argon2'`); the emulator re-hashes with its own KDF,
  // so the check here is that the imported hash is gone.
  it('testCreateUserSessionHashed: every imported user signs in with "appwrite", is re-hashed, and signs in again', async () => {
    const userIds = ['md5', 'bcrypt', 'argon2', 'sha512', 'scrypt', 'phpass', 'scrypt-modified']
    const signIn = (userId: string) =>
      call('POST', '/account/sessions/email', guest, {
        email: `${userId}@appwrite.io`,
        password: 'appwrite',
      })
    for (const userId of userIds) {
      const session = await signIn(userId)
      expect({ userId, status: session.status, user: session.body.userId }).toEqual({
        userId,
        status: 201,
        user: userId,
      })
    }
    for (const userId of userIds) {
      const user = await call('GET', `/users/${userId}`, key)
      expect(user.status).toBe(200)
      expect(user.body.email).toBe(`${userId}@appwrite.io`)
      const sent = HASHED.find(([, params]) => params.userId === userId)?.[1]
      expect({ userId, rehashed: user.body.password !== sent?.password }).toEqual({
        userId,
        rehashed: true,
      })
    }
    for (const userId of userIds) expect((await signIn(userId)).status).toBe(201)
  }, 60_000)

  it('testUpdateUserNumber: set, read back, and 409 user_target_already_exists on another user', async () => {
    const userId = await setupUser('unique()', 'number.user@appwrite.io')
    const other = await setupUser('unique()', 'number.other@appwrite.io')
    const cleared = await call('PATCH', `/users/${userId}/phone`, key, { number: '' })
    expect(cleared.status).toBe(200)
    expect(cleared.body.phone).toBe('')
    const number = '+910000000000'
    const updated = await call('PATCH', `/users/${userId}/phone`, key, { number })
    expect(updated.status).toBe(200)
    expect(updated.body.phone).toBe(number)
    expect((await call('GET', `/users/${userId}`, key)).body.phone).toBe(number)
    const taken = await call('PATCH', `/users/${other}/phone`, key, { number })
    expect(taken.status).toBe(409)
    expect(taken.body.type).toBe('user_target_already_exists')
  })

  it('testUpdateTwoUsersPhoneToEmpty: two users can both drop their phone', async () => {
    const ids: string[] = []
    for (const [n, phone] of [
      [1, '+16175551201'],
      [2, '+16175551202'],
    ] as const) {
      const user = await call('POST', '/users', key, {
        userId: 'unique()',
        email: `user${n}-phone-empty-test@appwrite.io`,
        password: 'password',
        name: `User ${n}`,
        phone,
      })
      expect(user.status).toBe(201)
      expect(user.body.phone).toBe(phone)
      ids.push(user.body.$id as string)
    }
    for (const id of ids) {
      const cleared = await call('PATCH', `/users/${id}/phone`, key, { number: '' })
      expect(cleared.status).toBe(200)
      expect(cleared.body.phone).toBe('')
      expect((await call('GET', `/users/${id}`, key)).body.phone).toBe('')
    }
  })

  it('testListUsers (cursors, dates, search): cursorAfter/Before by creation order, equal on dates, prefix search', async () => {
    const first = await setupUser('unique()', 'first.cursor@cursor-club.test')
    const second = await setupUser('unique()', 'second.cursor@cursor-club.test')
    const after = await call('GET', '/users', key, { queries: [Query.cursorAfter(first)] })
    expect(after.status).toBe(200)
    expect(after.body.users[0].$id).toBe(second)
    const before = await call('GET', '/users', key, { queries: [Query.cursorBefore(second)] })
    expect(before.status).toBe(200)
    expect(before.body.users.at(-1).$id).toBe(first)

    const user1 = (await call('GET', '/users/user1', key)).body
    for (const attribute of ['passwordUpdate', 'registration'] as const) {
      const found = await call('GET', '/users', key, {
        queries: [Query.equal(attribute, [user1[attribute] as string])],
      })
      expect(found.status).toBe(200)
      expect(found.body.users.map((user: { $id: string }) => user.$id)).toEqual(['user1'])
    }
    const unverifiedPhones = await call('GET', '/users', key, {
      queries: [Query.equal('phoneVerification', [true])],
    })
    expect(unverifiedPhones.body.users).toEqual([])

    for (const search of ['cursor-club', 'cursor', 'cur']) {
      const found = await call('GET', '/users', key, { search })
      expect({ search, status: found.status, total: found.body.total }).toEqual({
        search,
        status: 200,
        total: 2,
      })
    }
    const byId = await call('GET', '/users', key, { search: first })
    expect(byId.body.users.map((user: { $id: string }) => user.$id)).toEqual([first])
  })

  it('testGetLogs: an empty list; limit and offset only', async () => {
    const userId = await setupUser('unique()', 'logs.user@appwrite.io')
    for (const queries of [
      [],
      [Query.limit(1)],
      [Query.offset(1)],
      [Query.limit(1), Query.offset(1)],
    ]) {
      const logs = await call('GET', `/users/${userId}/logs`, key, { queries })
      expect(logs.status).toBe(200)
      expect(Array.isArray(logs.body.logs)).toBe(true)
      expect(logs.body.logs.length).toBeLessThanOrEqual(1)
      expect(typeof logs.body.total).toBe('number')
    }
    for (const query of [
      Query.limit(-1),
      Query.offset(-1),
      Query.equal('$id', ['asdf']),
      Query.orderAsc('$id'),
      '{ "method": "cursorAsc", "attribute": "$id" }',
    ]) {
      const refused = await call('GET', `/users/${userId}/logs`, key, { queries: [query] })
      expect({ query, status: refused.status }).toEqual({ query, status: 400 })
    }
  })

  it('testDeleteUser: 204, then 404 for the same user', async () => {
    const userId = await setupUser('unique()', 'deletetest@example.com')
    expect((await call('DELETE', `/users/${userId}`, key)).status).toBe(204)
    expect((await call('DELETE', `/users/${userId}`, key)).status).toBe(404)
  })
})

describe('tests/e2e/Services/Users/UsersBase.php testUserJWT (on a manual clock)', () => {
  const clock = createManualClock()
  let jwtEmulator: AppwriteEmulator
  beforeAll(async () => {
    jwtEmulator = await startAppwriteEmulator({ fake: createFakeAppwrite({ clock }) })
  })
  afterAll(() => jwtEmulator.close())

  it('testUserJWT: JWTs with no session, by session id, for `current`; expiry; a deleted session ends its JWT', async () => {
    const keyOn = {
      'x-appwrite-project': jwtEmulator.projectId,
      'x-appwrite-key': jwtEmulator.apiKey,
    }
    const guestOn = { 'x-appwrite-project': jwtEmulator.projectId }
    const request = async (
      method: 'GET' | 'POST' | 'DELETE',
      path: string,
      headers: Record<string, string>,
      params?: Record<string, unknown>,
    ) => {
      const response = await fetch(`${jwtEmulator.endpoint}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: params === undefined ? undefined : JSON.stringify(params),
      })
      const text = await response.text()
      return { status: response.status, body: text === '' ? {} : JSON.parse(text) }
    }
    const accountWith = (jwt: string) =>
      request('GET', '/account', { ...guestOn, 'x-appwrite-jwt': jwt })

    const userId = 'jwtuser'
    const created = await request('POST', '/users', keyOn, {
      userId,
      email: 'jwtuser@appwrite.io',
      password: 'password',
    })
    expect(created.status).toBe(201)
    const jwt0 = await request('POST', `/users/${userId}/jwts`, keyOn, {})
    expect(jwt0.status).toBe(201)
    expect((await accountWith(jwt0.body.jwt)).body.$id).toBe(userId)

    const sessions: string[] = []
    for (let i = 0; i < 2; i++) {
      const session = await request('POST', '/account/sessions/email', guestOn, {
        email: 'jwtuser@appwrite.io',
        password: 'password',
      })
      expect(session.status).toBe(201)
      sessions.push(session.body.$id as string)
    }
    const jwt1 = await request('POST', `/users/${userId}/jwts`, keyOn, { sessionId: sessions[0] })
    expect(jwt1.status).toBe(201)
    expect((await accountWith(jwt1.body.jwt)).status).toBe(200)
    const jwt2 = await request('POST', `/users/${userId}/jwts`, keyOn, {
      duration: 5,
      sessionId: 'current',
    })
    expect(jwt2.status).toBe(201)
    expect((await accountWith(jwt2.body.jwt)).status).toBe(200)
    await clock.advance(10_000)
    expect((await accountWith(jwt2.body.jwt)).status).toBe(401)

    // Upstream sends `sessionId` to the bulk route, which ignores it: every session goes.
    expect((await request('DELETE', `/users/${userId}/sessions`, keyOn)).status).toBe(204)
    expect((await accountWith(jwt1.body.jwt)).status).toBe(401)
    const still = await accountWith(jwt0.body.jwt)
    expect(still.status).toBe(200)
    expect(still.body.$id).toBe(userId)
    expect((await request('DELETE', `/users/${userId}`, keyOn)).status).toBe(204)
  })
})
