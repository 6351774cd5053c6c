import { TablesDB } from 'node-appwrite'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { serverClient } from './emulatorHelpers'
import { mainDatabase } from './helpers'

const clock = createManualClock()
const fake = createFakeAppwrite({
  strict: true,
  clock,
  databases: mainDatabase({ items: { columns: [{ key: 'name', type: 'string', size: 36 }] } }),
})
const items = { databaseId: 'main', tableId: 'items' }
let emulator: AppwriteEmulator
/** The API key's TablesDB, sending `X-Appwrite-Timeout: 10` (ms) on every request. */
let bounded: TablesDB
let plain: TablesDB

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake })
  bounded = new TablesDB(serverClient(emulator).addHeader('X-Appwrite-Timeout', '10'))
  plain = new TablesDB(serverClient(emulator))
  await plain.createRow({ ...items, rowId: 'a', data: { name: 'A' } })
})

afterEach(() => {
  fake.faults.clear()
})

afterAll(async () => {
  await emulator.close()
})

/** Settles `call` as `ok` or the error's `code type`. */
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => 'ok',
    (error: { code: number; type: string }) => `${error.code} ${error.type}`,
  )

/** Waits until `count` more timers are pending on the fake's clock than `before`. */
const timersPending = (before: number, count: number) =>
  expect.poll(() => clock.pendingTimers()).toBe(before + count)

describe('emulator X-Appwrite-Timeout', () => {
  it('should answer 408 database_timeout when a list or a get outlasts the limit on the fake clock', async () => {
    fake.faults.latency({ operation: ['listRows', 'getRow'], ms: 50 })
    for (const call of [
      () => bounded.listRows(items),
      () => bounded.getRow({ ...items, rowId: 'a' }),
    ]) {
      const before = clock.pendingTimers()
      const answer = outcome(call())
      // The limit's timer and the latency's.
      await timersPending(before, 2)
      await clock.advance(10)
      expect(await answer).toBe('408 database_timeout')
      await clock.advance(40)
    }
  })

  it('should answer a read that ends within the limit, and ignore a limit that is not a positive number', async () => {
    fake.faults.latency({ operation: 'listRows', ms: 5 })
    let before = clock.pendingTimers()
    const quick = outcome(bounded.listRows(items))
    await timersPending(before, 2)
    await clock.advance(5)
    expect(await quick).toBe('ok')
    expect(clock.pendingTimers()).toBe(before)
    fake.faults.clear()
    fake.faults.latency({ operation: 'listRows', ms: 50 })
    for (const value of ['0', 'soon']) {
      const ignoring = new TablesDB(serverClient(emulator).addHeader('X-Appwrite-Timeout', value))
      before = clock.pendingTimers()
      const slow = outcome(ignoring.listRows(items))
      await timersPending(before, 1)
      await clock.advance(50)
      expect(await slow).toBe('ok')
    }
  })

  it('should let a test inject database_timeout with the server message', async () => {
    fake.faults.fail({ operation: 'getRow', error: 'database_timeout', times: 1 })
    await expect(plain.getRow({ ...items, rowId: 'a' })).rejects.toMatchObject({
      code: 408,
      type: 'database_timeout',
      message: 'Database timed out. Try adjusting your queries or adding an index.',
    })
  })

  it('should not cut a write short: it completes after the limit has passed', async () => {
    fake.faults.latency({ operation: 'createRow', ms: 50 })
    const before = clock.pendingTimers()
    const creating = bounded.createRow({ ...items, rowId: 'b', data: { name: 'B' } })
    const write = outcome(creating)
    await timersPending(before, 1)
    await clock.advance(50)
    expect(await write).toBe('ok')
    const row: Record<string, unknown> = await plain.getRow({ ...items, rowId: 'b' })
    expect(row.name).toBe('B')
  })
})
