import { Permission, Query, Role } from 'node-appwrite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  ContractEvent,
  ContractRealtime,
  ContractRow,
  ContractTablesDB,
  ContractTarget,
} from './targets'
import { appwriteError } from '../helpers'

/** What a failed call carries, on every target: an `Error` with the server's `code` and `type`. */
async function rejection(promise: Promise<unknown>): Promise<{ code: number; type: string }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  expect((error as Error).name).toBe('AppwriteException')
  return error as { code: number; type: string }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * The contract booking-guard and its users rely on, written once and run against every target
 * (the in-process fake, the real SDKs over the emulator, a real Appwrite). Rows of one test carry
 * a `run` value of their own, so tests share one table and filter by it.
 */
export function runContractSuite(target: ContractTarget): void {
  describe(`contract: ${target.name}`, () => {
    const suffix = Math.random().toString(36).slice(2, 8)
    const alice = `alice-${suffix}`
    const bob = `bob-${suffix}`
    let at: { databaseId: string; tableId: string }
    let server: ContractTablesDB
    let sequence = 0
    const realtimes: ContractRealtime[] = []
    /** A fresh `run` tag and row-id prefix for one test. */
    const nextRun = () => `r${suffix}${++sequence}`
    const rowsOf = async (db: ContractTablesDB, run: string, queries: string[] = []) =>
      (await db.listRows({ ...at, queries: [Query.equal('run', run), ...queries] })).rows
    const idsOf = (rows: ContractRow[]) => rows.map((row) => row.$id)

    beforeAll(async () => {
      at = await target.setup()
      server = target.tablesDB
    }, 120_000)

    afterAll(async () => {
      for (const realtime of realtimes.splice(0)) await realtime.close()
      await target.cleanup()
    }, 60_000)

    describe('account', () => {
      const password = `pw-${suffix}-Secret1`
      const email = (name: string) => `${name}-${suffix}@example.com`

      it('should create an account, refuse its email twice and a wrong password', async () => {
        const created = await target.account.create({
          userId: `acc1-${suffix}`,
          email: email('Acc1').toUpperCase(),
          password,
          name: 'Ada',
        })
        expect(created).toMatchObject({
          $id: `acc1-${suffix}`,
          email: email('acc1'),
          name: 'Ada',
          prefs: {},
        })
        const taken = await rejection(
          target.account.create({ userId: `acc1b-${suffix}`, email: email('acc1'), password }),
        )
        expect(taken).toMatchObject(appwriteError(409, 'user_already_exists'))
        const wrong = await rejection(target.account.signIn(email('acc1'), `${password}x`))
        expect(wrong).toMatchObject(appwriteError(401, 'user_invalid_credentials'))
      })

      it('should sign in, keep prefs, list the session, issue a JWT and sign out', async () => {
        await target.account.create({ userId: `acc2-${suffix}`, email: email('acc2'), password })
        const me = await target.account.signIn(email('acc2'), password)
        expect(await me.get()).toMatchObject({ $id: `acc2-${suffix}`, email: email('acc2') })
        await me.updatePrefs({ prefs: { theme: 'dark', size: 2 } })
        expect((await me.updatePrefs({ prefs: { theme: 'light' } })).prefs).toEqual({
          theme: 'light',
        })
        const { total, sessions } = await me.listSessions()
        expect(total).toBe(1)
        expect(sessions[0]).toMatchObject({ current: true })
        expect((await me.createJWT()).jwt.split('.')).toHaveLength(3)
        await me.deleteSession({ sessionId: 'current' })
        expect(await rejection(me.get())).toMatchObject(
          appwriteError(401, 'general_unauthorized_scope'),
        )
      })
    })

    describe('rows', () => {
      it('should create a row and read it back with its system fields', async () => {
        const run = nextRun()
        const created = await server.createRow({
          ...at,
          rowId: `${run}a`,
          data: { run, title: 'Haircut', count: 2, price: 12.5, done: false, tags: ['x', 'y'] },
        })
        expect(created).toMatchObject({
          $id: `${run}a`,
          $tableId: at.tableId,
          $databaseId: at.databaseId,
          $permissions: [],
          run,
          title: 'Haircut',
          count: 2,
          price: 12.5,
          done: false,
          tags: ['x', 'y'],
          at: null,
        })
        expect(Number.isNaN(Date.parse(created.$createdAt))).toBe(false)
        expect(created.$updatedAt).toBe(created.$createdAt)
        expect(await server.getRow({ ...at, rowId: `${run}a` })).toEqual(created)
      })

      it('should update only the given columns and move $updatedAt forward', async () => {
        const run = nextRun()
        const created = await server.createRow({
          ...at,
          rowId: run,
          data: { run, title: 'Before', count: 1 },
        })
        await new Promise((resolve) => setTimeout(resolve, 5))
        const updated = await server.updateRow({ ...at, rowId: run, data: { title: 'After' } })
        expect(updated).toMatchObject({ title: 'After', count: 1, $createdAt: created.$createdAt })
        expect(Date.parse(updated.$updatedAt)).toBeGreaterThan(Date.parse(created.$updatedAt))
      })

      it('should upsert: create a missing row, then replace its data', async () => {
        const run = nextRun()
        const first = await server.upsertRow({
          ...at,
          rowId: run,
          data: { run, title: 'One', count: 1 },
        })
        expect(first).toMatchObject({ $id: run, title: 'One', count: 1 })
        const second = await server.upsertRow({ ...at, rowId: run, data: { run, title: 'Two' } })
        expect(second).toMatchObject({ $id: run, title: 'Two', $createdAt: first.$createdAt })
        expect(await rowsOf(server, run)).toHaveLength(1)
      })

      it('should delete a row so that reading it gives row_not_found', async () => {
        const run = nextRun()
        await server.createRow({ ...at, rowId: run, data: { run } })
        await server.deleteRow({ ...at, rowId: run })
        expect(await rejection(server.getRow({ ...at, rowId: run }))).toMatchObject(
          appwriteError(404, 'row_not_found'),
        )
        expect(await rejection(server.deleteRow({ ...at, rowId: run }))).toMatchObject(
          appwriteError(404, 'row_not_found'),
        )
      })

      it('should increment and decrement a column within its bounds', async () => {
        const run = nextRun()
        await server.createRow({ ...at, rowId: run, data: { run, count: 5 } })
        const up = await server.incrementRowColumn({ ...at, rowId: run, column: 'count', value: 3 })
        expect(up.count).toBe(8)
        const down = await server.decrementRowColumn({ ...at, rowId: run, column: 'count' })
        expect(down.count).toBe(7)
        const error = await rejection(
          server.incrementRowColumn({ ...at, rowId: run, column: 'count', value: 5, max: 10 }),
        )
        expect(error.code).toBe(400)
        expect((await server.getRow({ ...at, rowId: run })).count).toBe(7)
      })
    })

    describe('errors', () => {
      it('should refuse a duplicate id with row_already_exists', async () => {
        const run = nextRun()
        await server.createRow({ ...at, rowId: run, data: { run } })
        expect(
          await rejection(server.createRow({ ...at, rowId: run, data: { run } })),
        ).toMatchObject(appwriteError(409, 'row_already_exists'))
      })

      it('should name a missing table and a missing database', async () => {
        expect(
          await rejection(server.getRow({ ...at, tableId: 'nope', rowId: 'x' })),
        ).toMatchObject(appwriteError(404, 'table_not_found'))
        expect(
          await rejection(server.listRows({ databaseId: 'nope', tableId: at.tableId })),
        ).toMatchObject(appwriteError(404, 'database_not_found'))
      })

      it('should refuse data that does not fit the table with row_invalid_structure', async () => {
        const run = nextRun()
        const invalid = { code: 400, type: 'row_invalid_structure' }
        // Unknown column, wrong type, missing required column.
        for (const data of [{ run, nope: 1 }, { run, count: 'many' }, { title: 'no run' }]) {
          expect(
            await rejection(server.createRow({ ...at, rowId: `${run}x`, data })),
          ).toMatchObject(invalid)
        }
        expect(await rowsOf(server, run)).toEqual([])
      })

      it('should refuse a query on an unknown column with general_query_invalid', async () => {
        expect(
          await rejection(server.listRows({ ...at, queries: [Query.equal('nope', 'x')] })),
        ).toMatchObject(appwriteError(400, 'general_query_invalid'))
      })
    })

    describe('ids', () => {
      it('should let the server pick an id for unique()', async () => {
        const run = nextRun()
        const row = await server.createRow({ ...at, rowId: 'unique()', data: { run } })
        expect(row.$id).toMatch(/^[0-9a-f]{20}$/)
        expect(idsOf(await rowsOf(server, run))).toEqual([row.$id])
      })

      it('should accept letters, digits, dot, dash and underscore up to 36 chars', async () => {
        const run = nextRun()
        const long = `${run}.a-b_c`.padEnd(36, 'z')
        const row = await server.createRow({ ...at, rowId: long, data: { run } })
        expect(row.$id).toBe(long)
      })

      it('should refuse ids too long, with a bad first char or a bad char', async () => {
        const run = nextRun()
        for (const rowId of [
          'a'.repeat(37),
          `_${run}`,
          `.${run}`,
          `-${run}`,
          `${run}!`,
          `${run} x`,
        ]) {
          expect(await rejection(server.createRow({ ...at, rowId, data: { run } }))).toMatchObject(
            appwriteError(400, 'general_argument_invalid'),
          )
        }
        expect(await rowsOf(server, run)).toEqual([])
      })
    })

    describe('queries', () => {
      const run = `q${suffix}`
      // a..e: title, count, price, done, tags; `e` has no title, count or price.
      const seed: Record<string, Record<string, unknown>> = {
        a: { title: 'apple pie', count: 1, price: 1.5, done: true, tags: ['red', 'sweet'] },
        b: { title: 'banana bread', count: 2, price: 2.5, done: false, tags: ['yellow'] },
        c: { title: 'cherry tart', count: 3, price: 3.5, done: true, tags: ['red'] },
        d: { title: 'date cake', count: 4, price: 4.5, done: false, tags: [] },
        e: { done: false, tags: ['sweet'] },
      }
      const list = async (...queries: string[]) => idsOf(await rowsOf(server, run, queries)).sort()
      const ids = (...letters: string[]) => letters.map((letter) => `${run}${letter}`).sort()

      beforeAll(async () => {
        for (const [letter, data] of Object.entries(seed)) {
          await server.createRow({ ...at, rowId: `${run}${letter}`, data: { run, ...data } })
          // Distinct $createdAt values for the created* queries.
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      })

      it('should compare with equal, notEqual, lessThan(Equal) and greaterThan(Equal)', async () => {
        expect(await list(Query.equal('count', [1, 3]))).toEqual(ids('a', 'c'))
        expect(await list(Query.equal('done', true))).toEqual(ids('a', 'c'))
        expect(await list(Query.notEqual('title', 'apple pie'))).toEqual(ids('b', 'c', 'd'))
        expect(await list(Query.lessThan('count', 2))).toEqual(ids('a'))
        expect(await list(Query.lessThanEqual('price', 2.5))).toEqual(ids('a', 'b'))
        expect(await list(Query.greaterThan('count', 3))).toEqual(ids('d'))
        expect(await list(Query.greaterThanEqual('price', 3.5))).toEqual(ids('c', 'd'))
      })

      it('should match ranges, nulls and text with between, isNull and startsWith/endsWith', async () => {
        expect(await list(Query.between('count', 2, 3))).toEqual(ids('b', 'c'))
        expect(await list(Query.notBetween('count', 2, 3))).toEqual(ids('a', 'd'))
        expect(await list(Query.isNull('title'))).toEqual(ids('e'))
        expect(await list(Query.isNotNull('count'))).toEqual(ids('a', 'b', 'c', 'd'))
        expect(await list(Query.startsWith('title', 'ba'))).toEqual(ids('b'))
        expect(await list(Query.notStartsWith('title', 'ba'))).toEqual(ids('a', 'c', 'd'))
        expect(await list(Query.endsWith('title', 'cake'))).toEqual(ids('d'))
        expect(await list(Query.notEndsWith('title', 'cake'))).toEqual(ids('a', 'b', 'c'))
      })

      it('should search arrays and text with contains and search', async () => {
        expect(await list(Query.contains('tags', 'red'))).toEqual(ids('a', 'c'))
        expect(await list(Query.contains('tags', ['yellow', 'sweet']))).toEqual(ids('a', 'b', 'e'))
        expect(await list(Query.notContains('tags', 'red'))).toEqual(ids('b', 'd', 'e'))
        expect(await list(Query.contains('title', 'rr'))).toEqual(ids('c'))
        expect(await list(Query.search('title', 'cherry'))).toEqual(ids('c'))
      })

      it('should combine with and/or', async () => {
        expect(
          await list(Query.or([Query.equal('count', 1), Query.contains('tags', 'yellow')])),
        ).toEqual(ids('a', 'b'))
        expect(
          await list(Query.and([Query.equal('done', false), Query.isNotNull('price')])),
        ).toEqual(ids('b', 'd'))
      })

      it('should filter on $id and $createdAt', async () => {
        expect(await list(Query.equal('$id', `${run}b`))).toEqual(ids('b'))
        const c = await server.getRow({ ...at, rowId: `${run}c` })
        expect(await list(Query.createdAfter(c.$createdAt))).toEqual(ids('d', 'e'))
        expect(await list(Query.createdBefore(c.$createdAt))).toEqual(ids('a', 'b'))
      })

      it('should order, limit, offset and page with cursors', async () => {
        const ordered = async (...queries: string[]) => idsOf(await rowsOf(server, run, queries))
        expect(await ordered(Query.isNotNull('count'), Query.orderDesc('count'))).toEqual(
          ids('a', 'b', 'c', 'd').reverse(),
        )
        expect(await ordered(Query.orderAsc('price'), Query.limit(2), Query.offset(1))).toEqual(
          // Nulls sort first in ascending order.
          ids('a', 'b'),
        )
        expect(
          await ordered(Query.orderAsc('$id'), Query.cursorAfter(`${run}b`), Query.limit(2)),
        ).toEqual(ids('c', 'd'))
        expect(await ordered(Query.orderAsc('$id'), Query.cursorBefore(`${run}c`))).toEqual(
          ids('a', 'b'),
        )
        const page = await server.listRows({
          ...at,
          queries: [Query.equal('run', run), Query.limit(1)],
        })
        expect(page.rows).toHaveLength(1)
        expect(page.total).toBe(5)
      })

      it('should return only the selected columns with select', async () => {
        const [row] = await rowsOf(server, run, [
          Query.equal('$id', `${run}a`),
          Query.select(['title']),
        ])
        expect(row).toMatchObject({ title: 'apple pie' })
        expect(row).not.toHaveProperty('count')
        expect(row).not.toHaveProperty('price')
      })
    })

    describe('transactions', () => {
      it('should show staged rows inside the transaction only, and to everyone after commit', async () => {
        const run = nextRun()
        const tx = await server.createTransaction({ ttl: 60 })
        expect(tx.status).toBe('pending')
        await server.createRow({ ...at, rowId: `${run}a`, data: { run }, transactionId: tx.$id })
        await server.createOperations({
          transactionId: tx.$id,
          operations: [{ action: 'create', ...at, rowId: `${run}b`, data: { run } }],
        })
        expect(await rowsOf(server, run)).toEqual([])
        expect(
          (
            await server.listRows({
              ...at,
              queries: [Query.equal('run', run)],
              transactionId: tx.$id,
            })
          ).total,
        ).toBe(2)
        expect(
          await server.updateTransaction({ transactionId: tx.$id, commit: true }),
        ).toMatchObject({
          status: 'committed',
        })
        expect(idsOf(await rowsOf(server, run)).sort()).toEqual([`${run}a`, `${run}b`])
      })

      it('should discard staged writes on rollback', async () => {
        const run = nextRun()
        await server.createRow({ ...at, rowId: `${run}k`, data: { run, count: 1 } })
        const tx = await server.createTransaction()
        await server.createRow({ ...at, rowId: `${run}a`, data: { run }, transactionId: tx.$id })
        await server.updateRow({
          ...at,
          rowId: `${run}k`,
          data: { count: 2 },
          transactionId: tx.$id,
        })
        expect(
          await server.updateTransaction({ transactionId: tx.$id, rollback: true }),
          // The server marks a rolled-back transaction `failed` (Update.php), not `rolledBack`.
        ).toMatchObject({ status: 'failed' })
        expect((await rowsOf(server, run)).map((row) => [row.$id, row.count])).toEqual([
          [`${run}k`, 1],
        ])
        expect(
          await rejection(server.updateTransaction({ transactionId: tx.$id, commit: true })),
        ).toMatchObject(appwriteError(400, 'transaction_not_ready'))
      })

      it('should fail the commit with transaction_conflict when a row changed outside', async () => {
        const run = nextRun()
        await server.createRow({ ...at, rowId: run, data: { run, count: 1 } })
        const tx = await server.createTransaction()
        await server.updateRow({ ...at, rowId: run, data: { count: 2 }, transactionId: tx.$id })
        await new Promise((resolve) => setTimeout(resolve, 5))
        await server.updateRow({ ...at, rowId: run, data: { count: 3 } })
        expect(
          await rejection(server.updateTransaction({ transactionId: tx.$id, commit: true })),
        ).toMatchObject(appwriteError(409, 'transaction_conflict'))
        expect((await server.getRow({ ...at, rowId: run })).count).toBe(3)
      })

      it('should refuse an unknown transaction with transaction_not_found', async () => {
        expect(
          await rejection(server.updateTransaction({ transactionId: 'nope', commit: true })),
        ).toMatchObject(appwriteError(404, 'transaction_not_found'))
      })
    })

    describe('permissions', () => {
      it("should give a user's new row to that user and hide it from others", async () => {
        const run = nextRun()
        const asAlice = await target.userTablesDB(alice)
        const asBob = await target.userTablesDB(bob)
        const row = await asAlice.createRow({ ...at, rowId: run, data: { run } })
        expect([...row.$permissions].sort()).toEqual(
          [`delete("user:${alice}")`, `read("user:${alice}")`, `update("user:${alice}")`].sort(),
        )
        expect(await asAlice.getRow({ ...at, rowId: run })).toMatchObject({ $id: run })
        expect(await rejection(asBob.getRow({ ...at, rowId: run }))).toMatchObject(
          appwriteError(404, 'row_not_found'),
        )
        expect(await server.getRow({ ...at, rowId: run })).toMatchObject({ $id: run })
      })

      it('should filter lists to the rows a user may read', async () => {
        const run = nextRun()
        const asAlice = await target.userTablesDB(alice)
        const asBob = await target.userTablesDB(bob)
        await asAlice.createRow({ ...at, rowId: `${run}a`, data: { run } })
        await asBob.createRow({ ...at, rowId: `${run}b`, data: { run } })
        await server.createRow({
          ...at,
          rowId: `${run}s`,
          data: { run },
          permissions: [Permission.read(Role.users())],
        })
        await server.createRow({ ...at, rowId: `${run}x`, data: { run } })
        expect(idsOf(await rowsOf(asAlice, run)).sort()).toEqual([`${run}a`, `${run}s`])
        expect(idsOf(await rowsOf(asBob, run)).sort()).toEqual([`${run}b`, `${run}s`])
        expect(await rowsOf(server, run)).toHaveLength(4)
      })

      it('should deny writes without the permission and let the owner write', async () => {
        const run = nextRun()
        const asAlice = await target.userTablesDB(alice)
        const asBob = await target.userTablesDB(bob)
        await server.createRow({
          ...at,
          rowId: run,
          data: { run, count: 1 },
          permissions: [Permission.read(Role.users()), Permission.update(Role.user(alice))],
        })
        expect(
          await rejection(asBob.updateRow({ ...at, rowId: run, data: { count: 2 } })),
        ).toMatchObject(appwriteError(401, 'user_unauthorized'))
        expect(await rejection(asAlice.deleteRow({ ...at, rowId: run }))).toMatchObject(
          appwriteError(401, 'user_unauthorized'),
        )
        expect(await asAlice.updateRow({ ...at, rowId: run, data: { count: 3 } })).toMatchObject({
          count: 3,
        })
      })

      it("should refuse a user granting a role that is not the user's own", async () => {
        const run = nextRun()
        const asAlice = await target.userTablesDB(alice)
        expect(
          await rejection(
            asAlice.createRow({
              ...at,
              rowId: run,
              data: { run },
              permissions: [Permission.read(Role.user(bob))],
            }),
          ),
        ).toMatchObject(appwriteError(401, 'user_unauthorized'))
        expect(await rowsOf(server, run)).toEqual([])
      })
    })

    describe('realtime', () => {
      const channel = () => `databases.${at.databaseId}.tables.${at.tableId}.rows`
      const open = async (userId?: string) => {
        const realtime = await target.realtime(userId)
        realtimes.push(realtime)
        const events: ContractEvent[] = []
        await realtime.subscribe(channel(), (event) => events.push(event))
        return events
      }

      it('should publish create, update and delete with the row channels and event names', async () => {
        const run = nextRun()
        const events = await open()
        const data = { run }
        const permissions = [Permission.read(Role.any())]
        await server.createRow({ ...at, rowId: run, data, permissions })
        await server.updateRow({ ...at, rowId: run, data: { count: 1 } })
        await server.deleteRow({ ...at, rowId: run })
        await until(() => events.length >= 3, target.eventTimeoutMs)
        const rowEvent = `databases.${at.databaseId}.tables.${at.tableId}.rows.${run}`
        expect(
          events.map((event) => event.events.find((name) => name.startsWith(rowEvent))),
        ).toEqual([`${rowEvent}.create`, `${rowEvent}.update`, `${rowEvent}.delete`])
        expect(events[0]!.events).toContain('databases.*.tables.*.rows.*.create')
        expect(events[0]!.channels).toEqual(
          expect.arrayContaining(['rows', channel(), `${channel()}.${run}`]),
        )
        expect(events.map((event) => event.payload.count)).toEqual([null, 1, 1])
      })

      it('should deliver to a user only the events of rows that user may read', async () => {
        const run = nextRun()
        const events = await open(alice)
        await (await target.userTablesDB(bob)).createRow({ ...at, rowId: `${run}b`, data: { run } })
        await (
          await target.userTablesDB(alice)
        ).createRow({ ...at, rowId: `${run}a`, data: { run } })
        await until(
          () => events.some((event) => event.payload.$id === `${run}a`),
          target.eventTimeoutMs,
        )
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(events.map((event) => event.payload.$id)).toEqual([`${run}a`])
      })

      it('should publish transaction writes at commit, not when staged', async () => {
        const run = nextRun()
        const events = await open()
        const tx = await server.createTransaction()
        const permissions = [Permission.read(Role.any())]
        await server.createRow({
          ...at,
          rowId: run,
          data: { run },
          permissions,
          transactionId: tx.$id,
        })
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(events).toEqual([])
        await server.updateTransaction({ transactionId: tx.$id, commit: true })
        await until(() => events.length >= 1, target.eventTimeoutMs)
        expect(events[0]!.payload).toMatchObject({ $id: run, run })
      })
    })
  })
}
