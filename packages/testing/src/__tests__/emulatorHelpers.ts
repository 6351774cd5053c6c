// Helpers the emulator's tests share (kept apart from helpers.ts so the fake's tests do not load
// node-appwrite).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Client as WebClient } from 'appwrite'
import { Client } from 'node-appwrite'
import { WebSocket as UndiciWebSocket } from 'undici'
import type { AppwriteEmulator } from '../emulator'
import type { CliIo } from '../emulator/cli'
import type { TableDefinition } from '../fake/types'
import { memoryStorage, setGlobals } from './helpers'
import type { Cleanups } from './helpers'

/** A node-appwrite client on `emulator`, signed in with its API key. */
export function serverClient(emulator: AppwriteEmulator): Client {
  return new Client()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setKey(emulator.apiKey)
}

/** A web SDK (`appwrite`) client on `emulator`, in its project; signed in by a JWT of `userId` if given. */
export function webSdkClient(emulator: AppwriteEmulator, userId?: string): WebClient {
  const client = new WebClient().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  return userId === undefined ? client : client.setJWT(emulator.createJWT(userId))
}

/**
 * Gives the web SDK the browser it expects: `window.localStorage` (its cookie fallback), the
 * timers, a silent `console.warn`, and undici's `WebSocket` for realtime. Returns the restore.
 */
export function setWebSdkGlobals(localStorage = memoryStorage()): () => void {
  return setGlobals({
    WebSocket: UndiciWebSocket,
    window: {
      localStorage,
      console: { warn: () => {} },
      setInterval,
      clearInterval,
      setTimeout,
      clearTimeout,
    },
  })
}

/** Options of {@link projectRequest}. */
export interface ProjectRequestInit {
  /** HTTP method. Defaults to `'GET'`. */
  method?: string
  /** Extra headers, after the JSON content type and the project id. */
  headers?: Record<string, string>
  /** Sent as JSON; no body when left out. */
  body?: unknown
}

/** A raw `fetch` of `path` on `emulator` in its project (as a guest unless `headers` sign in). */
export function projectRequest(
  emulator: AppwriteEmulator,
  path: string,
  init: ProjectRequestInit = {},
): Promise<Response> {
  return fetch(`${emulator.endpoint}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      'x-appwrite-project': emulator.projectId,
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
}

/** A {@link CliIo} that keeps what the CLI prints (`out`, `err`) and the signal handlers it sets. */
export function cliIo() {
  const out: string[] = []
  const err: string[] = []
  const handlers = new Map<string, () => void>()
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    onSignal: (signal, handler) => handlers.set(signal, handler),
  }
  return { out, err, handlers, io }
}

/** Writes the CLI's `--databases` file into `dir`: one database, `main`, with `tables`. Its path. */
export async function databasesFile(
  dir: string,
  tables: Record<string, TableDefinition>,
): Promise<string> {
  const file = join(dir, 'databases.json')
  await writeFile(file, JSON.stringify({ main: { tables } }))
  return file
}

/** The emulator CLI run as a child process: the process, the endpoint it printed, its exit. */
export interface EmulatorProcess {
  readonly child: ChildProcess
  readonly endpoint: string
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>
}

/**
 * Starts the emulator CLI (`bin.ts` through tsx, on a free port, then `args`) as a child process
 * and resolves once it printed its endpoint (its first line), within 20 s; rejects with its stderr
 * if it exits or stays silent. `cleanups` SIGKILLs it if it still runs.
 */
export async function spawnEmulatorCli(
  cleanups: Cleanups,
  args: string[],
): Promise<EmulatorProcess> {
  const root = fileURLToPath(new URL('../../../..', import.meta.url))
  const bin = fileURLToPath(new URL('../emulator/bin.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', bin, '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the emulator printed no endpoint in 20 s; stderr: ${stderr}`)),
      20_000,
    )
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      resolve(line)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited with ${code} before it printed; stderr: ${stderr}`))
    })
  })
  return { child, endpoint, exited }
}

/** A node-appwrite client on a CLI-started emulator at `endpoint`, with its default project and key. */
export function cliServerClient(endpoint: string): Client {
  return new Client().setEndpoint(endpoint).setProject('booking-guard').setKey('emulator-api-key')
}
