import { describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { createAccount, must, upstreamSuite } from './upstream'

// Facts from tests/e2e/Services/Account/AccountCustomClientTest.php (appwrite 1.9.6): signing out
// everywhere with a JWT, finding an account by its new name or email through the Users search, and
// the loopback redirect hosts of magic URL sign-in. The test project registers `localhost` as its
// Web platform, as the upstream one does.
const CLIENT = 'tests/e2e/Services/Account/AccountCustomClientTest.php'

const clock = createManualClock()
const suite = upstreamSuite(() => ({
  fake: createFakeAppwrite({ strict: true, clock }),
  redirectHosts: ['localhost'],
  mail: false,
}))

/** A new account with one session: its id, email, password and the headers of that session. */
async function account() {
  const created = await createAccount(suite.up, clock.now())
  return { ...created, headers: suite.up.as(suite.up.sessionOf(created.session)) }
}

/** `GET /users?search=…` with the API key: the ids found. */
async function search(term: string): Promise<string[]> {
  const found = must(
    await suite.up.call('GET', '/users', suite.up.key, { search: term }),
    200,
    `searching ${term}`,
  )
  return (found.body.users as Array<{ $id: string }>).map((user) => user.$id)
}

/** `POST /account/tokens/magic-url` for a new user with the redirect `url`. */
const magicUrl = (email: string, url: string) =>
  suite.up.call('POST', '/account/tokens/magic-url', suite.up.guest, {
    userId: 'unique()',
    email,
    url,
  })

describe('Account from a client, as the server tests it', () => {
  it(`${CLIENT} testDeleteAccountSessionsWithJWT: should sign out of every session with a JWT made from one`, async () => {
    const user = await account()
    const session = suite.up.sessionOf(await suite.up.openSession(user))
    const jwt = await suite.up.call('POST', '/account/jwt', suite.up.as(session))
    expect(jwt.status).toBe(201)
    const signedOut = await suite.up.call('DELETE', '/account/sessions', {
      ...suite.up.guest,
      'x-appwrite-jwt': jwt.body.jwt as string,
    })
    expect(signedOut.status).toBe(204)
    expect((await suite.up.call('GET', '/account', user.headers)).status).toBe(401)
    expect((await suite.up.call('GET', '/account', suite.up.as(session))).status).toBe(401)
  })

  it(`${CLIENT} testUpdateAccountNameSearch: should find an account by its new name and by its id`, async () => {
    const user = await account()
    must(
      await suite.up.call('PATCH', '/account/name', user.headers, { name: 'Lorem' }),
      200,
      'renaming the account',
    )
    expect(await search('Lorem')).toContain(user.$id)
    const byId = await suite.up.call('GET', '/users', suite.up.key, { search: user.$id })
    expect(byId.status).toBe(200)
    expect(byId.body.users).toHaveLength(1)
    expect(byId.body.users[0]).toMatchObject({ $id: user.$id, name: 'Lorem' })
  })

  it(`${CLIENT} testUpdateAccountEmailSearch: should find an account by its new email, quoted, and by its id`, async () => {
    const user = await account()
    const email = `${clock.now()}new@localhost.test`
    must(
      await suite.up.call('PATCH', '/account/email', user.headers, {
        email,
        password: user.password,
      }),
      200,
      'changing the email',
    )
    const quoted = await suite.up.call('GET', '/users', suite.up.key, { search: `"${email}"` })
    expect(quoted.status).toBe(200)
    expect(quoted.body.users).toHaveLength(1)
    expect(quoted.body.users[0].email).toBe(email)
    const byId = await suite.up.call('GET', '/users', suite.up.key, { search: user.$id })
    expect(byId.status).toBe(200)
    expect(byId.body.users).toHaveLength(1)
    expect(byId.body.users[0].email).toBe(email)
  })

  it(`${CLIENT} testCreateMagicUrlLoopback: should take every spelling of the loopback host, link to it, and refuse look-alikes`, async () => {
    let n = 0
    const email = () => `magic-loopback-${(n += 1)}.${clock.now()}@appwrite.io`
    for (const host of [
      'localhost',
      'localhost:3000',
      '127.0.0.1',
      '127.0.0.1:5173',
      '[::1]',
      '[::1]:3000',
    ]) {
      const answer = await magicUrl(email(), `http://${host}/magiclogin`)
      expect({ host, status: answer.status }).toEqual({ host, status: 201 })
    }
    const linked = email()
    expect((await magicUrl(linked, 'http://127.0.0.1:5173/magiclogin')).status).toBe(201)
    expect(suite.up.emulator.outbox({ email: linked }).at(-1)?.text).toContain(
      'http://127.0.0.1:5173/magiclogin?',
    )
    const lookAlikes = [
      '127.0.0.1.example.com',
      'localhost.example.com',
      '128.0.0.1',
      '[2001:db8::1]',
      '127.0.0.2',
      '[0:0:0:0:0:0:0:1]',
    ]
    for (const host of lookAlikes) {
      const answer = await magicUrl(email(), `http://${host}/magiclogin`)
      expect({ host, status: answer.status }).toEqual({ host, status: 400 })
    }
  })
})
