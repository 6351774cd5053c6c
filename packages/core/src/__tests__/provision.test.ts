import { appwriteError, createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import type { ManualClock, TableDefinition } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { incidentTables, tableOf as lockTable } from './lockTables'
import type { TableEdits } from './lockTables'
import { overriding, recording } from './callProxies'
import { validRow } from './schemaRows'
import type { TableSpec } from '../schema/index'
import type { ProvisionStep, TablesDBAdminLike } from '../admin'
import { column, createSchemaLock, isBookingGuardError } from '../index'
import {
  DEFAULT_TABLE_PERMISSIONS,
  checkSchemaDrift,
  formatProvisionPlan,
  isProvisioningError,
  provisionSchema,
} from '../admin'

const lock = createSchemaLock()
const T = lock.tables
const SPECS = Object.values(T)
const COLUMN_COUNT = SPECS.reduce((n, spec) => n + spec.columns.length, 0)
const INDEX_COUNT = SPECS.reduce((n, spec) => n + spec.indexes.length, 0)

/** A table as provisioning creates it (participant-only), equal to the lock's spec but for `edits`. */
function tableOf(spec: TableSpec, edits: TableEdits = {}): TableDefinition {
  return lockTable(spec, {
    ...edits,
    permissions: [...DEFAULT_TABLE_PERMISSIONS],
    rowSecurity: true,
  })
}

/** The incident (see `incidentTables`), its tables as provisioning creates them. */
function incidentFake({ stuck = false } = {}) {
  const tables = incidentTables(T, { stuck, table: tableOf })
  return createFakeAppwrite({ strict: true, databases: { main: { tables } } })
}

/** A fake whose database `main` holds every table as provisioning creates it, `changed` in place. */
function fakeWith(changed: Record<string, TableDefinition>) {
  const tables = {
    ...Object.fromEntries(SPECS.map((spec) => [spec.tableId, tableOf(spec)])),
    ...changed,
  }
  return createFakeAppwrite({ strict: true, databases: { main: { tables } } })
}

/** Lets every pending promise chain settle (the fake answers without timers). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Advances the manual clock by `ms`, `step` at a time, letting promise chains settle in between. */
async function tick(clock: ManualClock, ms: number, step = 1_000): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += step) {
    await clock.advance(Math.min(step, ms - elapsed))
    await flush()
  }
}

function stepKeys(steps: readonly ProvisionStep[]): string[] {
  return steps.map((s) =>
    [s.action, s.table, s.column ?? s.index, s.status].filter(Boolean).join(' '),
  )
}

describe('provision', () => {
  it('should create the database, every table, column and index, after which doctor is clean', async () => {
    const fake = createFakeAppwrite({ strict: true })
    const plan = await provisionSchema({ admin: fake.admin, databaseId: 'main', lock })

    expect(plan.dryRun).toBe(false)
    expect(plan.changed).toBe(true)
    expect(plan.manual).toEqual([])
    expect(plan.steps).toHaveLength(1 + SPECS.length + COLUMN_COUNT + INDEX_COUNT)
    expect(plan.steps.every((step) => step.status === 'done')).toBe(true)
    expect(plan.steps[0]).toEqual({
      action: 'create-database',
      detail: 'main',
      method: 'create',
      status: 'done',
    })
    expect(plan.steps[1]).toEqual({
      action: 'create-table',
      table: 'bookings',
      detail: 'permissions [], row security on',
      method: 'createTable',
      status: 'done',
    })
    // Tables first, then columns, then indexes.
    const actions = plan.steps.map((step) => step.action)
    expect(actions.lastIndexOf('create-table')).toBeLessThan(actions.indexOf('create-column'))
    expect(actions.lastIndexOf('create-column')).toBeLessThan(actions.indexOf('create-index'))
    expect(plan.steps).toContainEqual({
      action: 'create-column',
      table: 'bookings',
      column: 'providerId',
      detail: 'string(36), required',
      method: 'createStringColumn',
      status: 'done',
    })
    expect(plan.steps).toContainEqual({
      action: 'create-column',
      table: 'notifications',
      column: 'read',
      detail: 'boolean, optional, default false',
      method: 'createBooleanColumn',
      status: 'done',
    })
    expect(plan.steps).toContainEqual({
      action: 'create-index',
      table: 'bookings',
      index: 'unique_idempotency_key',
      detail: 'unique(idempotencyKey)',
      method: 'createIndex',
      status: 'done',
    })

    const report = await checkSchemaDrift({ admin: fake.admin, databaseId: 'main', lock })
    expect(report.findings).toEqual([])
    expect(report.ok).toBe(true)

    const bookings = await fake.admin.getTable({ databaseId: 'main', tableId: 'bookings' })
    // The pipeline's tables are written by the server only; browsers write their own heartbeats.
    expect(bookings.$permissions).toEqual([])
    expect(bookings.rowSecurity).toBe(true)
    const heartbeats = await fake.admin.getTable({ databaseId: 'main', tableId: 'heartbeats' })
    expect(heartbeats.$permissions).toEqual(['create("users")'])
  })

  it('should change nothing on a second run and say so', async () => {
    const fake = createFakeAppwrite({ strict: true })
    await provisionSchema({ admin: fake.admin, databaseId: 'main', lock })

    const { proxy: admin, calls } = recording(fake.admin)
    const plan = await provisionSchema({ admin, databaseId: 'main', lock })
    expect(plan).toEqual({
      databaseId: 'main',
      dryRun: false,
      changed: false,
      steps: [],
      manual: [],
    })
    expect(calls.sort()).toEqual([
      'get',
      'getTable',
      'getTable',
      'getTable',
      'getTable',
      'getTable',
    ])
    expect(formatProvisionPlan(plan)).toBe(
      'Nothing to do: database `main` already has every table, column and index of the schema lock; nothing was changed.',
    )
  })

  it('should fix the incident without touching the legacy column or its rows', async () => {
    const fake = incidentFake({ stuck: true })
    const { providerId, ...rest } = validRow('booking', { pipelineStatus: 'delivered' })
    const legacy = { ...rest, therapistId: providerId }
    await fake.tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
      data: legacy,
    })
    const before = fake.snapshot().main!.bookings

    const clock = createManualClock()
    const { proxy: admin, calls } = recording(fake.admin)
    const running = provisionSchema({ admin, databaseId: 'main', lock, clock })
    await tick(clock, 3_000)
    // Every column is created, but no index while `heartbeats.sentAt` is still being built.
    expect(calls).toContain('createEnumColumn')
    expect(calls).not.toContain('createIndex')
    fake.admin.setColumnStatus({
      databaseId: 'main',
      tableId: 'heartbeats',
      key: 'sentAt',
      status: 'available',
    })
    await tick(clock, 1_000)
    const plan = await running
    const created = (table: string, action: 'create-column' | 'create-index') =>
      plan.steps
        .filter((s) => s.table === table && s.action === action)
        .map((s) => s.column ?? s.index)
    expect(stepKeys(plan.steps.filter((s) => s.action === 'create-table'))).toEqual([
      'create-table chat_messages done',
      'create-table notifications done',
    ])
    expect(created('bookings', 'create-column')).toEqual(['providerId'])
    expect(created('chat_messages', 'create-column')).toEqual(
      T.chatMessage.columns.map((c) => c.key),
    )
    expect(created('notifications', 'create-column')).toEqual(
      T.notification.columns.map((c) => c.key),
    )
    expect(created('bookings', 'create-index')).toEqual(['by_provider'])
    expect(created('chat_rooms', 'create-column')).toEqual([])
    expect(plan.steps.find((s) => s.column === 'providerId')!.note).toBe(
      '`providerId` is required: rows written before it existed have no value and Appwrite rejects updates to them until it is filled; copy it from the legacy `therapistId`',
    )
    expect(plan.manual).toEqual([])

    const after = await checkSchemaDrift({ admin: fake.admin, databaseId: 'main', lock })
    expect(after.ok).toBe(true)
    expect(after.findings.map((f) => [f.table, f.kind, f.column])).toEqual([
      ['bookings', 'extra-column', 'therapistId'],
    ])
    const row = fake.snapshot().main!.bookings!.find((r) => r.$id === 'b1')!
    expect(row).toMatchObject({ therapistId: 'p1', customerName: 'Ana' })
    expect(row.$updatedAt).toBe(before!.find((r) => r.$id === 'b1')!.$updatedAt)
  })

  it('should only plan on a dry run and write nothing', async () => {
    const fake = incidentFake()
    const { proxy: admin, calls } = recording(fake.admin)
    const plan = await provisionSchema({ admin, databaseId: 'main', lock, dryRun: true })
    expect(plan.dryRun).toBe(true)
    expect(plan.changed).toBe(false)
    expect(plan.steps.length).toBe(
      2 +
        1 +
        T.chatMessage.columns.length +
        T.notification.columns.length +
        1 +
        T.chatMessage.indexes.length +
        T.notification.indexes.length,
    )
    expect(plan.steps.every((s) => s.status === 'planned')).toBe(true)
    expect(calls.filter((name) => !name.startsWith('get'))).toEqual([])
    expect(formatProvisionPlan(plan).split('\n')[0]).toBe(
      `Dry run for database \`main\`: ${plan.steps.length} steps would run, nothing was changed.`,
    )

    const real = await provisionSchema({ admin: fake.admin, databaseId: 'main', lock })
    expect(stepKeys(real.steps).map((key) => key.replace(/ done$/, ''))).toEqual(
      stepKeys(plan.steps).map((key) => key.replace(/ planned$/, '')),
    )
  })

  it('should only call read and create methods, never delete or update', async () => {
    const { proxy: admin, calls } = recording(incidentFake().admin)
    await provisionSchema({ admin, databaseId: 'main', lock })
    expect(calls.length).toBeGreaterThan(0)
    expect(calls.filter((name) => !/^(get|getTable|create[A-Za-z]*)$/.test(name))).toEqual([])
  })

  it('should return drift it cannot fix in `manual` and leave those columns alone', async () => {
    const fake = createFakeAppwrite({
      strict: true,
      databases: {
        main: {
          tables: {
            bookings: tableOf(T.booking, {
              columns: [{ key: 'customerName', type: 'string', size: 100, required: true }],
            }),
          },
        },
      },
    })
    const { proxy: admin, calls } = recording(fake.admin)
    const plan = await provisionSchema({ admin, databaseId: 'main', lock })
    expect(plan.manual.map((f) => [f.table, f.kind, f.column])).toEqual([
      ['bookings', 'size-too-small', 'customerName'],
    ])
    expect(
      calls.filter((name) => name.startsWith('create') && name.endsWith('Column')),
    ).toHaveLength(COLUMN_COUNT - T.booking.columns.length)
    const bookings = await fake.admin.getTable({ databaseId: 'main', tableId: 'bookings' })
    expect(bookings.columns.find((c) => c.key === 'customerName')).toMatchObject({ size: 100 })
    expect(formatProvisionPlan(plan)).toContain(
      '1 difference to fix by hand (provisioning never changes or drops what exists):',
    )
  })

  it('should wait for new columns to leave `processing` on the injected clock before creating indexes', async () => {
    const fake = createFakeAppwrite({ strict: true, databases: { main: { tables: {} } } })
    const clock = createManualClock()
    fake.admin.pauseWorker()
    const { proxy: admin, calls } = recording(fake.admin)
    let settled = false
    const done = provisionSchema({
      admin,
      databaseId: 'main',
      lock,
      clock,
      pollInterval: 1_000,
      timeout: 10_000,
    }).finally(() => (settled = true))

    await flush()
    const polls = () => calls.filter((name) => name === 'getTable').length
    const first = polls()
    expect(calls).not.toContain('createIndex')
    await tick(clock, 2_000)
    expect(settled).toBe(false)
    expect(polls()).toBe(first + 2 * SPECS.length)
    expect(calls).not.toContain('createIndex')

    fake.admin.resumeWorker()
    await tick(clock, 1_000)
    const plan = await done
    expect(plan.changed).toBe(true)
    expect(calls.filter((name) => name === 'createIndex')).toHaveLength(INDEX_COUNT)
    expect(
      (await checkSchemaDrift({ admin: fake.admin, databaseId: 'main', lock })).findings,
    ).toEqual([])
  })

  it('should time out naming the columns still processing', async () => {
    const fake = fakeWith({
      bookings: tableOf(T.booking, { omit: ['providerId'] }),
      chat_rooms: tableOf(T.chatRoom, { omit: ['expiresAt'] }),
    })
    const clock = createManualClock()
    fake.admin.pauseWorker()
    let caught: unknown
    const done = provisionSchema({
      admin: fake.admin,
      databaseId: 'main',
      lock,
      clock,
      timeout: 5_000,
    }).catch((error: unknown) => (caught = error))
    await flush()
    await tick(clock, 4_999)
    expect(caught).toBeUndefined()
    await tick(clock, 1)
    await done
    expect(isProvisioningError(caught)).toBe(true)
    if (!isProvisioningError(caught)) return
    expect(caught.code).toBe('PROVISIONING')
    expect(caught.reason).toBe('timeout')
    expect(caught.unavailable).toEqual([
      { table: 'bookings', key: 'providerId', type: 'column', status: 'processing', error: '' },
      { table: 'chat_rooms', key: 'expiresAt', type: 'column', status: 'processing', error: '' },
    ])
    expect(caught.message).toBe(
      'still processing after 5000 ms: bookings.providerId, chat_rooms.expiresAt; Appwrite may be busy: run `booking-guard doctor` in a minute, or `booking-guard provision` again with a longer timeout',
    )
    expect(stepKeys(caught.steps)).toEqual([
      'create-column bookings providerId done',
      'create-column chat_rooms expiresAt done',
      'create-index bookings by_provider planned',
    ])
  })

  it('should stop when Appwrite fails to build a column', async () => {
    const fake = createFakeAppwrite({ strict: true, databases: { main: { tables: {} } } })
    const error = await provisionSchema({
      admin: fake.admin,
      databaseId: 'main',
      lock,
      onStep: (step) => {
        if (step.table === 'notifications' && step.column === 'body') {
          fake.admin.setColumnStatus({
            databaseId: 'main',
            tableId: 'notifications',
            key: 'body',
            status: 'failed',
            error: 'Row size limit',
          })
        }
      },
    }).catch((e: unknown) => e)
    expect(isProvisioningError(error) && error.reason).toBe('failed')
    expect(isProvisioningError(error) && error.unavailable).toEqual([
      {
        table: 'notifications',
        key: 'body',
        type: 'column',
        status: 'failed',
        error: 'Row size limit',
      },
    ])
    expect((error as Error).message).toBe(
      'Appwrite could not build column `notifications.body` (failed: Row size limit): delete it in the console and run `booking-guard provision` again',
    )
  })

  it('should wait for an existing column still processing before creating an index on it', async () => {
    const fake = fakeWith({
      bookings: {
        ...tableOf(T.booking, {
          columns: [
            {
              key: 'providerId',
              type: 'string',
              size: 36,
              required: true,
              status: 'processing',
            },
          ],
        }),
        indexes: tableOf(T.booking).indexes!.filter((i) => i.key !== 'by_provider'),
      },
    })
    const clock = createManualClock()
    const { proxy: admin, calls } = recording(fake.admin)
    const done = provisionSchema({ admin, databaseId: 'main', lock, clock })
    await tick(clock, 3_000)
    expect(calls).not.toContain('createIndex')
    fake.admin.setColumnStatus({
      databaseId: 'main',
      tableId: 'bookings',
      key: 'providerId',
      status: 'available',
    })
    await tick(clock, 1_000)
    expect(stepKeys((await done).steps)).toEqual(['create-index bookings by_provider done'])
  })

  it('should count `409 already exists` from a concurrent run as existed', async () => {
    const fake = incidentFake()
    const createTable = async (params: Parameters<TablesDBAdminLike['createTable']>[0]) => {
      await fake.admin.createTable(params)
      throw appwriteError('table_already_exists')
    }
    const plan = await provisionSchema({
      admin: overriding(fake.admin, { createTable }),
      databaseId: 'main',
      lock,
    })
    expect(stepKeys(plan.steps.filter((s) => s.action === 'create-table'))).toEqual([
      'create-table chat_messages existed',
      'create-table notifications existed',
    ])
    expect(plan.changed).toBe(true)
    expect(formatProvisionPlan(plan)).toContain(
      '  create-table chat_messages: permissions [], row security on (already existed)',
    )
  })

  it('should reject with the step that failed and what was done before it', async () => {
    const fake = incidentFake()
    const failure = appwriteError('general_server_error')
    const plan = provisionSchema({
      admin: overriding(fake.admin, { createIndex: () => Promise.reject(failure) }),
      databaseId: 'main',
      lock,
    })
    const error = await plan.catch((e: unknown) => e)
    expect(isProvisioningError(error)).toBe(true)
    if (!isProvisioningError(error)) return
    expect(error.reason).toBe('request')
    expect(error.cause).toBe(failure)
    expect(error.message).toMatch(
      /^creating index `by_provider` in `bookings` failed: Appwrite failed \(500\)/,
    )
    expect(error.steps.filter((s) => s.status === 'done').map((s) => s.action)).not.toContain(
      'create-index',
    )
    // Everything created stays; a second run picks up the indexes.
    const retry = await provisionSchema({ admin: fake.admin, databaseId: 'main', lock })
    expect(new Set(retry.steps.map((s) => s.action))).toEqual(new Set(['create-index']))
  })

  it('should give new tables the configured permissions and refuse open ones', async () => {
    const fake = createFakeAppwrite({ strict: true })
    await provisionSchema({
      admin: fake.admin,
      databaseId: 'main',
      lock,
      tablePermissions: {
        heartbeat: [],
        booking: ['create("team:admins")', 'read("team:admins")'],
      },
    })
    const permissionsOf = async (tableId: string) =>
      (await fake.admin.getTable({ databaseId: 'main', tableId })).$permissions
    expect(await permissionsOf('heartbeats')).toEqual([])
    expect(await permissionsOf('bookings')).toEqual([
      'create("team:admins")',
      'read("team:admins")',
    ])
    expect(await permissionsOf('chat_rooms')).toEqual([])

    // A pipeline table that lets every signed-in user create rows is refused before any call.
    const refused = await provisionSchema({
      admin: createFakeAppwrite({ strict: true }).admin,
      databaseId: 'main',
      lock,
      tablePermissions: { chatMessage: ['create("users")'] },
    }).catch((error: unknown) => error)
    expect(refused).toMatchObject({ code: 'CONFIGURATION' })
    expect(String((refused as Error).message)).toMatch(/forge a booking or squat/)

    for (const [permission, fragment] of [
      ['read("any")', 'opens booking data to `any`'],
      ['create("guests")', 'opens booking data to `guests`'],
      ['read("users")', 'lets every signed-in user read every row'],
      ['nonsense', 'is not a permission string'],
    ] as const) {
      const { proxy: admin, calls } = recording(createFakeAppwrite().admin)
      const error = await provisionSchema({
        admin,
        databaseId: 'main',
        tablePermissions: { notification: [permission] },
      }).catch((e: unknown) => e)
      expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
      expect((error as Error).message).toContain(fragment)
      expect(calls).toEqual([])
    }
  })

  it('should create varchar and text columns when the client has no createStringColumn', async () => {
    const big = createSchemaLock({
      extend: { chatMessage: { transcript: column.string({ size: 16_383, required: false }) } },
    })
    const fake = createFakeAppwrite({ strict: true })
    const plan = await provisionSchema({
      admin: overriding(fake.admin, { createStringColumn: undefined }),
      databaseId: 'main',
      lock: big,
    })
    const methodOf = (key: string) => plan.steps.find((s) => s.column === key)!.method
    expect(methodOf('providerId')).toBe('createVarcharColumn')
    expect(methodOf('transcript')).toBe('createTextColumn')
    expect(plan.steps.some((s) => s.method === 'createStringColumn')).toBe(false)
    const report = await checkSchemaDrift({ admin: fake.admin, databaseId: 'main', lock: big })
    expect(report.findings).toEqual([])

    const forced = await provisionSchema({
      admin: createFakeAppwrite({ strict: true }).admin,
      databaseId: 'main',
      lock,
      stringColumns: 'varchar',
      dryRun: true,
    })
    expect(forced.steps.find((s) => s.column === 'providerId')!.method).toBe('createVarcharColumn')
  })

  it('should stop when the signal is aborted', async () => {
    const fake = createFakeAppwrite({ strict: true })
    const controller = new AbortController()
    const { proxy: admin, calls } = recording(fake.admin)
    const error = await provisionSchema({
      admin,
      databaseId: 'main',
      lock,
      signal: controller.signal,
      onStep: (step) => {
        if (step.action === 'create-table') controller.abort(new Error('stop'))
      },
    }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('stop')
    expect(calls.filter((name) => name === 'createTable')).toHaveLength(1)
  })

  it('should reject invalid wait options', async () => {
    const admin = createFakeAppwrite().admin
    await expect(provisionSchema({ admin, databaseId: 'main', timeout: -1 })).rejects.toThrow(
      '`timeout` must be ≥ 0 ms',
    )
    await expect(provisionSchema({ admin, databaseId: 'main', pollInterval: 0 })).rejects.toThrow(
      '`pollInterval` must be > 0 ms',
    )
  })
})
