import { readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import * as server from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { runEmulatorCli } from '../emulator/cli'
import { readState } from '../emulator/persist/dataDir'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, AppwriteEmulatorOptions } from '../emulator'
import { cliIo, projectRequest, serverClient } from './emulatorHelpers'
import { appwriteError, cleanupAfterEach, tempDir } from './helpers'

const cleanups = cleanupAfterEach()

async function start(options: AppwriteEmulatorOptions): Promise<AppwriteEmulator> {
  const emulator = await startAppwriteEmulator(options)
  cleanups.push(() => emulator.close())
  return emulator
}

const table = { databaseId: 'main', tableId: 'bookings' }
const password = 'correct horse battery'

async function seed(emulator: AppwriteEmulator) {
  const tablesDB = new server.TablesDB(serverClient(emulator))
  await tablesDB.create({ databaseId: 'main', name: 'Main' })
  await tablesDB.createTable({ ...table, name: 'Bookings', permissions: ['read("users")'] })
  await tablesDB.createStringColumn({ ...table, key: 'status', size: 20, required: true })
  await tablesDB.createIntegerColumn({ ...table, key: 'price', required: false, min: 0 })
  await tablesDB.createIndex({
    ...table,
    key: 'uniq_status_price',
    type: server.TablesDBIndexType.Unique,
    columns: ['status', 'price'],
  })
  await tablesDB.createRow({ ...table, rowId: 'b1', data: { status: 'pending', price: 100 } })
  await tablesDB.createRow({ ...table, rowId: 'b2', data: { status: 'accepted', price: 50 } })
  await tablesDB.deleteRow({ ...table, rowId: 'b2' })
  await tablesDB.createRow({ ...table, rowId: 'b3', data: { status: 'accepted' } })
  await new server.Users(serverClient(emulator)).create({
    userId: 'ada',
    email: 'ada@example.com',
    password,
    name: 'Ada',
  })
  return tablesDB
}

describe('emulator persistence', () => {
  it('should serve the same schema, rows and users after a restart on the data dir', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const first = await start({ data })
    const tablesDB = await seed(first)
    const before = {
      table: await tablesDB.getTable(table),
      rows: await tablesDB.listRows(table),
      users: await new server.Users(serverClient(first)).list(),
    }
    await first.close()

    const second = await start({ data })
    const again = new server.TablesDB(serverClient(second))
    expect(await again.getTable(table)).toEqual(before.table)
    expect(await again.listRows(table)).toEqual(before.rows)
    expect(await new server.Users(serverClient(second)).list()).toEqual(before.users)
    // `$sequence` goes on past the deleted row's, and the unique index is enforced.
    const next = await again.createRow({ ...table, rowId: 'b4', data: { status: 'new' } })
    expect(next.$sequence).toBe('4')
    await expect(
      again.createRow({ ...table, rowId: 'dup', data: { status: 'pending', price: 100 } }),
    ).rejects.toMatchObject(appwriteError(409, 'row_unique_constraint_violation'))
    // The password still signs in.
    const login = await projectRequest(second, '/account/sessions/email', {
      method: 'POST',
      body: { email: 'ada@example.com', password },
    })
    expect(login.status).toBe(201)
  })

  it('should keep a session cookie and a JWT working across a restart', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const first = await start({ data })
    await seed(first)
    const login = await projectRequest(first, '/account/sessions/email', {
      method: 'POST',
      body: { email: 'ada@example.com', password },
    })
    const cookie = (login.headers.getSetCookie()[1] as string).split(';')[0] as string
    const jwtResponse = await projectRequest(first, '/account/jwts', {
      method: 'POST',
      headers: { cookie },
    })
    const { jwt } = (await jwtResponse.json()) as { jwt: string }
    await first.close()

    const second = await start({ data })
    const me = await projectRequest(second, '/account', { headers: { cookie } })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ $id: 'ada', name: 'Ada' })
    const viaJwt = new server.Client()
      .setEndpoint(second.endpoint)
      .setProject(second.projectId)
      .setJWT(jwt)
    expect(await new server.Account(viaJwt).get()).toMatchObject({ $id: 'ada' })
    // Rows the table lets users read, read with the old session.
    const rows = await projectRequest(second, '/tablesdb/main/tables/bookings/rows', {
      headers: { cookie },
    })
    expect(await rows.json()).toMatchObject({ total: 2 })
    // Signing out after the restart ends the session for good.
    await projectRequest(second, '/account/sessions/current', {
      method: 'DELETE',
      headers: { cookie },
    })
    await second.close()
    const third = await start({ data })
    expect((await projectRequest(third, '/account', { headers: { cookie } })).status).toBe(401)
  })

  it('should have a write on disk before the client gets its answer', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const emulator = await start({ data, strict: false })
    const tablesDB = new server.TablesDB(serverClient(emulator))
    for (let i = 0; i < 20; i++) {
      await tablesDB.createRow({ databaseId: 'db', tableId: 't', rowId: `r${i}`, data: { i } })
      // Read by another reader of the files, while the emulator runs.
      const read = await readState(data)
      const rows = [...read!.state.tables.values()][0]!.rows
      expect(rows.get(`r${i}`)?.data).toEqual({ i })
    }
  })

  it('should write a committed transaction as one log record: all of it or none', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const emulator = await start({ data, strict: false })
    const tablesDB = new server.TablesDB(serverClient(emulator))
    const where = { databaseId: 'db', tableId: 't' }
    await tablesDB.createRow({ ...where, rowId: 'old', data: { v: 0 } })
    const tx = await tablesDB.createTransaction({ ttl: 60 })
    await tablesDB.createOperations({
      transactionId: tx.$id,
      operations: [
        { action: 'create', ...where, rowId: 'a', data: { v: 1 } },
        { action: 'create', ...where, rowId: 'b', data: { v: 2 } },
        { action: 'delete', ...where, rowId: 'old' },
      ],
    })
    const log = join(
      data,
      (await readdir(data)).find((name) => name.endsWith('.wal'))!,
    )
    const before = (await readFile(log, 'utf8')).split('\n').length
    await tablesDB.updateTransaction({ transactionId: tx.$id, commit: true })
    const lines = (await readFile(log, 'utf8')).split('\n')
    // Staging wrote nothing; the commit wrote one record holding all three changes.
    expect(lines.length).toBe(before + 1)
    const record = JSON.parse(lines[lines.length - 2]!.slice(9)) as {
      tables: Array<{ put: Array<{ $id: string }>; delete: string[] }>
    }
    expect(record.tables).toHaveLength(1)
    expect(record.tables[0]!.put.map((row) => row.$id).sort()).toEqual(['a', 'b'])
    expect(record.tables[0]!.delete).toEqual(['old'])
  })

  it('should answer 500, naming the data dir, once it cannot be written', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const emulator = await start({ data, strict: false, compactAfterBytes: 1 })
    const tablesDB = new server.TablesDB(serverClient(emulator))
    await rm(data, { recursive: true, force: true })
    const writes = [0, 1, 2].map((i) =>
      tablesDB.createRow({ databaseId: 'db', tableId: 't', rowId: `r${i}`, data: { i } }),
    )
    const results = await Promise.allSettled(writes)
    expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThan(0)
    await expect(
      tablesDB.createRow({ databaseId: 'db', tableId: 't', rowId: 'later', data: {} }),
    ).rejects.toMatchObject({
      code: 500,
      message: expect.stringContaining(`the emulator could not write its data dir ${data}`),
    })
    cleanups.pop()
    await expect(emulator.close()).rejects.toThrow('could not write its data dir')
  })

  it('should export a snapshot and start another emulator from it', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const exported = await tempDir(cleanups, 'bg-emulator-data-')
    const first = await start({})
    const tablesDB = await seed(first)
    const rows = await tablesDB.listRows(table)
    expect(await first.exportSnapshot(exported)).toBe(join(exported, 'snapshot.json'))

    const imported = await start({ import: exported, data })
    expect(await new server.TablesDB(serverClient(imported)).listRows(table)).toEqual(rows)
    await imported.close()
    // The data dir now holds the imported state: importing again would replace it.
    await expect(startAppwriteEmulator({ import: exported, data })).rejects.toThrow(
      `the data dir ${data} already holds data, which --import would replace`,
    )
    const restarted = await start({ data })
    expect(await new server.TablesDB(serverClient(restarted)).listRows(table)).toEqual(rows)
  })

  it('should say so when there is nothing to import', async () => {
    const empty = await tempDir(cleanups, 'bg-emulator-data-')
    await expect(startAppwriteEmulator({ import: empty })).rejects.toThrow(
      `nothing to import from ${empty}: it has no snapshot.json`,
    )
  })
})

async function runCli(argv: string[]) {
  const run = cliIo()
  const result = await runEmulatorCli(argv, run.io)
  if (!('emulator' in result)) throw new Error(`the CLI did not start: ${run.err.join('\n')}`)
  return { ...run, ...result }
}

describe('emulator persistence (cli)', () => {
  it('should keep rows in --data, export them on exit and start from --import', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const exported = await tempDir(cleanups, 'bg-emulator-data-')
    const first = await runCli([
      '--port',
      '0',
      '--lenient',
      '--data',
      data,
      '--export-on-exit',
      exported,
    ])
    expect(first.out).toContain(`data: ${data} (new)`)
    const tablesDB = new server.TablesDB(serverClient(first.emulator))
    await tablesDB.createRow({ databaseId: 'db', tableId: 't', rowId: 'r1', data: { n: 1 } })
    first.handlers.get('SIGTERM')?.()
    await first.stopped
    expect(first.out).toContain(`exported: ${join(exported, 'snapshot.json')}`)
    expect(await readFile(join(exported, 'snapshot.json'), 'utf8')).toContain('"r1"')

    const second = await runCli(['--port', '0', '--lenient', '--data', data])
    cleanups.push(() => second.emulator.close())
    expect(second.out).toContain(`data: ${data}`)
    const row = await new server.TablesDB(serverClient(second.emulator)).getRow({
      databaseId: 'db',
      tableId: 't',
      rowId: 'r1',
    })
    expect(row).toMatchObject({ $id: 'r1', n: 1 })

    const third = await runCli(['--port', '0', '--lenient', '--import', exported])
    cleanups.push(() => third.emulator.close())
    expect(
      await new server.TablesDB(serverClient(third.emulator)).getRow({
        databaseId: 'db',
        tableId: 't',
        rowId: 'r1',
      }),
    ).toMatchObject({ n: 1 })
  })

  it('should not hand out a server-picked id twice when restarted with the same --seed', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const args = ['--port', '0', '--lenient', '--seed', '7', '--data', data]
    const ids: string[] = []
    for (let run = 0; run < 2; run++) {
      const cli = await runCli(args)
      const row = await new server.TablesDB(serverClient(cli.emulator)).createRow({
        databaseId: 'db',
        tableId: 't',
        rowId: 'unique()',
        data: { run },
      })
      ids.push(row.$id)
      await cli.emulator.close()
    }
    expect(new Set(ids).size).toBe(2)
  })

  it('should refuse a data dir another emulator holds', async () => {
    const data = await tempDir(cleanups, 'bg-emulator-data-')
    const first = await runCli(['--port', '0', '--data', data])
    cleanups.push(() => first.emulator.close())
    const second = cliIo()
    expect(await runEmulatorCli(['--port', '0', '--data', data], second.io)).toEqual({
      exitCode: 1,
    })
    expect(second.err.join('\n')).toContain('is already open in this process')
  })
})
