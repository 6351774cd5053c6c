import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Account, Client, ExecutionMethod, Functions, TablesDB } from 'appwrite'
import * as server from 'node-appwrite'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runEmulatorCli } from '../emulator/cli'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, FunctionContext } from '../emulator'
import { createFakeAppwrite } from '../index'
import { serverClient } from './emulatorHelpers'
import { appwriteError } from './helpers'

const globals = globalThis as Record<string, unknown>
const savedWindow = Object.getOwnPropertyDescriptor(globalThis, 'window')
const storage = new Map<string, string>()

const fake = createFakeAppwrite({
  databases: {
    // Users cannot create notes: only the function, with its key, writes them.
    main: { tables: { notes: { permissions: [], rowSecurity: true } } },
  },
})
let emulator: AppwriteEmulator
const password = 'correct horse battery'

/**
 * A Function as it would be deployed: it reads who called from Appwrite's headers and writes with
 * the execution's key through node-appwrite, at the endpoint the runtime environment names.
 */
async function createNote({ req, res, log }: FunctionContext) {
  const userId = req.headers['x-appwrite-user-id'] ?? ''
  if (userId === '') return res.json({ error: 'sign in first' }, 401)
  const client = new server.Client()
    .setEndpoint(process.env.APPWRITE_FUNCTION_API_ENDPOINT as string)
    .setProject(process.env.APPWRITE_FUNCTION_PROJECT_ID as string)
    .setKey(req.headers['x-appwrite-key'] as string)
  const { text } = req.bodyJson as { text: string }
  const row = await new server.TablesDB(client).createRow({
    databaseId: 'main',
    tableId: 'notes',
    rowId: server.ID.unique(),
    data: { text, ownerId: userId },
    permissions: [server.Permission.read(server.Role.user(userId))],
  })
  // The caller's JWT lets the function act as the user too.
  const asUser = new server.Client()
    .setEndpoint(process.env.APPWRITE_FUNCTION_API_ENDPOINT as string)
    .setProject(process.env.APPWRITE_FUNCTION_PROJECT_ID as string)
    .setJWT(req.headers['x-appwrite-user-jwt'] as string)
  const me = await new server.Account(asUser).get()
  log(`note ${row.$id} for ${me.$id}`)
  return res.json({ rowId: row.$id, userId, path: req.path, query: req.query })
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator({
    fake,
    functions: {
      'create-note': createNote,
      slow: async ({ res }: FunctionContext) => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        return res.text('done')
      },
    },
  })
  globals.window = {
    localStorage: {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
      removeItem: (key: string) => void storage.delete(key),
    },
    console: { warn: () => {} },
  }
})

afterEach(() => {
  storage.clear()
})

afterAll(async () => {
  await emulator.close()
  if (savedWindow === undefined) delete globals.window
  else Object.defineProperty(globalThis, 'window', savedWindow)
})

const web = () => new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
const admin = () => serverClient(emulator)

describe('emulator functions', () => {
  it('should run a Function for a signed-in user that sees its id and writes with its key', async () => {
    const client = web()
    const account = new Account(client)
    const user = await account.create({ userId: 'ada', email: 'ada@example.com', password })
    await account.createEmailPasswordSession({ email: 'ada@example.com', password })

    const execution = await new Functions(client).createExecution({
      functionId: 'create-note',
      body: JSON.stringify({ text: 'hello' }),
      xpath: '/notes?source=web',
      method: ExecutionMethod.POST,
      headers: { 'content-type': 'application/json' },
    })
    expect(execution).toMatchObject({
      status: 'completed',
      trigger: 'http',
      responseStatusCode: 200,
      // Logs are for API keys only.
      logs: '',
    })
    const reply = JSON.parse(execution.responseBody) as Record<string, unknown>
    expect(reply).toMatchObject({ userId: user.$id, path: '/notes', query: { source: 'web' } })

    // The row the function wrote is readable by the user, through the user's own session.
    const row = await new TablesDB(client).getRow({
      databaseId: 'main',
      tableId: 'notes',
      rowId: reply.rowId as string,
    })
    expect(row).toMatchObject({ text: 'hello', ownerId: 'ada' })

    const functions = new server.Functions(admin())
    const stored = await functions.getExecution({
      functionId: 'create-note',
      executionId: execution.$id,
    })
    expect(stored.logs).toBe(`note ${reply.rowId as string} for ada`)
    expect(stored.$permissions).toEqual(['read("user:ada")'])
    const mine = await new Functions(client).listExecutions({ functionId: 'create-note' })
    expect(mine.executions.map((e) => e.$id)).toEqual([execution.$id])
  })

  it('should answer a guest from the handler and an unknown function with 404', async () => {
    const guest = new Functions(web())
    const execution = await guest.createExecution({ functionId: 'create-note', body: '{}' })
    expect(execution).toMatchObject({ responseStatusCode: 401, status: 'completed' })
    await expect(guest.createExecution({ functionId: 'missing' })).rejects.toMatchObject(
      appwriteError(404, 'function_not_found'),
    )
    // Guests may run functions but not read executions.
    await expect(guest.listExecutions({ functionId: 'create-note' })).rejects.toMatchObject(
      appwriteError(401, 'general_unauthorized_scope'),
    )
  })

  it('should accept an async execution with 202 and finish it in the background', async () => {
    const response = await fetch(`${emulator.endpoint}/functions/slow/executions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-appwrite-project': emulator.projectId,
        'x-appwrite-key': emulator.apiKey,
      },
      body: JSON.stringify({ async: true }),
    })
    expect(response.status).toBe(202)
    const queued = (await response.json()) as { $id: string; status: string }
    expect(queued.status).toBe('waiting')
    const functions = new server.Functions(admin())
    let status = queued.status
    for (let i = 0; i < 100 && status !== 'completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      status = (await functions.getExecution({ functionId: 'slow', executionId: queued.$id }))
        .status
    }
    expect(status).toBe('completed')
  })

  it('should let faults fail and delay executions on the wire', async () => {
    const functions = new server.Functions(admin())
    fake.faults.fail({ api: 'functions', operation: 'createExecution', times: 1 })
    await expect(functions.createExecution({ functionId: 'slow' })).rejects.toMatchObject(
      appwriteError(500, 'general_server_error'),
    )
    expect((await functions.createExecution({ functionId: 'slow' })).responseBody).toBe('done')
    expect(fake.faults.log.at(-1)).toMatchObject({
      kind: 'error',
      api: 'functions',
      operation: 'createExecution',
    })
    fake.faults.reset()
  })

  it('should refuse an expired or foreign dynamic key', async () => {
    const forged = new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setKey('dynamic_a.b.c')
    await expect(new server.Users(forged).list()).rejects.toMatchObject(
      appwriteError(401, 'user_unauthorized'),
    )
  })

  it('should serve functions from module files given to the CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-fn-'))
    try {
      await writeFile(
        join(dir, 'hello.mjs'),
        'export default async ({ req, res }) => res.json({ esm: true, trigger: req.headers["x-appwrite-trigger"] })\n',
      )
      await writeFile(
        join(dir, 'legacy.cjs'),
        'module.exports = async ({ res }) => res.text("cjs")\n',
      )
      const out: string[] = []
      const result = await runEmulatorCli(
        [
          '--port',
          '0',
          '--function',
          `hello=${join(dir, 'hello.mjs')}`,
          '--function',
          `legacy=${join(dir, 'legacy.cjs')}`,
        ],
        { out: (line) => out.push(line), err: (line) => out.push(line), onSignal: () => {} },
      )
      if (!('emulator' in result)) throw new Error(`the CLI did not start: ${out.join('\n')}`)
      try {
        const client = new server.Client()
          .setEndpoint(result.emulator.endpoint)
          .setProject(result.emulator.projectId)
          .setKey(result.emulator.apiKey)
        const functions = new server.Functions(client)
        const esm = await functions.createExecution({ functionId: 'hello' })
        expect(JSON.parse(esm.responseBody)).toEqual({ esm: true, trigger: 'http' })
        const cjs = await functions.createExecution({ functionId: 'legacy' })
        expect(cjs.responseBody).toBe('cjs')
      } finally {
        await result.emulator.close()
      }
      const bad = await runEmulatorCli(['--port', '0', '--function', 'nopath'], {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
        onSignal: () => {},
      })
      expect(bad).toEqual({ exitCode: 1 })
      expect(out.at(-1)).toContain('--function takes <id>=<path>')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
