import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import {
  appwriteError,
  createFakeAppwrite,
  createManualClock,
  networkError,
} from '@booking-guard/testing'
import type { TableDefinition } from '@booking-guard/testing'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { describe, expect, it } from 'vitest'
import type { AdminConfig, CliContext } from '../cli'
import { HELP, main } from '../cli'
import type { DriftReport, ProvisionPlan, TablesDBAdminLike } from '../admin'
import { createSchemaLock } from '../index'
import { checkSchemaDrift } from '../admin'
import { overriding } from './callProxies'
import { columnOf } from './lockTables'

const ENV = {
  APPWRITE_ENDPOINT: 'https://appwrite.example.com/v1',
  APPWRITE_PROJECT: 'shop',
  APPWRITE_API_KEY: 'secret',
  BOOKING_GUARD_DATABASE: 'main',
}

const lock = createSchemaLock()

/** Incident tables: bookings with `therapistId` and no `providerId`, and nothing else. */
function incidentTables(): Record<string, TableDefinition> {
  return {
    bookings: {
      columns: [
        ...lock.tables.booking.columns.filter((c) => c.key !== 'providerId').map(columnOf),
        { key: 'therapistId', type: 'string', size: 36, required: false },
      ],
    },
  }
}

interface Run {
  code: number
  stdout: string
  stderr: string
  configs: AdminConfig[]
}

async function run(
  argv: string[],
  options: Partial<CliContext> & { admin?: TablesDBAdminLike } = {},
): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const configs: AdminConfig[] = []
  const { admin, ...rest } = options
  const code = await main(argv, {
    env: ENV,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    createAdmin: (config) => {
      configs.push(config)
      if (admin === undefined) throw new Error('no admin for this test')
      return admin
    },
    ...rest,
  })
  return { code, stdout, stderr, configs }
}

/** The fake's admin with every method replaced by `method`. */
function replacingMethods(method: () => Promise<never>): TablesDBAdminLike {
  return new Proxy(createFakeAppwrite().admin as TablesDBAdminLike, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? method : value
    },
  })
}

/** An admin whose every call rejects with `error`. */
function failing(error: unknown): TablesDBAdminLike {
  return replacingMethods(() => Promise.reject(error))
}

describe('cli', () => {
  it('should print the version given by the executable, before anything else', async () => {
    expect(await run(['--version'], { version: '1.2.3' })).toMatchObject({
      code: 0,
      stdout: '1.2.3\n',
      stderr: '',
    })
    expect(HELP).toContain('--version')
  })

  it('should print the help with --help, -h and help, and exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['doctor', '--help']]) {
      const result = await run(argv)
      expect(result).toMatchObject({ code: 0, stdout: HELP, stderr: '' })
    }
    expect(HELP).toContain('APPWRITE_ENDPOINT')
    expect(HELP).toContain('--dry-run')
  })

  it('should print the help on stderr and exit 2 without a command', async () => {
    expect(await run([])).toMatchObject({ code: 2, stdout: '', stderr: HELP })
  })

  it('should exit 2 with one line for wrong usage', async () => {
    const cases: [string[], string][] = [
      [
        ['deploy'],
        'booking-guard: unknown command `deploy`: use doctor, provision, audit or repair (see booking-guard --help)\n',
      ],
      [
        ['doctor', '--colour'],
        "booking-guard: Unknown option '--colour' (see booking-guard --help)\n",
      ],
      [
        ['provison'],
        'booking-guard: unknown command `provison`: did you mean `provision`? use doctor, provision, audit or repair (see booking-guard --help)\n',
      ],
      [
        ['doctor', '--databse', 'main'],
        "booking-guard: Unknown option '--databse': did you mean --database? (see booking-guard --help)\n",
      ],
      [
        ['doctor', 'extra'],
        'booking-guard: unexpected argument `extra` (see booking-guard --help)\n',
      ],
      [
        ['provision', '--timeout', 'soon'],
        'booking-guard: --timeout must be a number of milliseconds, got `soon` (see booking-guard --help)\n',
      ],
      [
        ['doctor', '--dry-run'],
        'booking-guard: --dry-run and --timeout apply to provision only (doctor never changes anything)\n',
      ],
    ]
    for (const [argv, stderr] of cases) {
      expect(await run(argv)).toMatchObject({ code: 2, stdout: '', stderr, configs: [] })
    }
  })

  it('should name the missing setting, its flag and its variable', async () => {
    const cases: [string, string][] = [
      ['APPWRITE_ENDPOINT', 'missing Appwrite endpoint (--endpoint or APPWRITE_ENDPOINT)'],
      ['APPWRITE_PROJECT', 'missing Appwrite project id (--project or APPWRITE_PROJECT)'],
      ['APPWRITE_API_KEY', 'missing API key (--key or APPWRITE_API_KEY)'],
      ['BOOKING_GUARD_DATABASE', 'missing database id (--database or BOOKING_GUARD_DATABASE)'],
    ]
    for (const [variable, message] of cases) {
      const result = await run(['doctor'], { env: { ...ENV, [variable]: '' } })
      expect(result).toMatchObject({ code: 2, stderr: `booking-guard: ${message}\n`, configs: [] })
    }
    // Every missing setting at once, not one per run.
    const none = await run(['doctor'], { env: {} })
    expect(none).toMatchObject({
      code: 2,
      stderr:
        'booking-guard: missing Appwrite endpoint (--endpoint or APPWRITE_ENDPOINT), Appwrite project id (--project or APPWRITE_PROJECT), API key (--key or APPWRITE_API_KEY), database id (--database or BOOKING_GUARD_DATABASE)\n',
    })
    const bad = await run(['doctor'], { env: { ...ENV, APPWRITE_ENDPOINT: 'cloud.appwrite.io' } })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe(
      'booking-guard: invalid endpoint `cloud.appwrite.io`: APPWRITE_ENDPOINT must be an http(s) URL such as https://cloud.appwrite.io/v1\n',
    )
  })

  it('should read the configuration from the environment, flags taking precedence', async () => {
    const fake = createFakeAppwrite()
    const fromEnv = await run(['doctor'], { admin: fake.admin })
    expect(fromEnv.configs).toEqual([
      { endpoint: 'https://appwrite.example.com/v1', project: 'shop', apiKey: 'secret' },
    ])
    const fromFlags = await run(
      [
        'doctor',
        '--endpoint',
        'http://localhost/v1',
        '--project=p2',
        '--key',
        'k2',
        '--database',
        'other',
        '--json',
      ],
      { admin: fake.admin },
    )
    expect(fromFlags.configs).toEqual([
      { endpoint: 'http://localhost/v1', project: 'p2', apiKey: 'k2' },
    ])
    expect((JSON.parse(fromFlags.stdout) as DriftReport).databaseId).toBe('other')
  })

  it('should print the drift report of the incident and exit 1, or 0 once provisioned', async () => {
    const fake = createFakeAppwrite({
      strict: true,
      databases: { main: { tables: incidentTables() } },
    })
    const doctor = await run(['doctor'], { admin: fake.admin })
    expect(doctor.code).toBe(1)
    expect(doctor.stderr).toBe('')
    const lines = doctor.stdout.split('\n')
    expect(lines[0]).toMatch(/^Schema drift in database `main`: \d+ errors/)
    expect(lines).toContain('    error   missing-column `providerId`: expected string(36)')
    expect(lines).toContain('  chat_messages: missing (1 error)')

    const json = await run(['drift', '--json'], { admin: fake.admin })
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual(
      JSON.parse(JSON.stringify(await checkSchemaDrift({ admin: fake.admin, databaseId: 'main' }))),
    )

    const provision = await run(['provision'], { admin: fake.admin })
    expect(provision.code).toBe(0)
    expect(provision.stdout).toMatch(/^Provisioned database `main`: \d+ steps\.\n/)
    expect(provision.stdout).toContain(
      '  create-column bookings.providerId: string(36), required\n',
    )
    expect(provision.stderr).toContain('  done create-table chat_messages\n')

    const clean = await run(['doctor'], { admin: fake.admin })
    expect(clean.code).toBe(0)
    expect(clean.stdout).toMatch(
      /^Schema lock satisfied in database `main`: 0 errors, 0 warnings, 1 info\n/,
    )

    const again = await run(['provision', '--json'], { admin: fake.admin })
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual<ProvisionPlan>({
      databaseId: 'main',
      dryRun: false,
      changed: false,
      steps: [],
      manual: [],
    })
    expect(again.stderr).toBe('')
  })

  it('should change nothing with provision --dry-run', async () => {
    const fake = createFakeAppwrite({ strict: true })
    const dry = await run(['provision', '--dry-run'], { admin: fake.admin })
    expect(dry.code).toBe(0)
    const [summary, first] = dry.stdout.split('\n')
    expect(summary).toMatch(
      /^Dry run for database `main`: \d+ steps would run, nothing was changed\.$/,
    )
    expect(first).toBe('  create-database main')
    const doctor = await run(['doctor', '--json'], { admin: fake.admin })
    expect(doctor.code).toBe(1)
    expect((JSON.parse(doctor.stdout) as DriftReport).findings.map((f) => f.kind)).toEqual([
      'missing-database',
    ])
  })

  it('should report a missing database as a finding that says to run provision', async () => {
    const result = await run(['doctor'], { admin: createFakeAppwrite({ strict: true }).admin })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      'fix: database `main` does not exist: check the database id, or run `booking-guard provision` to create it with every table',
    )
  })

  it('should exit 1 after provisioning when drift it cannot fix remains', async () => {
    const tables = incidentTables()
    tables.bookings!.columns = tables.bookings!.columns!.map((c) =>
      c.key === 'customerName' ? { ...c, size: 100 } : c,
    )
    const fake = createFakeAppwrite({ strict: true, databases: { main: { tables } } })
    const result = await run(['provision'], { admin: fake.admin })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('1 difference to fix by hand')
  })

  it('should explain connection, key, project and endpoint failures in one line', async () => {
    const cases: [unknown, string][] = [
      [
        networkError('ECONNREFUSED'),
        'cannot reach Appwrite at https://appwrite.example.com/v1: check APPWRITE_ENDPOINT',
      ],
      [
        networkError('ENOTFOUND'),
        'cannot reach Appwrite at https://appwrite.example.com/v1: check APPWRITE_ENDPOINT',
      ],
      [
        new TypeError('fetch failed', { cause: new Error('bad port') }),
        'cannot reach Appwrite at https://appwrite.example.com/v1: check APPWRITE_ENDPOINT',
      ],
      [
        appwriteError('user_unauthorized'),
        'the API key is not valid for project `shop` (unknown, deleted or from another project): check APPWRITE_API_KEY and APPWRITE_PROJECT',
      ],
      [
        appwriteError(
          'general_unauthorized_scope',
          'app.shop@service.appwrite.example.com (role: applications) missing scopes (["databases.write"])',
        ),
        'the API key lacks the scope databases.write: give it databases.read (doctor, audit) and databases.write (provision, repair)',
      ],
      [
        appwriteError('general_unauthorized_scope'),
        'the API key lacks a scope this command needs: give it databases.read (doctor, audit) and databases.write (provision, repair)',
      ],

      [
        appwriteError('project_not_found'),
        'project `shop` does not exist at https://appwrite.example.com/v1: check APPWRITE_PROJECT',
      ],
      [
        appwriteError('general_route_not_found'),
        'Appwrite at https://appwrite.example.com/v1 answered 404 (general_route_not_found): check APPWRITE_ENDPOINT (it ends with /v1)',
      ],
    ]
    for (const [error, message] of cases) {
      for (const command of ['doctor', 'provision']) {
        const result = await run([command], { admin: failing(error) })
        expect(result).toMatchObject({ code: 1, stdout: '', stderr: `booking-guard: ${message}\n` })
      }
    }
  })

  it('should name the failed provisioning step', async () => {
    const fake = createFakeAppwrite({ strict: true })
    const admin = overriding(fake.admin, {
      createIndex: () => Promise.reject(appwriteError('general_server_error')),
    })
    const result = await run(['provision', '--json'], { admin })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^booking-guard: creating index `by_provider` in `bookings` failed: Appwrite failed \(500\)/,
    )
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('should give up on an endpoint that does not answer', async () => {
    const clock = createManualClock()
    const silent = replacingMethods(() => new Promise<never>(() => {}))
    let settled = false
    const pending = run(['doctor'], { admin: silent, clock, requestTimeout: 5_000 }).finally(
      () => (settled = true),
    )
    await new Promise((resolve) => setImmediate(resolve))
    await clock.advance(4_999)
    expect(settled).toBe(false)
    await clock.advance(1)
    expect(await pending).toMatchObject({
      code: 1,
      stderr:
        'booking-guard: Appwrite at https://appwrite.example.com/v1 did not answer within 5000 ms: check APPWRITE_ENDPOINT\n',
    })
  })

  it('should print an unexpected failure as its own one-line message', async () => {
    const result = await run(['doctor'], {
      createAdmin: () => {
        throw new Error('cannot read the key file\n  at somewhere')
      },
    })
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'booking-guard: cannot read the key file\n',
    })
  })
})

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const bin = fileURLToPath(new URL('../bin.ts', import.meta.url))

function spawnCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', bin, ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : ((error as { code?: number }).code ?? null),
          stdout,
          stderr,
        })
      },
    )
  })
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('cli (spawned bin)', () => {
  it('should print the help and exit 0', async () => {
    const result = await spawnCli(['--help'], {})
    expect(result).toEqual({ code: 0, stdout: HELP, stderr: '' })
  }, 30_000)

  it("should print the package's version with --version and -v", async () => {
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    for (const flag of ['--version', '-v']) {
      const result = await spawnCli([flag, 'doctor'], {})
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    }
  }, 30_000)

  it('should say a wrong API key is not valid (not that it lacks scopes), against the emulator', async () => {
    const emulator = await startAppwriteEmulator({ apiKey: 'the-right-key' })
    try {
      const env = {
        APPWRITE_ENDPOINT: emulator.endpoint,
        APPWRITE_PROJECT: emulator.projectId,
        APPWRITE_API_KEY: 'a-wrong-key',
        BOOKING_GUARD_DATABASE: 'main',
      }
      const result = await spawnCli(['doctor'], env)
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `booking-guard: the API key is not valid for project \`${emulator.projectId}\` (unknown, deleted or from another project): check APPWRITE_API_KEY and APPWRITE_PROJECT\n`,
      })
    } finally {
      await emulator.close()
    }
  }, 30_000)

  it('should exit 1 with one line when the endpoint is unreachable, using node-appwrite', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/v1`
    const result = await spawnCli(['doctor'], {
      APPWRITE_ENDPOINT: endpoint,
      APPWRITE_PROJECT: 'shop',
      APPWRITE_API_KEY: 'secret',
      BOOKING_GUARD_DATABASE: 'main',
    })
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `booking-guard: cannot reach Appwrite at ${endpoint}: check APPWRITE_ENDPOINT\n`,
    })
  }, 30_000)

  it('should exit 2 when a setting is missing, before loading anything', async () => {
    const result = await spawnCli(['provision', '--dry-run'], {
      APPWRITE_ENDPOINT: 'http://127.0.0.1/v1',
    })
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'booking-guard: missing Appwrite project id (--project or APPWRITE_PROJECT), API key (--key or APPWRITE_API_KEY), database id (--database or BOOKING_GUARD_DATABASE)\n',
    })
  }, 30_000)
})
