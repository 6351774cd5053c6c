// The key createBooking guarantees again, this time through the real node-appwrite SDK over HTTP
// to the emulator (real time, real JSON, real status codes) instead of the fake's objects.
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, TablesDB } from 'node-appwrite'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { isBookingGuardError } from '../errors'
import type { PipelineFailureDetails } from '../errors'
import { createBookingGuard } from '../guard'
import type { BookingGuard, BookingGuardOptions } from '../guard'
import { provisionSchema } from '../schema/provision'
import { createSchemaLock } from '../schema/schemaLock'
import {
  DB,
  bookingInput,
  completeBookingViolations,
  invariantViolations,
} from './pipelineFixtures'

const lock = createSchemaLock()
let emulator: AppwriteEmulator

/** A guard on the real SDK over the emulator; tiny back-off, as time is real here. */
function guardOf(options: Partial<BookingGuardOptions> = {}): BookingGuard {
  const client = new Client()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setKey(emulator.apiKey)
  return createBookingGuard({
    tablesDB: new TablesDB(client),
    databaseId: DB,
    mode: 'saga',
    retry: { initialDelay: 1, maxDelay: 5, jitter: 'none' },
    ...options,
  })
}

const rows = (tableId: string) => emulator.fake.snapshot()[DB]?.[tableId] ?? []

async function failure(promise: Promise<unknown>): Promise<PipelineFailureDetails & Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected createBooking to fail')
    },
    (e: unknown) => e,
  )
  expect(isBookingGuardError(error)).toBe(true)
  return error as PipelineFailureDetails & Error
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  await provisionSchema({ admin: emulator.fake.admin, databaseId: DB, lock })
})

afterAll(async () => {
  await emulator.close()
})

beforeEach(async () => {
  emulator.fake.faults.clear()
  // Empty every table (`fake.reset()` would drop the provisioned tables too).
  for (const [tableId, tableRows] of Object.entries(emulator.fake.snapshot()[DB] ?? {})) {
    for (const row of tableRows) {
      await emulator.fake.tablesDB.deleteRow({ databaseId: DB, tableId, rowId: row.$id })
    }
  }
})

describe('pipeline.emulator', () => {
  for (const mode of ['saga', 'transaction'] as const) {
    it(`should write booking, chat room, system message and notification in ${mode} mode`, async () => {
      const result = await guardOf({ mode }).createBooking(bookingInput())
      const id = result.booking.$id
      expect(result).toMatchObject({ mode, replayed: false })
      expect(rows('bookings').map((row) => [row.$id, row.pipelineStatus])).toEqual([
        [id, 'delivered'],
      ])
      expect(rows('chat_rooms').map((row) => row.$id)).toEqual([id])
      expect(rows('chat_messages').map((row) => row.$id)).toEqual([`${id}.m0`])
      expect(rows('notifications').map((row) => [row.$id, row.recipientId])).toEqual([
        [id, 'prov1'],
      ])
      expect(completeBookingViolations(emulator.fake, lock)).toEqual([])
    })
  }

  it('should replay the same idempotency key without duplicating rows', async () => {
    const guard = guardOf()
    const input = bookingInput()
    const first = await guard.createBooking(input, { idempotencyKey: 'form-1' })
    const again = await guard.createBooking(input, { idempotencyKey: 'form-1' })
    expect(again).toMatchObject({ replayed: true, booking: { $id: first.booking.$id } })
    for (const table of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
      expect(rows(table)).toHaveLength(1)
    }
  })

  for (const mode of ['saga', 'transaction'] as const) {
    it(`should name the notification step and leave nothing half-made when it fails (${mode})`, async () => {
      emulator.fake.faults.fail({
        operation: mode === 'saga' ? 'createRow' : 'createOperations',
        ...(mode === 'saga' ? { table: 'notifications' } : {}),
        error: 'general_server_error',
      })
      const error = await failure(guardOf({ mode }).createBooking(bookingInput()))
      expect(error).toMatchObject({
        failedStep: mode === 'saga' ? 'notification' : 'transaction',
        compensated: true,
      })
      expect(error.message).toContain(mode === 'saga' ? 'notification' : 'transaction')
      expect(rows('bookings').filter((row) => row.pipelineStatus !== 'failed')).toEqual([])
      expect(rows('chat_rooms')).toEqual([])
      expect(rows('notifications')).toEqual([])
      expect(invariantViolations(emulator.fake, lock)).toEqual([])
    })
  }

  it('should leave a booking pending when deliver and its compensation fail, and reconcile it', async () => {
    const rule = emulator.fake.faults.fail({
      operation: 'updateRow',
      table: 'bookings',
      error: 'general_server_error',
    })
    const guard = guardOf()
    const error = await failure(guard.createBooking(bookingInput()))
    expect(error).toMatchObject({ failedStep: 'deliver', pendingReconcile: true })
    expect(rows('bookings').map((row) => row.pipelineStatus)).toEqual(['pending'])
    rule.remove()
    const report = await guard.reconcile({ olderThanMs: 0 })
    expect(report.pending).toMatchObject({ found: 1, completed: [error.bookingId], failed: [] })
    expect(rows('bookings').map((row) => row.pipelineStatus)).toEqual(['delivered'])
    expect(completeBookingViolations(emulator.fake, lock)).toEqual([])
  })
})
