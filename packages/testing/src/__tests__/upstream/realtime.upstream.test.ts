import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inTransaction, must, permission, startUpstream } from './upstream'
import type { Answer, SignedUpUser, Upstream } from './upstream'

// Facts from tests/e2e/Services/Realtime/RealtimeBase.php and RealtimeCustomClientTest.php
// (appwrite 1.9.6): raw WebSockets on /v1/realtime with channels in the URL, signed in by the
// session cookie or the `authentication` message.
const BASE = 'tests/e2e/Services/Realtime/RealtimeBase.php'
const CLIENT = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

let up: Upstream
let user: SignedUpUser
let databaseId: string

const anyone = [permission.read('any'), permission.update('any'), permission.delete('any')]

/** A table `name`-column table that the user may create rows in, returning its id. */
async function actors(permissions = [permission.create(`user:${user.$id}`)]): Promise<string> {
  const table = must(
    await up.call('POST', `/tablesdb/${databaseId}/tables`, up.key, {
      tableId: 'unique()',
      name: 'Actors',
      rowSecurity: true,
      permissions,
    }),
    201,
    'creating table Actors',
  )
  const tableId = table.body.$id as string
  must(
    await up.call('POST', `/tablesdb/${databaseId}/tables/${tableId}/columns/string`, up.key, {
      key: 'name',
      size: 256,
      required: true,
    }),
    202,
    'creating column name',
  )
  return tableId
}

/** Creates an actor row `{ name }` as the user (`POST …/rows`): the answer, or throws naming `step`. */
async function createActor(
  tableId: string,
  rowId: string,
  name: string,
  permissions: string[],
  step: string,
): Promise<Answer> {
  const rows = `/tablesdb/${databaseId}/tables/${tableId}/rows`
  return must(
    await up.call('POST', rows, user.headers, { rowId, data: { name }, permissions }),
    201,
    step,
  )
}

/** The event names the server emits for an action on a row of a TablesDB table. */
function rowEvents(tableId: string, rowId: string, action: string): string[] {
  const names: string[] = []
  for (const [prefix, tables, rows] of [
    ['databases', 'collections', 'documents'],
    ['tablesdb', 'tables', 'rows'],
  ] as const) {
    for (const table of [tableId, '*'])
      for (const row of [rowId, '*'])
        names.push(
          `${prefix}.${databaseId}.${tables}.${table}.${rows}.${row}.${action}`,
          `${prefix}.${databaseId}.${tables}.${table}.${rows}.${row}`,
        )
    names.push(
      `${prefix}.${databaseId}.${tables}.${tableId}`,
      `${prefix}.${databaseId}.${tables}.*`,
      `${prefix}.${databaseId}`,
      `${prefix}.*`,
    )
  }
  return names
}

beforeAll(async () => {
  up = await startUpstream()
  user = await up.signUp()
  databaseId = await up.createDatabase('Actors DB')
})

afterAll(async () => {
  await up.close()
})

describe('Realtime, as the server tests it', () => {
  it(`${BASE} testConnection: should answer a new socket with a frame`, async () => {
    const ws = await up.socket(['rows'])
    const frame = await ws.next()
    ws.close()
    expect(frame.type).toBe('connected')
  })

  it(`${BASE} testConnectionSuccessMissingChannels: should connect without channels`, async () => {
    const ws = await up.socket([])
    const frame = await ws.next()
    ws.close()
    expect(frame.type).toBe('connected')
    expect(frame).toHaveProperty('data')
  })

  it(`${BASE} testConnectionFailureUnknownProject: should answer error 1008 and close`, async () => {
    const ws = await up.socket(['rows'], {}, '123')
    const frame = await ws.next()
    expect(frame).toMatchObject({
      type: 'error',
      data: { code: 1008, message: 'Missing or unknown project ID' },
    })
    expect(await ws.closed()).toBe(1008)
  })

  it(`${BASE} testConnectionRegionCheck: should list the channels asked for`, async () => {
    const ws = await up.socket(['documents'])
    const frame = await ws.next()
    ws.close()
    expect(frame.type).toBe('connected')
    expect(frame.data.channels).toContain('documents')
  })

  it(`${CLIENT} testChannelParsing: should add account.<id> to account and keep every other channel as given`, async () => {
    const documents = await up.socket(['documents'], { cookie: user.headers.cookie as string })
    const first = await documents.next()
    documents.close()
    expect(first.type).toBe('connected')
    expect(first.data.channels).toEqual(['documents'])
    expect(first.data.user.$id).toBe(user.$id)
    const account = await up.socket(['account'], { cookie: user.headers.cookie as string })
    const second = await account.next()
    account.close()
    expect([...(second.data.channels as string[])].sort()).toEqual(
      ['account', `account.${user.$id}`].sort(),
    )
    const many = [
      'account',
      'files',
      'files.1',
      'collections',
      'tables',
      'collections.1.documents',
      'collections.2.documents',
      'tables.1.rows',
      'tables.2.rows',
      'documents',
      'rows',
      'collections.1.documents.1',
      'collections.2.documents.2',
      'tables.1.rows.1',
      'tables.2.rows.2',
    ]
    const all = await up.socket(many, { cookie: user.headers.cookie as string })
    const third = await all.next()
    all.close()
    expect(third.data.channels).toHaveLength(16)
    expect(third.data.channels).toEqual(expect.arrayContaining([...many, `account.${user.$id}`]))
    expect(third.data.user.$id).toBe(user.$id)
  })

  it(`${CLIENT} testPingPong: should answer ping with pong`, async () => {
    const ws = await up.socket(['files'])
    const connected = await ws.next()
    expect(connected.data.channels).toEqual(['files'])
    ws.send({ type: 'ping' })
    const pong = await ws.next()
    ws.close()
    expect(pong.type).toBe('pong')
  })

  it(`${CLIENT} testManualAuthentication: should authenticate by message and refuse bad messages with 1003`, async () => {
    const ws = await up.socket(['account'])
    const connected = await ws.next()
    expect(connected.data.channels).toEqual(['account'])
    ws.send({ type: 'authentication', data: { session: user.session } })
    const response = await ws.next()
    expect(response).toMatchObject({
      type: 'response',
      data: { to: 'authentication', success: true, user: { $id: user.$id } },
    })
    const refused: Array<[unknown, string]> = [
      [{ type: 'authentication', data: { session: 'invalid_session' } }, 'Session is not valid.'],
      [{ type: 'authentication', data: {} }, 'Payload is not valid. Session is required'],
      [{ type: 'unknown', data: { session: 'invalid_session' } }, 'Message type is not valid.'],
      [{ test: '123' }, 'Message format is not valid.'],
    ]
    for (const [message, text] of refused) {
      ws.send(message)
      expect(await ws.next()).toMatchObject({ type: 'error', data: { code: 1003, message: text } })
    }
    ws.close()
  })

  it(`${CLIENT} testChannelTablesDB: should send create, update and delete of a row with every channel and event name`, async () => {
    const tableId = await actors()
    const ws = await up.socket(['documents', 'collections'], {
      cookie: user.headers.cookie as string,
    })
    const connected = await ws.next()
    expect(connected.data.channels).toHaveLength(2)
    expect(connected.data.user.$id).toBe(user.$id)
    const rows = `/tablesdb/${databaseId}/tables/${tableId}/rows`
    const created = await createActor(
      tableId,
      'unique()',
      'Chris Evans',
      anyone,
      'creating the row',
    )
    const rowId = created.body.$id as string
    const onCreate = await ws.next()
    expect(onCreate.type).toBe('event')
    expect(onCreate.data.channels).toHaveLength(16)
    expect(onCreate.data.channels).toEqual(
      expect.arrayContaining([
        'documents',
        `databases.${databaseId}.collections.${tableId}.documents.${rowId}`,
        `databases.${databaseId}.collections.${tableId}.documents`,
        `databases.${databaseId}.tables.${tableId}.rows.${rowId}`,
        `databases.${databaseId}.tables.${tableId}.rows`,
      ]),
    )
    expect(onCreate.data.events).toEqual(
      expect.arrayContaining(rowEvents(tableId, rowId, 'create')),
    )
    expect(onCreate.data.payload.name).toBe('Chris Evans')
    await up.call('PATCH', `${rows}/${rowId}`, user.headers, { data: { name: 'Chris Evans 2' } })
    const onUpdate = await ws.next()
    expect(onUpdate.data.channels).toHaveLength(16)
    expect(onUpdate.data.events).toEqual(
      expect.arrayContaining(rowEvents(tableId, rowId, 'update')),
    )
    expect(onUpdate.data.payload.name).toBe('Chris Evans 2')
    await up.call('DELETE', `${rows}/${rowId}`, user.headers)
    const onDelete = await ws.next()
    expect(onDelete.data.events).toEqual(
      expect.arrayContaining(rowEvents(tableId, rowId, 'delete')),
    )
    ws.close()
  })

  it(`${CLIENT} testChannelsTablesDB: should give legacy and rows subscribers the same row event, with tablesdb channels`, async () => {
    const tableId = await actors([
      permission.read('any'),
      permission.create('any'),
      permission.update('any'),
      permission.delete('any'),
    ])
    const cookie = { cookie: user.headers.cookie as string }
    const legacy = await up.socket(['documents', 'collections'], cookie)
    const tables = await up.socket(['rows', 'tables'], cookie)
    expect((await legacy.next()).data.channels).toContain('documents')
    expect((await tables.next()).data.channels).toContain('rows')
    const rowId = 'chris'
    await createActor(tableId, rowId, 'Chris Evans', anyone, 'creating the row')
    for (const event of [await legacy.next(), await tables.next()]) {
      expect(event.type).toBe('event')
      expect(event.data.channels).toEqual(
        expect.arrayContaining([
          'rows',
          `tablesdb.${databaseId}.tables.${tableId}.rows`,
          `tablesdb.${databaseId}.tables.${tableId}.rows.${rowId}`,
          'documents',
          `databases.${databaseId}.tables.${tableId}.rows`,
          `databases.${databaseId}.tables.${tableId}.rows.${rowId}`,
          `databases.${databaseId}.collections.${tableId}.documents`,
          `databases.${databaseId}.collections.${tableId}.documents.${rowId}`,
        ]),
      )
      expect(event.data.events).toContain(
        `databases.${databaseId}.tables.${tableId}.rows.${rowId}.create`,
      )
      expect(event.data.payload.name).toBe('Chris Evans')
    }
    legacy.close()
    tables.close()
  })

  it(`${CLIENT} testChannelDatabaseTransaction: should send one event per committed create, update and delete`, async () => {
    const tableId = await actors()
    const ws = await up.socket(['documents'], { cookie: user.headers.cookie as string })
    expect((await ws.next()).type).toBe('connected')
    const rowId = 'transaction-row'
    const run = (operation: Record<string, unknown>) =>
      inTransaction(up, user.headers, [{ databaseId, tableId, rowId, ...operation }], 'commit')
    await run({
      action: 'create',
      data: { name: 'Transaction Document', $permissions: anyone },
    })
    const created = await ws.next()
    expect(created.type).toBe('event')
    expect(created.data.channels).toContain('documents')
    expect(created.data.events).toContain(
      `databases.${databaseId}.tables.${tableId}.rows.${rowId}.create`,
    )
    expect(created.data.payload.name).toBe('Transaction Document')
    await run({ action: 'update', data: { name: 'Updated Transaction Document' } })
    const updated = await ws.next()
    expect(updated.data.events).toContain(
      `databases.${databaseId}.tables.${tableId}.rows.${rowId}.update`,
    )
    expect(updated.data.payload.name).toBe('Updated Transaction Document')
    await run({ action: 'delete' })
    const deleted = await ws.next()
    expect(deleted.data.events).toContain(
      `databases.${databaseId}.tables.${tableId}.rows.${rowId}.delete`,
    )
    ws.close()
  })

  it(`${CLIENT} testChannelDatabaseTransactionRollback: should send nothing for a rolled-back transaction`, async () => {
    const tableId = await actors()
    const ws = await up.socket(['documents'], { cookie: user.headers.cookie as string })
    expect((await ws.next()).type).toBe('connected')
    await inTransaction(
      up,
      user.headers,
      [
        {
          databaseId,
          tableId,
          rowId: 'rolled-back',
          action: 'create',
          data: { name: 'Rolled back', $permissions: anyone },
        },
      ],
      'rollback',
    )
    // The next frame is the row written after the rollback, not the rolled-back one.
    await createActor(tableId, 'after', 'After', anyone, 'creating the row after')
    const next = await ws.next()
    ws.close()
    expect(next.data.payload.$id).toBe('after')
  })

  it(`${CLIENT} testChannelDatabaseCollectionPermissions: should not send a row event to a user who cannot read the row`, async () => {
    const tableId = await actors()
    const reader = await up.signUp()
    const ws = await up.socket(['documents'], { cookie: reader.headers.cookie as string })
    expect((await ws.next()).data.user.$id).toBe(reader.$id)
    await createActor(
      tableId,
      'private',
      'Private',
      [permission.read(`user:${user.$id}`)],
      'creating the private row',
    )
    await createActor(tableId, 'public', 'Public', anyone, 'creating the public row')
    const next = await ws.next()
    ws.close()
    expect(next.data.payload.$id).toBe('public')
  })

  it(`${CLIENT} testChannelAccount: should send the user's account updates and session changes on its account channels`, async () => {
    const owner = await up.signUp()
    const ws = await up.socket(['account'], { cookie: owner.headers.cookie as string })
    const connected = await ws.next()
    expect([...(connected.data.channels as string[])].sort()).toEqual(
      ['account', `account.${owner.$id}`].sort(),
    )
    const userEvents = (id: string, what: string) => [
      `users.${id}.update.${what}`,
      `users.${id}.update`,
      `users.${id}`,
      `users.*.update.${what}`,
      `users.*.update`,
      'users.*',
    ]
    await up.call('PATCH', '/account/name', owner.headers, { name: 'Torsten Dittmann' })
    const renamed = await ws.next()
    expect(renamed.type).toBe('event')
    expect([...(renamed.data.channels as string[])].sort()).toEqual(
      ['account', `account.${owner.$id}`, 'account.update', `account.${owner.$id}.update`].sort(),
    )
    expect(renamed.data.events).toEqual(expect.arrayContaining(userEvents(owner.$id, 'name')))
    expect(renamed.data.payload.name).toBe('Torsten Dittmann')
    await up.call('PATCH', '/account/prefs', owner.headers, {
      prefs: { prefKey1: 'prefValue1', prefKey2: 'prefValue2' },
    })
    const prefs = await ws.next()
    expect(prefs.data.channels).toHaveLength(4)
    expect(prefs.data.events).toEqual(expect.arrayContaining(userEvents(owner.$id, 'prefs')))
    const session = await up.openSession(owner)
    const sessionId = session.body.$id as string
    const opened = await ws.next()
    expect([...(opened.data.channels as string[])].sort()).toEqual(
      ['account', `account.${owner.$id}`].sort(),
    )
    expect(opened.data.events).toEqual(
      expect.arrayContaining([
        `users.${owner.$id}.sessions.${sessionId}.create`,
        `users.${owner.$id}.sessions.${sessionId}`,
        `users.${owner.$id}.sessions.*.create`,
        `users.*.sessions.*`,
        'users.*',
      ]),
    )
    await up.call('DELETE', `/account/sessions/${sessionId}`, owner.headers)
    const closed = await ws.next()
    expect(closed.data.channels).toHaveLength(2)
    expect(closed.data.events).toContain(`users.${owner.$id}.sessions.${sessionId}.delete`)
    ws.close()
  })
})
