import { appwriteError, createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import {
  isBookingGuardError,
  isBookingPipelineError,
  isSchemaLockError,
  isSlotTakenError,
} from '../errors'
import { createBookingGuard } from '../guard'
import { createErrorMonitor } from '../monitor/errorMonitor'
import { createMetrics } from '../monitor/metrics'
import { createSchemaLock } from '../schema/schemaLock'
import {
  DB,
  bookingInput,
  declaredTables,
  fulfilled,
  harness,
  rejected,
  rowMethodsOf,
  scheduledInput,
} from './pipelineFixtures'

const START = Date.parse('2026-01-01T00:00:00.000Z')

describe('createBooking', () => {
  describe('saga mode', () => {
    it('should write the booking, chat room, system message and notification in two round trips', async () => {
      const h = harness()
      const result = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const id = result.booking.$id
      expect(result).toMatchObject({ mode: 'saga', replayed: false })
      expect(result.timings.roundTrips).toBe(2)
      expect(h.rows('bookings').map((r) => [r.$id, r.pipelineStatus])).toEqual([[id, 'delivered']])
      expect(h.rows('chat_rooms').map((r) => [r.$id, r.bookingId])).toEqual([[id, id]])
      expect(h.rows('chat_messages').map((r) => [r.$id, r.senderType, r.messageType])).toEqual([
        [`${id}.m0`, 'system', 'system'],
      ])
      expect(h.rows('notifications').map((r) => [r.$id, r.recipientId, r.type])).toEqual([
        [id, 'prov1', 'bookingReceived'],
      ])
    })

    it('should return the rows as stored, normalized by the schema lock', async () => {
      const h = harness()
      const result = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const stored = h.rows('bookings')[0]!
      expect(result.booking.$id).toBe(stored.$id)
      expect(result.booking.pipelineStatus).toBe('delivered')
      expect(result.chatRoom).toMatchObject({
        $id: stored.$id,
        customerId: 'cust1',
        providerId: 'prov1',
      })
      expect(result.systemMessage).toMatchObject({ roomId: stored.$id, senderId: 'system' })
      expect(result.notification).toMatchObject({
        recipientId: 'prov1',
        recipientType: 'therapist',
      })
    })

    it('should set status, response deadline (25 minutes), source and chat room expiry from the clock', async () => {
      const h = harness()
      const { booking, chatRoom } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const createdAt = Date.parse(booking.$createdAt)
      expect(booking).toMatchObject({
        status: 'pending',
        providerResponseStatus: 'AwaitingResponse',
        source: 'direct',
      })
      expect(Date.parse(booking.responseDeadline) - createdAt).toBe(25 * 60_000)
      // Immediate booking: starts now, 60 minutes, then the room stays open 24 hours.
      expect(Date.parse(chatRoom.expiresAt) - createdAt).toBe(60 * 60_000 + 24 * 3_600_000)
      expect(createdAt).toBeGreaterThanOrEqual(START)
    })

    it('should honour responseDeadlineMs and chatRoomTtlMs and start a scheduled room at its slot', async () => {
      const h = harness({ responseDeadlineMs: 5 * 60_000, chatRoomTtlMs: 60_000 })
      const at = '2026-01-03T10:00:00.000Z'
      const { booking, chatRoom } = fulfilled(
        await h.settle(h.guard.createBooking(scheduledInput(at, { durationMinutes: 90 }))),
      )
      expect(Date.parse(booking.responseDeadline) - Date.parse(booking.$createdAt)).toBe(300_000)
      expect(Date.parse(chatRoom.expiresAt)).toBe(Date.parse(at) + 90 * 60_000 + 60_000)
    })

    it('should store the source given in the call', async () => {
      const h = harness()
      const { booking } = fulfilled(
        await h.settle(h.guard.createBooking(bookingInput(), { source: 'chatWindow' })),
      )
      expect(booking.source).toBe('chatWindow')
      expect(h.rows('bookings')[0]!.source).toBe('chatWindow')
    })

    it('should reject invalid input with a SchemaLockError listing every issue and write nothing', async () => {
      const h = harness()
      const error = await h.guard
        .createBooking(bookingInput({ durationMinutes: 0, customerName: '', status: 'confirmed' }))
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(isSchemaLockError(error)).toBe(true)
      const paths = (error as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.'))
      expect(paths).toEqual(expect.arrayContaining(['status', 'durationMinutes', 'customerName']))
      expect(h.rows('bookings')).toEqual([])
      expect(h.rows('chat_rooms')).toEqual([])
      expect(h.rows('notifications')).toEqual([])
      expect(h.events).toEqual([])
    })

    it('should reject a bad source or idempotency key before writing anything', async () => {
      const h = harness()
      const bad = [
        h.guard.createBooking(bookingInput(), { source: 'billboard' as 'direct' }),
        h.guard.createBooking(bookingInput(), { idempotencyKey: '' }),
        h.guard.createBooking(bookingInput(), { idempotencyKey: 'k'.repeat(65) }),
      ]
      for (const call of bad)
        expect(isSchemaLockError(await call.catch((e: unknown) => e))).toBe(true)
      expect(h.rows('bookings')).toEqual([])
    })

    it('should map legacy field names to the canonical columns', async () => {
      const h = harness()
      const input = bookingInput() as Record<string, unknown>
      const { providerId, providerName, ...rest } = input
      const legacy = { ...rest, therapistId: providerId, therapistName: providerName }
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(legacy as never)))
      expect(booking).toMatchObject({ providerId: 'prov1', providerName: 'Budi' })
      const stored = h.rows('bookings')[0]!
      expect(stored.providerId).toBe('prov1')
      expect(stored).not.toHaveProperty('therapistId')
    })

    it('should give each call without an idempotency key its own booking', async () => {
      const h = harness()
      const a = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const b = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(a.booking.$id).not.toBe(b.booking.$id)
      expect(h.rows('bookings')).toHaveLength(2)
      expect(h.rows('chat_rooms')).toHaveLength(2)
    })

    it('should keep every derived id within Appwrite 36-character rule', async () => {
      const h = harness()
      const { booking } = fulfilled(
        await h.settle(h.guard.createBooking(bookingInput(), { idempotencyKey: 'x'.repeat(64) })),
      )
      expect(booking.$id.length).toBeLessThanOrEqual(32)
      for (const table of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
        for (const row of h.rows(table))
          expect(row.$id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/)
      }
    })

    it('should use an app-supplied id generator and refuse ids that would not fit', async () => {
      let n = 0
      const h = harness({ generateId: () => `booking-${++n}` })
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(booking.$id).toBe('booking-1')
      const bad = harness({ generateId: () => 'x'.repeat(33) })
      const error = await bad.guard.createBooking(bookingInput()).catch((e: unknown) => e)
      expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
      expect(bad.rows('bookings')).toEqual([])
    })
  })

  describe('rows already holding a derived id', () => {
    it("should not take another booking's chat room for its own", async () => {
      const h = harness({ generateId: () => 'booking-1' })
      // A room left under this id by someone else: same booking id, other participants.
      await h.fake.tablesDB.createRow({
        databaseId: 'main',
        tableId: 'chat_rooms',
        rowId: 'booking-1',
        data: {
          bookingId: 'booking-1',
          customerId: 'someone',
          customerName: 'Eve',
          providerId: 'prov1',
          providerName: 'Budi',
          status: 'active',
          expiresAt: '2030-01-01T00:00:00.000+00:00',
        },
      })
      const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
      expect(isBookingPipelineError(error)).toBe(true)
      expect(error).toMatchObject({ failedStep: 'chatRoom', compensated: true })
      expect(h.rows('chat_rooms').map((row) => row.customerId)).toEqual(['someone'])
    })
  })

  describe('permissions', () => {
    it('should make booking, room and message readable by the customer and provider only, never any', async () => {
      const h = harness()
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const participants = [
        'read("user:cust1")',
        'update("user:cust1")',
        'read("user:prov1")',
        'update("user:prov1")',
      ]
      // The booking is read-only for both: every write to it runs on the server.
      expect(h.rows('bookings')[0]!.$permissions).toEqual([
        'read("user:cust1")',
        'read("user:prov1")',
      ])
      expect(h.rows('chat_rooms')[0]!.$permissions).toEqual(participants)
      expect(h.rows('chat_messages')[0]!.$permissions).toEqual([
        'read("user:cust1")',
        'read("user:prov1")',
      ])
      for (const table of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
        for (const permission of h.rows(table)[0]!.$permissions) {
          expect(permission).not.toMatch(/"(any|users|guests)"/)
        }
      }
    })

    it('should make the notification readable by its recipient only', async () => {
      const h = harness()
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(h.rows('notifications')[0]!.$permissions).toEqual([
        'read("user:prov1")',
        'update("user:prov1")',
      ])
    })

    it('should add admin roles and map provider ids to user ids', async () => {
      const h = harness({
        permissions: {
          adminRoles: ['team:support'],
          providerUserId: (providerId) => `u-${providerId}`,
        },
      })
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const admin = ['read("team:support")', 'update("team:support")', 'delete("team:support")']
      expect(h.rows('bookings')[0]!.$permissions).toEqual([
        'read("user:cust1")',
        'read("user:u-prov1")',
        ...admin,
      ])
      expect(h.rows('notifications')[0]!.$permissions).toEqual([
        'read("user:u-prov1")',
        'update("user:u-prov1")',
        ...admin,
      ])
      // The notification still names the provider by its provider id.
      expect(h.rows('notifications')[0]!.recipientId).toBe('prov1')
    })

    it('should refuse admin roles that would open bookings to everyone', () => {
      for (const role of ['any', 'users', 'guests']) {
        expect(() => harness({ permissions: { adminRoles: [role] } })).toThrow(
          /would open every booking/,
        )
      }
    })
  })

  describe('slot lock', () => {
    const at = '2026-01-05T10:00:00.000Z'

    it('should refuse a second booking of one provider for the same slot with SlotTakenError', async () => {
      const h = harness({ slotLock: true })
      const first = fulfilled(await h.settle(h.guard.createBooking(scheduledInput(at))))
      const error = rejected(
        await h.settle(h.guard.createBooking(scheduledInput(at, { customerId: 'cust2' }))),
      )
      expect(isSlotTakenError(error)).toBe(true)
      expect(error).toMatchObject({ providerId: 'prov1', scheduledAt: at, compensated: true })
      expect(h.rows('bookings').map((r) => r.$id)).toEqual([first.booking.$id])
      expect(h.rows('chat_rooms')).toHaveLength(1)
      expect(h.rows('notifications')).toHaveLength(1)
    })

    it('should let exactly one of two racing bookings take a slot', async () => {
      const h = harness({ slotLock: true })
      const outcomes = await Promise.all([
        h.settle(h.guard.createBooking(scheduledInput(at, { customerId: 'a1' }))),
        h.settle(h.guard.createBooking(scheduledInput(at, { customerId: 'b2' }))),
      ])
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult
      expect(isSlotTakenError(loser.reason)).toBe(true)
      expect(h.rows('bookings').filter((r) => r.pipelineStatus !== 'failed')).toHaveLength(1)
      expect(h.rows('chat_rooms')).toHaveLength(1)
    })

    it('should accept other providers, other times and immediate bookings, and free a declined slot', async () => {
      const h = harness({ slotLock: true })
      const first = fulfilled(await h.settle(h.guard.createBooking(scheduledInput(at))))
      fulfilled(await h.settle(h.guard.createBooking(scheduledInput(at, { providerId: 'prov2' }))))
      fulfilled(await h.settle(h.guard.createBooking(scheduledInput('2026-01-05T11:00:00.000Z'))))
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      fulfilled(
        await h.settle(
          h.guard.respondToBooking(first.booking.$id, { providerId: 'prov1', response: 'decline' }),
        ),
      )
      const again = fulfilled(
        await h.settle(h.guard.createBooking(scheduledInput(at, { customerId: 'cust3' }))),
      )
      expect(again.booking.slotKey).toEqual(first.booking.slotKey)
    })

    it.each(['saga', 'transaction'] as const)(
      'should refuse a taken slot when both bookings carry idempotency keys (%s)',
      async (mode) => {
        // The bookings table has two unique indexes (idempotency key, slot): a booking with a
        // fresh key must still be checked against the slot index.
        const h = harness({ slotLock: true, mode })
        fulfilled(
          await h.settle(h.guard.createBooking(scheduledInput(at), { idempotencyKey: 'k-a' })),
        )
        const error = rejected(
          await h.settle(
            h.guard.createBooking(scheduledInput(at, { customerId: 'c2' }), {
              idempotencyKey: 'k-b',
            }),
          ),
        )
        expect(isSlotTakenError(error)).toBe(true)
        expect(h.rows('bookings').filter((r) => r.pipelineStatus !== 'failed')).toHaveLength(1)
      },
    )

    it('should treat equal instants in different notations as one slot', async () => {
      const h = harness({ slotLock: true })
      fulfilled(await h.settle(h.guard.createBooking(scheduledInput(at))))
      const error = rejected(
        await h.settle(
          h.guard.createBooking(
            scheduledInput('2026-01-05T11:00:00.000+01:00', { customerId: 'x' }),
          ),
        ),
      )
      expect(isSlotTakenError(error)).toBe(true)
    })

    it.runIf(typeof harness().fake.tablesDB.createTransaction === 'function')(
      'should refuse a taken slot in transaction mode too, leaving nothing behind',
      async () => {
        const h = harness({ slotLock: true, mode: 'transaction' })
        fulfilled(await h.settle(h.guard.createBooking(scheduledInput(at))))
        const error = rejected(
          await h.settle(h.guard.createBooking(scheduledInput(at, { customerId: 'c9' }))),
        )
        expect(isSlotTakenError(error)).toBe(true)
        expect(h.rows('bookings')).toHaveLength(1)
        expect(h.rows('chat_rooms')).toHaveLength(1)
      },
    )
  })

  describe('acting as users', () => {
    it('should let only the customer, the provider and admins read what the guard wrote', async () => {
      const h = harness({ permissions: { adminRoles: ['team:support'] } }, { rowSecurity: true })
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const read = async (
        identity: Parameters<typeof h.fake.as>[0],
        table: string,
        rowId: string,
      ) =>
        h.fake
          .as(identity)
          .tablesDB.getRow({ databaseId: DB, tableId: table, rowId })
          .then(
            () => 'ok',
            (e: { type?: string }) => e.type,
          )
      const id = booking.$id
      for (const user of ['user:cust1', 'user:prov1']) {
        expect(await read(user, 'bookings', id)).toBe('ok')
        expect(await read(user, 'chat_rooms', id)).toBe('ok')
        expect(await read(user, 'chat_messages', `${id}.m0`)).toBe('ok')
      }
      expect(await read('user:prov1', 'notifications', id)).toBe('ok')
      expect(await read('user:cust1', 'notifications', id)).toBe('row_not_found')
      for (const table of ['bookings', 'chat_rooms', 'notifications']) {
        expect(await read('user:eve', table, id)).toBe('row_not_found')
        expect(await read('guest', table, id)).toBe('row_not_found')
      }
      expect(await read({ userId: 'agent', teams: { support: ['member'] } }, 'bookings', id)).toBe(
        'ok',
      )
    })

    it('should refuse transitions by another user who cannot even read the booking', async () => {
      const h = harness({}, { rowSecurity: true })
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const eve = createBookingGuard({
        tablesDB: h.fake.as('user:eve').tablesDB,
        databaseId: DB,
        clock: h.clock,
        mode: 'saga',
      })
      const error = rejected(
        await h.settle(
          eve.respondToBooking(booking.$id, { providerId: 'prov1', response: 'accept' }),
        ),
      )
      expect(error).toMatchObject({ code: 'BOOKING_STATE', reason: 'notFound' })
      expect(h.rows('bookings')[0]!.status).toBe('pending')
    })

    it('should write nothing when run as a customer, who may not grant the provider access', async () => {
      const h = harness({}, { rowSecurity: true })
      const customer = createBookingGuard({
        tablesDB: h.fake.as('user:cust1').tablesDB,
        databaseId: DB,
        clock: h.clock,
        mode: 'saga',
      })
      const error = rejected(await h.settle(customer.createBooking(bookingInput())))
      expect(error).toMatchObject({
        code: 'BOOKING_PIPELINE',
        failedStep: 'booking',
        compensated: true,
      })
      expect(String((error as Error).message)).toMatch(/not authorized/)
      for (const table of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
        expect(h.rows(table)).toEqual([])
      }
    })
  })

  describe('observability', () => {
    it('should emit a typed event for every step, in order', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const types = h.events.map((e) =>
        e.type === 'stepSucceeded' ? `${e.type}:${e.step}` : e.type,
      )
      expect(types[0]).toBe('pipelineStarted')
      expect(types.slice(1, 5).sort()).toEqual([
        'stepSucceeded:booking',
        'stepSucceeded:chatRoom',
        'stepSucceeded:notification',
        'stepSucceeded:systemMessage',
      ])
      expect(types.slice(5)).toEqual(['stepSucceeded:deliver', 'pipelineSucceeded'])
      const ids = h.events.map((event) => ('bookingId' in event ? event.bookingId : booking.$id))
      expect(new Set(ids)).toEqual(new Set([booking.$id]))
    })

    it('should count completed bookings, chat rooms and notifications in the metrics', async () => {
      const metrics = createMetrics()
      const h = harness({ metrics })
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const snapshot = metrics.snapshot()
      expect(snapshot.rates.chatRoomCreation).toMatchObject({ total: 1, totalFailures: 0 })
      expect(snapshot.rates.notificationDelivery).toMatchObject({ total: 1, totalFailures: 0 })
      expect(snapshot.counters.bookingsCompleted.value).toBe(1)
      expect(snapshot.counters.bookingsFailed.value).toBe(0)
      expect(snapshot.gauges.bookingsAtRisk.value).toBe(0)
    })

    it('should capture a failure in the monitor with its step and booking', async () => {
      const monitor = createErrorMonitor({ clock: createManualClock() })
      const h = harness({ monitor })
      h.fake.faults.fail({
        operation: 'createRow',
        table: 'notifications',
        error: 'table_not_found',
      })
      rejected(await h.settle(h.guard.createBooking(bookingInput())))
      const [entry] = monitor.entries()
      expect(entry).toMatchObject({
        category: 'notification',
        operation: 'createBooking',
        code: 'BOOKING_PIPELINE',
        context: expect.objectContaining({ step: 'notification', compensated: true }),
      })
    })

    it('should store notifications as push-skipped when no push sender is configured', async () => {
      const h = harness()
      const { notification } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(notification.pushStatus).toBe('skipped')
    })
  })

  describe('backends and modes', () => {
    /** A guard on the legacy Databases API of a fake whose tables are declared from the lock. */
    function legacyGuard(mode: 'saga' | 'transaction') {
      const clock = createManualClock()
      const fake = createFakeAppwrite({
        clock,
        databases: { [DB]: { tables: declaredTables(createSchemaLock()) } },
      })
      return {
        fake,
        guard: createBookingGuard({ databases: fake.databases, databaseId: DB, clock, mode }),
      }
    }

    it('should run on the legacy Databases API', async () => {
      const { fake, guard } = legacyGuard('saga')
      const { booking, chatRoom } = await guard.createBooking(bookingInput())
      expect(chatRoom.$id).toBe(booking.$id)
      expect(fake.snapshot()[DB]!.bookings![0]!.pipelineStatus).toBe('delivered')
    })

    it('should run in transaction mode on the legacy Databases API', async () => {
      const { fake, guard } = legacyGuard('transaction')
      const result = await guard.createBooking(bookingInput())

      expect(result.mode).toBe('transaction')
      const snapshot = fake.snapshot()[DB]!
      expect(snapshot.bookings!.map((row) => row.$id)).toEqual([result.booking.$id])
      expect(snapshot.chat_rooms!.map((row) => row.$id)).toEqual([result.booking.$id])
      expect(snapshot.chat_messages).toHaveLength(1)
      expect(snapshot.notifications).toHaveLength(1)
      const [transaction] = (await fake.databases.listTransactions()).transactions
      expect(transaction).toMatchObject({ status: 'committed', operations: 4 })
    })

    it('should require exactly one of tablesDB and databases, and a database id', () => {
      const fake = createFakeAppwrite()
      // @ts-expect-error neither service: refused by the compiler too
      expect(() => createBookingGuard({ databaseId: DB })).toThrow(/exactly one of `tablesDB`/)
      expect(() =>
        createBookingGuard({ databaseId: DB, tablesDB: fake.tablesDB, databases: fake.databases }),
      ).toThrow(/exactly one/)
      expect(() => createBookingGuard({ databaseId: '', tablesDB: fake.tablesDB })).toThrow(
        /databaseId/,
      )
    })

    it('should refuse transaction mode on an SDK object without transaction methods', () => {
      const tablesDB = rowMethodsOf(createFakeAppwrite().tablesDB)
      expect(() => createBookingGuard({ tablesDB, databaseId: DB, mode: 'transaction' })).toThrow(
        /needs an SDK service with createTransaction/,
      )
      expect(createBookingGuard({ tablesDB, databaseId: DB }).mode).toBe('saga')
    })

    it('should fall back to saga in auto mode when the server refuses transactions, and remember it', async () => {
      const clock = createManualClock()
      const fake = createFakeAppwrite({ clock })
      let probes = 0
      const tablesDB = {
        ...rowMethodsOf(fake.tablesDB),
        createTransaction: () => {
          probes++
          return Promise.reject(appwriteError('general_route_not_found'))
        },
        createOperations: () => Promise.reject(new Error('unreachable')),
        updateTransaction: () => Promise.reject(new Error('unreachable')),
      }
      const guard = createBookingGuard({ tablesDB, databaseId: DB, clock })
      const modes: string[] = []
      guard.on((event) => {
        if (event.type === 'modeResolved') modes.push(event.mode)
      })
      expect(guard.mode).toBe('auto')
      const first = await guard.createBooking(bookingInput())
      const second = await guard.createBooking(bookingInput())
      expect([first.mode, second.mode]).toEqual(['saga', 'saga'])
      expect(probes).toBe(1)
      expect(modes).toEqual(['saga'])
      expect(guard.mode).toBe('saga')
    })
  })
})
