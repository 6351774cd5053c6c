// Helpers the emulator's tests share (kept apart from helpers.ts so the fake's tests do not load
// node-appwrite).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from 'node-appwrite'
import type { AppwriteEmulator } from '../emulator'
import type { CliIo } from '../emulator/cli'
import type { TableDefinition } from '../fake/types'

/** A node-appwrite client on `emulator`, signed in with its API key. */
export function serverClient(emulator: AppwriteEmulator): Client {
  return new Client()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setKey(emulator.apiKey)
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
