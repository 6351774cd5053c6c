import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { inTransaction, must, permission, startUpstream } from './upstream'
import type { RealtimeSocket, SignedUpUser, Upstream } from './upstream'
import { LEGACY, TABLES_DB, openDatabase } from './tables'
import type { ColumnSpec } from './tables'

// Facts from tests/e2e/Services/Realtime/RealtimeCustomClientTest.php (appwrite 1.9.6; the JWT
// case from the file on appwrite's main branch, added after 1.9.6): the executions channel, a
// row's own channels under both prefixes, several operations of one transaction, and sockets
// signed in by a JWT. Upstream deploys its `timeout` function (sleeps a minute, times out after
// 10 s); here a handler registered with the emulator never answers and the fake's clock passes
// the 10 s.
const CLIENT = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

const clock = createManualClock()
let up: Upstream
let user: SignedUpUser

const anyoneRUD = [permission.read('any'), permission.update('any'), permission.delete('any')]
const NAME: ColumnSpec = ['string', { key: 'name', size: 256, required: true }]

beforeAll(async () => {
  up = await startUpstream({
    fake: createFakeAppwrite({ strict: true, clock }),
    functions: {
      timeout: { handler: () => new Promise(() => {}), execute: ['users'], timeout: 10 },
    },
  })
  user = await up.signUp()
})

afterAll(async () => {
  await up.close()
})

/** A socket on `channels` signed in by the user's session cookie, past its `connected` frame. */
async function listen(channels: string[]) {
  const ws = await up.socket(channels, { origin: 'http://localhost', cookie: user.headers.cookie! })
  const connected = await ws.next()
  expect(connected.type).toBe('connected')
  return { ws, connected }
}

/** The next `count` frames of `ws`. */
async function frames(ws: RealtimeSocket, count: number) {
  const out = []
  for (let i = 0; i < count; i += 1) out.push(await ws.next())
  return out
}

describe('Realtime channels, as the server tests them (continued)', () => {
  it(`${CLIENT} testConnectionJWT: should sign a socket in by the x-appwrite-jwt header or the jwt parameter, and refuse an invalid JWT with 401`, async () => {
    const minted = must(await up.call('POST', '/account/jwt', user.headers), 201, 'minting a JWT')
    const jwt = minted.body.jwt as string
    expect(jwt).not.toBe('')
    const byHeader = await up.socket(['account'], {
      origin: 'http://localhost',
      'x-appwrite-jwt': jwt,
    })
    const byParam = await up.socketWith(
      { project: up.emulator.projectId, channels: ['account'], jwt },
      { origin: 'http://localhost' },
    )
    for (const ws of [byHeader, byParam]) {
      const connected = await ws.next()
      ws.close()
      expect(connected.type).toBe('connected')
      expect(connected.data.user.$id).toBe(user.$id)
      expect(connected.data.channels).toEqual(
        expect.arrayContaining(['account', `account.${user.$id}`]),
      )
    }
    const invalid = await up.socketWith(
      { project: up.emulator.projectId, channels: ['account'], jwt: 'invalid-token' },
      { origin: 'http://localhost' },
    )
    const refused = await invalid.next()
    expect(refused).toMatchObject({ type: 'error', data: { code: 401 } })
    // The server closes the socket after the error.
    expect(await invalid.closed()).toBeGreaterThan(1000)
  })

  it(`${CLIENT} testChannelExecutions: should send an async execution's create and its update when it ends, on its eight channels`, async () => {
    const { ws, connected } = await listen(['executions'])
    expect(connected.data.channels).toEqual(['executions'])
    expect(connected.data.user.$id).toBe(user.$id)
    const execution = await up.call('POST', '/functions/timeout/executions', user.headers, {
      async: true,
    })
    expect(execution.status).toBe(202)
    const executionId = execution.body.$id as string
    // The execution starts, then times out after its 10 s.
    await clock.advance(0)
    await clock.advance(10_000)
    const [created, updated] = await frames(ws, 2)
    const channels = [
      'console',
      `projects.${up.emulator.projectId}`,
      'executions',
      `executions.${executionId}`,
      'functions.timeout',
    ]
    for (const [action, event] of [
      ['create', created],
      ['update', updated],
    ] as const) {
      expect({ action, type: event?.type }).toEqual({ action, type: 'event' })
      expect(event?.data).toHaveProperty('timestamp')
      expect(event?.data.channels).toHaveLength(8)
      expect(event?.data.channels).toEqual(expect.arrayContaining(channels))
      expect(event?.data.events).toEqual(
        expect.arrayContaining([
          `functions.timeout.executions.${executionId}.${action}`,
          `functions.timeout.executions.${executionId}`,
          `functions.timeout.executions.*.${action}`,
          'functions.timeout.executions.*',
          'functions.timeout',
          `functions.*.executions.${executionId}.${action}`,
          `functions.*.executions.${executionId}`,
          `functions.*.executions.*.${action}`,
          'functions.*.executions.*',
          'functions.*',
        ]),
      )
      expect(event?.data.payload.$id).toBe(executionId)
    }
    expect(created?.data.payload.status).toBe('waiting')
    expect(updated?.data.payload.status).toBe('failed')
    ws.close()
  })

  it(`${CLIENT} testChannelTablesDBRowUpdate: should send a row's update to a socket on the row's own channels under both prefixes`, async () => {
    const db = await openDatabase(
      up,
      'Row Update DB',
      [permission.read('any'), permission.create('any'), ...anyoneRUD.slice(1)],
      TABLES_DB,
    )
    const tableId = await db.table('Assembly', [NAME], { rowSecurity: false })
    const { databaseId } = db
    const rowId = 'assembly-row'
    must(
      await db.write(tableId, user.headers, { name: 'Initial Name' }, anyoneRUD, { rowId }),
      201,
      'seeding the row',
    )
    const { ws, connected } = await listen([
      `databases.${databaseId}.tables.${tableId}.rows.${rowId}`,
      `tablesdb.${databaseId}.tables.${tableId}.rows.${rowId}`,
    ])
    expect(Array.isArray(connected.data.channels)).toBe(true)
    must(
      await up.call('PATCH', `${db.rows(tableId)}/${rowId}`, user.headers, {
        data: { name: 'Updated Name' },
      }),
      200,
      'updating the row',
    )
    const event = await ws.next()
    expect(event.type).toBe('event')
    expect(event.data).toHaveProperty('timestamp')
    // The table's rows channel under both prefixes, and the row's own under each.
    const tables = [`databases.${databaseId}`, `tablesdb.${databaseId}`].map(
      (prefix) => `${prefix}.tables.${tableId}.rows`,
    )
    const own = tables.map((channel) => `${channel}.${rowId}`)
    expect(event.data.channels).toEqual(expect.arrayContaining(['rows', ...tables, ...own]))
    expect(event.data.events).toEqual(expect.arrayContaining(own.map((name) => `${name}.update`)))
    expect(event.data.payload.name).toBe('Updated Name')
    ws.close()
  })

  it(`${CLIENT} testChannelDatabaseTransactionMultipleOperations: should send one event per document a committed transaction creates`, async () => {
    const { ws } = await listen(['documents'])
    const db = await openDatabase(
      up,
      'Multi-Op DB',
      [permission.create(`user:${user.$id}`)],
      LEGACY,
    )
    const collectionId = await db.table('Test Collection', [NAME])
    const ids = ['multi-op-1', 'multi-op-2', 'multi-op-3']
    await inTransaction(
      up,
      user.headers,
      ids.map((rowId, i) => ({
        databaseId: db.databaseId,
        tableId: collectionId,
        rowId,
        action: 'create',
        data: { name: `Doc ${i + 1}`, $permissions: anyoneRUD },
      })),
      'commit',
    )
    const events = await frames(ws, 3)
    expect(events.map((event) => event.type)).toEqual(['event', 'event', 'event'])
    expect(events.map((event) => event.data.payload.$id as string).sort()).toEqual(ids)
    ws.close()
  })
})
