import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type * as NodeAppwrite from 'node-appwrite'
import { auditData, formatAuditReport } from './adopt/audit'
import { formatRepairChange, formatRepairReport, repairData } from './adopt/repair'
import type { DatabasesLike, TablesDBLike } from './backend/types'
import { systemClock } from './clock'
import type { Clock } from './clock'
import { isBookingGuardError } from './errors'
import { classifyAppwriteError } from './resilience/classifyError'
import { createRetryPolicy } from './resilience/retryPolicy'
import type { TablesDBAdminLike } from './schema/adminTypes'
import { checkSchemaDrift, formatDriftReport } from './schema/drift'
import { formatProvisionPlan, isProvisioningError, provisionSchema } from './schema/provision'
import { createSchemaLock } from './schema/schemaLock'
import type { SchemaLock, SchemaLockOptions } from './schema/schemaLock'

/** Where the CLI connects, from flags or the environment. */
export interface AdminConfig {
  /** Appwrite endpoint, e.g. `https://cloud.appwrite.io/v1` (`--endpoint`, `APPWRITE_ENDPOINT`). */
  readonly endpoint: string
  /** Project id (`--project`, `APPWRITE_PROJECT`). */
  readonly project: string
  /** Server API key (`--key`, `APPWRITE_API_KEY`). */
  readonly apiKey: string
}

/** Something the CLI writes text to (`process.stdout`, a test buffer). */
export interface CliWritable {
  /** Writes a chunk of text. */
  write(chunk: string): unknown
}

/** What {@link main} reads and writes instead of touching `process` itself. */
export interface CliContext {
  /** Environment variables: `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT`, `APPWRITE_API_KEY`, `BOOKING_GUARD_DATABASE`. */
  env: Readonly<Record<string, string | undefined>>
  /** Where reports, plans and `--help` go. */
  stdout: CliWritable
  /** Where errors (one line each) and provisioning progress go. */
  stderr: CliWritable
  /** What `--version` prints: the package's version. The executable passes it; defaults to `'unknown'`. */
  version?: string
  /**
   * Builds the admin client from the resolved configuration. Defaults to loading `node-appwrite`
   * (only now, with a dynamic `import()`) and returning `new TablesDB(client)` with the API key.
   */
  createAdmin?: (config: AdminConfig) => TablesDBAdminLike | Promise<TablesDBAdminLike>
  /**
   * Builds the data client `audit` and `repair` read and write rows with, for `--api` (`tablesDB`
   * or the legacy `databases`). Defaults to loading `node-appwrite` and returning
   * `new TablesDB(client)` or `new Databases(client)` with the API key.
   */
  createData?: (
    config: AdminConfig,
    api: 'tablesDB' | 'databases',
  ) => TablesDBLike | DatabasesLike | Promise<TablesDBLike | DatabasesLike>
  /**
   * The schema lock to compare with and provision. Defaults to `createSchemaLock()`, or to the
   * lock built from `--mapping <file>` when given.
   */
  lock?: SchemaLock
  /**
   * Longest wait for one Appwrite call, in milliseconds, before the CLI gives up on the endpoint
   * (the SDK itself has no timeout). Defaults to `30_000`.
   */
  requestTimeout?: number
  /** Source of time for request timeouts and provisioning waits. Defaults to `systemClock`. */
  clock?: Clock
}

const COMMANDS = new Set(['doctor', 'provision', 'audit', 'repair'])

/** The CLI's flags, for node:util's parser. */
const OPTIONS = {
  endpoint: { type: 'string' },
  project: { type: 'string' },
  key: { type: 'string' },
  database: { type: 'string' },
  json: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  apply: { type: 'boolean', default: false },
  api: { type: 'string' },
  mapping: { type: 'string' },
  'rewrite-legacy': { type: 'boolean', default: false },
  'cancel-duplicates': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const

/** Every flag's name, for suggestions. */
const OPTION_NAMES = Object.keys(OPTIONS)

/** What `--mapping <file>` holds: the lock's mapping options and the audit's own. */
interface MappingFile {
  readonly tableIds?: SchemaLockOptions['tableIds']
  readonly aliases?: SchemaLockOptions['aliases']
  readonly values?: SchemaLockOptions['values']
  readonly columnNames?: SchemaLockOptions['columnNames']
  readonly writeValues?: SchemaLockOptions['writeValues']
  readonly strayTables?: readonly string[]
  readonly adminRoles?: readonly string[]
  readonly stuckAfterMs?: number
}

const MAPPING_KEYS = new Set([
  'tableIds',
  'aliases',
  'values',
  'columnNames',
  'writeValues',
  'strayTables',
  'adminRoles',
  'stuckAfterMs',
])

async function readMapping(path: string): Promise<MappingFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --mapping \`${path}\`: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--mapping \`${path}\` is not JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--mapping \`${path}\` must hold a JSON object`)
  }
  for (const key of Object.keys(parsed)) {
    if (!MAPPING_KEYS.has(key)) {
      throw new UsageError(
        `--mapping \`${path}\`: unknown key \`${key}\` (use ${[...MAPPING_KEYS].join(', ')})`,
      )
    }
  }
  return parsed as MappingFile
}

async function loadDataClient(
  config: AdminConfig,
  api: 'tablesDB' | 'databases',
): Promise<TablesDBLike | DatabasesLike> {
  const { sdk, client } = await nodeAppwriteClient(config)
  return api === 'databases'
    ? (new sdk.Databases(client) as unknown as DatabasesLike)
    : (new sdk.TablesDB(client) as unknown as TablesDBLike)
}

/** `audit` and `repair`. */
async function adopt(
  command: 'audit' | 'repair',
  args: ParsedArgs,
  context: CliContext,
  config: AdminConfig,
  databaseId: string,
  lock: SchemaLock,
  clock: Clock,
  mapping: MappingFile,
): Promise<number> {
  const created = await (context.createData ?? loadDataClient)(config, args.api)
  const service = withRequestTimeout(
    created as unknown as TablesDBAdminLike,
    context.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
    clock,
  ) as unknown as TablesDBLike & DatabasesLike
  const common = {
    ...(args.api === 'databases' ? { databases: service } : { tablesDB: service }),
    databaseId,
    lock,
    clock,
    // A 503 or a dropped connection in the middle of a long read is retried, not fatal.
    retry: createRetryPolicy({ clock }),
    ...(mapping.strayTables === undefined ? {} : { strayTables: mapping.strayTables }),
    ...(mapping.stuckAfterMs === undefined ? {} : { stuckAfterMs: mapping.stuckAfterMs }),
  }
  const { stdout } = context
  if (command === 'audit') {
    const report = await auditData(common)
    stdout.write(
      args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatAuditReport(report)}\n`,
    )
    return report.ok ? EXIT_OK : EXIT_FAILED
  }
  const report = await repairData({
    ...common,
    mode: args.apply ? 'apply' : 'dryRun',
    rewriteLegacy: args.rewriteLegacy,
    duplicateSlots: args.cancelDuplicates ? 'cancel' : 'keep',
    ...(mapping.adminRoles === undefined
      ? {}
      : { permissions: { adminRoles: mapping.adminRoles } }),
    // Each change as it lands, so the output of a run that was killed says how far it got.
    ...(args.json ? {} : { onChange: (change) => stdout.write(`${formatRepairChange(change)}\n`) }),
  })
  stdout.write(
    args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRepairReport(report)}\n`,
  )
  return report.skipped.length === 0 ? EXIT_OK : EXIT_FAILED
}

/** Exit codes: success, drift errors or a failure, wrong usage. */
const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

const DEFAULT_REQUEST_TIMEOUT = 30_000

/** The `--help` text. */
export const HELP = `Usage: booking-guard <command> [options]

Commands:
  doctor      Compare the live Appwrite database with the schema lock and list every
              difference with its fix (alias: drift). Exits with 1 when an error is found.
  provision   Create what is missing: the database, tables (participant-only permissions,
              row security on), columns and indexes. Never drops or changes anything that
              exists; a second run changes nothing and says so.
  audit       Read every row and report what old code left behind: bookings without chat
              room, system message or provider notification, rows in the wrong table,
              rows open to any/guests/users, legacy names and values, bookings stuck
              pending, two live bookings for one slot. Exits with 1 when it finds any.
  repair      Fix what audit finds (--dry-run to list the changes, --apply to make them).
              Idempotent and resumable: after a crash, run it again. Never deletes a
              booking. Exits with 1 when problems are left (see skipped).

Options:
  --endpoint <url>   Appwrite endpoint, e.g. https://cloud.appwrite.io/v1  [APPWRITE_ENDPOINT]
  --project <id>     Appwrite project id                                  [APPWRITE_PROJECT]
  --key <key>        API key with the databases.read scope (doctor) and   [APPWRITE_API_KEY]
                     databases.write (provision); prefer the variable, flags
                     end up in the shell history
  --database <id>    Database id                                          [BOOKING_GUARD_DATABASE]
  --json             Print the report or the plan as JSON
  --dry-run          provision, repair: print the plan and change nothing
  --apply            repair: make the changes
  --api <name>       audit, repair: tablesDB (default) or databases (legacy API)
  --mapping <file>   JSON with the app's schema: tableIds, aliases, values,
                     columnNames, writeValues (createSchemaLock options),
                     strayTables, adminRoles, stuckAfterMs
  --rewrite-legacy   repair: move legacy field names and values to canonical ones
  --cancel-duplicates  repair: cancel the later of two live bookings for a slot
  --timeout <ms>     provision: how long to wait for new columns and indexes
                     to become available (default 60000)
  -h, --help         Show this help
  -v, --version      Print the version of @booking-guard/core

Exit codes: 0 ok; 1 drift errors (doctor), errors provisioning cannot fix
(provision), problems found (audit) or left (repair), or a failure; 2 wrong usage.
`

class UsageError extends Error {}

class RequestTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'RequestTimeoutError'
  }
}

/** The settings every command needs: the flag, the variable, and what to call it. */
const SETTINGS = [
  ['endpoint', '--endpoint', 'APPWRITE_ENDPOINT', 'Appwrite endpoint'],
  ['project', '--project', 'APPWRITE_PROJECT', 'Appwrite project id'],
  ['key', '--key', 'APPWRITE_API_KEY', 'API key'],
  ['database', '--database', 'BOOKING_GUARD_DATABASE', 'database id'],
] as const

/** Reads every setting from its flag or variable; names every missing one at once. */
function requireSettings(
  values: ParsedArgs['values'],
  env: Readonly<Record<string, string | undefined>>,
): Record<(typeof SETTINGS)[number][0], string> {
  const found: Partial<Record<(typeof SETTINGS)[number][0], string>> = {}
  const missing: string[] = []
  for (const [name, flag, variable, what] of SETTINGS) {
    const value = values[name] ?? env[variable]
    if (value === undefined || value.trim() === '') missing.push(`${what} (${flag} or ${variable})`)
    else found[name] = value.trim()
  }
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`)
  return found as Record<(typeof SETTINGS)[number][0], string>
}

/** The closest of `choices` to `word` when it is a likely typo (at most two edits), else `undefined`. */
function closest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const choice of choices) {
    const distance = editDistance(word, choice)
    if (distance < bestDistance) {
      best = choice
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    previous = current
  }
  return previous[b.length]!
}

/** node-appwrite, loaded on first use, and a client for `config` (endpoint, project, key). */
async function nodeAppwriteClient(
  config: AdminConfig,
): Promise<{ sdk: typeof NodeAppwrite; client: NodeAppwrite.Client }> {
  let sdk: typeof NodeAppwrite
  try {
    sdk = await import('node-appwrite')
  } catch (error) {
    throw new UsageError(
      `cannot load node-appwrite (${error instanceof Error ? error.message : String(error)}): install it next to @booking-guard/core (npm install -D node-appwrite)`,
    )
  }
  const client = new sdk.Client()
    .setEndpoint(config.endpoint)
    .setProject(config.project)
    .setKey(config.apiKey)
  return { sdk, client }
}

async function loadNodeAppwrite(config: AdminConfig): Promise<TablesDBAdminLike> {
  const { sdk, client } = await nodeAppwriteClient(config)
  return new sdk.TablesDB(client)
}

/** Every call on the admin client rejects after `ms` without an answer. */
function withRequestTimeout(admin: TablesDBAdminLike, ms: number, clock: Clock): TablesDBAdminLike {
  return new Proxy(admin, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          const timer = clock.setTimeout(() => reject(new RequestTimeoutError(ms)), ms)
          Promise.resolve()
            .then(() => (value as (...a: unknown[]) => unknown).apply(target, args))
            .then(resolve, reject)
            .finally(() => clock.clearTimeout(timer))
        })
    },
  })
}

/**
 * The scopes a `general_unauthorized_scope` message names (`… missing scopes (["databases.write"])`),
 * as `the scope databases.write`, or `undefined` when the message does not say.
 */
function missingScopes(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : ''
  const listed = /missing scopes? \((\[[^\]]*\])\)/.exec(message)?.[1]
  if (listed === undefined) return undefined
  let scopes: unknown
  try {
    scopes = JSON.parse(listed)
  } catch {
    return undefined
  }
  if (!Array.isArray(scopes) || scopes.length === 0) return undefined
  return `${scopes.length === 1 ? 'the scope' : 'the scopes'} ${scopes.join(', ')}`
}

/** One line that says what went wrong and what to check. */
function describeFailure(error: unknown, config: AdminConfig): string {
  const root =
    isProvisioningError(error) && error.reason === 'request' && error.cause !== undefined
      ? error.cause
      : error
  if (root instanceof RequestTimeoutError) {
    return `Appwrite at ${config.endpoint} did not answer within ${root.ms} ms: check APPWRITE_ENDPOINT`
  }
  if (root instanceof UsageError) return root.message
  const verdict = classifyAppwriteError(root)
  // `fetch failed` covers what the classifier does not know (e.g. undici's "bad port").
  const unreachable =
    root instanceof TypeError && /fetch failed|failed to fetch/i.test(root.message)
  if ((verdict.category === 'network' && verdict.status === 0) || unreachable) {
    return `cannot reach Appwrite at ${config.endpoint}: check APPWRITE_ENDPOINT`
  }
  if (verdict.type === 'user_unauthorized') {
    return `the API key is not valid for project \`${config.project}\` (unknown, deleted or from another project): check APPWRITE_API_KEY and APPWRITE_PROJECT`
  }
  if (verdict.type === 'project_key_expired') {
    return 'the API key has expired: create a new key in the Appwrite console and set APPWRITE_API_KEY'
  }
  if (verdict.type === 'general_unauthorized_scope') {
    const missing = missingScopes(root)
    return `the API key lacks ${missing ?? 'a scope this command needs'}: give it databases.read (doctor, audit) and databases.write (provision, repair)`
  }
  if (verdict.status === 401 || verdict.status === 403) {
    return 'the API key was rejected: check APPWRITE_API_KEY and its databases.read/write scopes'
  }
  if (verdict.type === 'project_not_found') {
    return `project \`${config.project}\` does not exist at ${config.endpoint}: check APPWRITE_PROJECT`
  }
  if (verdict.status === 404 && verdict.type !== 'database_not_found') {
    return `Appwrite at ${config.endpoint} answered 404 (${verdict.type ?? 'not an Appwrite error'}): check APPWRITE_ENDPOINT (it ends with /v1)`
  }
  // booking-guard's own errors (a provisioning step, a configuration problem) say it best.
  if (isBookingGuardError(error)) return error.message.split('\n')[0]!
  if (verdict.category === 'unknown' && root instanceof Error && root.message !== '') {
    return root.message.split('\n')[0]!
  }
  return verdict.reason
}

interface ParsedArgs {
  readonly command: string | undefined
  readonly help: boolean
  readonly version: boolean
  readonly json: boolean
  readonly dryRun: boolean
  readonly apply: boolean
  readonly api: 'tablesDB' | 'databases'
  readonly mapping: string | undefined
  readonly rewriteLegacy: boolean
  readonly cancelDuplicates: boolean
  readonly timeout: number | undefined
  readonly values: Readonly<Record<string, string | undefined>>
}

function parse(argv: readonly string[]): ParsedArgs {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...OPTIONS,
      },
    })
  } catch (error) {
    // node:util's first sentence says it ("Unknown option '--x'"); the rest is about `--`.
    const message = (error as Error).message.split(/\.(?:\s|$)/)[0]!
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1]
    const suggestion = unknown === undefined ? undefined : closest(unknown, OPTION_NAMES)
    throw new UsageError(
      suggestion === undefined ? message : `${message}: did you mean --${suggestion}?`,
    )
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument \`${positionals[1]}\``)
  }
  let timeout: number | undefined
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout)
    if (!Number.isFinite(timeout) || timeout < 0) {
      throw new UsageError(`--timeout must be a number of milliseconds, got \`${values.timeout}\``)
    }
  }
  const api = values.api ?? 'tablesDB'
  if (api !== 'tablesDB' && api !== 'databases') {
    throw new UsageError(`--api must be tablesDB or databases, got \`${api}\``)
  }
  return {
    command: positionals[0],
    help: values.help === true,
    version: values.version === true,
    json: values.json === true,
    dryRun: values['dry-run'] === true,
    apply: values.apply === true,
    api,
    mapping: values.mapping,
    rewriteLegacy: values['rewrite-legacy'] === true,
    cancelDuplicates: values['cancel-duplicates'] === true,
    timeout,
    values: {
      endpoint: values.endpoint,
      project: values.project,
      key: values.key,
      database: values.database,
    },
  }
}

/**
 * The `booking-guard` CLI, testable: parses `argv` (without `node` and the script), reads the
 * configuration from flags or `context.env`, runs the command and resolves with the exit code
 * (0 ok, 1 drift errors or a failure, 2 wrong usage). Never rejects and never touches `process`:
 * errors are written to `context.stderr` as one line.
 *
 * - `doctor` (alias `drift`): {@link checkSchemaDrift}, printed with {@link formatDriftReport} or
 *   as JSON with `--json`; exits with 1 when the report has an error.
 * - `provision`: {@link provisionSchema} (`--dry-run`, `--timeout <ms>`), printed with
 *   {@link formatProvisionPlan} or as JSON; exits with 1 when drift it cannot fix remains.
 *
 * @internal
 *
 * @example
 * ```ts
 * import { main } from './cli'
 * import { createFakeAppwrite } from '@booking-guard/testing'
 *
 * const fake = createFakeAppwrite()
 * const code = await main(['doctor', '--database', 'main'], {
 *   env: { APPWRITE_ENDPOINT: 'http://fake/v1', APPWRITE_PROJECT: 'p', APPWRITE_API_KEY: 'k' },
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   createAdmin: () => fake.admin,
 * })
 * ```
 */
export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  const { env, stdout, stderr } = context
  const fail = (message: string, code: number) => {
    stderr.write(`booking-guard: ${message}\n`)
    return code
  }
  let args: ParsedArgs
  try {
    args = parse(argv)
  } catch (error) {
    return fail(`${(error as Error).message} (see booking-guard --help)`, EXIT_USAGE)
  }
  if (args.version) {
    stdout.write(`${context.version ?? 'unknown'}\n`)
    return EXIT_OK
  }
  if (args.help || args.command === 'help') {
    stdout.write(HELP)
    return EXIT_OK
  }
  if (args.command === undefined) {
    stderr.write(HELP)
    return EXIT_USAGE
  }
  const command = args.command === 'drift' ? 'doctor' : args.command
  if (!COMMANDS.has(command)) {
    const suggestion = closest(args.command, [...COMMANDS, 'help'])
    return fail(
      `unknown command \`${args.command}\`: ${suggestion === undefined ? '' : `did you mean \`${suggestion}\`? `}use doctor, provision, audit or repair (see booking-guard --help)`,
      EXIT_USAGE,
    )
  }
  if (command === 'repair' && args.dryRun === args.apply) {
    return fail('repair needs exactly one of --dry-run (list the changes) or --apply', EXIT_USAGE)
  }
  if (command !== 'repair' && (args.apply || args.rewriteLegacy || args.cancelDuplicates)) {
    return fail(
      '--apply, --rewrite-legacy and --cancel-duplicates apply to repair only',
      EXIT_USAGE,
    )
  }
  if (command === 'audit' && (args.dryRun || args.timeout !== undefined)) {
    return fail(
      '--dry-run and --timeout do not apply to audit (it never changes anything)',
      EXIT_USAGE,
    )
  }
  let mapping: MappingFile | undefined
  if (args.mapping !== undefined) {
    try {
      mapping = await readMapping(args.mapping)
    } catch (error) {
      return fail((error as Error).message, EXIT_USAGE)
    }
  }
  if (command === 'doctor' && (args.dryRun || args.timeout !== undefined)) {
    return fail(
      '--dry-run and --timeout apply to provision only (doctor never changes anything)',
      EXIT_USAGE,
    )
  }

  let config: AdminConfig
  let databaseId: string
  try {
    const settings = requireSettings(args.values, env)
    config = { endpoint: settings.endpoint, project: settings.project, apiKey: settings.key }
    databaseId = settings.database
    let url: URL | undefined
    try {
      url = new URL(config.endpoint)
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(
        `invalid endpoint \`${config.endpoint}\`: APPWRITE_ENDPOINT must be an http(s) URL such as https://cloud.appwrite.io/v1`,
      )
    }
  } catch (error) {
    return fail((error as Error).message, EXIT_USAGE)
  }

  const clock = context.clock ?? systemClock
  try {
    const lock =
      mapping === undefined
        ? (context.lock ?? createSchemaLock())
        : createSchemaLock({
            ...(mapping.tableIds === undefined ? {} : { tableIds: mapping.tableIds }),
            ...(mapping.aliases === undefined ? {} : { aliases: mapping.aliases }),
            ...(mapping.values === undefined ? {} : { values: mapping.values }),
            ...(mapping.columnNames === undefined ? {} : { columnNames: mapping.columnNames }),
            ...(mapping.writeValues === undefined ? {} : { writeValues: mapping.writeValues }),
            onIssue: () => {},
          })
    if (command === 'audit' || command === 'repair') {
      return await adopt(command, args, context, config, databaseId, lock, clock, mapping ?? {})
    }
    const created = await (context.createAdmin ?? loadNodeAppwrite)(config)
    const admin = withRequestTimeout(
      created,
      context.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
      clock,
    )
    if (command === 'doctor') {
      const report = await checkSchemaDrift({ admin, databaseId, lock })
      stdout.write(
        args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDriftReport(report)}\n`,
      )
      return report.ok ? EXIT_OK : EXIT_FAILED
    }
    const plan = await provisionSchema({
      admin,
      databaseId,
      lock,
      dryRun: args.dryRun,
      clock,
      ...(args.timeout === undefined ? {} : { timeout: args.timeout }),
      ...(args.json
        ? {}
        : {
            onStep: (step) => {
              const subject = [step.table, step.column ?? step.index].filter(Boolean).join('.')
              stderr.write(`  ${step.status} ${step.action} ${subject || step.detail}\n`)
            },
          }),
    })
    stdout.write(
      args.json ? `${JSON.stringify(plan, null, 2)}\n` : `${formatProvisionPlan(plan)}\n`,
    )
    const remaining = plan.manual.filter((finding) => finding.severity === 'error').length
    return plan.dryRun || remaining === 0 ? EXIT_OK : EXIT_FAILED
  } catch (error) {
    return fail(describeFailure(error, config), EXIT_FAILED)
  }
}
