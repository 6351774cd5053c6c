import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FunctionRegistration } from '../fake/functions'
import type { DatabaseDefinition } from '../fake/types'
import { EmulatorDataDir } from './persist/dataDir'
import { startEmulator } from './startAppwriteEmulator'
import type { AppwriteEmulator } from './startAppwriteEmulator'

/** The default port of `booking-guard-emulator`. */
export const DEFAULT_CLI_PORT = 4580

const USAGE = `Usage: booking-guard-emulator [options]

Serves an in-memory Appwrite (TablesDB, Databases, Realtime, Account, Users, Functions) for the
real SDKs.

Options:
  --port <n>          port to listen on (default ${DEFAULT_CLI_PORT}; 0 picks a free one)
  --host <ip>         interface (default 127.0.0.1, loopback only)
  --project <id>      project id clients must send (default booking-guard)
  --key <secret>      API key that acts as the server (default emulator-api-key)
  --latency <ms>      delay added to every answer and realtime frame (default 0)
  --databases <file>  JSON file of database definitions (createFakeAppwrite's \`databases\`)
  --lenient           accept undeclared databases and tables, and drop input the server
                      drops (default: strict, as the server: database_not_found)
  --strict            the default; kept for older scripts
  --strict-params     refuse a parameter the route does not declare (the server ignores it;
                      so does the emulator by default): catches misspelt parameters
  --seed <seed>       seed of server-picked ids
  --function <id>=<path>
                      serve an Appwrite Function: an ESM or CJS module whose default export is
                      the handler (async ({ req, res, log, error }) => …); repeatable; the module
                      loads on its first execution
  --data <dir>        keep databases, tables, rows, users, sessions and storage files in
                      <dir> across restarts; every write is on disk before it is answered
  --import <dir>      start from the snapshot.json in <dir> (an export, or a data dir)
  --export-on-exit <dir>
                      write the state as <dir>/snapshot.json when stopped (SIGINT/SIGTERM)
  --log               print every request and realtime frame
  --help              show this help
`

/** Where the CLI writes and which process signals stop it. @internal */
export interface CliIo {
  /** Writes one line of normal output. */
  out(line: string): void
  /** Writes one line of error output. */
  err(line: string): void
  /** Registers a handler for SIGINT / SIGTERM. */
  onSignal(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void
}

/**
 * Runs `booking-guard-emulator`: starts the emulator from command-line flags, prints the endpoint on
 * the first line, and closes cleanly on SIGINT or SIGTERM. Resolves with the running emulator and
 * a promise that settles once it has stopped (after a signal); `undefined` for `--help` or bad flags
 * (with `process.exitCode` left to the caller: `stopped` is absent then).
 *
 * @example
 * ```ts
 * const run = await runEmulatorCli(['--port', '0'], { out: console.log, err: console.error, onSignal: (s, h) => process.once(s, h) })
 * await run?.stopped
 * ```
 *
 * @internal
 */
export async function runEmulatorCli(
  argv: readonly string[],
  io: CliIo,
): Promise<{ emulator: AppwriteEmulator; stopped: Promise<void> } | { exitCode: number }> {
  let values
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        project: { type: 'string' },
        key: { type: 'string' },
        latency: { type: 'string' },
        databases: { type: 'string' },
        strict: { type: 'boolean' },
        lenient: { type: 'boolean' },
        'strict-params': { type: 'boolean' },
        seed: { type: 'string' },
        function: { type: 'string', multiple: true },
        data: { type: 'string' },
        import: { type: 'string' },
        'export-on-exit': { type: 'string' },
        log: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error))
    io.err(USAGE)
    return { exitCode: 2 }
  }
  if (values.help) {
    io.out(USAGE)
    return { exitCode: 0 }
  }
  const number = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be an integer ≥ 0`)
    return value
  }
  let emulator: AppwriteEmulator
  let dataLine: string | undefined
  try {
    const databases =
      values.databases === undefined
        ? undefined
        : (JSON.parse(await readFile(values.databases, 'utf8')) as Record<
            string,
            DatabaseDefinition
          >)
    const functions: Record<string, FunctionRegistration> = {}
    for (const spec of values.function ?? []) {
      const eq = spec.indexOf('=')
      if (eq <= 0 || eq === spec.length - 1)
        throw new Error(
          `--function takes <id>=<path>, e.g. --function reconcile=./functions/reconcile.js; got \`${spec}\``,
        )
      const url = pathToFileURL(resolve(spec.slice(eq + 1))).href
      functions[spec.slice(0, eq)] = { load: () => import(url) }
    }
    const dataDir =
      values.data === undefined
        ? undefined
        : await EmulatorDataDir.open(values.data, {
            onError: (error) => io.err(`booking-guard-emulator: ${error.message}`),
          })
    // Restarted on a data dir, a seed must not hand out the ids it gave before the restart.
    const seed =
      values.seed === undefined || dataDir === undefined || dataDir.boots === 0
        ? values.seed
        : `${values.seed}/boot-${dataDir.boots}`
    let fake
    try {
      fake = createFakeAppwrite({ databases, strict: values.lenient !== true, seed })
    } catch (error) {
      await dataDir?.close()
      throw error
    }
    emulator = await startEmulator(
      {
        functions,
        port: number('port', values.port, DEFAULT_CLI_PORT),
        host: values.host,
        projectId: values.project,
        apiKey: values.key,
        latencyMs: number('latency', values.latency, 0),
        log: values.log ? (entry) => io.out(`[log] ${JSON.stringify(entry)}`) : false,
        strict: values.lenient !== true,
        strictParams: values['strict-params'] === true,
        fake,
        import: values.import,
      },
      dataDir,
    )
    if (dataDir !== undefined) {
      const torn = dataDir.loaded?.tornBytes ?? 0
      dataLine = `data: ${dataDir.dir}${dataDir.loaded === undefined ? ' (new)' : ''}${torn > 0 ? ` (dropped a last log record of ${torn} bytes, cut short by a crash: its write was never answered)` : ''}`
    }
  } catch (error) {
    io.err(`booking-guard-emulator: ${error instanceof Error ? error.message : String(error)}`)
    return { exitCode: 1 }
  }
  io.out(emulator.endpoint)
  io.out(`project: ${emulator.projectId}`)
  io.out(`api key: ${emulator.apiKey}`)
  io.out(`realtime: ${emulator.realtimeEndpoint}/realtime`)
  if (dataLine !== undefined) io.out(dataLine)
  io.out('Press Ctrl+C to stop.')
  const stopped = new Promise<void>((resolve, reject) => {
    const exportDir = values['export-on-exit']
    const stop = () => {
      const exported =
        exportDir === undefined
          ? Promise.resolve()
          : emulator.exportSnapshot(exportDir).then((path) => io.out(`exported: ${path}`))
      exported
        .then(
          () => emulator.close(),
          // Closed all the same (the data dir is flushed); the export's failure is the result.
          (error: unknown) =>
            emulator.close().then(() => {
              throw error
            }),
        )
        .then(resolve, reject)
    }
    io.onSignal('SIGINT', stop)
    io.onSignal('SIGTERM', stop)
  })
  return { emulator, stopped }
}
