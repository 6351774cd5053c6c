import { Account, ID, Permission, Realtime, Role } from 'appwrite'
import type { RealtimeResponseEvent } from 'appwrite'
import * as server from 'node-appwrite'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, EmulatorLogEntry } from '../emulator'
import { appwriteError, mainDatabase, memoryStorage, rejection, until } from './helpers'
import { projectRequest, serverClient, setWebSdkGlobals, webSdkClient } from './emulatorHelpers'
import type { ProjectRequestInit } from './emulatorHelpers'

const storage = new Map<string, string>()
const localStorage = memoryStorage(storage)

const fake = createFakeAppwrite({
  databases: mainDatabase({ notes: { permissions: ['create("users")'], rowSecurity: true } }),
})
let emulator: AppwriteEmulator
let restoreGlobals: () => void
const password = 'correct horse battery'
const realtimes: Realtime[] = []

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake })
  // The web SDK reads `window.localStorage` (its cookie fallback) and, for realtime, a WebSocket.
  restoreGlobals = setWebSdkGlobals(localStorage)
})

afterEach(async () => {
  for (const realtime of realtimes.splice(0)) await realtime.disconnect()
  storage.clear()
  fake.reset()
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

const web = () => webSdkClient(emulator)
const admin = () => serverClient(emulator)

const request = (path: string, init?: ProjectRequestInit) => projectRequest(emulator, path, init)

describe('emulator account', () => {
  it('should sign up, sign in, read the account and sign out through the web SDK', async () => {
    const account = new Account(web())
    const user = await account.create({
      userId: ID.unique(),
      email: 'ada@example.com',
      password,
      name: 'Ada',
    })
    expect(user).toMatchObject({ name: 'Ada', email: 'ada@example.com', status: true })

    const session = await account.createEmailPasswordSession({ email: 'ada@example.com', password })
    expect(session).toMatchObject({
      userId: user.$id,
      provider: 'email',
      current: true,
      secret: '',
    })
    // On localhost the server sends the session in `X-Fallback-Cookies`; the SDK keeps it.
    expect(JSON.parse(storage.get('cookieFallback') ?? '{}')).toEqual({
      [`a_session_${emulator.projectId}`]: expect.any(String),
    })
    expect(await account.get()).toMatchObject({ $id: user.$id, name: 'Ada' })
    expect(await rejection(account.createAnonymousSession())).toMatchObject(
      appwriteError(401, 'user_session_already_exists'),
    )
    expect((await account.listSessions()).sessions).toMatchObject([
      { $id: session.$id, current: true },
    ])

    await account.deleteSession({ sessionId: 'current' })
    expect(storage.get('cookieFallback')).toBe('[]')
    expect(await rejection(account.get())).toMatchObject(
      appwriteError(401, 'general_unauthorized_scope'),
    )
  })

  it('should answer wrong credentials and taken emails with the server errors', async () => {
    const account = new Account(web())
    await account.create({ userId: 'ada', email: 'ada@example.com', password })
    expect(
      await rejection(account.create({ userId: ID.unique(), email: 'ada@example.com', password })),
    ).toMatchObject(appwriteError(409, 'user_already_exists'))
    expect(
      await rejection(
        account.createEmailPasswordSession({ email: 'ada@example.com', password: 'wrong wrong' }),
      ),
    ).toMatchObject(appwriteError(401, 'user_invalid_credentials'))
    expect(
      await rejection(
        account.create({ userId: ID.unique(), email: 'b@example.com', password: '1234' }),
      ),
    ).toMatchObject(appwriteError(400, 'general_argument_invalid'))
  })

  it('should record the client address on a session: X-Forwarded-For first, else the peer', async () => {
    await new Account(web()).create({ userId: 'ip', email: 'ip@example.com', password })
    const signIn = async (headers: Record<string, string>) => {
      const response = await request('/account/sessions/email', {
        method: 'POST',
        headers,
        body: { email: 'ip@example.com', password },
      })
      return ((await response.json()) as { ip: string }).ip
    }
    expect(await signIn({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' })).toBe('203.0.113.7')
    expect(await signIn({})).toBe('127.0.0.1')
    const { sessions } = await new server.Users(serverClient(emulator)).listSessions({
      userId: 'ip',
    })
    expect(sessions.map((session) => session.ip)).toEqual(['203.0.113.7', '127.0.0.1'])
  })

  it('should set the session cookies with the server attributes and read them back', async () => {
    await request('/account', {
      method: 'POST',
      body: { userId: 'ada', email: 'ada@example.com', password },
    })
    const response = await request('/account/sessions/email', {
      method: 'POST',
      headers: { origin: 'http://localhost:5173' },
      body: { email: 'ada@example.com', password },
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
    expect(response.headers.get('access-control-expose-headers')).toContain('X-Fallback-Cookies')
    const cookies = response.headers.getSetCookie()
    const name = `a_session_${emulator.projectId.toLowerCase()}`
    expect(cookies).toEqual([
      expect.stringMatching(
        new RegExp(`^${name}_legacy=[^;]+; Expires=[^;]+ GMT; Path=/; HttpOnly$`),
      ),
      expect.stringMatching(
        new RegExp(`^${name}=[^;]+; Expires=[^;]+ GMT; Path=/; HttpOnly; SameSite=None$`),
      ),
    ])
    const cookie = (cookies[1] as string).split(';')[0] as string
    const me = await request('/account', { headers: { cookie } })
    expect(await me.json()).toMatchObject({ $id: 'ada' })
    const legacy = (cookies[0] as string).split(';')[0] as string
    expect((await request('/account', { headers: { cookie: legacy } })).status).toBe(200)

    const logout = await request('/account/sessions/current', {
      method: 'DELETE',
      headers: { cookie },
    })
    expect(logout.status).toBe(204)
    expect(logout.headers.get('x-fallback-cookies')).toBe('[]')
    expect(logout.headers.getSetCookie()[1]).toMatch(new RegExp(`^${name}=deleted; Expires=`))
    expect((await request('/account', { headers: { cookie } })).status).toBe(401)
  })

  it('should sign in anonymously and hand a JWT to node-appwrite', async () => {
    const account = new Account(web())
    const session = await account.createAnonymousSession()
    expect(session).toMatchObject({ provider: 'anonymous', factors: ['anonymous'] })
    const { jwt } = await account.createJWT()
    const onServer = new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(jwt)
    expect(await new server.Account(onServer).get()).toMatchObject({
      $id: session.userId,
      email: '',
    })
    // A JWT authenticates, but it has no session secret: there is no "current" session to end.
    expect(
      await rejection(new server.Account(onServer).deleteSession({ sessionId: 'current' })),
    ).toMatchObject(appwriteError(404, 'user_session_not_found'))
    await account.deleteSession({ sessionId: 'current' })
    // The JWT was tied to that session.
    expect(await rejection(new server.Account(onServer).get())).toMatchObject({ code: 401 })
  })

  it('should serve the Users API to the API key only, with sessions usable for SSR', async () => {
    const users = new server.Users(admin())
    const created = await users.create({
      userId: 'grace',
      email: 'grace@example.com',
      password,
      name: 'Grace',
    })
    expect(created).toMatchObject({
      $id: 'grace',
      hash: 'scrypt',
      password: expect.stringMatching(/^scrypt\$/),
    })
    expect(await users.get({ userId: 'grace' })).toMatchObject({ name: 'Grace' })
    await users.updateName({ userId: 'grace', name: 'Grace H.' })
    expect((await users.list()).users.map((u) => u.name)).toEqual(['Grace H.'])

    const session = await users.createSession({ userId: 'grace' })
    expect(session.secret).not.toBe('')
    const ssr = new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setSession(session.secret)
    expect(await new server.Account(ssr).get()).toMatchObject({ $id: 'grace', name: 'Grace H.' })
    const { jwt } = await users.createJWT({ userId: 'grace' })
    const viaJwt = new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(jwt)
    expect((await new server.Account(viaJwt).get()).$id).toBe('grace')

    await users.updateStatus({ userId: 'grace', status: false })
    // A blocked user's session is refused where its scopes reach, still unscoped elsewhere.
    expect(await rejection(new server.Account(ssr).get())).toMatchObject(
      appwriteError(403, 'user_blocked'),
    )
    expect(await rejection(new server.Users(ssr).list())).toMatchObject(
      appwriteError(401, 'general_unauthorized_scope'),
    )
    await users.delete({ userId: 'grace' })
    expect(await rejection(users.get({ userId: 'grace' }))).toMatchObject(
      appwriteError(404, 'user_not_found'),
    )
  })

  it('should deliver realtime events by per-user read permissions to signed-in sockets', async () => {
    const signUp = async (email: string) => {
      const response = await request('/account', {
        method: 'POST',
        body: { userId: ID.unique(), email, password },
      })
      return ((await response.json()) as { $id: string }).$id
    }
    const ada = await signUp('ada@example.com')
    const bob = await signUp('bob@example.com')

    // Ada: the web SDK, signed in through the cookie fallback, authenticates its socket by message.
    const account = new Account(web())
    await account.createEmailPasswordSession({ email: 'ada@example.com', password })
    const realtime = new Realtime(web())
    realtimes.push(realtime)
    const adaEvents: RealtimeResponseEvent<Record<string, unknown>>[] = []
    await realtime.subscribe(
      'databases.main.tables.notes.rows',
      (event) => void adaEvents.push(event),
    )

    // Bob: a raw socket that carries his session cookie on the upgrade, as a browser does.
    const login = await request('/account/sessions/email', {
      method: 'POST',
      body: { email: 'bob@example.com', password },
    })
    const bobCookie = (login.headers.getSetCookie()[1] as string).split(';')[0] as string
    const socket = new WsClient(
      `${emulator.realtimeEndpoint}/realtime?project=${emulator.projectId}`,
      {
        headers: { cookie: bobCookie },
      },
    )
    const bobFrames: Array<{ type: string; data: Record<string, unknown> }> = []
    socket.on(
      'message',
      (data: Buffer) => void bobFrames.push(JSON.parse(data.toString()) as never),
    )
    await until(() => bobFrames.length > 0)
    expect(bobFrames[0]).toMatchObject({ type: 'connected', data: { user: { $id: bob } } })
    socket.send(
      JSON.stringify({
        type: 'subscribe',
        data: [{ subscriptionId: 's1', channels: ['databases.main.tables.notes.rows'] }],
      }),
    )
    await emulator.realtime.waitForSubscriptions(2)
    await until(() => bobFrames.length > 1)

    const tablesDB = new server.TablesDB(admin())
    const row = (rowId: string, owner: string) =>
      tablesDB.createRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId,
        data: { text: rowId },
        permissions: [Permission.read(Role.user(owner))],
      })
    await row('for-ada', ada)
    await row('for-bob', bob)
    await until(() => adaEvents.length >= 1 && bobFrames.some((f) => f.type === 'event'))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(adaEvents.map((e) => e.payload.$id)).toEqual(['for-ada'])
    expect(
      bobFrames
        .filter((f) => f.type === 'event')
        .map((f) => (f.data.payload as { $id: string }).$id),
    ).toEqual(['for-bob'])
    socket.close()
  })

  it("should carry a user's own changes on the account channel", async () => {
    const account = new Account(web())
    await account.create({ userId: 'ada', email: 'ada@example.com', password })
    await account.createEmailPasswordSession({ email: 'ada@example.com', password })
    const realtime = new Realtime(web())
    realtimes.push(realtime)
    const events: RealtimeResponseEvent<Record<string, unknown>>[] = []
    await realtime.subscribe('account', (event) => void events.push(event))
    await emulator.realtime.waitForSubscriptions(1)
    // The SDK authenticates its socket after `connected`: change the prefs until the socket
    // knows its user (a bounded number of tries).
    for (let attempt = 0; attempt < 50 && events.length === 0; attempt++) {
      await account.updatePrefs({ prefs: { theme: 'dark' } })
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(events[0]).toMatchObject({
      events: expect.arrayContaining(['users.ada.update.prefs', 'users.*.update.prefs']),
      // A top-level change of the user also goes out suffixed with its action (1.9).
      channels: ['account', 'account.ada', 'account.update', 'account.ada.update'],
      payload: { $id: 'ada', prefs: { theme: 'dark' } },
    })
    // Someone else's change does not reach this socket.
    await new server.Users(admin()).create({ userId: 'bob', email: 'bob@example.com', password })
    await new server.Users(admin()).updateName({ userId: 'bob', name: 'Bob' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(events.every((event) => (event.payload as { $id: string }).$id === 'ada')).toBe(true)
  })

  it('should never write a password to the request log', async () => {
    const entries: EmulatorLogEntry[] = []
    const logged = await startAppwriteEmulator({ log: (entry) => void entries.push(entry) })
    try {
      const client = new server.Client().setEndpoint(logged.endpoint).setProject(logged.projectId)
      await new server.Account(client).create({ userId: 'ada', email: 'ada@example.com', password })
      // A guest may not change a password; the attempt is still logged.
      await expect(
        new server.Account(client).updatePassword({
          password: 'another secret 1',
          oldPassword: password,
        }),
      ).rejects.toMatchObject({ code: 401 })
    } finally {
      await logged.close()
    }
    expect(entries.map((entry) => entry.type)).toEqual(['http', 'http'])
    const text = JSON.stringify(entries)
    expect(text).not.toContain(password)
    expect(text).not.toContain('another secret 1')
    expect(entries[0]).toMatchObject({
      params: { email: 'ada@example.com', password: '[redacted]' },
    })
  })

  it('should let faults fail account calls on the wire', async () => {
    fake.faults.fail({
      api: 'account',
      operation: 'create',
      times: 1,
      error: 'general_rate_limit_exceeded',
    })
    const account = new Account(web())
    expect(
      await rejection(account.create({ userId: 'ada', email: 'ada@example.com', password })),
    ).toMatchObject(appwriteError(429, 'general_rate_limit_exceeded'))
    expect(
      await account.create({ userId: 'ada', email: 'ada@example.com', password }),
    ).toMatchObject({ $id: 'ada' })
  })
})
