import { Client, Permission, Realtime, Role, TablesDB } from 'appwrite'
import type { RealtimeResponseEvent } from 'appwrite'
import * as server from 'node-appwrite'
import { WebSocket as UndiciWebSocket } from 'undici'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { appwriteError, collector, mainDatabase, rejection, setGlobals, until } from './helpers'
import { serverClient } from './emulatorHelpers'

const fake = createFakeAppwrite({
  databases: mainDatabase({
    // Signed-in users may create bookings; each row is readable by its permissions only.
    bookings: { permissions: ['create("users")'], rowSecurity: true },
  }),
})
let emulator: AppwriteEmulator
let restoreGlobals: () => void
let admin: server.TablesDB
const realtimes: Realtime[] = []
const frames: string[] = []

const target = { databaseId: 'main', tableId: 'bookings' }
const pending: Record<string, unknown> = { status: 'pending' }

function webClient(configure: (client: Client) => Client = (c) => c) {
  return configure(new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId))
}

function asUser(userId: string) {
  return webClient((client) => client.setJWT(emulator.createJWT(userId)))
}

beforeAll(async () => {
  restoreGlobals = setGlobals({
    WebSocket: UndiciWebSocket,
    window: globalThis,
    localStorage: { getItem: () => null, setItem: () => {}, removeItem: () => {} },
  })
  emulator = await startAppwriteEmulator({
    fake,
    log: (entry) => {
      if (entry.type === 'realtime.out') frames.push(entry.frame)
    },
  })
  admin = new server.TablesDB(serverClient(emulator))
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {})
  vi.spyOn(console, 'error').mockImplementation(() => {})
})

afterEach(async () => {
  for (const realtime of realtimes.splice(0)) await realtime.disconnect()
  fake.reset()
})

describe('emulator permissions', () => {
  it("should give a user's new row to that user, as the server does", async () => {
    const row = await new TablesDB(asUser('alice')).createRow({
      ...target,
      rowId: 'b1',
      data: pending,
    })
    expect(row.$permissions).toEqual([
      'read("user:alice")',
      'update("user:alice")',
      'delete("user:alice")',
    ])
  })

  it("should hide a user's row from other users and guests, but not from the API key", async () => {
    await new TablesDB(asUser('alice')).createRow({
      ...target,
      rowId: 'b1',
      data: pending,
    })
    const bob = new TablesDB(asUser('bob'))
    expect(await rejection(bob.getRow({ ...target, rowId: 'b1' }))).toMatchObject(
      appwriteError(404, 'row_not_found'),
    )
    expect(await bob.listRows(target)).toMatchObject({ total: 0, rows: [] })
    const guest = new TablesDB(webClient())
    expect((await guest.listRows(target)).total).toBe(0)
    expect(await admin.getRow({ ...target, rowId: 'b1' })).toMatchObject({ $id: 'b1' })
  })

  it('should refuse a create without the table permission and foreign roles in permissions', async () => {
    const guest = await rejection(
      new TablesDB(webClient()).createRow({ ...target, rowId: 'b1', data: pending }),
    )
    expect(guest).toMatchObject(appwriteError(401, 'user_unauthorized'))
    const foreign = await rejection(
      new TablesDB(asUser('alice')).createRow({
        ...target,
        rowId: 'b2',
        data: pending,
        permissions: [Permission.read(Role.user('bob'))],
      }),
    )
    expect(foreign).toMatchObject(appwriteError(401, 'user_unauthorized'))
    expect(foreign.message).toMatch(/^Permissions must be one of: \(/)
  })

  it('should send realtime events only to sockets whose user may read the row', async () => {
    const aliceEvents = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    const bobEvents = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    const alice = new Realtime(asUser('alice'))
    const bob = new Realtime(asUser('bob'))
    realtimes.push(alice, bob)
    await alice.subscribe('databases.main.tables.bookings.rows', (event) => aliceEvents.push(event))
    await bob.subscribe('databases.main.tables.bookings.rows', (event) => bobEvents.push(event))
    await emulator.realtime.waitForSubscriptions(2)
    await new TablesDB(asUser('alice')).createRow({
      ...target,
      rowId: 'private',
      data: pending,
    })
    await admin.createRow({
      ...target,
      rowId: 'public',
      data: pending,
      permissions: [Permission.read(Role.any())],
    })
    await aliceEvents.atLeast(2)
    await bobEvents.atLeast(1)
    expect(aliceEvents.items.map((event) => event.payload.$id)).toEqual(['private', 'public'])
    expect(bobEvents.items.map((event) => event.payload.$id)).toEqual(['public'])
  })

  it("should re-subscribe with the user's roles after a session authenticates the socket", async () => {
    const session = emulator.createSession('alice')
    const events = collector<RealtimeResponseEvent<Record<string, unknown>>>()
    const realtime = new Realtime(webClient((client) => client.setSession(session)))
    realtimes.push(realtime)
    await realtime.subscribe('databases.main.tables.bookings.rows', (event) => events.push(event))
    await emulator.realtime.waitForSubscriptions(1)
    // The SDK sends `authentication` right after `connected`; wait for the server's answer.
    await until(() => frames.some((frame) => frame.includes('"to":"authentication"')))
    await admin.createRow({
      ...target,
      rowId: 'mine',
      data: pending,
      permissions: [Permission.read(Role.user('alice'))],
    })
    const [event] = await events.atLeast(1)
    expect(event?.payload.$id).toBe('mine')
  })
})
