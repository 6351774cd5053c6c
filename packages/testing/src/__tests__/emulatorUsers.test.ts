import { createHash } from 'node:crypto'
import { Account, Client, TablesDB as WebTablesDB } from 'appwrite'
import * as server from 'node-appwrite'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { serverClient } from './emulatorHelpers'
import {
  appwriteError,
  cleanupAfterEach,
  collector,
  mainDatabase,
  memoryStorage,
  rejection,
  setGlobals,
  tempDir,
} from './helpers'

// A migration script (node-appwrite with the API key) imports users with the password hashes
// another system kept; then each user signs in with the web SDK as before the move.

const cleanups = cleanupAfterEach()
const storage = new Map<string, string>()
let emulator: AppwriteEmulator
let restoreGlobals: () => void

beforeAll(async () => {
  emulator = await startAppwriteEmulator({
    fake: createFakeAppwrite({
      databases: mainDatabase({ notes: { permissions: [], rowSecurity: true } }),
    }),
  })
  // The web SDK keeps its cookie fallback in `window.localStorage` and warns on `window.console`.
  restoreGlobals = setGlobals({
    window: { localStorage: memoryStorage(storage), console: { warn: () => {} } },
  })
})

afterEach(() => {
  storage.clear()
  emulator.fake.reset()
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

const users = (on = emulator) => new server.Users(serverClient(on))
const web = (on = emulator) => new Client().setEndpoint(on.endpoint).setProject(on.projectId)
// Each sign-in is a new browser: no session cookie carried over from the one before.
const signIn = (email: string, password: string, on = emulator) => {
  storage.clear()
  return new Account(web(on)).createEmailPasswordSession({ email, password })
}

// Openwall's crypt_blowfish test vector: the bytes after the 72nd are not part of the hash.
const BCRYPT_PASSWORD =
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored'
const BCRYPT_HASH = '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'
// Firebase's modified scrypt, with the project's hash parameters (from the server's own tests).
const FIREBASE = {
  password:
    'UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ==',
  passwordSalt: 'UxLMreBr6tYyjQ==',
  passwordSaltSeparator: 'Bw==',
  passwordSignerKey:
    'XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ==',
}
// argon2i, salt "appwrite", m=20, t=3, p=2, of the password "appwrite" (the server's tests).
const ARGON2_HASH =
  '$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI'

const hex = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex')

describe('emulator users: imported password hashes', () => {
  it('should sign in users a migration imported with bcrypt, SHA, MD5, phpass and Firebase scrypt hashes', async () => {
    const admin = users()
    const imported = [
      await admin.createBcryptUser({
        userId: 'bcrypt',
        email: 'bcrypt@example.com',
        password: BCRYPT_HASH,
      }),
      await admin.createSHAUser({
        userId: 'sha',
        email: 'sha@example.com',
        password: hex('sha512', 'sha password'),
        passwordVersion: server.PasswordHash.Sha512,
      }),
      await admin.createMD5User({
        userId: 'md5',
        email: 'md5@example.com',
        password: hex('md5', 'md5 password'),
        name: 'Old Timer',
      }),
      await admin.createPHPassUser({
        userId: 'phpass',
        email: 'phpass@example.com',
        password: '$P$Br387rwferoKN7uwHZqNMu98q3U8RO.',
      }),
      await admin.createScryptModifiedUser({
        userId: 'firebase',
        email: 'firebase@example.com',
        ...FIREBASE,
      }),
    ]
    expect(imported.map((user) => [user.$id, user.hash])).toEqual([
      ['bcrypt', 'bcrypt'],
      ['sha', 'sha'],
      ['md5', 'md5'],
      ['phpass', 'phpass'],
      ['firebase', 'scryptMod'],
    ])
    // The hash is stored as given, with its options.
    expect(imported[0]).toMatchObject({ password: BCRYPT_HASH, hashOptions: { type: 'bcrypt' } })
    expect(imported[1]?.hashOptions).toEqual({ version: 'sha512' })
    expect(imported[4]?.hashOptions).toEqual({
      type: 'scryptMod',
      salt: FIREBASE.passwordSalt,
      saltSeparator: FIREBASE.passwordSaltSeparator,
      signerKey: FIREBASE.passwordSignerKey,
    })

    const passwords: Array<[email: string, password: string]> = [
      ['bcrypt@example.com', BCRYPT_PASSWORD],
      ['sha@example.com', 'sha password'],
      ['md5@example.com', 'md5 password'],
      ['phpass@example.com', 'appwrite'],
      ['firebase@example.com', 'appwrite'],
    ]
    for (const [email, password] of passwords) {
      expect(await rejection(signIn(email, `x${password}`))).toMatchObject(
        appwriteError(401, 'user_invalid_credentials'),
      )
      const session = await signIn(email, password)
      expect(session).toMatchObject({ provider: 'email', current: true })
      // Re-hashed once it matched, as the server does: the next sign-in no longer needs the import.
      const user = await admin.get({ userId: session.userId })
      expect(user.hash).not.toBe(imported.find((u) => u.$id === session.userId)?.hash)
      expect(user.password).not.toBe(imported.find((u) => u.$id === session.userId)?.password)
      expect(await signIn(email, password)).toMatchObject({ userId: session.userId })
      expect(await rejection(signIn(email, `x${password}`))).toMatchObject(
        appwriteError(401, 'user_invalid_credentials'),
      )
    }
    // bcrypt reads only the first 72 bytes of a password.
    await admin.createBcryptUser({ userId: 'b2', email: 'b2@example.com', password: BCRYPT_HASH })
    expect(
      await signIn('b2@example.com', `${BCRYPT_PASSWORD.slice(0, 72)} anything else`),
    ).toMatchObject({ userId: 'b2' })
    // Verifying imported hashes in plain JavaScript (argon2, scrypt, bcrypt) is seconds of CPU.
  }, 30_000)

  it('should sign in users imported with argon2i and argon2id hashes', async () => {
    await users().createArgon2User({
      userId: 'argon2i',
      email: 'argon2i@example.com',
      password: ARGON2_HASH,
    })
    // The reference implementation's test vector (src/test.c): "password", salt "somesalt".
    await users().createArgon2User({
      userId: 'argon2id',
      email: 'argon2id@example.com',
      password:
        '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
    })
    expect(await rejection(signIn('argon2i@example.com', 'appwrite!'))).toMatchObject(
      appwriteError(401, 'user_invalid_credentials'),
    )
    expect(await signIn('argon2i@example.com', 'appwrite')).toMatchObject({ userId: 'argon2i' })
    expect(await rejection(signIn('argon2id@example.com', 'password!'))).toMatchObject(
      appwriteError(401, 'user_invalid_credentials'),
    )
    expect(await signIn('argon2id@example.com', 'password')).toMatchObject({ userId: 'argon2id' })
  })

  it('should refuse loudly a sign-in against an argon2 hash it cannot verify', async () => {
    await users().createArgon2User({
      userId: 'old',
      email: 'old@example.com',
      password: '$argon2i$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ',
    })
    const error = await rejection(signIn('old@example.com', 'password'))
    expect(error).toMatchObject(appwriteError(405, 'general_not_implemented'))
    expect(error.message).toContain('argon2 version 16')
  })

  it('should keep the new Users routes to API keys: a guest or a signed-in user gets 401', async () => {
    await users().create({ userId: 'ada', email: 'ada@example.com', password: 'correct horse' })
    const { jwt } = await users().createJWT({ userId: 'ada' })
    const asUser = new server.Users(
      new server.Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId).setJWT(jwt),
    )
    const asGuest = new server.Users(
      new server.Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId),
    )
    for (const caller of [asUser, asGuest]) {
      // The server names a signed-in caller by its email.
      const who = caller === asUser ? 'ada@example.com (role: users)' : 'User (role: guests)'
      expect(
        await rejection(
          caller.createBcryptUser({ userId: 'x', email: 'x@example.com', password: BCRYPT_HASH }),
        ),
      ).toMatchObject(
        appwriteError(401, 'general_unauthorized_scope', `${who} missing scopes (["users.write"])`),
      )
      expect(await rejection(caller.listIdentities())).toMatchObject(
        appwriteError(401, 'general_unauthorized_scope'),
      )
      expect(
        await rejection(caller.updatePhone({ userId: 'ada', number: '+14155550123' })),
      ).toMatchObject(appwriteError(401, 'general_unauthorized_scope'))
    }
  })

  it('should check scrypt parameters and refuse what the server hasher refuses', async () => {
    const admin = users()
    const scrypt = {
      userId: 'scrypt',
      email: 'scrypt@example.com',
      password:
        '3fdef49701bc4cfaacd551fe017283513284b4731e6945c263246ef948d3cf63b5d269c31fd697246085111a428245e24a4ddc6b64c687bc60a8910dbafc1d5b',
      passwordSalt: 'appwrite',
      passwordCpu: 16384,
      passwordMemory: 13,
      passwordParallel: 2,
      passwordLength: 64,
    }
    const refused = await rejection(admin.createScryptUser({ ...scrypt, passwordCpu: 1000 }))
    expect(refused).toMatchObject(appwriteError(400, 'general_argument_invalid'))
    expect(refused.message).toContain('CPU cost must be > 1 and a power of 2')
    expect(
      await rejection(
        admin.createMD5User({ userId: 'short', email: 'x@example.com', password: 'abc' }),
      ),
    ).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `password` param: Password must be between 8 and 256 characters long.',
      ),
    )
    const user = await admin.createScryptUser(scrypt)
    expect(user.hashOptions).toEqual({
      type: 'scrypt',
      costCpu: 16384,
      costMemory: 13,
      costParallel: 2,
      length: 64,
      salt: 'appwrite',
    })
    expect(
      await rejection(
        admin.createBcryptUser({ ...scrypt, userId: 'other', password: BCRYPT_HASH }),
      ),
    ).toMatchObject(appwriteError(409, 'user_already_exists'))
    expect(await signIn('scrypt@example.com', 'appwrite')).toMatchObject({ userId: 'scrypt' })
  })

  it('should keep an imported hash, phone and MFA flag across a restart on a data dir', async () => {
    const dir = await tempDir(cleanups, 'bg-users-')
    const first = await startAppwriteEmulator({ data: dir })
    let closed = false
    cleanups.push(async () => {
      if (!closed) await first.close()
    })
    await users(first).createBcryptUser({
      userId: 'ada',
      email: 'ada@example.com',
      password: BCRYPT_HASH,
    })
    await users(first).updatePhone({ userId: 'ada', number: '+14155550123' })
    await users(first).updatePhoneVerification({ userId: 'ada', phoneVerification: true })
    await users(first).updateMfa({ userId: 'ada', mfa: true })
    const before = await users(first).get({ userId: 'ada' })
    await first.close()
    closed = true

    const second = await startAppwriteEmulator({ data: dir })
    cleanups.push(() => second.close())
    const after = await users(second).get({ userId: 'ada' })
    expect(after).toEqual(before)
    expect(after).toMatchObject({
      hash: 'bcrypt',
      password: BCRYPT_HASH,
      phone: '+14155550123',
      phoneVerification: true,
      mfa: true,
    })
    expect(await signIn('ada@example.com', BCRYPT_PASSWORD, second)).toMatchObject({
      userId: 'ada',
    })
  })
})

describe('emulator users: JWTs, phone, MFA, logs and identities', () => {
  it('should let a users.createJWT token read the rows its user may read, and only those', async () => {
    const admin = users()
    await admin.create({ userId: 'ada', email: 'ada@example.com', password: 'correct horse' })
    const rows = new server.TablesDB(serverClient(emulator))
    const notes = { databaseId: 'main', tableId: 'notes' }
    await rows.createRow({
      ...notes,
      rowId: 'mine',
      data: { text: 'for ada' },
      permissions: [server.Permission.read(server.Role.user('ada'))],
    })
    await rows.createRow({
      ...notes,
      rowId: 'theirs',
      data: { text: 'for bob' },
      permissions: [server.Permission.read(server.Role.user('bob'))],
    })
    const { jwt } = await admin.createJWT({ userId: 'ada' })
    const asAda = new WebTablesDB(web().setJWT(jwt))
    expect(await asAda.getRow({ ...notes, rowId: 'mine' })).toMatchObject({ text: 'for ada' })
    expect(await rejection(asAda.getRow({ ...notes, rowId: 'theirs' }))).toMatchObject(
      appwriteError(404, 'row_not_found'),
    )
    expect((await asAda.listRows(notes)).rows.map((row) => row.$id)).toEqual(['mine'])
    expect(await new Account(web().setJWT(jwt)).get()).toMatchObject({ $id: 'ada' })

    // Tied to a session, it ends with it; `current` or an unknown id ties it to none.
    const session = await admin.createSession({ userId: 'ada' })
    const tied = await admin.createJWT({ userId: 'ada', sessionId: 'recent' })
    const loose = await admin.createJWT({ userId: 'ada', sessionId: 'current' })
    await admin.deleteSession({ userId: 'ada', sessionId: session.$id })
    expect(await rejection(new Account(web().setJWT(tied.jwt)).get())).toMatchObject(
      appwriteError(401, 'general_unauthorized_scope'),
    )
    expect(await new Account(web().setJWT(loose.jwt)).get()).toMatchObject({ $id: 'ada' })
  })

  it('should sign a realtime socket in with a users.createJWT token, which then sees only its rows', async () => {
    await users().create({ userId: 'ada', email: 'ada@example.com', password: 'correct horse' })
    const { jwt } = await users().createJWT({ userId: 'ada' })
    const channel = 'databases.main.tables.notes.rows'
    const socket = new WsClient(
      `${emulator.realtimeEndpoint}/realtime?project=${emulator.projectId}&channels[]=${channel}&jwt=${encodeURIComponent(jwt)}`,
    )
    cleanups.push(async () => socket.close())
    const frames = collector<{ type: string; data: Record<string, unknown> }>()
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as never))
    const [connected] = await frames.atLeast(1)
    expect(connected).toMatchObject({ type: 'connected', data: { user: { $id: 'ada' } } })
    await emulator.realtime.waitForSubscriptions(1)
    const rows = new server.TablesDB(serverClient(emulator))
    for (const [rowId, reader] of [
      ['for-bob', 'bob'],
      ['for-ada', 'ada'],
    ] as const)
      await rows.createRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId,
        data: { text: rowId },
        permissions: [server.Permission.read(server.Role.user(reader))],
      })
    const [, event] = await frames.atLeast(2)
    expect(event).toMatchObject({ type: 'event', data: { payload: { $id: 'for-ada' } } })
    expect(frames.items).toHaveLength(2)
  })

  it('should set, verify and remove a phone, refusing one another user has', async () => {
    const admin = users()
    await admin.create({ userId: 'ada', email: 'ada@example.com', password: 'correct horse' })
    await admin.create({ userId: 'bob', phone: '+14155550100' })
    const set = await admin.updatePhone({ userId: 'ada', number: '+14155550123' })
    expect(set).toMatchObject({ phone: '+14155550123', phoneVerification: false })
    // The server keeps an SMS target with the number, beside the email one.
    expect(set.targets.map((t) => [t.providerType, t.identifier])).toEqual([
      ['email', 'ada@example.com'],
      ['sms', '+14155550123'],
    ])
    expect(
      await admin.updatePhoneVerification({ userId: 'ada', phoneVerification: true }),
    ).toMatchObject({ phoneVerification: true })
    expect(
      await rejection(admin.updatePhone({ userId: 'ada', number: '+14155550100' })),
    ).toMatchObject(appwriteError(409, 'user_target_already_exists'))
    expect(await rejection(admin.updatePhone({ userId: 'ada', number: '555' }))).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        "Invalid `number` param: Phone number must start with a '+' can have a maximum of fifteen digits.",
      ),
    )
    // A new number is not verified yet; '' removes it.
    expect(await admin.updatePhone({ userId: 'ada', number: '+14155550124' })).toMatchObject({
      phoneVerification: false,
    })
    const removed = await admin.updatePhone({ userId: 'ada', number: '' })
    expect(removed).toMatchObject({ phone: '' })
    expect(removed.targets.map((t) => t.providerType)).toEqual(['email'])
    expect(
      await rejection(admin.updatePhone({ userId: 'nobody', number: '+14155550125' })),
    ).toMatchObject(appwriteError(404, 'user_not_found'))
  })

  it('should set the MFA flag, answer empty logs and identities, and 404 an identity', async () => {
    const admin = users()
    await admin.create({ userId: 'ada', email: 'ada@example.com', password: 'correct horse' })
    expect(await admin.updateMFA({ userId: 'ada', mfa: true })).toMatchObject({ mfa: true })
    expect(await admin.get({ userId: 'ada' })).toMatchObject({ mfa: true })
    expect(await admin.updateMfa({ userId: 'ada', mfa: false })).toMatchObject({ mfa: false })
    expect(await admin.listLogs({ userId: 'ada', queries: [server.Query.limit(1)] })).toEqual({
      total: 0,
      logs: [],
    })
    expect(
      await rejection(admin.listLogs({ userId: 'ada', queries: [server.Query.equal('$id', 'x')] })),
    ).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query method: equal',
      ),
    )
    expect(await rejection(admin.listLogs({ userId: 'nobody' }))).toMatchObject(
      appwriteError(404, 'user_not_found'),
    )
    expect(await admin.listIdentities()).toEqual({ total: 0, identities: [] })
    expect(
      await rejection(admin.listIdentities({ queries: [server.Query.equal('secret', 'x')] })),
    ).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query: Attribute not found in schema: secret',
      ),
    )
    expect(await rejection(admin.deleteIdentity({ identityId: 'nope' }))).toMatchObject(
      appwriteError(404, 'user_identity_not_found'),
    )
  })
})

describe('emulator users: list queries', () => {
  beforeAll(() => undefined)

  async function seedUsers() {
    const admin = users()
    const people = [
      ['ada', 'Ada Lovelace', 'ada@analytical.engine'],
      ['bob', 'Bob Builder', 'bob@example.com'],
      ['cy', 'Cy Young', 'cy@example.com'],
      ['dee', 'Dee Dee', 'dee@analytical.engine'],
    ] as const
    for (const [userId, name, email] of people)
      await admin.create({ userId, name, email, password: 'correct horse' })
    await admin.updateStatus({ userId: 'cy', status: false })
    return admin
  }
  const ids = (list: { users: Array<{ $id: string }> }) => list.users.map((user) => user.$id)

  it('should filter, order, page and search as the server does', async () => {
    const admin = await seedUsers()
    const { Query } = server
    expect(ids(await admin.list({ queries: [Query.equal('status', false)] }))).toEqual(['cy'])
    expect(
      ids(
        await admin.list({ queries: [Query.startsWith('email', 'ADA'), Query.orderDesc('name')] }),
      ),
    ).toEqual(['ada'])
    expect(ids(await admin.list({ queries: [Query.orderDesc('name')] }))).toEqual([
      'dee',
      'cy',
      'bob',
      'ada',
    ])
    const page = await admin.list({ queries: [Query.limit(2), Query.offset(1)] })
    expect({ ids: ids(page), total: page.total }).toEqual({ ids: ['bob', 'cy'], total: 4 })
    expect(ids(await admin.list({ queries: [Query.cursorAfter('bob'), Query.limit(1)] }))).toEqual([
      'cy',
    ])
    expect(ids(await admin.list({ queries: [Query.cursorBefore('cy'), Query.limit(1)] }))).toEqual([
      'bob',
    ])
    // Full-text: each word searched starts a word of the id, email, phone or name.
    expect(ids(await admin.list({ search: 'analytical' }))).toEqual(['ada', 'dee'])
    expect(ids(await admin.list({ search: 'lov' }))).toEqual(['ada'])
    expect(ids(await admin.list({ search: 'ada engine' }))).toEqual(['ada'])
    expect(ids(await admin.list({ search: '>' }))).toEqual([])
    expect(await admin.list({ total: false })).toMatchObject({ total: 0 })
  })

  // The `queries` parameter's validator refuses with `general_argument_invalid` (a parameter
  // error, its message prefixed twice for a string that is not JSON, as the server's is); the
  // database then refuses a `search` query and an unknown cursor.
  it('should refuse select, unknown attributes, search queries and unknown cursors with the server errors', async () => {
    const admin = await seedUsers()
    const { Query } = server
    const refusal = async (queries: string[]) => rejection(admin.list({ queries }))
    expect(await refusal([Query.select(['name'])])).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query method: select',
      ),
    )
    expect(await refusal([Query.equal('password', 'x')])).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query: Attribute not found in schema: password',
      ),
    )
    expect(await refusal(['not json'])).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query: Invalid query: Syntax error',
      ),
    )
    expect(await refusal([Query.limit(0)])).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query: Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807',
      ),
    )
    expect(await refusal([Query.search('name', 'ada')])).toMatchObject(
      appwriteError(
        400,
        'general_query_invalid',
        'Searching by attribute "name" requires a fulltext index.',
      ),
    )
    expect(await refusal([Query.cursorAfter('ghost')])).toMatchObject(
      appwriteError(
        400,
        'general_cursor_not_found',
        "User 'ghost' for the 'cursor' value not found.",
      ),
    )
  })

  it('should query the labels array with contains only, refusing equal the way the database does', async () => {
    const admin = await seedUsers()
    const { Query } = server
    await admin.updateLabels({ userId: 'bob', labels: ['vip'] })
    expect(ids(await admin.list({ queries: [Query.contains('labels', ['vip'])] }))).toEqual(['bob'])
    expect(
      await rejection(admin.list({ queries: [Query.equal('labels', ['vip'])] })),
    ).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `queries` param: Invalid query: Cannot query equal on attribute "labels" because it is an array.',
      ),
    )
  })

  it('should refuse a search of identities, as the identities have no search attribute', async () => {
    const admin = await seedUsers()
    expect(await rejection(admin.listIdentities({ search: 'identity' }))).toMatchObject(
      appwriteError(
        400,
        'general_query_invalid',
        'Invalid query: Attribute not found in schema: search',
      ),
    )
    expect(await admin.listIdentities({ search: '' })).toEqual({ total: 0, identities: [] })
  })
})
