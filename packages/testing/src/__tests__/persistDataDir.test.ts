import { appendFile, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite, fakeInternals } from '../fake/createFakeAppwrite'
import { resolveJWT } from '../fake/jwts'
import type { FakeAppwrite } from '../fake/createFakeAppwrite'
import { EmulatorDataDir, readState } from '../emulator/persist/dataDir'
import type { DataDirOptions } from '../emulator/persist/dataDir'
import { encodeRecord } from '../emulator/persist/records'
import { cleanupAfterEach, tempDir } from './helpers'

const cleanups = cleanupAfterEach()

/** A fake on the data dir `dir`, as the emulator attaches one. */
async function openFake(dir: string, options: DataDirOptions = {}) {
  const fake = createFakeAppwrite({ seed: 1 })
  // As the emulator does: the Users service comes with the account features.
  installAccountFeatures(fake)
  const dataDir = await EmulatorDataDir.open(dir, options)
  await dataDir.attach(fakeInternals(fake))
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await dataDir.close()
  }
  cleanups.push(close)
  return { fake, dataDir, close }
}

const db = { databaseId: 'main', tableId: 'bookings' }

async function seedSchema(fake: FakeAppwrite) {
  await fake.admin.create({ databaseId: 'main', name: 'Main' })
  await fake.admin.createTable({ ...db, name: 'Bookings' })
  await fake.admin.createStringColumn({ ...db, key: 'status', size: 20, required: true })
  await fake.admin.createIntegerColumn({ ...db, key: 'price', required: false })
  await fake.admin.createIndex({ ...db, key: 'by_status', type: 'key', columns: ['status'] })
}

const createRow = (fake: FakeAppwrite, rowId: string, data: Record<string, unknown>) =>
  fake.tablesDB.createRow({ ...db, rowId, data })

describe('dataDir', () => {
  it('should keep schema, rows, sequences, users and sessions across a reopen', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const first = await openFake(dir)
    await seedSchema(first.fake)
    await createRow(first.fake, 'b1', { status: 'pending', price: 100 })
    await createRow(first.fake, 'b2', { status: 'pending' })
    await createRow(first.fake, 'b3', { status: 'accepted', price: 7 })
    await first.fake.tablesDB.updateRow({ ...db, rowId: 'b1', data: { status: 'accepted' } })
    await first.fake.tablesDB.deleteRow({ ...db, rowId: 'b3' })
    await first.fake.users.create({
      userId: 'ada',
      email: 'ada@example.com',
      password: 'correct horse',
    })
    await first.fake.users.updatePrefs({ userId: 'ada', prefs: { theme: 'dark' } })
    const session = await first.fake.users.createSession({ userId: 'ada' })
    const { jwt } = await first.fake.users.createJWT({ userId: 'ada', sessionId: session.$id })
    const schemaBefore = await first.fake.admin.listColumns(db)
    const indexesBefore = await first.fake.admin.listIndexes(db)
    const snapshot = first.fake.snapshot()
    await first.dataDir.commit()
    await first.close()

    const second = await openFake(dir)
    expect(second.dataDir.loaded?.replayed).toBeGreaterThan(0)
    expect(second.fake.snapshot()).toEqual(snapshot)
    expect(await second.fake.admin.listColumns(db)).toEqual(schemaBefore)
    expect(await second.fake.admin.listIndexes(db)).toEqual(indexesBefore)
    // Declared columns still validate writes, and `$sequence` goes on after the deleted row's.
    await expect(createRow(second.fake, 'b4', { price: 1 })).rejects.toMatchObject({
      type: 'row_invalid_structure',
    })
    const b4 = await createRow(second.fake, 'b4', { status: 'pending' })
    expect(b4.$sequence).toBe('4')
    expect(await second.fake.users.getPrefs({ userId: 'ada' })).toEqual({ theme: 'dark' })
    const internals = fakeInternals(second.fake)
    expect(internals.accounts.resolveSession(session.secret)?.user.$id).toBe('ada')
    expect(resolveJWT(internals.accounts, jwt)?.user.$id).toBe('ada')
    expect(
      await internals.accounts.checkPassword(internals.accounts.user('ada')!, 'correct horse'),
    ).toBe(true)
  })

  it('should have the change on disk when commit resolves, and nothing to wait for without one', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const { fake, dataDir } = await openFake(dir)
    expect(dataDir.commit()).toBeUndefined()
    await createRow(fake, 'r1', { note: 'hello' })
    const committed = dataDir.commit()
    expect(committed).toBeInstanceOf(Promise)
    await committed
    // Read from the files by another reader, while the dir is still open.
    const read = await readState(dir)
    expect([...read!.state.tables.values()][0]?.rows.get('r1')?.data).toEqual({ note: 'hello' })
    expect(dataDir.commit()).toBeUndefined()
  })

  it('should commit changes made outside any request on the next turn of the event loop', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const { fake } = await openFake(dir)
    await createRow(fake, 'r1', { note: 'no request' })
    await vi.waitFor(async () => {
      const read = await readState(dir)
      expect([...read!.state.tables.values()][0]?.rows.get('r1')?.data).toEqual({
        note: 'no request',
      })
    })
  })

  it('should replay a reset of the fake: no rows, no users, the declared schema', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const first = await openFake(dir)
    await seedSchema(first.fake)
    await createRow(first.fake, 'b1', { status: 'pending' })
    await first.fake.users.create({
      userId: 'ada',
      email: 'ada@example.com',
      password: 'correct horse',
    })
    await first.dataDir.commit()
    first.fake.reset()
    await createRow(first.fake, 'after', { note: 'after the reset' })
    await first.close()

    const second = await openFake(dir)
    expect(second.fake.snapshot()).toEqual(first.fake.snapshot())
    expect(
      Object.values(second.fake.snapshot().main ?? {})
        .flat()
        .map((row) => row.$id),
    ).toEqual(['after'])
    expect(await second.fake.users.list()).toMatchObject({ total: 0 })
    await expect(second.fake.admin.get({ databaseId: 'main' })).rejects.toMatchObject({
      type: 'database_not_found',
    })
  })

  it('should compact into a new snapshot once the log passes compactAfterBytes', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const first = await openFake(dir, { compactAfterBytes: 2_000 })
    expect(first.dataDir.generation).toBe(1)
    for (let i = 0; i < 40; i++) {
      await createRow(first.fake, `r${i}`, { i, text: 'x'.repeat(100) })
      await first.dataDir.commit()
    }
    expect(first.dataDir.generation).toBeGreaterThan(2)
    expect(first.dataDir.logBytes).toBeLessThan(2_000)
    const files = (await readdir(dir)).sort()
    expect(files).toEqual(['LOCK', `log-${first.dataDir.generation}.wal`, 'snapshot.json'])
    const snapshot = first.fake.snapshot()
    await first.close()

    const second = await openFake(dir)
    expect(second.fake.snapshot()).toEqual(snapshot)
    expect(second.dataDir.generation).toBe(first.dataDir.generation + 1)
  })

  it('should drop a last log record cut short by a crash and report its size', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const first = await openFake(dir)
    await createRow(first.fake, 'kept', { ok: true })
    await first.dataDir.commit()
    const log = join(dir, `log-${first.dataDir.generation}.wal`)
    const snapshot = first.fake.snapshot()
    await first.close()
    // Half of a record: what a kill during its write leaves.
    const torn = encodeRecord(JSON.stringify({ n: 2, tables: [] })).subarray(0, 20)
    await appendFile(log, torn)

    const second = await openFake(dir)
    expect(second.dataDir.loaded?.tornBytes).toBe(20)
    expect(second.fake.snapshot()).toEqual(snapshot)
  })

  it('should refuse a log damaged before its end, naming the file', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const first = await openFake(dir)
    await createRow(first.fake, 'a', { v: 1 })
    await first.dataDir.commit()
    await createRow(first.fake, 'b', { v: 2 })
    await first.dataDir.commit()
    const log = join(dir, `log-${first.dataDir.generation}.wal`)
    await first.close()
    const bytes = await readFile(log)
    bytes[20] = bytes[20]! ^ 0x01
    await writeFile(log, bytes)
    await expect(EmulatorDataDir.open(dir)).rejects.toThrow(`${log} is damaged at byte 0`)
    // The failed open left the dir unlocked.
    expect(await readdir(dir)).not.toContain('LOCK')
  })

  it('should lock the dir against a second emulator, and take over a lock left by a dead one', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const { close } = await openFake(dir)
    await expect(EmulatorDataDir.open(dir)).rejects.toThrow('is already open in this process')
    await close()
    // The parent process is alive and is not this one.
    await writeFile(join(dir, 'LOCK'), `${process.ppid}\n`)
    await expect(EmulatorDataDir.open(dir)).rejects.toThrow(
      `is in use by another emulator (process ${process.ppid})`,
    )
    await writeFile(join(dir, 'LOCK'), '2147483646\n')
    const reopened = await EmulatorDataDir.open(dir)
    expect(reopened.boots).toBe(1)
    await reopened.close()
  })

  it('should fail every commit, loudly and for good, once the dir cannot be written', async () => {
    const dir = await tempDir(cleanups, 'bg-datadir-')
    const onError = vi.fn()
    const { fake, dataDir } = await openFake(dir, { compactAfterBytes: 1, onError })
    await rm(dir, { recursive: true, force: true })
    // Appended to the open (now unlinked) log; the compaction that follows cannot create its file.
    await createRow(fake, 'r1', { v: 1 })
    await dataDir.commit()
    await createRow(fake, 'r2', { v: 2 })
    await expect(dataDir.commit()).rejects.toThrow(
      `the emulator could not write its data dir ${dir}: ENOENT`,
    )
    await createRow(fake, 'r3', { v: 3 })
    await expect(dataDir.commit()).rejects.toThrow('later ones are refused')
    expect(onError).toHaveBeenCalledTimes(1)
    await expect(dataDir.close()).rejects.toThrow('could not write its data dir')
  })
})
