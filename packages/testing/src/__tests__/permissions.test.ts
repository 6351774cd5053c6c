import { Permission, Query, Role } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import type { AppwriteException } from '../fake/errors'
import type { FakeIdentity } from '../fake/permissions'
import { appwriteError, bookingRow, mainDatabase, rejection } from './helpers'

const START = Date.parse('2026-01-01T00:00:00.000Z')
const bookings = { databaseId: 'main', tableId: 'bookings' } as const

function setup(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: START })
  return createFakeAppwrite({ clock, seed: 1, ...options })
}

const UNAUTHORIZED = {
  code: 401,
  type: 'user_unauthorized',
  message: 'The current user is not authorized to perform the requested action.',
}

const identities = {
  guest: 'guest',
  alice: 'user:alice',
  verified: { userId: 'vera', verified: true },
  owner: { userId: 'olga', teams: { t1: { roles: ['owner'], membershipId: 'm1' } } },
  member: { userId: 'tim', teams: { t1: [] } },
  labelled: { userId: 'lea', labels: ['vip'] },
} satisfies Record<string, FakeIdentity>
type Who = keyof typeof identities
const everyone = Object.keys(identities) as Who[]
const signedIn = everyone.filter((who) => who !== 'guest')

/** Each role and who holds it. */
const roleMatrix: Array<[string, Who[]]> = [
  [Role.any(), everyone],
  [Role.guests(), ['guest']],
  [Role.users(), signedIn],
  [Role.users('verified'), ['verified']],
  [Role.user('alice'), ['alice']],
  [Role.team('t1'), ['owner', 'member']],
  [Role.team('t1', 'owner'), ['owner']],
  [Role.member('m1'), ['owner']],
  [Role.label('vip'), ['labelled']],
]

describe('permissions', () => {
  describe('as', () => {
    it('should expand identities into the roles the server holds, in its order', () => {
      const fake = setup()
      expect(fake.as('user:alice').roles).toEqual([
        'any',
        'users',
        'user:alice',
        'user:alice/unverified',
        'users/unverified',
      ])
      expect(fake.as('guest').roles).toEqual(['any', 'guests'])
      expect(
        fake.as({
          userId: 'p1',
          verified: true,
          teams: { t1: { roles: ['owner', 'admin'], membershipId: 'm1' }, t2: [] },
          labels: ['vip'],
        }).roles,
      ).toEqual([
        'any',
        'users',
        'user:p1',
        'user:p1/verified',
        'users/verified',
        'team:t1',
        'member:m1',
        'team:t1/owner',
        'team:t1/admin',
        'team:t2',
        'label:vip',
      ])
      expect(fake.as({ roles: ['users', 'user:carol'] }).roles).toEqual([
        'any',
        'users',
        'user:carol',
      ])
    })

    it('should open one realtime connection per session, on first use', () => {
      const fake = setup()
      const session = fake.as('user:alice')
      expect(session.realtime).toBe(session.realtime)
      expect(fake.as('user:alice').realtime).not.toBe(session.realtime)
    })

    it('should refuse an identity it cannot read', () => {
      const fake = setup()
      expect(() => fake.as('alice')).toThrow(/fake\.as: unknown identity `alice`/)
      expect(() => fake.as({ userId: 'a/b' })).toThrow(/invalid user id/)
    })
  })

  describe.each(['read', 'update', 'delete'] as const)('row-level %s', (operation) => {
    it.each(roleMatrix)(
      `should let only the holders of %s ${operation} the row`,
      async (role, holders) => {
        const fake = setup()
        for (const who of everyone) {
          await bookingRow(fake, who, { status: 'pending' }, [Permission[operation](role)])
        }
        const outcomes: Record<string, string> = {}
        for (const who of everyone) {
          const { tablesDB } = fake.as(identities[who])
          const target = { ...bookings, rowId: who }
          const attempt =
            operation === 'read'
              ? tablesDB.getRow(target)
              : operation === 'update'
                ? tablesDB.updateRow({ ...target, data: { status: 'accepted' } })
                : tablesDB.deleteRow(target)
          outcomes[who] = await (attempt as Promise<unknown>).then(
            () => 'allowed',
            (error: AppwriteException) => `${error.code} ${error.type}: ${error.message}`,
          )
        }
        // Database::getDocument answers an unreadable row as an empty one: "not found".
        const denied = (who: string) =>
          operation === 'read'
            ? `404 row_not_found: Row with the requested ID '${who}' could not be found.`
            : `401 user_unauthorized: ${UNAUTHORIZED.message}`
        expect(outcomes).toEqual(
          Object.fromEntries(
            everyone.map((who) => [who, holders.includes(who) ? 'allowed' : denied(who)]),
          ),
        )
      },
    )
  })

  describe('row permissions', () => {
    it('should expand write into update and delete, without read', async () => {
      const fake = setup()
      const row = await bookingRow(fake, 'b1', { status: 'pending' }, [
        Permission.write(Role.user('alice')),
      ])
      expect(row.$permissions).toEqual(['update("user:alice")', 'delete("user:alice")'])
      const alice = fake.as('user:alice').tablesDB
      expect(await rejection(alice.getRow({ ...bookings, rowId: 'b1' }))).toMatchObject({
        code: 404,
      })
      expect(
        await alice.updateRow({ ...bookings, rowId: 'b1', data: { status: 'accepted' } }),
      ).toMatchObject({ status: 'accepted' })
      expect(await alice.deleteRow({ ...bookings, rowId: 'b1' })).toEqual({})
    })

    it('should need only read for an update that changes nothing', async () => {
      const fake = setup()
      await bookingRow(fake, 'b1', { status: 'pending' }, [Permission.read(Role.user('alice'))])
      const alice = fake.as('user:alice').tablesDB
      await alice.updateRow({ ...bookings, rowId: 'b1', data: { status: 'pending' } })
      const change = await rejection(
        alice.updateRow({ ...bookings, rowId: 'b1', data: { status: 'accepted' } }),
      )
      expect(change).toMatchObject(UNAUTHORIZED)
    })

    it('should need update permission to increment', async () => {
      const fake = setup()
      await bookingRow(fake, 'b1', { seats: 1 }, [
        Permission.read(Role.users()),
        Permission.update(Role.user('alice')),
      ])
      const target = { ...bookings, rowId: 'b1', column: 'seats' }
      expect(await fake.as('user:alice').tablesDB.incrementRowColumn(target)).toMatchObject({
        seats: 2,
      })
      expect(
        await rejection(fake.as('user:bob').tablesDB.decrementRowColumn(target)),
      ).toMatchObject(UNAUTHORIZED)
    })

    it('should validate permission strings like the server, for API keys too', async () => {
      const fake = setup()
      const cases: Array<[string, string]> = [
        ['read(any)', 'Invalid permission string format: "read(any)".'],
        [
          'create("any")',
          'Permission "create("any")" is not allowed. Must be one of: read, update, delete, write.',
        ],
        [
          'read("admins")',
          'Role "admins" is not allowed. Must be one of: any, guests, users, user, team, member, label.',
        ],
        ['read("user")', 'Role "user" must have an ID value.'],
        ['read("any:x")', 'Role "any" can not have an ID value.'],
        [
          'read("users/gold")',
          'Role "users" dimension value is invalid. Must be one of: verified, unverified.',
        ],
        ['read("member:m1/x")', 'Role "member" can not have a dimension value.'],
        ['*', 'Wildcard permission "*" has been replaced. Use "any" instead.'],
      ]
      const answers: Array<[string, unknown]> = []
      for (const [permission] of cases) {
        const error = await rejection(bookingRow(fake, 'b1', { a: 1 }, [permission]))
        answers.push([permission, { code: error.code, type: error.type, message: error.message }])
      }
      expect(answers).toEqual(
        cases.map(([permission, message]) => [
          permission,
          {
            code: 400,
            type: 'general_argument_invalid',
            message: `Invalid \`permissions\` param: ${message}`,
          },
        ]),
      )
      expect(fake.snapshot()).toEqual({})
    })
  })

  describe('creating rows', () => {
    it("should give a user's row read, update and delete for that user when none are sent", async () => {
      const fake = setup()
      const alice = fake.as('user:alice').tablesDB
      const row = await alice.createRow({ ...bookings, rowId: 'b1', data: { status: 'pending' } })
      expect(row.$permissions).toEqual([
        'read("user:alice")',
        'update("user:alice")',
        'delete("user:alice")',
      ])
      await alice.upsertRow({ ...bookings, rowId: 'b2', data: { status: 'pending' } })
      expect((await alice.getRow({ ...bookings, rowId: 'b2' })).$permissions).toHaveLength(3)
      expect(
        await rejection(fake.as('user:bob').tablesDB.getRow({ ...bookings, rowId: 'b1' })),
      ).toMatchObject({ code: 404 })
      // An API key gets none.
      const keyed = await fake.tablesDB.createRow({ ...bookings, rowId: 'b3', data: { a: 1 } })
      expect(keyed.$permissions).toEqual([])
    })

    it('should let users grant only roles they hold', async () => {
      const fake = setup()
      const alice = fake.as('user:alice').tablesDB
      const error = await rejection(
        alice.createRow({
          ...bookings,
          rowId: 'b1',
          data: { a: 1 },
          permissions: [Permission.read(Role.user('alice')), Permission.read(Role.user('bob'))],
        }),
      )
      expect(error).toMatchObject(
        appwriteError(
          401,
          'user_unauthorized',
          'Permissions must be one of: (any, users, user:alice, user:alice/unverified, users/unverified)',
        ),
      )
      await alice.createRow({
        ...bookings,
        rowId: 'b1',
        data: { a: 1 },
        permissions: [Permission.read(Role.any()), Permission.write(Role.user('alice'))],
      })
      const update = await rejection(
        alice.updateRow({
          ...bookings,
          rowId: 'b1',
          permissions: [Permission.read(Role.team('t1'))],
        }),
      )
      expect(update).toMatchObject({
        code: 401,
        message: expect.stringMatching(/^Permissions must be one of/),
      })
      // The API key grants anything.
      await fake.tablesDB.updateRow({
        ...bookings,
        rowId: 'b1',
        permissions: [Permission.read(Role.team('t1'))],
      })
    })

    it('should refuse a guest in an undeclared table, which lets any signed-in user create', async () => {
      const fake = setup()
      const error = await rejection(
        fake.as('guest').tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } }),
      )
      expect(error).toMatchObject(
        appwriteError(
          401,
          'user_unauthorized',
          'Missing "create" permission for role "users". Only "["any","guests"]" scopes are allowed and "["users"]" was given.',
        ),
      )
      await fake.as('user:alice').tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
      expect(fake.snapshot().main?.bookings).toHaveLength(1)
    })

    it('should refuse bulk calls to users, reserved to API keys', async () => {
      const fake = setup()
      const error = await rejection(
        fake.as('user:alice').tablesDB.createRows({ ...bookings, rows: [{ a: 1 }] }),
      )
      expect(error).toMatchObject(appwriteError(401, 'general_unauthorized_scope'))
    })
  })

  describe('table permissions and rowSecurity', () => {
    const staffOnly: FakeAppwriteOptions = {
      databases: mainDatabase({
        bookings: {
          permissions: [
            Permission.create(Role.team('staff')),
            Permission.read(Role.users()),
            Permission.update(Role.team('staff')),
          ],
          rowSecurity: false,
        },
        notes: { permissions: [], rowSecurity: true },
      }),
    }

    it('should take create from the table only', async () => {
      const fake = setup(staffOnly)
      const staff = fake.as({ userId: 'sam', teams: { staff: [] } })
      await staff.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
      const denied = await rejection(
        fake.as('user:alice').tablesDB.createRow({ ...bookings, rowId: 'b2', data: { a: 1 } }),
      )
      expect(denied).toMatchObject({
        code: 401,
        message:
          'Missing "create" permission for role "team:staff". Only "["any","users","user:alice","user:alice\\/unverified","users\\/unverified"]" scopes are allowed and "["team:staff"]" was given.',
      })
      const none = await rejection(
        fake.as('user:alice').tablesDB.createRow({
          databaseId: 'main',
          tableId: 'notes',
          rowId: 'n1',
          data: { a: 1 },
        }),
      )
      expect(none).toMatchObject({
        code: 401,
        message: "No permissions provided for action 'create'",
      })
    })

    it('should ignore row permissions when the table has no row security', async () => {
      const fake = setup(staffOnly)
      await bookingRow(fake, 'b1', { status: 'pending' }, [Permission.update(Role.user('alice'))])
      const alice = fake.as('user:alice').tablesDB
      // Table-level read: every signed-in user reads every row.
      expect(await alice.getRow({ ...bookings, rowId: 'b1' })).toMatchObject({ $id: 'b1' })
      const update = await rejection(
        alice.updateRow({ ...bookings, rowId: 'b1', data: { status: 'accepted' } }),
      )
      expect(update).toMatchObject(UNAUTHORIZED)
      await fake
        .as({ userId: 'sam', teams: { staff: [] } })
        .tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { status: 'accepted' } })
      const guestList = await rejection(fake.as('guest').tablesDB.listRows(bookings))
      expect(guestList).toMatchObject(UNAUTHORIZED)
    })
  })

  describe('listing', () => {
    it('should list only the rows the caller may read, counting only those', async () => {
      const fake = setup()
      const rows: Array<[string, string[]]> = [
        ['mine', [Permission.read(Role.user('alice'))]],
        ['public', [Permission.read(Role.any())]],
        ['team', [Permission.read(Role.team('t1'))]],
        ['theirs', [Permission.read(Role.user('bob'))]],
        ['nobody', []],
      ]
      for (const [rowId, permissions] of rows) {
        await bookingRow(fake, rowId, { status: 'pending' }, permissions)
      }
      const alice = fake.as({ userId: 'alice', teams: { t1: [] } }).tablesDB
      const list = await alice.listRows({ ...bookings, queries: [Query.orderAsc('$id')] })
      expect(list.total).toBe(3)
      expect(list.rows.map((row) => row.$id)).toEqual(['mine', 'public', 'team'])
      const page = await alice.listRows({
        ...bookings,
        queries: [Query.equal('status', 'pending'), Query.limit(1), Query.offset(1)],
      })
      expect(page).toMatchObject({ total: 3, rows: [{ $id: 'public' }] })
      const cursor = await rejection(
        alice.listRows({ ...bookings, queries: [Query.cursorAfter('theirs')] }),
      )
      expect(cursor).toMatchObject(appwriteError(400, 'general_cursor_not_found'))
      expect((await fake.as('guest').tablesDB.listRows(bookings)).rows.map((r) => r.$id)).toEqual([
        'public',
      ])
      expect((await fake.tablesDB.listRows(bookings)).total).toBe(5)
      const documents = await fake.as('user:bob').databases.listDocuments({
        databaseId: 'main',
        collectionId: 'bookings',
      })
      expect(documents.documents.map((d) => d.$id)).toEqual(['public', 'theirs'])
    })
  })

  describe('upsert', () => {
    it('should need create for a new row and update for an existing one', async () => {
      const fake = setup()
      await bookingRow(fake, 'b1', { n: 1 }, [Permission.read(Role.users())])
      const alice = fake.as('user:alice').tablesDB
      const update = await rejection(
        alice.upsertRow({
          ...bookings,
          rowId: 'b1',
          data: { n: 2 },
          permissions: [Permission.read(Role.users())],
        }),
      )
      expect(update).toMatchObject(UNAUTHORIZED)
      const guest = await rejection(
        fake.as('guest').tablesDB.upsertRow({ ...bookings, rowId: 'b2', data: { n: 1 } }),
      )
      expect(guest).toMatchObject({
        code: 401,
        message: expect.stringMatching(/^Missing "create"/),
      })
    })
  })

  describe('transactions', () => {
    it("should keep a user's transaction to that user; an API key sees all", async () => {
      const fake = setup()
      const alice = fake.as('user:alice').tablesDB
      const tx = await alice.createTransaction()
      const bob = fake.as('user:bob').tablesDB
      expect(await rejection(bob.getTransaction({ transactionId: tx.$id }))).toMatchObject(
        appwriteError(404, 'transaction_not_found'),
      )
      const staged = await rejection(
        bob.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId: tx.$id }),
      )
      expect(staged).toMatchObject(appwriteError(404, 'transaction_not_found'))
      expect((await bob.listTransactions()).total).toBe(0)
      expect((await alice.listTransactions()).transactions).toEqual([tx])
      expect(await fake.tablesDB.getTransaction({ transactionId: tx.$id })).toEqual(tx)
      // An API key's transaction grants nobody: users cannot see it.
      const keyed = await fake.tablesDB.createTransaction()
      expect(await rejection(alice.getTransaction({ transactionId: keyed.$id }))).toMatchObject({
        type: 'transaction_not_found',
      })
    })

    it("should stage and commit with the stager's permissions and default row permissions", async () => {
      const fake = setup()
      await bookingRow(fake, 'locked', { a: 1 }, [Permission.read(Role.users())])
      const alice = fake.as('user:alice').tablesDB
      const { $id: transactionId } = await alice.createTransaction()
      await alice.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      const bulk = await rejection(
        alice.createOperations({
          transactionId,
          operations: [{ action: 'bulkDelete', ...bookings, data: { queries: [] } }],
        }),
      )
      expect(bulk).toMatchObject(UNAUTHORIZED)
      const guest = await rejection(
        fake.as('guest').tablesDB.createOperations({
          transactionId,
          operations: [{ action: 'create', ...bookings, rowId: 'g', data: { a: 1 } }],
        }),
      )
      expect(guest).toMatchObject(appwriteError(404, 'transaction_not_found'))
      await alice.updateTransaction({ transactionId, commit: true })
      expect((await alice.getRow({ ...bookings, rowId: 'b1' })).$permissions).toEqual([
        'read("user:alice")',
        'update("user:alice")',
        'delete("user:alice")',
      ])
      expect(
        await rejection(fake.as('user:bob').tablesDB.getRow({ ...bookings, rowId: 'b1' })),
      ).toMatchObject({ code: 404 })
    })

    it('should check a staged update, upsert or delete of a row when the commit runs, as the committer', async () => {
      const fake = setup()
      await bookingRow(fake, 'locked', { a: 1 }, [Permission.read(Role.users())])
      const alice = fake.as('user:alice').tablesDB
      for (const stage of [
        (transactionId: string) =>
          alice.updateRow({ ...bookings, rowId: 'locked', data: { a: 2 }, transactionId }),
        (transactionId: string) =>
          alice.upsertRow({ ...bookings, rowId: 'locked', data: { a: 3 }, transactionId }),
        (transactionId: string) => alice.deleteRow({ ...bookings, rowId: 'locked', transactionId }),
      ]) {
        // Documents/Update.php, Upsert.php and Delete.php stage a row the caller may read without
        // checking update or delete permission; the database checks it when the commit runs.
        const denied = await alice.createTransaction()
        await stage(denied.$id)
        const error = await rejection(
          alice.updateTransaction({ transactionId: denied.$id, commit: true }),
        )
        expect(error).toMatchObject(UNAUTHORIZED)
        // Update.php maps no Authorization error: the transaction stays `committing`.
        const after = await alice.getTransaction({ transactionId: denied.$id })
        expect(after.status).toBe('committing')
        expect(
          await rejection(alice.updateTransaction({ transactionId: denied.$id, commit: true })),
        ).toMatchObject({ code: 400, type: 'transaction_not_ready' })
        // The API key may commit what a user staged.
        const allowed = await alice.createTransaction()
        await stage(allowed.$id)
        await fake.tablesDB.updateTransaction({ transactionId: allowed.$id, commit: true })
      }
      expect(fake.snapshot().main?.bookings ?? []).toEqual([])
    })

    it("should give a new row upserted through createOperations without $permissions none, and keep an existing row's", async () => {
      const fake = setup()
      const own = [Permission.read(Role.user('alice')), Permission.update(Role.user('alice'))]
      await bookingRow(fake, 'mine', { a: 1 }, own)
      const alice = fake.as('user:alice').tablesDB
      const { $id: transactionId } = await alice.createTransaction()
      await alice.createOperations({
        transactionId,
        operations: [
          { action: 'upsert', ...bookings, rowId: 'mine', data: { a: 2 } },
          { action: 'upsert', ...bookings, rowId: 'new', data: { a: 3 } },
        ],
      })
      await alice.updateTransaction({ transactionId, commit: true })
      const rows = await fake.tablesDB.listRows({ ...bookings })
      expect(rows.rows.map((row) => [row.$id, row.a, row.$permissions])).toEqual([
        ['mine', 2, own],
        ['new', 3, []],
      ])
    })

    it('should check a staged increment when the commit runs, failing the whole commit', async () => {
      const fake = setup()
      await bookingRow(fake, 'b1', { seats: 1 }, [Permission.read(Role.users())])
      const alice = fake.as('user:alice').tablesDB
      const { $id: transactionId } = await alice.createTransaction()
      await alice.createRow({ ...bookings, rowId: 'b2', data: { a: 1 }, transactionId })
      // Increment.php stages without looking at the row or its permissions.
      await alice.incrementRowColumn({ ...bookings, rowId: 'b1', column: 'seats', transactionId })
      const error = await rejection(alice.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(UNAUTHORIZED)
      expect((await alice.getTransaction({ transactionId })).status).toBe('committing')
      expect(fake.snapshot().main?.bookings?.map((row) => row.$id)).toEqual(['b1'])
    })

    it('should filter reads through a transaction by the reader’s permissions', async () => {
      const fake = setup()
      const { $id: transactionId } = await fake.tablesDB.createTransaction()
      await fake.tablesDB.createRow({
        ...bookings,
        rowId: 'b1',
        data: { a: 1 },
        permissions: [Permission.read(Role.user('bob'))],
        transactionId,
      })
      const alice = fake.as('user:alice').tablesDB
      expect(await alice.listRows({ ...bookings, transactionId })).toEqual({ total: 0, rows: [] })
      const bob = fake.as('user:bob').tablesDB
      expect(await bob.listRows({ ...bookings, transactionId })).toMatchObject({ total: 1 })
    })
  })
})
