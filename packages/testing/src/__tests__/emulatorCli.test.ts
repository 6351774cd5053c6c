import * as server from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CLI_PORT, runEmulatorCli } from '../emulator/cli'
import { createFakeAppwrite } from '../index'
import { cliIo, databasesFile } from './emulatorHelpers'
import { appwriteError, cleanupAfterEach, tempDir } from './helpers'

const cleanups = cleanupAfterEach()

async function start(argv: string[]) {
  const run = cliIo()
  const result = await runEmulatorCli(argv, run.io)
  if ('emulator' in result) cleanups.push(() => result.emulator.close())
  return { ...run, result }
}

describe('cli', () => {
  it('should print the endpoint first and serve the given project and key', async () => {
    const { out, result } = await start([
      '--port',
      '0',
      '--project',
      'demo',
      '--key',
      'secret',
      '--lenient',
    ])
    expect(result).toHaveProperty('emulator')
    expect(out[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(out).toContain('project: demo')
    expect(out).toContain('api key: secret')
    const client = new server.Client().setEndpoint(out[0]!).setProject('demo').setKey('secret')
    const row = await new server.TablesDB(client).createRow({
      databaseId: 'db',
      tableId: 't',
      rowId: 'r1',
      data: { ok: true },
    })
    expect(row.$id).toBe('r1')
  })

  it('should answer an undeclared database with database_not_found unless --lenient', async () => {
    const { out } = await start(['--port', '0'])
    const client = new server.Client()
      .setEndpoint(out[0]!)
      .setProject('booking-guard')
      .setKey('emulator-api-key')
    await expect(
      new server.TablesDB(client).createRow({
        databaseId: 'db',
        tableId: 't',
        rowId: 'r1',
        data: { ok: true },
      }),
    ).rejects.toMatchObject(appwriteError(404, 'database_not_found'))
  })

  it.each(['SIGINT', 'SIGTERM'])('should stop cleanly on %s', async (signal) => {
    const { out, handlers, result } = await start(['--port', '0'])
    if (!('stopped' in result)) throw new Error('expected a running emulator')
    handlers.get(signal)?.()
    await result.stopped
    await expect(fetch(`${out[0]}/ping`)).rejects.toThrow('fetch failed')
  })

  it('should declare databases from a JSON file and honour --strict and --seed', async () => {
    const dir = await tempDir(cleanups, 'emulator-cli-')
    const file = await databasesFile(dir, {
      bookings: { columns: [{ key: 'status', type: 'string', size: 10, required: true }] },
    })
    const { out } = await start(['--port', '0', '--databases', file, '--strict', '--seed', '1'])
    const client = new server.Client()
      .setEndpoint(out[0]!)
      .setProject('booking-guard')
      .setKey('emulator-api-key')
    const tablesDB = new server.TablesDB(client)
    await expect(tablesDB.listRows({ databaseId: 'other', tableId: 't' })).rejects.toMatchObject({
      type: 'database_not_found',
    })
    await expect(
      tablesDB.createRow({
        databaseId: 'main',
        tableId: 'bookings',
        rowId: 'b1',
        data: { other: 1 },
      }),
    ).rejects.toMatchObject({ type: 'row_invalid_structure' })
    const picked = await tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'unique()',
      data: { status: 'ok' },
    })
    const sameSeed = await createFakeAppwrite({ seed: '1' }).tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'unique()',
      data: { status: 'ok' },
    })
    expect(picked.$id).toBe(sameSeed.$id)
  })

  it('should refuse an undeclared parameter only with --strict-params', async () => {
    const body = JSON.stringify({ name: 'Main', databaseId: 'main', extra: 1 })
    const create = async (args: string[]) => {
      const { out } = await start(['--port', '0', ...args])
      const response = await fetch(`${out[0]}/tablesdb`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-appwrite-project': 'booking-guard',
          'x-appwrite-key': 'emulator-api-key',
        },
        body,
      })
      return { status: response.status, json: (await response.json()) as { message?: string } }
    }
    expect((await create([])).status).toBe(201)
    const strict = await create(['--strict-params'])
    expect(strict.status).toBe(400)
    expect(strict.json.message).toContain('Unknown param "extra"')
  })

  it('should add latency and log requests when asked', async () => {
    const { out } = await start(['--port', '0', '--latency', '40', '--log'])
    const started = performance.now()
    await fetch(`${out[0]}/ping`, { headers: { 'x-appwrite-project': 'booking-guard' } })
    expect(performance.now() - started).toBeGreaterThanOrEqual(35)
    expect(
      out.some((line) => line.startsWith('[log] {"type":"http","method":"GET","url":"/v1/ping"')),
    ).toBe(true)
  })

  it('should print usage for --help and refuse unknown flags or bad numbers', async () => {
    const help = await start(['--help'])
    expect(help.result).toEqual({ exitCode: 0 })
    expect(help.out.join('\n')).toContain('Usage: booking-guard-emulator')
    expect(help.out.join('\n')).toContain(`default ${DEFAULT_CLI_PORT}`)
    const unknown = await start(['--nope'])
    expect(unknown.result).toEqual({ exitCode: 2 })
    expect(unknown.err[0]).toContain("Unknown option '--nope'")
    const badPort = await start(['--port', 'abc'])
    expect(badPort.result).toEqual({ exitCode: 1 })
    expect(badPort.err[0]).toBe('booking-guard-emulator: --port must be an integer ≥ 0')
  })
})
