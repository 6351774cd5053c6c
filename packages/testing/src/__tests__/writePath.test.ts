import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import {
  aggregatePermissions,
  aggregateRowPermissions,
  assertPermissionsParam,
  rowPermissionsParam,
} from '../fake/permissions'
import { appwriteError } from './helpers'

/*
 * The single-row write path keeps per-schema plans (validators by key, defaults, unique indexes),
 * shares aggregated permission lists between rows and compares only what an update can change.
 * These tests pin what those shortcuts must not change.
 */

const START = Date.parse('2026-01-01T00:00:00.000Z')
const T0 = '2026-01-01T00:00:00.000+00:00'
const ref = { databaseId: 'main', tableId: 'bookings' }

function setup(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: START })
  const fake = createFakeAppwrite({ clock, seed: 1, ...options })
  return { fake, admin: fake.admin, tablesDB: fake.tablesDB, clock }
}

async function withTable() {
  const context = setup()
  await context.admin.create({ databaseId: 'main', name: 'Main' })
  await context.admin.createTable({ ...ref, name: 'Bookings' })
  await context.admin.createStringColumn({ ...ref, key: 'code', size: 5, required: false })
  await context.admin.createIntegerColumn({ ...ref, key: 'count', required: false, max: 10 })
  return context
}

describe('write path', () => {
  describe('schema changes between writes', () => {
    it('should validate each write against the columns of the moment', async () => {
      const { admin, tablesDB } = await withTable()
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { code: 'ab', count: 10 } })

      await admin.updateStringColumn({
        ...ref,
        key: 'code',
        required: false,
        xdefault: null,
        size: 2,
      })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b2', data: { code: 'abc' } }),
      ).rejects.toMatchObject({
        type: 'row_invalid_structure',
        message:
          'Invalid document structure: Attribute "code" has invalid type. Value must be a valid string and no longer than 2 chars',
      })

      await admin.updateIntegerColumn({
        ...ref,
        key: 'count',
        required: false,
        xdefault: null,
        max: 5,
      })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b3', data: { count: 6 } }),
      ).rejects.toMatchObject({
        message:
          'Invalid document structure: Attribute "count" has invalid format. Value must be a valid range between -9,223,372,036,854,775,808 and 5',
      })
      // An update validates the whole row: the stored count is now out of range.
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b1', data: { code: 'x' } }),
      ).rejects.toMatchObject({
        message:
          'Invalid document structure: Attribute "count" has invalid format. Value must be a valid range between -9,223,372,036,854,775,808 and 5',
      })

      await admin.createBooleanColumn({ ...ref, key: 'flag', required: false, xdefault: true })
      await admin.createDatetimeColumn({ ...ref, key: 'at', required: false })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b4', data: { count: 5, at: '2026-03-01T10:00:00Z' } }),
      ).resolves.toMatchObject({ count: 5, flag: true, at: '2026-03-01T10:00:00.000+00:00' })

      await admin.createStringColumn({ ...ref, key: 'owner', size: 10, required: true })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b5', data: { count: 1 } }),
      ).rejects.toMatchObject({
        message: 'Invalid document structure: Missing required attribute "owner"',
      })

      await admin.deleteColumn({ ...ref, key: 'flag' })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b6', data: { owner: 'o', flag: false } }),
      ).rejects.toMatchObject({ message: 'Invalid document structure: Unknown attribute: "flag"' })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b6', data: { owner: 'o' } }),
      ).resolves.not.toHaveProperty('flag')
    })

    it('should enforce a unique index added after rows were written, and forget a deleted one', async () => {
      const { admin, tablesDB } = await withTable()
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { code: 'k1' } })
      await tablesDB.createRow({ ...ref, rowId: 'b2', data: { code: 'k2' } })
      await admin.createIndex({ ...ref, key: 'unique_code', type: 'unique', columns: ['code'] })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b3', data: { code: 'K1' } }),
      ).rejects.toMatchObject(appwriteError(409, 'row_unique_constraint_violation'))
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b2', data: { code: 'k1' } }),
      ).rejects.toMatchObject({ type: 'row_unique_constraint_violation' })
      // Rewriting a row with its own key is no violation.
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b1', data: { code: 'k1', count: 2 } }),
      ).resolves.toMatchObject({ code: 'k1', count: 2 })
      await admin.deleteIndex({ ...ref, key: 'unique_code' })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b3', data: { code: 'k1' } }),
      ).resolves.toMatchObject({ $id: 'b3' })
    })
  })

  describe('updates', () => {
    it('should keep $updatedAt when a datetime is sent again in another notation', async () => {
      const { admin, tablesDB, clock } = await withTable()
      await admin.createDatetimeColumn({ ...ref, key: 'at', required: false })
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { at: '2026-03-01T10:00:00Z' } })
      await clock.advance(1000)
      // The same instant: normalized to the stored value, so nothing changed.
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b1', data: { at: '2026-03-01T12:00:00+02:00' } }),
      ).resolves.toMatchObject({ at: '2026-03-01T10:00:00.000+00:00', $updatedAt: T0 })
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b1', data: { at: '2026-03-01T10:00:01Z' } }),
      ).resolves.toMatchObject({
        at: '2026-03-01T10:00:01.000+00:00',
        $updatedAt: '2026-01-01T00:00:01.000+00:00',
      })
    })

    it('should treat null and a missing value alike when deciding whether an update changed a row', async () => {
      const { tablesDB, clock } = await withTable()
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { code: 'a' } })
      await clock.advance(1000)
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b1', data: { count: null } }),
      ).resolves.toMatchObject({ $updatedAt: T0 })
      await expect(
        tablesDB.updateRow({ ...ref, rowId: 'b1', data: { code: 'a', count: 3 } }),
      ).resolves.toMatchObject({ count: 3, $updatedAt: '2026-01-01T00:00:01.000+00:00' })
    })

    it('should keep the key order of a schemaless row and append new keys', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId: 'n1',
        data: { b: 1, a: 2 },
      })
      const overwrite = await tablesDB.updateRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId: 'n1',
        data: { a: 3 },
      })
      expect(Object.keys(overwrite).filter((key) => !key.startsWith('$'))).toEqual(['b', 'a'])
      const extended = await tablesDB.updateRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId: 'n1',
        data: { c: 4, b: 5 },
      })
      expect(extended).toMatchObject({ b: 5, a: 3, c: 4 })
      expect(Object.keys(extended).filter((key) => !key.startsWith('$'))).toEqual(['b', 'a', 'c'])
    })
  })

  describe('permissions', () => {
    it('should aggregate a row list as aggregatePermissions does, shared and frozen', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.constantFrom(
              'read("any")',
              'read("user:a")',
              'update("user:a")',
              'write("user:b")',
              'delete("team:t/owner")',
              'write("user:a")',
            ),
            { maxLength: 8 },
          ),
          (list) => {
            const aggregated = aggregateRowPermissions(list)
            expect(aggregated).toEqual(aggregatePermissions(list))
            expect(Object.isFrozen(aggregated)).toBe(true)
            // The same strings in a new array: the same answer.
            expect(aggregateRowPermissions([...list])).toBe(aggregated)
          },
        ),
        { seed: 20_260_101 },
      )
    })

    it('should check and aggregate a permissions param as the two separate steps do, every time', () => {
      const outcome = (run: () => unknown) => {
        try {
          return { value: run() }
        } catch (error) {
          return { error: (error as Error).message }
        }
      }
      fc.assert(
        fc.property(
          fc.oneof(
            fc.array(
              fc.constantFrom<unknown>(
                'read("any")',
                'update("user:a")',
                'write("user:b")',
                'create("user:a")',
                'read(any)',
                'read("nobody:x")',
                7,
              ),
              { maxLength: 6 },
            ),
            fc.constantFrom<unknown>(
              undefined,
              null,
              'read("any")',
              Array.from({ length: 101 }, () => 'read("any")'),
            ),
          ),
          (value) => {
            const expected = outcome(() => {
              assertPermissionsParam(value)
              return value === undefined || value === null
                ? undefined
                : aggregateRowPermissions(value as string[])
            })
            // Twice: the second call finds the list in the cache, checked or not.
            for (let i = 0; i < 2; i++)
              expect(outcome(() => rowPermissionsParam(value))).toEqual(expected)
          },
        ),
        { seed: 20_261_122 },
      )
    })

    it('should stay correct past its cache bound', () => {
      for (let i = 0; i < 3000; i++) {
        const list = [`read("user:u${i}")`, `write("user:u${i}")`]
        expect(aggregateRowPermissions(list)).toEqual([
          `read("user:u${i}")`,
          `update("user:u${i}")`,
          `delete("user:u${i}")`,
        ])
      }
    })

    it('should give every model its own copy of a shared permission list', async () => {
      const { tablesDB } = setup()
      const permissions = ['read("user:a")', 'write("user:a")']
      const first = await tablesDB.createRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId: 'n1',
        data: { a: 1 },
        permissions,
      })
      first.$permissions.push('read("any")')
      permissions.push('read("any")')
      const second = await tablesDB.createRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId: 'n2',
        data: { a: 1 },
        permissions: ['read("user:a")', 'write("user:a")'],
      })
      const expected = ['read("user:a")', 'update("user:a")', 'delete("user:a")']
      expect(second.$permissions).toEqual(expected)
      second.$permissions.length = 0
      for (const rowId of ['n1', 'n2']) {
        await expect(
          tablesDB.getRow({ databaseId: 'main', tableId: 'notes', rowId }),
        ).resolves.toMatchObject({ $permissions: expected })
      }
    })
  })

  describe('realtime', () => {
    it('should publish to tables as they gain listeners, commits included', async () => {
      const { fake, tablesDB } = setup()
      const seen: string[] = []
      const write = (tableId: string, rowId: string, transactionId?: string) =>
        tablesDB.createRow({ databaseId: 'main', tableId, rowId, data: { a: 1 }, transactionId })
      const commit = async (rowId: string) => {
        const { $id } = await tablesDB.createTransaction()
        await write('a', rowId, $id)
        await write('b', rowId, $id)
        await tablesDB.updateTransaction({ transactionId: $id, commit: true })
      }
      await write('a', 'r0')
      await fake.realtime.subscribe('databases.main.tables.a.rows', (event) =>
        seen.push(event.channels.find((channel) => channel.endsWith('.rows'))!),
      )
      await write('a', 'r1')
      await write('b', 'r1')
      await commit('r2')
      await fake.realtime.subscribe('databases.main.tables.b.rows', (event) =>
        seen.push(event.channels.find((channel) => channel.endsWith('.rows'))!),
      )
      await write('b', 'r3')
      await commit('r4')
      await Promise.resolve()
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(seen).toEqual([
        'databases.main.tables.a.rows',
        'databases.main.tables.a.rows',
        'databases.main.tables.b.rows',
        'databases.main.tables.a.rows',
        'databases.main.tables.b.rows',
      ])
    })
  })
})
