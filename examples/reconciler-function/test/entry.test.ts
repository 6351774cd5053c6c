// Runs the Function's default export as Appwrite's Node runtime would on a schedule: a context
// built by hand (`POST /`, empty body, the execution's key in `x-appwrite-key`), the endpoint and
// project from the runtime's environment, the reconciler reaching the emulator over HTTP.
import { createBookingGuard } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import run from '../src/main'
import type { ReconcilerRunReport } from '../src/reconcile'
import { databaseId, input } from './fixtures'

let emulator: AppwriteEmulator

const rows = (tableId: string) => emulator.fake.snapshot()[databaseId]?.[tableId] ?? []

/** What the runtime hands a scheduled execution (open-runtimes' Node `context`). */
function scheduledContext() {
  const logs: unknown[] = []
  const errors: unknown[] = []
  const context = {
    req: {
      method: 'POST',
      path: '/',
      headers: {
        'x-appwrite-trigger': 'schedule',
        'x-appwrite-user-id': '',
        'x-appwrite-key': emulator.apiKey,
      },
      bodyText: '',
      body: '',
    },
    res: {
      json: (body: unknown, statusCode = 200) => ({
        body: JSON.parse(JSON.stringify(body)) as ReconcilerRunReport,
        statusCode,
      }),
    },
    log: (message: unknown) => logs.push(message),
    error: (message: unknown) => errors.push(message),
  }
  return { context, logs, errors }
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  await provisionSchema({ admin: emulator.fake.admin, databaseId })
  vi.stubEnv('APPWRITE_FUNCTION_API_ENDPOINT', emulator.endpoint)
  vi.stubEnv('APPWRITE_FUNCTION_PROJECT_ID', emulator.projectId)
  vi.stubEnv('BOOKING_GUARD_DATABASE_ID', databaseId)
  vi.stubEnv('BOOKING_GUARD_OLDER_THAN_MS', '0')
})

afterAll(async () => {
  vi.unstubAllEnvs()
  await emulator.close()
})

describe('reconciler Function entry', () => {
  it('should finish a booking left pending, answering the report as JSON', async () => {
    // A booking whose "delivered" update never happened (the process died there).
    const guard = createBookingGuard({
      tablesDB: emulator.fake.tablesDB,
      databaseId,
      mode: 'saga',
      retry: { maxAttempts: 1 },
    })
    emulator.fake.faults.fail({ operation: 'updateRow', table: 'bookings', times: 10 })
    await expect(guard.createBooking(input)).rejects.toMatchObject({ failedStep: 'deliver' })
    emulator.fake.faults.reset()
    const pending = rows('bookings').filter((b) => b.pipelineStatus === 'pending')
    expect(pending).toHaveLength(1)

    const { context, logs, errors } = scheduledContext()
    const answer = (await run(context)) as { body: ReconcilerRunReport; statusCode: number }

    expect(errors).toEqual([])
    expect(answer.statusCode).toBe(200)
    expect(answer.body).toMatchObject({ ok: true, reconcile: { pending: { found: 1 } } })
    expect(rows('bookings').map((b) => b.pipelineStatus)).not.toContain('pending')
    expect(String(logs[0])).toMatch(/^reconciled: /)
  })
})
