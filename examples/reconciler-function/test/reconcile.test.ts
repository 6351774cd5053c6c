// A booking whose process died after writing every row but before marking it delivered, completed
// by one execution of the Function entry against the emulator over HTTP (real node-appwrite).
import { createBookingGuard } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, TablesDB } from 'node-appwrite'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { handle } from '../src/main'
import type { ReconcilerRunReport } from '../src/reconcile'
import { databaseId, input } from './fixtures'

let emulator: AppwriteEmulator

const rows = (tableId: string) => emulator.fake.snapshot()[databaseId]?.[tableId] ?? []

/**
 * A TablesDB whose process "crashes" on demand: every call after `crash()` never settles, so
 * nothing the dead process would have done (retries, compensation) reaches the server.
 */
function crashableTablesDB(tablesDB: TablesDB): { tablesDB: TablesDB; crash(): void } {
  let crashed = false
  const proxy = new Proxy(tablesDB, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        crashed
          ? new Promise(() => {})
          : (value as (...a: unknown[]) => unknown).apply(target, args)
    },
  })
  return {
    tablesDB: proxy,
    crash: () => {
      crashed = true
    },
  }
}

function fakeContext(headers: Record<string, string> = {}) {
  const json = vi.fn((body: unknown, statusCode = 200) => ({ body, statusCode }))
  const log = vi.fn()
  const error = vi.fn()
  return { context: { req: { headers }, res: { json }, log, error }, json, log, error }
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  await provisionSchema({ admin: emulator.fake.admin, databaseId })
})

afterAll(async () => {
  await emulator.close()
})

describe('reconcile', () => {
  it('should complete a booking whose process crashed before delivering it', async () => {
    const client = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setKey(emulator.apiKey)
    const app = crashableTablesDB(new TablesDB(client))
    const guard = createBookingGuard({ tablesDB: app.tablesDB, databaseId, mode: 'saga' })
    const hang = emulator.fake.faults.hang({ operation: 'updateRow', table: 'bookings' })

    const abandoned = guard.createBooking(input)
    abandoned.catch(() => {}) // the process is gone: nobody awaits this call
    await vi.waitFor(() => {
      expect(hang.pending).toBe(1)
    })
    app.crash()
    hang.remove() // the held "deliver" request dies with the connection
    guard.dispose()

    const [pending] = rows('bookings')
    expect(pending).toMatchObject({ pipelineStatus: 'pending' })
    const bookingId = String(pending?.$id)

    const { context, json, error } = fakeContext({ 'x-appwrite-key': emulator.apiKey })
    await handle(context, {
      APPWRITE_FUNCTION_API_ENDPOINT: emulator.endpoint,
      APPWRITE_FUNCTION_PROJECT_ID: emulator.projectId,
      BOOKING_GUARD_DATABASE_ID: databaseId,
      BOOKING_GUARD_OLDER_THAN_MS: '0',
    })

    expect(error).not.toHaveBeenCalled()
    expect(json).toHaveBeenCalledTimes(1)
    const [report, status] = json.mock.calls[0] as [ReconcilerRunReport, number]
    expect(status).toBe(200)
    expect(report).toMatchObject({
      ok: true,
      reconcile: { pending: { found: 1, completed: [bookingId], failed: [] }, errors: [] },
    })
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    expect(rows('bookings').map((row) => [row.$id, row.pipelineStatus])).toEqual([
      [bookingId, 'delivered'],
    ])
    expect(rows('chat_rooms').map((row) => row.$id)).toEqual([bookingId])
    expect(rows('chat_messages').map((row) => row.$id)).toEqual([`${bookingId}.m0`])
    expect(rows('notifications').map((row) => [row.$id, row.recipientId])).toEqual([
      [bookingId, 'prov1'],
    ])
  })

  it('should answer 500 with the reason when the configuration is missing', async () => {
    const { context, json, error } = fakeContext()
    await handle(context, {})
    expect(json).toHaveBeenCalledWith(
      { ok: false, error: expect.stringContaining('APPWRITE_ENDPOINT') },
      500,
    )
    expect(error).toHaveBeenCalledTimes(1)
  })
})
