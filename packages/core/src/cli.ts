import { parseArgs } from 'node:util'
import type * as NodeAppwrite from 'node-appwrite'
import { systemClock } from './clock'
import type { Clock } from './clock'
import { isBookingGuardError } from './errors'
import { classifyAppwriteError } from './resilience/classifyError'
import type { TablesDBAdminLike } from './schema/adminTypes'
import { checkSchemaDrift, formatDriftReport } from './schema/drift'
import { formatProvisionPlan, isProvisioningError, provisionSchema } from './schema/provision'
import { createSchemaLock } from './schema/schemaLock'
import type { SchemaLock } from './schema/schemaLock'

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
  /**
   * Builds the admin client from the resolved configuration. Defaults to loading `node-appwrite`
   * (only now, with a dynamic `import()`) and returning `new TablesDB(client)` with the API key.
   */
  createAdmin?: (config: AdminConfig) => TablesDBAdminLike | Promise<TablesDBAdminLike>
  /** The schema lock to compare with and provision. Defaults to `createSchemaLock()`. */
  lock?: SchemaLock
  /**
   * Longest wait for one Appwrite call, in milliseconds, before the CLI gives up on the endpoint
   * (the SDK itself has no timeout). Defaults to `30_000`.
   */
  requestTimeout?: number
  /** Source of time for request timeouts and provisioning waits. Defaults to `systemClock`. */
  clock?: Clock
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

Options:
  --endpoint <url>   Appwrite endpoint, e.g. https://cloud.appwrite.io/v1  [APPWRITE_ENDPOINT]
  --project <id>     Appwrite project id                                  [APPWRITE_PROJECT]
  --key <key>        API key with the databases.read scope (doctor) and   [APPWRITE_API_KEY]
                     databases.write (provision); prefer the variable, flags
                     end up in the shell history
  --database <id>    Database id                                          [BOOKING_GUARD_DATABASE]
  --json             Print the report (doctor) or the plan (provision) as JSON
  --dry-run          provision: print the plan and change nothing
  --timeout <ms>     provision: how long to wait for new columns and indexes
                     to become available (default 60000)
  -h, --help         Show this help

Exit codes: 0 ok; 1 drift errors (doctor), errors provisioning cannot fix
(provision), or a failure; 2 wrong usage.
`

class UsageError extends Error {}

class RequestTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'RequestTimeoutError'
  }
}

function requireSetting(
  value: string | undefined,
  what: string,
  flag: string,
  variable: string,
): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`missing ${what}: pass ${flag} or set ${variable}`)
  }
  return value.trim()
}

async function loadNodeAppwrite(config: AdminConfig): Promise<TablesDBAdminLike> {
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
  if (verdict.status === 401 || verdict.status === 403) {
    return 'the API key was rejected: check APPWRITE_API_KEY has databases.read/write scopes'
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
  readonly json: boolean
  readonly dryRun: boolean
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
        endpoint: { type: 'string' },
        project: { type: 'string' },
        key: { type: 'string' },
        database: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    // node:util's first sentence says it ("Unknown option '--x'"); the rest is about `--`.
    throw new UsageError((error as Error).message.split(/\.(?:\s|$)/)[0]!)
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
  return {
    command: positionals[0],
    help: values.help === true,
    json: values.json === true,
    dryRun: values['dry-run'] === true,
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
 * @example
 * ```ts
 * import { main } from '@booking-guard/core/cli'
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
  if (args.help || args.command === 'help') {
    stdout.write(HELP)
    return EXIT_OK
  }
  if (args.command === undefined) {
    stderr.write(HELP)
    return EXIT_USAGE
  }
  const command = args.command === 'drift' ? 'doctor' : args.command
  if (command !== 'doctor' && command !== 'provision') {
    return fail(
      `unknown command \`${args.command}\`: use doctor or provision (see booking-guard --help)`,
      EXIT_USAGE,
    )
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
    config = {
      endpoint: requireSetting(
        args.values.endpoint ?? env.APPWRITE_ENDPOINT,
        'Appwrite endpoint',
        '--endpoint',
        'APPWRITE_ENDPOINT',
      ),
      project: requireSetting(
        args.values.project ?? env.APPWRITE_PROJECT,
        'Appwrite project id',
        '--project',
        'APPWRITE_PROJECT',
      ),
      apiKey: requireSetting(
        args.values.key ?? env.APPWRITE_API_KEY,
        'API key',
        '--key',
        'APPWRITE_API_KEY',
      ),
    }
    databaseId = requireSetting(
      args.values.database ?? env.BOOKING_GUARD_DATABASE,
      'database id',
      '--database',
      'BOOKING_GUARD_DATABASE',
    )
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
    const lock = context.lock ?? createSchemaLock()
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
