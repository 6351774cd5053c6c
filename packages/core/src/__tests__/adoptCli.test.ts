import { spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createIncidentDatabase } from '@booking-guard/testing/fixtures'
import type { IncidentDatabase } from '@booking-guard/testing/fixtures'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { describe, expect, it } from 'vitest'
import { auditData } from '../adopt/audit'
import type { AuditReport } from '../adopt/audit'
import { repairData } from '../adopt/repair'
import type { RepairReport } from '../adopt/repair'
import { systemClock } from '../clock'
import { createSchemaLock } from '../schema/schemaLock'
import { main } from '../cli'

const ENV = {
  APPWRITE_ENDPOINT: 'https://appwrite.example.com/v1',
  APPWRITE_PROJECT: 'shop',
  APPWRITE_API_KEY: 'secret',
}

async function mappingFile(incident: IncidentDatabase, extra: object = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bg-adopt-'))
  const path = join(dir, 'mapping.json')
  await writeFile(
    path,
    JSON.stringify({ ...incident.mapping, adminRoles: [incident.adminRole], ...extra }),
  )
  return path
}

async function run(incident: IncidentDatabase, argv: string[]) {
  let out = ''
  let err = ''
  const apis: string[] = []
  const code = await main([...argv, '--database', incident.databaseId], {
    env: ENV,
    stdout: { write: (chunk) => (out += chunk) },
    stderr: { write: (chunk) => (err += chunk) },
    clock: incident.clock,
    createData: (_config, api) => {
      apis.push(api)
      return api === 'databases' ? incident.fake.databases : incident.fake.tablesDB
    },
  })
  return { code, out, err, apis }
}

describe('adoptCli', () => {
  it("should read columnNames and writeValues from the mapping file: the app's own names are not legacy", async () => {
    const incident = await createIncidentDatabase()
    const mapping = await mappingFile(incident, {
      columnNames: {
        booking: { providerId: 'therapistId', providerName: 'therapistName' },
        notification: { recipientId: 'userId', read: 'isRead' },
        chatMessage: { content: 'message' },
      },
      writeValues: {
        booking: { status: { pending: 'Pending', confirmed: 'Confirmed', cancelled: 'Cancelled' } },
      },
    })
    const audit = await run(incident, ['audit', '--api', 'databases', '--mapping', mapping])
    expect(audit.err).toBe('')
    expect(audit.out).not.toContain('[legacyFields]')
    expect(audit.out).not.toContain('[legacyValue]')
    const legacy = incident.problems.filter(
      (p) => p.code === 'legacyFields' || p.code === 'legacyValue',
    )
    expect(audit.out).toContain(`${incident.problems.length - legacy.length} problems.`)

    const repair = await run(incident, [
      'repair',
      '--apply',
      '--api',
      'databases',
      '--cancel-duplicates',
      '--mapping',
      mapping,
    ])
    expect(repair.code).toBe(0)
    const bookings = incident.fake.snapshot()[incident.databaseId]!.bookings_collection_id!
    expect(bookings.find((b) => b.$id === 'b-dup-2')!.status).toBe('Cancelled')
  })

  it('should audit with the mapping file and exit 1 when it finds problems', async () => {
    const incident = await createIncidentDatabase()
    const mapping = await mappingFile(incident)
    const human = await run(incident, ['audit', '--api', 'databases', '--mapping', mapping])
    expect(human.code).toBe(1)
    expect(human.apis).toEqual(['databases'])
    expect(human.out).toContain('✗ 2 bookings stuck pending [stuckPending]')
    expect(human.out).toContain(`${incident.problems.length} problems.`)
    const json = await run(incident, ['audit', '--mapping', mapping, '--json'])
    expect(json.apis).toEqual(['tablesDB'])
    const report = JSON.parse(json.out) as AuditReport
    expect(report.problems.map((p) => `${p.code} ${p.rowId}`).sort()).toEqual(
      incident.problems.map((p) => `${p.code} ${p.rowId}`).sort(),
    )
  })

  it('should list the changes in a dry run, apply them, and then audit clean', async () => {
    const incident = await createIncidentDatabase()
    const mapping = await mappingFile(incident)
    const before = incident.fake.snapshot()
    const dry = await run(incident, ['repair', '--dry-run', '--mapping', mapping])
    expect(dry.out).toMatch(/^Dry run: \d+ changes would fix/m)
    expect(dry.out).toContain('legacyFields')
    expect(dry.code).toBe(1) // legacy names and the duplicate slot are left without the flags
    expect(incident.fake.snapshot()).toEqual(before)

    const flags = ['--mapping', mapping, '--rewrite-legacy', '--cancel-duplicates']
    const applied = await run(incident, ['repair', '--apply', '--json', ...flags])
    expect(applied.code).toBe(0)
    const report = JSON.parse(applied.out) as RepairReport
    expect(report.skipped).toEqual([])
    expect(report.changes.length).toBeGreaterThan(0)
    const audit = await run(incident, ['audit', '--mapping', mapping])
    expect(audit.code).toBe(0)
    expect(audit.out).toContain('✓ nothing to repair')
    const again = await run(incident, ['repair', '--apply', ...flags])
    expect(again.code).toBe(0)
    expect(again.out).toContain('Repaired: 0 changes made, 0 already done.')
  })

  it('should exit 2 on wrong usage', async () => {
    const incident = await createIncidentDatabase({ healthyBookings: 0 })
    const neither = await run(incident, ['repair'])
    expect(neither.code).toBe(2)
    expect(neither.err).toContain('exactly one of --dry-run')
    expect((await run(incident, ['repair', '--dry-run', '--apply'])).code).toBe(2)
    expect((await run(incident, ['audit', '--apply'])).code).toBe(2)
    expect((await run(incident, ['audit', '--api', 'rest'])).err).toContain(
      '--api must be tablesDB or databases',
    )
    const bad = await mappingFile(incident, { tables: {} })
    const unknown = await run(incident, ['audit', '--mapping', bad])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('unknown key `tables`')
    expect((await run(incident, ['audit', '--mapping', '/nonexistent/m.json'])).code).toBe(2)
  })
})

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const bin = fileURLToPath(new URL('../bin.ts', import.meta.url))

describe('adoptCli (spawned bin against the emulator)', () => {
  it('should end clean when a SIGKILL stops repair --apply and a rerun finishes it', async () => {
    const incident = await createIncidentDatabase()
    // Every pending booking counts as stuck whatever today's date: the audit reads the real clock here.
    const mapping = await mappingFile(incident, { stuckAfterMs: 0 })
    // Slow answers, so the run is still going when it is killed.
    const emulator = await startAppwriteEmulator({ fake: incident.fake, latencyMs: 150 })
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          bin,
          'repair',
          '--apply',
          '--api',
          'databases',
          '--rewrite-legacy',
          '--cancel-duplicates',
          '--mapping',
          mapping,
          '--database',
          incident.databaseId,
        ],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            APPWRITE_ENDPOINT: emulator.endpoint,
            APPWRITE_PROJECT: emulator.projectId,
            APPWRITE_API_KEY: emulator.apiKey,
          },
        },
      )
      let out = ''
      const killed = new Promise<NodeJS.Signals | null>((resolve) => {
        child.on('exit', (_code, signal) => resolve(signal))
      })
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (/^ {2}done /m.test(out)) child.kill('SIGKILL')
      })
      expect(await killed).toBe('SIGKILL')
      const doneBeforeKill = out
        .split('\n')
        .filter((line) => line.startsWith('  done '))
        .map((line) => line.split(' [')[0]!.slice('  done '.length))
      expect(doneBeforeKill.length).toBeGreaterThan(0)
      expect(out).not.toContain('Repaired:')

      const options = {
        databases: incident.fake.databases,
        databaseId: incident.databaseId,
        lock: createSchemaLock({
          tableIds: incident.mapping.tableIds,
          aliases: incident.mapping.aliases,
          values: incident.mapping.values,
          onIssue: () => {},
        }),
        strayTables: incident.mapping.strayTables,
        stuckAfterMs: 0,
        clock: systemClock,
      }
      const rerun = await repairData({
        ...options,
        mode: 'apply',
        rewriteLegacy: true,
        duplicateSlots: 'cancel',
        permissions: { adminRoles: [incident.adminRole] },
      })
      expect(rerun.changes.length).toBeGreaterThan(0)
      const redone = rerun.changes
        .filter((c) => c.outcome === 'applied')
        .map((c) => `${c.action} ${c.tableId}/${c.rowId}`)
        .filter((change) => doneBeforeKill.includes(change))
      expect(redone).toEqual([])
      expect(rerun.changes.some((c) => c.outcome === 'conflict')).toBe(false)
      const audit = await auditData(options)
      expect(audit.problems).toEqual([])
      const bookings = incident.fake.snapshot()[incident.databaseId]!.bookings_collection_id!
      expect(bookings.map((b) => b.$id)).toEqual(incident.bookingIds)
    } finally {
      await emulator.close()
    }
  }, 60_000)
})
