import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import type { TableKind } from '../index'
import { column, createSchemaLock, isSchemaLockError } from '../index'
import { APPWRITE_DATETIME_MAX, APPWRITE_DATETIME_MIN, TABLE_KINDS } from '../schema/index'
import { tableOf } from './lockTables'
import { errorOf, validRow } from './schemaRows'
import { harness, scheduledInput } from './pipelineFixtures'

/** A valid row of each kind; every datetime column is filled so each can be replaced. */
const rows: Record<TableKind, Record<string, unknown>> = {
  booking: validRow('booking', { bookingType: 'scheduled', scheduledAt: '2026-01-02T09:00:00Z' }),
  chatRoom: validRow('chatRoom', {
    lastMessageAt: '2026-01-02T09:00:00.000+00:00',
    customerLastReadAt: '2026-01-02T09:00:00.000+00:00',
    providerLastReadAt: '2026-01-02T09:00:00.000+00:00',
  }),
  chatMessage: validRow('chatMessage', { content: 'Hi' }),
  notification: validRow('notification'),
  heartbeat: validRow('heartbeat', { channelKey: 'watchdog', sentAt: '2026-01-01T00:00:00.000Z' }),
}

const scheduled = (scheduledAt: unknown) =>
  validRow('bookingInput', { bookingType: 'scheduled', scheduledAt })

describe('schemaLock', () => {
  describe('datetime range', () => {
    const lock = createSchemaLock()
    const datetimeColumns = TABLE_KINDS.flatMap((kind) =>
      lock
        .columns(kind)
        .filter((spec) => spec.type === 'datetime')
        .map((spec) => [kind, spec.key] as const),
    )

    it('should know every datetime column of the default tables', () => {
      expect(datetimeColumns).toEqual([
        ['booking', 'responseDeadline'],
        ['booking', 'scheduledAt'],
        ['chatRoom', 'expiresAt'],
        ['chatRoom', 'lastMessageAt'],
        ['chatRoom', 'customerLastReadAt'],
        ['chatRoom', 'providerLastReadAt'],
        ['heartbeat', 'sentAt'],
      ])
    })

    it.each(datetimeColumns)(
      'should refuse %s.%s outside the range Appwrite stores, in parse and parsePatch',
      (kind, key) => {
        for (const [value, code] of [
          ['0000-01-01T00:00:00.000Z', 'too_small'],
          ['0999-12-31T23:59:59.999Z', 'too_small'],
          // Year 1000 locally, still 999 in UTC.
          ['1000-01-01T00:30:00+01:00', 'too_small'],
          ['9999-12-31T23:59:59.001Z', 'too_big'],
          ['9999-12-31T22:00:00-02:00', 'too_big'],
        ] as const) {
          for (const parse of [
            () => lock.parse(kind, { ...rows[kind], [key]: value }),
            () => lock.parsePatch(kind, { [key]: value }),
          ]) {
            const error = errorOf(parse)
            expect(error.issues).toEqual([
              {
                path: [key],
                code,
                message: `Invalid datetime: Appwrite stores ${APPWRITE_DATETIME_MIN} to ${APPWRITE_DATETIME_MAX} (UTC)`,
              },
            ])
          }
        }
        for (const value of [
          APPWRITE_DATETIME_MIN,
          APPWRITE_DATETIME_MAX,
          '0999-12-31T23:30:00-01:00',
          '9999-12-31T23:59:59.0009Z',
        ]) {
          expect(lock.parse(kind, { ...rows[kind], [key]: value })[key as never]).toBe(value)
        }
      },
    )

    it('should refuse a booking input at year 0 with a SchemaLockError naming scheduledAt', () => {
      const error = errorOf(() => lock.parse('bookingInput', scheduled('0000-01-01T00:00:00.000Z')))
      expect(error.kind).toBe('bookingInput')
      expect(error.issues.map((issue) => issue.path)).toEqual([['scheduledAt']])
    })

    it('should apply the range to datetime columns an app adds with column.datetime', () => {
      const extended = createSchemaLock({
        extend: { booking: { checkInAt: column.datetime({ required: false }) } },
      })
      const error = errorOf(() =>
        extended.parse('booking', { ...rows.booking, checkInAt: '0000-01-01T00:00:00Z' }),
      )
      expect(error.issues.map((issue) => [issue.path, issue.code])).toEqual([
        [['checkInAt'], 'too_small'],
      ])
      expect(column.datetime({ required: false }).schema.safeParse(null).success).toBe(true)
    })

    it('should accept exactly the datetimes the fake server accepts', async () => {
      const fake = createFakeAppwrite({
        clock: createManualClock(),
        databases: { main: { tables: { heartbeats: tableOf(lock.tables.heartbeat) } } },
      })
      const min = Date.parse(APPWRITE_DATETIME_MIN)
      const max = Date.parse(APPWRITE_DATETIME_MAX)
      const pad = (n: number, width: number) => String(n).padStart(width, '0')
      let rowNumber = 0
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.integer({ min: min - 86_400_000, max: min + 86_400_000 }),
            fc.integer({ min: max - 86_400_000, max: max + 86_400_000 }),
            fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: max + 86_400_000 }),
          ),
          fc.integer({ min: -14 * 60, max: 14 * 60 }),
          async (instant, offsetMinutes) => {
            // The instant written in a zone `offsetMinutes` east of UTC, as a client would send it.
            const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, 23)
            const sign = offsetMinutes < 0 ? '-' : '+'
            const abs = Math.abs(offsetMinutes)
            const sentAt = `${local}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`
            let lockAccepts = true
            try {
              lock.parse('heartbeat', { channelKey: 'w', sentAt })
            } catch (error) {
              if (!isSchemaLockError(error)) throw error
              lockAccepts = false
            }
            const serverAccepts = await fake.tablesDB
              .createRow({
                databaseId: 'main',
                tableId: 'heartbeats',
                rowId: `r${++rowNumber}`,
                data: { channelKey: 'w', sentAt },
              })
              .then(
                () => true,
                () => false,
              )
            expect({ sentAt, accepted: lockAccepts }).toEqual({ sentAt, accepted: serverAccepts })
          },
        ),
        { numRuns: 400, seed: 20_261_205 },
      )
    })
    it('should make createBooking refuse a year-0 start before any call, writing nothing', async () => {
      const h = harness()
      const outcome = await h.settle(
        h.guard.createBooking(scheduledInput('0000-01-01T00:00:00.000Z'), {
          idempotencyKey: 'k-year-0',
        }),
      )
      expect(outcome.status).toBe('rejected')
      const error = (outcome as PromiseRejectedResult).reason as unknown
      expect(isSchemaLockError(error) && error.issues.map((issue) => issue.path)).toEqual([
        ['scheduledAt'],
      ])
      for (const tableId of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
        expect(h.rows(tableId)).toEqual([])
      }
      expect(h.events).toEqual([])
    })
  })

  describe('past starts', () => {
    it('should refuse a scheduled start further back than 5 minutes by default, by the given clock', () => {
      const clock = createManualClock({ now: Date.parse('2026-06-01T12:00:00.000Z') })
      const lock = createSchemaLock()
      const now = clock.now()
      expect(lock.parse('bookingInput', scheduled('2026-06-01T11:55:00.000Z'), { now })).toEqual(
        scheduled('2026-06-01T11:55:00.000Z'),
      )
      expect(
        lock.parse('bookingInput', scheduled('2026-06-01T13:55:00+02:00'), { now }).scheduledAt,
      ).toBe('2026-06-01T13:55:00+02:00')
      const error = errorOf(() =>
        lock.parse('bookingInput', scheduled('2026-06-01T11:54:59.999Z'), { now }),
      )
      expect(error.kind).toBe('bookingInput')
      expect(error.issues).toEqual([
        {
          path: ['scheduledAt'],
          code: 'too_small',
          message:
            'Invalid scheduledAt: 2026-06-01T11:54:59.999Z is 5 min in the past; choose a start from now on (at most 5 min late is accepted)',
        },
      ])
      expect(
        errorOf(() => lock.parse('bookingInput', scheduled('2001-09-01T10:00:00Z'), { now }))
          .issues[0]?.message,
      ).toContain('is 9039 days in the past')
    })

    it('should move with the clock: a start accepted now is refused once it lies in the past', async () => {
      const clock = createManualClock({ now: Date.parse('2026-06-01T12:00:00.000Z') })
      const lock = createSchemaLock()
      const input = scheduled('2026-06-01T12:30:00.000Z')
      expect(lock.parse('bookingInput', input, { now: clock.now() }).scheduledAt).toBe(
        input.scheduledAt,
      )
      await clock.advance(35 * 60_000)
      expect(lock.parse('bookingInput', input, { now: clock.now() }).scheduledAt).toBe(
        input.scheduledAt,
      )
      await clock.advance(1)
      expect(
        errorOf(() => lock.parse('bookingInput', input, { now: clock.now() })).issues[0]?.path,
      ).toEqual(['scheduledAt'])
    })

    it('should follow pastStartToleranceMs, and accept any start with false', () => {
      const now = Date.parse('2026-06-01T12:00:00.000Z')
      const strict = createSchemaLock({ pastStartToleranceMs: 0 })
      expect(strict.parse('bookingInput', scheduled('2026-06-01T12:00:00Z'), { now })).toEqual(
        scheduled('2026-06-01T12:00:00Z'),
      )
      expect(
        errorOf(() => strict.parse('bookingInput', scheduled('2026-06-01T11:59:59.999Z'), { now }))
          .issues[0]?.message,
      ).toBe(
        'Invalid scheduledAt: 2026-06-01T11:59:59.999Z is 0 s in the past; choose a start from now on (at most 0 s late is accepted)',
      )
      const lenient = createSchemaLock({ pastStartToleranceMs: 3 * 3_600_000 })
      expect(
        lenient.parse('bookingInput', scheduled('2026-06-01T09:00:00Z'), { now }).scheduledAt,
      ).toBe('2026-06-01T09:00:00Z')
      const any = createSchemaLock({ pastStartToleranceMs: false })
      expect(
        any.parse('bookingInput', scheduled('2001-01-01T00:00:00Z'), { now }).scheduledAt,
      ).toBe('2001-01-01T00:00:00Z')
    })

    it('should run the time rule only when told the time, only for booking inputs, after the other rules', () => {
      const lock = createSchemaLock()
      const now = Date.parse('2026-06-01T12:00:00.000Z')
      const past = '2001-01-01T00:00:00Z'
      expect(lock.parse('bookingInput', scheduled(past)).scheduledAt).toBe(past)
      expect(
        lock.parse('booking', { ...rows.booking, scheduledAt: past }, { now }).scheduledAt,
      ).toBe(past)
      // An immediate booking without a start has nothing to check.
      expect(
        lock.parse('bookingInput', { ...scheduled(undefined), bookingType: 'immediate' }, { now })
          .bookingType,
      ).toBe('immediate')
      // Another issue first: the time rule waits until every field is valid.
      expect(
        errorOf(() =>
          lock.parse('bookingInput', { ...scheduled(past), durationMinutes: 0 }, { now }),
        ).issues.map((issue) => issue.path),
      ).toEqual([['durationMinutes']])
    })

    it('should refuse a bad tolerance or a bad now with a configuration error', () => {
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5m' as never, true as never]) {
        expect(() => createSchemaLock({ pastStartToleranceMs: bad })).toThrow(
          expect.objectContaining({
            code: 'CONFIGURATION',
            message: expect.stringContaining('`pastStartToleranceMs` must be') as unknown,
          }),
        )
      }
      const lock = createSchemaLock()
      expect(() =>
        lock.parse('bookingInput', scheduled('2026-06-01T12:00:00Z'), { now: Number.NaN }),
      ).toThrow('`context.now` must be the current time in epoch milliseconds, got `NaN`')
    })
  })
})
