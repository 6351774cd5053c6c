import { appwriteError, createFakeAppwrite, networkError } from '@booking-guard/testing'
import type { TableDefinition } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { DriftFinding } from '../admin'
import type { SchemaLock } from '../index'
import { column, createSchemaLock } from '../index'
import { checkSchemaDrift, formatDriftReport } from '../admin'
import { overriding } from './callProxies'
import { incidentTables, tableOf } from './lockTables'

const lock = createSchemaLock()
const T = lock.tables

/** Every table of `schemaLock`, as declared by the lock. */
function fullSchema(schemaLock: SchemaLock = lock): Record<string, TableDefinition> {
  return Object.fromEntries(
    Object.values(schemaLock.tables).map((spec) => [spec.tableId, tableOf(spec)]),
  )
}

/** A fake whose database `main` holds every table of `schemaLock`, with `changed` in place. */
function fakeWith(changed: Record<string, TableDefinition> = {}, schemaLock: SchemaLock = lock) {
  const tables = { ...fullSchema(schemaLock), ...changed }
  return createFakeAppwrite({ strict: true, databases: { main: { tables } } })
}

/** The drift report of {@link fakeWith}'s database against `schemaLock`. */
function driftWith(changed: Record<string, TableDefinition>, schemaLock: SchemaLock = lock) {
  const { admin } = fakeWith(changed, schemaLock)
  return checkSchemaDrift({ admin, databaseId: 'main', lock: schemaLock })
}

/** The incident: no chat_messages, no notifications, therapistId for providerId, sentAt stuck. */
function incidentFake() {
  const tables = incidentTables(T, { stuck: true })
  return createFakeAppwrite({ strict: true, databases: { main: { tables } } })
}

const MANUAL_MIGRATION =
  'provisioning never changes an existing column: migrate by hand (create a column with the expected type under a new key, copy the data, delete'

describe('drift', () => {
  it('should report no finding when the database matches the lock', async () => {
    const report = await driftWith({})
    expect(report.ok).toBe(true)
    expect(report.findings).toEqual([])
    expect(report.counts).toEqual({ error: 0, warning: 0, info: 0 })
    expect(report.tables.map((t) => [t.tableId, t.status])).toEqual([
      ['bookings', 'ok'],
      ['chat_rooms', 'ok'],
      ['chat_messages', 'ok'],
      ['notifications', 'ok'],
      ['heartbeats', 'ok'],
    ])
  })

  it('should report the incident exactly: missing tables, therapistId for providerId, a column stuck in processing', async () => {
    const fake = incidentFake()
    const report = await checkSchemaDrift({ admin: fake.admin, databaseId: 'main', lock })
    expect(report.findings).toEqual<DriftFinding[]>([
      {
        table: 'bookings',
        kind: 'missing-column',
        severity: 'error',
        column: 'providerId',
        expected: 'string(36)',
        fix: 'provision',
        hint: 'run `booking-guard provision` to create it, then copy the values of the legacy `therapistId` into it',
      },
      {
        table: 'bookings',
        kind: 'extra-column',
        severity: 'info',
        column: 'therapistId',
        actual: 'string(36)',
        fix: 'none',
        hint: 'legacy name of `providerId`: the schema lock maps it on read and never writes it; once its values are copied into `providerId`, delete it',
      },
      {
        table: 'bookings',
        kind: 'missing-index',
        severity: 'warning',
        index: 'by_provider',
        expected: 'key(providerId)',
        fix: 'provision',
        hint: 'the queries that use it scan the whole table: run `booking-guard provision` to create it',
      },
      {
        table: 'chat_messages',
        kind: 'missing-table',
        severity: 'error',
        fix: 'provision',
        hint: 'table `chat_messages` does not exist, so every write to it fails: run `booking-guard provision` to create it with its columns and indexes',
      },
      {
        table: 'notifications',
        kind: 'missing-table',
        severity: 'error',
        fix: 'provision',
        hint: 'table `notifications` does not exist, so every write to it fails: run `booking-guard provision` to create it with its columns and indexes',
      },
      {
        table: 'heartbeats',
        kind: 'column-processing',
        severity: 'error',
        column: 'sentAt',
        expected: 'available',
        actual: 'processing',
        fix: 'wait',
        hint: 'Appwrite is still building this column and rejects writes that use it: wait and re-run `booking-guard doctor`; if it stays `processing` for minutes, delete it in the console and run `booking-guard provision`',
      },
    ])
    expect(report.ok).toBe(false)
    expect(report.counts).toEqual({ error: 4, warning: 1, info: 1 })
    expect(report.tables).toEqual([
      { kind: 'booking', tableId: 'bookings', status: 'drifted', errors: 1, warnings: 1, infos: 1 },
      { kind: 'chatRoom', tableId: 'chat_rooms', status: 'ok', errors: 0, warnings: 0, infos: 0 },
      {
        kind: 'chatMessage',
        tableId: 'chat_messages',
        status: 'missing',
        errors: 1,
        warnings: 0,
        infos: 0,
      },
      {
        kind: 'notification',
        tableId: 'notifications',
        status: 'missing',
        errors: 1,
        warnings: 0,
        infos: 0,
      },
      {
        kind: 'heartbeat',
        tableId: 'heartbeats',
        status: 'drifted',
        errors: 1,
        warnings: 0,
        infos: 0,
      },
    ])
  })

  it('should report a missing database once, with every table missing', async () => {
    const fake = createFakeAppwrite({ strict: true })
    const report = await checkSchemaDrift({ admin: fake.admin, databaseId: 'main' })
    expect(report.findings).toEqual<DriftFinding[]>([
      {
        table: null,
        kind: 'missing-database',
        severity: 'error',
        expected: 'main',
        fix: 'provision',
        hint: 'database `main` does not exist: check the database id, or run `booking-guard provision` to create it with every table',
      },
    ])
    expect(report.tables.every((t) => t.status === 'missing' && t.errors === 0)).toBe(true)
    expect(report.ok).toBe(false)
  })

  it('should report wrong types, sizes, ranges, enum values, required flags and failed columns', async () => {
    const report = await driftWith({
      bookings: tableOf(T.booking, {
        columns: [
          { key: 'customerId', type: 'integer', required: true },
          { key: 'customerName', type: 'string', size: 100, required: true },
          { key: 'durationMinutes', type: 'integer', min: 1, max: 480, required: true },
          {
            key: 'status',
            type: 'enum',
            elements: ['pending', 'confirmed', 'cancelled'],
            required: true,
          },
          { key: 'notes', type: 'string', size: 2000, required: true },
          { key: 'providerName', type: 'string', size: 255, required: false },
          {
            key: 'location',
            type: 'string',
            size: 500,
            required: false,
            status: 'failed',
            error: 'Max row size exceeded',
          },
          { key: 'scheduledAt', type: 'datetime', array: true, required: false },
        ],
      }),
    })
    expect(
      report.findings.map((f) => [f.kind, f.severity, f.column, f.expected, f.actual]),
    ).toEqual([
      ['wrong-type', 'error', 'customerId', 'string(36)', 'integer'],
      ['size-too-small', 'error', 'customerName', 'size 255', 'size 100'],
      ['required-mismatch', 'warning', 'providerName', 'required', 'optional'],
      [
        'enum-values-missing',
        'error',
        'status',
        'pending, confirmed, declined, expired, cancelled, completed',
        'pending, confirmed, cancelled',
      ],
      ['wrong-type', 'error', 'scheduledAt', 'datetime', 'datetime[]'],
      ['size-too-small', 'error', 'durationMinutes', 'range 1..1440', 'range 1..480'],
      ['column-failed', 'error', 'location', 'available', 'failed: Max row size exceeded'],
      ['required-mismatch', 'error', 'notes', 'optional', 'required'],
    ])
    const byColumn = (key: string) => report.findings.find((f) => f.column === key)!
    expect(byColumn('customerId').hint).toContain(MANUAL_MIGRATION)
    expect(byColumn('customerId').fix).toBe('manual')
    expect(byColumn('status').hint).toBe(
      "Appwrite rejects `declined`, `expired`, `completed`: add them with `tablesDB.updateEnumColumn({ …, key: 'status', elements: ['pending', 'confirmed', 'cancelled', 'declined', 'expired', 'completed'] })` or in the console (provisioning never changes an existing column)",
    )
    expect(byColumn('customerName').hint).toContain('tablesDB.updateStringColumn(')
    expect(byColumn('durationMinutes').hint).toContain('tablesDB.updateIntegerColumn(')
    expect(byColumn('location').hint).toBe(
      'Appwrite could not build this column: Max row size exceeded: delete it in the console, then run `booking-guard provision` to create it again',
    )
    expect(byColumn('notes').hint).toContain('required: false')
  })

  it('should accept server 1.9 varchar and text columns for a string spec when they are big enough', async () => {
    const report = await driftWith({
      chat_messages: tableOf(T.chatMessage, {
        columns: [
          { key: 'content', type: 'text', required: true },
          { key: 'senderName', type: 'varchar', size: 255, required: true },
          { key: 'roomId', type: 'varchar', size: 20, required: true },
        ],
      }),
    })
    expect(report.findings).toEqual([
      expect.objectContaining({
        table: 'chat_messages',
        kind: 'size-too-small',
        column: 'roomId',
        expected: 'size 36',
        actual: 'size 20',
        hint: expect.stringContaining('tablesDB.updateVarcharColumn('),
      }),
    ])
  })

  it('should ask for a migration when a text column is too small, since it cannot be widened', async () => {
    const big = createSchemaLock({
      extend: { chatMessage: { transcript: column.string({ size: 20_000, required: false }) } },
    })
    const report = await driftWith(
      {
        chat_messages: tableOf(big.tables.chatMessage, {
          columns: [{ key: 'transcript', type: 'text', required: false }],
        }),
      },
      big,
    )
    expect(report.findings).toEqual([
      {
        table: 'chat_messages',
        kind: 'size-too-small',
        severity: 'error',
        column: 'transcript',
        expected: 'size 20000',
        actual: 'size 16383',
        fix: 'manual',
        hint: `Appwrite rejects longer values the lock accepts; ${MANUAL_MIGRATION} \`transcript\`, rename or re-run \`booking-guard provision\`)`,
      },
    ])
  })

  it('should warn when a column accepts every valid value but checks less than the lock', async () => {
    const report = await driftWith({
      notifications: tableOf(T.notification, {
        columns: [{ key: 'priority', type: 'string', size: 10, required: true }],
      }),
      bookings: tableOf(T.booking, {
        columns: [{ key: 'durationMinutes', type: 'double', required: true }],
      }),
    })
    expect(report.findings.map((f) => [f.table, f.kind, f.severity, f.column])).toEqual([
      ['bookings', 'wrong-type', 'warning', 'durationMinutes'],
      ['notifications', 'wrong-type', 'warning', 'priority'],
    ])
    expect(report.ok).toBe(true)
  })

  it('should count an equivalent index under another key, and flag a key taken by other columns', async () => {
    const report = await driftWith({
      bookings: tableOf(T.booking, {
        omitIndexes: ['by_provider', 'unique_idempotency_key', 'by_customer'],
        indexes: [
          { key: 'providerId_idx', type: 'unique', columns: ['providerId'] },
          { key: 'unique_idempotency_key', type: 'key', columns: ['idempotencyKey'] },
          { key: 'by_customer', type: 'key', columns: ['customerName'] },
        ],
      }),
    })
    expect(report.findings).toEqual<DriftFinding[]>([
      {
        table: 'bookings',
        kind: 'missing-index',
        severity: 'warning',
        index: 'by_customer',
        expected: 'key(customerId)',
        actual: 'key(customerName)',
        fix: 'manual',
        hint: 'the queries that use it scan the whole table, and an index called `by_customer` already covers other columns: delete or rename it in the console, then run `booking-guard provision`',
      },
      {
        table: 'bookings',
        kind: 'missing-index',
        severity: 'error',
        index: 'unique_idempotency_key',
        expected: 'unique(idempotencyKey)',
        actual: 'key(idempotencyKey)',
        fix: 'manual',
        hint: 'without it duplicates get in, and an index called `unique_idempotency_key` already covers other columns: delete or rename it in the console, then run `booking-guard provision`',
      },
    ])
  })

  it('should report an index still building as waiting', async () => {
    const report = await driftWith({
      heartbeats: tableOf(T.heartbeat, {
        omitIndexes: ['by_channel'],
        indexes: [
          { key: 'by_channel', type: 'key', columns: ['channelKey'], status: 'processing' },
        ],
      }),
    })
    expect(report.findings).toEqual([
      expect.objectContaining({
        table: 'heartbeats',
        kind: 'missing-index',
        severity: 'warning',
        index: 'by_channel',
        actual: 'key(channelKey) processing',
        fix: 'wait',
      }),
    ])
  })

  it('should report extra columns as information, and a required one as an error', async () => {
    const report = await driftWith({
      chat_rooms: tableOf(T.chatRoom, {
        columns: [
          { key: 'theme', type: 'string', size: 20, required: false },
          { key: 'tenantId', type: 'string', size: 36, required: true },
        ],
      }),
    })
    expect(report.findings.map((f) => [f.kind, f.severity, f.column, f.actual, f.fix])).toEqual([
      ['extra-column', 'info', 'theme', 'string(20)', 'none'],
      ['extra-column', 'error', 'tenantId', 'string(36), required', 'manual'],
    ])
    expect(report.findings[1]!.hint).toContain('createSchemaLock({ extend })')
  })

  it('should check the columns, aliases and indexes of an extended lock with custom table ids', async () => {
    const custom = createSchemaLock({
      tableIds: { booking: 'spa_bookings' },
      extend: { booking: { spaId: column.id({ required: false }) } },
      aliases: { booking: { masseurId: 'providerId' } },
      indexes: { booking: [{ key: 'by_spa', type: 'key', columns: ['spaId'] }] },
    })
    const report = await driftWith(
      {
        spa_bookings: tableOf(custom.tables.booking, {
          omit: ['spaId', 'providerId'],
          columns: [{ key: 'masseurId', type: 'string', size: 36, required: false }],
        }),
      },
      custom,
    )
    expect(report.findings.map((f) => [f.table, f.kind, f.column ?? f.index])).toEqual([
      ['spa_bookings', 'missing-column', 'providerId'],
      ['spa_bookings', 'missing-column', 'spaId'],
      ['spa_bookings', 'extra-column', 'masseurId'],
      ['spa_bookings', 'missing-index', 'by_provider'],
      ['spa_bookings', 'missing-index', 'by_spa'],
    ])
    expect(report.findings[0]!.hint).toContain('legacy `masseurId`')
  })

  it('should warn about table permissions open beyond the participants', async () => {
    const report = await driftWith({
      bookings: tableOf(T.booking, {
        permissions: ['read("any")', 'create("users")', 'update("users")'],
        rowSecurity: true,
      }),
      notifications: tableOf(T.notification, { rowSecurity: false }),
    })
    expect(report.findings).toEqual<DriftFinding[]>([
      {
        table: 'bookings',
        kind: 'table-permissions',
        severity: 'warning',
        expected:
          'server-written, participant-only (row security on, no table-level permission for broad roles)',
        actual: 'read("any"), create("users"), update("users")',
        fix: 'manual',
        hint: 'rows must be readable only by their participants: in the table settings remove read("any"), create("users"), update("users") (each booking-guard row carries its own customer, provider and admin permissions; its rows cross two users, so only the server path writes them: a user allowed to create them can forge bookings or squat slots)',
      },
      {
        table: 'notifications',
        kind: 'table-permissions',
        severity: 'warning',
        expected:
          'server-written, participant-only (row security on, no table-level permission for broad roles)',
        actual: 'rowSecurity off',
        fix: 'manual',
        hint: 'rows must be readable only by their participants: in the table settings turn row security on (each booking-guard row carries its own customer, provider and admin permissions; its rows cross two users, so only the server path writes them: a user allowed to create them can forge bookings or squat slots)',
      },
    ])
  })

  it('should flag a pipeline table that lets signed-in users or guests create rows, not the heartbeat table', async () => {
    const report = await driftWith({
      chat_messages: tableOf(T.chatMessage, {
        permissions: ['create("users")'],
        rowSecurity: true,
      }),
      chat_rooms: tableOf(T.chatRoom, {
        permissions: ['create("guests")'],
        rowSecurity: true,
      }),
      heartbeats: tableOf(T.heartbeat, {
        permissions: ['create("users")'],
        rowSecurity: true,
      }),
    })
    expect(report.findings.map((f) => [f.table, f.kind, f.actual])).toEqual([
      ['chat_rooms', 'table-permissions', 'create("guests")'],
      ['chat_messages', 'table-permissions', 'create("users")'],
    ])
  })

  it('should reject with the admin error when Appwrite answers something other than "not found"', async () => {
    const fake = fakeWith()
    const unauthorized = appwriteError('user_unauthorized')
    const denied = overriding(fake.admin, { get: () => Promise.reject(unauthorized) })
    await expect(checkSchemaDrift({ admin: denied, databaseId: 'main' })).rejects.toBe(unauthorized)

    const offline = networkError('ECONNREFUSED')
    const unreachable = overriding(fake.admin, { getTable: () => Promise.reject(offline) })
    await expect(checkSchemaDrift({ admin: unreachable, databaseId: 'main' })).rejects.toBe(offline)

    // A bare 404 (a proxy, a wrong path) is not a missing table.
    const proxy404 = Object.assign(new Error('Not Found'), { code: 404, type: '' })
    const wrongPath = overriding(fake.admin, { getTable: () => Promise.reject(proxy404) })
    await expect(checkSchemaDrift({ admin: wrongPath, databaseId: 'main' })).rejects.toBe(proxy404)

    // A web server that is not Appwrite answers 200 with a page the SDK passes through.
    const html = overriding(fake.admin, {
      getTable: () => Promise.resolve({ message: '<html>…</html>' }),
    })
    await expect(checkSchemaDrift({ admin: html, databaseId: 'main' })).rejects.toThrow(
      '`getTable` for `bookings` did not answer with a table (no `columns` list): is the endpoint an Appwrite server, ending with /v1?',
    )
  })

  it('should stop when the signal is aborted', async () => {
    const fake = fakeWith()
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(
      checkSchemaDrift({ admin: fake.admin, databaseId: 'main', signal: controller.signal }),
    ).rejects.toThrow('stop')
  })

  it('should format the report with a summary, each table and each fix', async () => {
    const report = await checkSchemaDrift({ admin: incidentFake().admin, databaseId: 'main' })
    const text = formatDriftReport(report)
    const lines = text.split('\n')
    expect(lines[0]).toBe('Schema drift in database `main`: 4 errors, 1 warning, 1 info')
    expect(lines).toContain('  bookings: drifted (1 error, 1 warning, 1 info)')
    expect(lines).toContain('    error   missing-column `providerId`: expected string(36)')
    expect(lines).toContain('  chat_rooms: ok')
    expect(lines).toContain('  chat_messages: missing (1 error)')
    expect(lines).toContain(
      '    error   column-processing `sentAt`: expected available, found processing',
    )
    expect(lines.filter((line) => line.trimStart().startsWith('fix: '))).toHaveLength(6)

    const clean = fakeWith()
    expect(
      formatDriftReport(await checkSchemaDrift({ admin: clean.admin, databaseId: 'main' })),
    ).toBe('Database `main` matches the schema lock (5 tables checked).')
  })
})
