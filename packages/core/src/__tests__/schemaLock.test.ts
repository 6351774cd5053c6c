import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import type { SchemaLockIssue } from '../index'
import { errorOf, validRow } from './schemaRows'
import {
  BookingGuardError,
  SchemaLockError,
  column,
  createSchemaLock,
  isBookingGuardError,
  isSchemaLockError,
} from '../index'
import { BookingSchema } from '../schema/index'

/** The issue a lock reports for the unknown field `field`, with `message` (text or matcher). */
const unknownField = (field: string, message: unknown) => ({
  path: [field],
  code: 'unknown_field',
  message,
})

function configMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isBookingGuardError(error, 'CONFIGURATION')) return error.message
    throw error
  }
  throw new Error('expected a CONFIGURATION error, nothing was thrown')
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('schemaLock', () => {
  describe('parse', () => {
    it('should return a new object and never mutate its input, on the fast and the slow path', () => {
      const lock = createSchemaLock()
      const canonical = deepFreeze(validRow('booking'))
      const out = lock.parse('booking', canonical)
      expect(out).not.toBe(canonical)
      expect(out).toEqual(canonical)
      const legacy = deepFreeze({
        ...validRow('booking'),
        providerId: undefined,
        therapistId: 'p1',
        $id: 'r1',
      })
      const out2 = lock.parse('booking', legacy)
      expect(out2).not.toBe(legacy)
      expect(legacy).toEqual({
        ...validRow('booking'),
        providerId: undefined,
        therapistId: 'p1',
        $id: 'r1',
      })
    })

    it('should reject an input that is not an object, at the root', () => {
      const lock = createSchemaLock()
      for (const [input, type] of [
        [null, 'null'],
        [undefined, 'undefined'],
        [[validRow('booking')], 'array'],
        ['{}', 'string'],
        [42, 'number'],
      ] as const) {
        expect(errorOf(() => lock.parse('booking', input)).issues).toEqual([
          {
            path: [],
            code: 'invalid_type',
            message: `Invalid input: expected an object, received ${type}`,
          },
        ])
      }
    })

    it('should reject every unknown field, naming each one, in input order', () => {
      const lock = createSchemaLock()
      const error = errorOf(() =>
        lock.parse('booking', { colour: 'red', ...validRow('booking'), size: 2 }),
      )
      expect(error.issues).toEqual([
        unknownField(
          'colour',
          'Unknown field `colour`: not a column of table `bookings`; remove it, or declare it with `createSchemaLock({ extend })`',
        ),
        unknownField('size', expect.stringContaining('Unknown field `size`')),
      ])
    })

    it('should suggest the canonical field for a wrongly cased legacy alias', () => {
      const lock = createSchemaLock()
      const { providerId, ...rest } = validRow('booking')
      const [issue] = errorOf(() =>
        lock.parse('booking', { ...rest, TherapistID: providerId }),
      ).issues
      expect(issue).toEqual(
        unknownField('TherapistID', 'Unknown field `TherapistID`: did you mean `providerId`?'),
      )
    })

    it('should suggest the canonical field for a wrongly cased one', () => {
      const lock = createSchemaLock()
      const { providerId, ...rest } = validRow('booking')
      const error = errorOf(() => lock.parse('booking', { ...rest, providerid: providerId }))
      expect(error.issues).toEqual([
        unknownField('providerid', 'Unknown field `providerid`: did you mean `providerId`?'),
        {
          path: ['providerId'],
          code: 'invalid_type',
          message: 'Invalid input: expected string, received undefined',
        },
      ])
    })

    it('should list every issue at once: unknown fields, alias conflicts, then zod issues', () => {
      const lock = createSchemaLock()
      const error = errorOf(() =>
        lock.parse('booking', {
          ...validRow('booking'),
          extra: 1,
          therapistName: 'X',
          durationMinutes: 0,
          customerName: '',
        }),
      )
      expect(error.issues.map((i) => [i.path.join('.'), i.code])).toEqual([
        ['extra', 'unknown_field'],
        ['providerName', 'alias_conflict'],
        ['customerName', 'too_small'],
        ['durationMinutes', 'too_small'],
      ])
    })

    it('should never return a partial object: an issue anywhere means nothing is returned', () => {
      const lock = createSchemaLock()
      expect(() =>
        lock.parse('booking', { ...validRow('booking'), notes: 'x'.repeat(2001) }),
      ).toThrow(SchemaLockError)
    })

    it('should strip Appwrite system fields on write by default', () => {
      const lock = createSchemaLock()
      const row = {
        $id: 'b1',
        $sequence: '1',
        $tableId: 'bookings',
        $collectionId: 'bookings',
        $databaseId: 'main',
        $createdAt: '2026-01-01T10:00:00.000+00:00',
        $updatedAt: '2026-01-01T10:00:00.000+00:00',
        $permissions: ['read("user:c1")'],
        ...validRow('booking'),
      }
      expect(lock.parse('booking', row)).toEqual(validRow('booking'))
    })

    it('should reject system fields when systemFieldsOnWrite is reject, saying where they go instead', () => {
      const lock = createSchemaLock({ systemFieldsOnWrite: 'reject' })
      const error = errorOf(() =>
        lock.parse('booking', { ...validRow('booking'), $id: 'b1', $permissions: [] }),
      )
      expect(error.issues).toEqual([
        unknownField(
          '$id',
          'Unknown field `$id`: an Appwrite system field; pass the row id and permissions as arguments of the write, not in its data',
        ),
        unknownField('$permissions', expect.stringContaining('Appwrite system field')),
      ])
    })

    it('should always reject $-prefixed fields that are not Appwrite system fields', () => {
      const lock = createSchemaLock()
      expect(
        errorOf(() => lock.parse('booking', { ...validRow('booking'), $secret: 1 })).issues.map(
          (i) => i.path,
        ),
      ).toEqual([['$secret']])
    })

    it('should reject a __proto__ key from JSON without touching any prototype', () => {
      const lock = createSchemaLock()
      const input = JSON.parse(
        `{"__proto__": {"polluted": true}, ${JSON.stringify(validRow('booking')).slice(1)}`,
      ) as unknown
      expect(
        errorOf(() => lock.parse('booking', input)).issues.map((i) => [i.path, i.code]),
      ).toEqual([[['__proto__'], 'unknown_field']])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('should refuse an unknown kind with a configuration error listing the kinds', () => {
      const lock = createSchemaLock()
      expect(configMessage(() => lock.parse('bookings' as never, validRow('booking')))).toBe(
        'createSchemaLock: unknown schema kind `bookings`: use one of `booking`, `bookingInput`, `chatRoom`, `chatMessage`, `notification`, `heartbeat`',
      )
      expect(configMessage(() => lock.parse('toString' as never, validRow('booking')))).toContain(
        'unknown schema kind `toString`',
      )
    })
  })

  describe('SchemaLockError', () => {
    it('should carry code, kind, table and every issue, and name each issue in its message', () => {
      const lock = createSchemaLock()
      const error = errorOf(() =>
        lock.parse('booking', { ...validRow('booking'), durationMinutes: 'long', oops: 1 }),
      )
      expect(error).toBeInstanceOf(BookingGuardError)
      expect(isBookingGuardError(error, 'SCHEMA_LOCK')).toBe(true)
      expect(error.name).toBe('SchemaLockError')
      expect(error.kind).toBe('booking')
      expect(error.tableId).toBe('bookings')
      expect(error.message).toBe(
        [
          '`booking` rejected by the schema lock (table `bookings`), 2 issues; nothing was written:',
          '  - oops: Unknown field `oops`: not a column of table `bookings`; remove it, or declare it with `createSchemaLock({ extend })`',
          '  - durationMinutes: Invalid input: expected number, received string',
        ].join('\n'),
      )
    })

    it('should format nested paths and cap the message at 20 issues while keeping all in issues', () => {
      const issues: SchemaLockIssue[] = Array.from({ length: 23 }, (_, i) => ({
        path: ['items', i, 'name'],
        code: 'custom' as const,
        message: `bad ${i}`,
      }))
      const error = new SchemaLockError(issues, { kind: 'bookingInput' })
      expect(error.issues).toHaveLength(23)
      expect(error.tableId).toBeUndefined()
      expect(error.message.split('\n')[0]).toBe(
        '`bookingInput` rejected by the schema lock, 23 issues; nothing was written:',
      )
      expect(error.message).toContain('  - items[0].name: bad 0')
      expect(error.message).toContain('  - items[19].name: bad 19')
      expect(error.message).not.toContain('bad 20')
      expect(error.message.endsWith('… and 3 more (see `error.issues`)')).toBe(true)
    })

    it('should be recognised across package copies by its brand', () => {
      const error = new SchemaLockError([{ path: [], code: 'custom', message: 'x' }], {
        kind: 'booking',
        tableId: 'bookings',
      })
      const copy = Object.assign(Object.create(Error.prototype) as object, error)
      Object.defineProperty(copy, Symbol.for('booking-guard.error'), { value: true })
      expect(isSchemaLockError(copy)).toBe(true)
      expect(isSchemaLockError(new BookingGuardError('CONFIGURATION', 'x'))).toBe(false)
      expect(isSchemaLockError(new Error('x'))).toBe(false)
    })
  })

  describe('parsePatch', () => {
    it('should validate only the fields present, mapping aliases', () => {
      const lock = createSchemaLock()
      expect(lock.parsePatch('booking', { pipelineStatus: 'delivered' })).toEqual({
        pipelineStatus: 'delivered',
      })
      expect(lock.parsePatch('booking', { therapistName: 'Citra' })).toEqual({
        providerName: 'Citra',
      })
      expect(lock.parsePatch('booking', {})).toEqual({})
    })

    it('should reject invalid values, null for required columns and unknown fields, at their paths', () => {
      const lock = createSchemaLock()
      const error = errorOf(() =>
        lock.parsePatch('booking', { status: 'done', providerId: null, nope: 1 }),
      )
      expect(error.issues.map((i) => [i.path.join('.'), i.code])).toEqual([
        ['nope', 'unknown_field'],
        ['providerId', 'invalid_type'],
        ['status', 'invalid_value'],
      ])
    })

    it('should not apply cross-field rules to a patch', () => {
      const lock = createSchemaLock()
      expect(lock.parsePatch('booking', { bookingType: 'scheduled' })).toEqual({
        bookingType: 'scheduled',
      })
    })

    it('should refuse bookingInput, which has no table', () => {
      const lock = createSchemaLock()
      expect(configMessage(() => lock.parsePatch('bookingInput' as never, {}))).toContain(
        'unknown table kind `bookingInput`',
      )
    })
  })

  describe('normalize', () => {
    it('should keep system fields, pass unknown fields through and coerce nothing', () => {
      const lock = createSchemaLock({ onIssue: () => {} })
      const row = deepFreeze({
        $id: 'b1',
        $createdAt: '2026-01-01T10:00:00.000+00:00',
        $permissions: ['read("user:c1")'],
        ...validRow('booking'),
        durationMinutes: '60',
        therapistType: 'place',
        providerType: null,
        legacyColumn: { a: 1 },
      })
      const out = lock.normalize('booking', row)
      expect(out).not.toBe(row)
      expect(out).toEqual({
        $id: 'b1',
        $createdAt: '2026-01-01T10:00:00.000+00:00',
        $permissions: ['read("user:c1")'],
        ...validRow('booking'),
        durationMinutes: '60',
        providerType: 'place',
        legacyColumn: { a: 1 },
      })
    })

    it('should copy a __proto__ key as data, never as the prototype', () => {
      const lock = createSchemaLock({ onIssue: () => {} })
      const out = lock.normalize(
        'heartbeat',
        JSON.parse('{"channelKey":"k","__proto__":{"polluted":true}}'),
      )
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
      expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true })
      expect((out as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('should throw a SchemaLockError only when the row is not an object', () => {
      const lock = createSchemaLock()
      expect(errorOf(() => lock.normalize('booking', 'row')).issues).toEqual([
        {
          path: [],
          code: 'invalid_type',
          message: 'Invalid input: expected an object, received string',
        },
      ])
    })

    it('should report invalid values through onIssue with validateReads and still return the row', () => {
      const onIssue = vi.fn()
      const lock = createSchemaLock({ onIssue, validateReads: true })
      const out = lock.normalize('booking', {
        $id: 'b1',
        ...validRow('booking'),
        durationMinutes: -1,
        whatever: true,
      })
      expect(out.durationMinutes).toBe(-1)
      expect(onIssue).toHaveBeenCalledExactlyOnceWith({
        kind: 'booking',
        tableId: 'bookings',
        rowId: 'b1',
        path: ['durationMinutes'],
        code: 'too_small',
        message: 'Too small: expected number to be >=1',
      })
      onIssue.mockClear()
      lock.normalize('booking', { ...validRow('booking'), $id: 'b2' })
      expect(onIssue).not.toHaveBeenCalled()
    })

    it('should not validate values without validateReads', () => {
      const onIssue = vi.fn()
      createSchemaLock({ onIssue }).normalize('booking', {
        ...validRow('booking'),
        durationMinutes: -1,
      })
      expect(onIssue).not.toHaveBeenCalled()
    })

    it('should warn on the console by default outside production, and stay quiet in production', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      vi.stubEnv('NODE_ENV', 'development')
      createSchemaLock().normalize('chatMessage', { $id: 'm1', content: 'a', message: 'b' })
      expect(warn).toHaveBeenCalledExactlyOnceWith(
        '[booking-guard] schema lock: chatMessage row m1 in `chat_messages`: content: Legacy `message` differs from `content`; kept `content`',
      )
      warn.mockClear()
      vi.stubEnv('NODE_ENV', 'production')
      createSchemaLock().normalize('chatMessage', { $id: 'm1', content: 'a', message: 'b' })
      expect(warn).not.toHaveBeenCalled()
    })
  })

  describe('tables and columns', () => {
    it('should use the default table ids and find a kind by table id', () => {
      const lock = createSchemaLock()
      expect(
        Object.fromEntries(Object.entries(lock.tables).map(([kind, t]) => [kind, t.tableId])),
      ).toEqual({
        booking: 'bookings',
        chatRoom: 'chat_rooms',
        chatMessage: 'chat_messages',
        notification: 'notifications',
        heartbeat: 'heartbeats',
      })
      expect(lock.kindOfTable('chat_messages')).toBe('chatMessage')
      expect(lock.kindOfTable('messages')).toBeUndefined()
    })

    it('should let the app rename tables, everywhere the table id appears', () => {
      const lock = createSchemaLock({ tableIds: { booking: 'spa_bookings' } })
      expect(lock.tableId('booking')).toBe('spa_bookings')
      expect(lock.tables.booking.tableId).toBe('spa_bookings')
      expect(lock.tableId('chatRoom')).toBe('chat_rooms')
      expect(lock.kindOfTable('spa_bookings')).toBe('booking')
      expect(lock.kindOfTable('bookings')).toBeUndefined()
      expect(errorOf(() => lock.parse('booking', {})).message).toContain('(table `spa_bookings`)')
    })

    it('should be frozen, so nobody can change what drift detection compares against', () => {
      const lock = createSchemaLock()
      expect(Object.isFrozen(lock.tables)).toBe(true)
      expect(Object.isFrozen(lock.tables.booking.columns[0])).toBe(true)
      expect(Object.isFrozen(lock.indexes('booking'))).toBe(true)
      expect(() => {
        ;(lock.tables.booking.columns as unknown[]).push({})
      }).toThrow(TypeError)
    })

    it('should not freeze arrays the app passed in', () => {
      const columns = ['providerId', '$createdAt']
      const elements = ['standard', 'vip']
      const lock = createSchemaLock({
        extend: {
          booking: {
            tier: {
              schema: z.enum(['standard', 'vip']).optional(),
              column: { type: 'enum', elements },
            },
          },
        },
        indexes: { booking: [{ key: 'by_provider_time', type: 'key', columns }] },
      })
      expect(Object.isFrozen(lock.indexes('booking').at(-1)!.columns)).toBe(true)
      expect(Object.isFrozen(columns)).toBe(false)
      expect(Object.isFrozen(elements)).toBe(false)
    })

    it('should return the same specs from columns(), indexes() and tables', () => {
      const lock = createSchemaLock()
      expect(lock.columns('notification')).toBe(lock.tables.notification.columns)
      expect(lock.indexes('notification')).toBe(lock.tables.notification.indexes)
    })
  })

  describe('extend', () => {
    const extended = () =>
      createSchemaLock({
        extend: {
          booking: {
            spaId: column.id({ required: false }),
            roomLabel: { schema: z.string().max(20), column: { type: 'string', size: 20 } },
          },
          chatMessage: { attachmentUrl: column.url({ required: false }) },
        },
        indexes: {
          booking: [
            {
              key: 'by_spa',
              type: 'key',
              columns: ['spaId', '$createdAt'],
              orders: ['asc', 'desc'],
            },
          ],
        },
      })

    it('should add extension columns to parse, to bookingInput and to the column specs', () => {
      const lock = extended()
      const out = lock.parse('booking', {
        ...validRow('booking'),
        spaId: 'spa1',
        roomLabel: 'Lotus',
      })
      expect(out).toEqual({ ...validRow('booking'), spaId: 'spa1', roomLabel: 'Lotus' })
      expect(lock.columns('booking').slice(-2)).toEqual([
        { key: 'spaId', type: 'string', size: 36, required: false, array: false, default: null },
        { key: 'roomLabel', type: 'string', size: 20, required: true, array: false, default: null },
      ])
      expect(lock.indexes('booking').at(-1)).toEqual({
        key: 'by_spa',
        type: 'key',
        columns: ['spaId', '$createdAt'],
        orders: ['asc', 'desc'],
      })
      const input = {
        customerId: 'c1',
        customerName: 'Ana',
        providerId: 'p1',
        providerType: 'place',
        providerName: 'Spa',
        bookingType: 'immediate',
        durationMinutes: 30,
      }
      expect(errorOf(() => lock.parse('bookingInput', input)).issues.map((i) => i.path)).toEqual([
        ['roomLabel'],
      ])
      expect(lock.parse('bookingInput', { ...input, roomLabel: 'Lotus' }).roomLabel).toBe('Lotus')
      expect(
        lock.parse('chatMessage', {
          roomId: 'b1',
          bookingId: 'b1',
          senderId: 'c1',
          senderType: 'customer',
          senderName: 'Ana',
          content: 'pic',
          messageType: 'image',
          attachmentUrl: 'https://cdn.example.com/a.jpg',
        }).attachmentUrl,
      ).toBe('https://cdn.example.com/a.jpg')
    })

    it('should validate extension columns with their own zod types, at their paths', () => {
      const lock = extended()
      expect(
        errorOf(() =>
          lock.parse('booking', { ...validRow('booking'), spaId: '_x', roomLabel: 'x'.repeat(21) }),
        ).issues.map((i) => [i.path.join('.'), i.code]),
      ).toEqual([
        ['spaId', 'invalid_format'],
        ['roomLabel', 'too_big'],
      ])
    })

    it('should map aliases to a column named like an Object.prototype member', () => {
      const lock = createSchemaLock({
        extend: { heartbeat: { constructor: column.string({ size: 10, required: false }) } },
        aliases: { heartbeat: { ctor: 'constructor' } },
        onIssue: () => {
          throw new Error('no issue expected')
        },
      })
      const heartbeat = { channelKey: 'k', sentAt: '2026-01-01T10:00:00Z' }
      expect(
        Object.hasOwn(lock.parse('heartbeat', { ...heartbeat, ctor: 'x' }), 'constructor'),
      ).toBe(true)
      expect(lock.parse('heartbeat', { ...heartbeat, ctor: 'x' }).constructor).toBe('x')
      expect(lock.normalize('heartbeat', { ...heartbeat, ctor: 'x' }).constructor).toBe('x')
    })

    it('should keep the cross-field rules on an extended booking', () => {
      const lock = extended()
      expect(lock.schema('booking')).not.toBe(BookingSchema)
      expect(
        errorOf(() =>
          lock.parse('booking', {
            ...validRow('booking'),
            roomLabel: 'L',
            bookingType: 'scheduled',
          }),
        ).issues.map((i) => i.path),
      ).toEqual([['scheduledAt']])
    })

    it('should leave kinds without extensions on the default schema instances', () => {
      const lock = extended()
      expect(lock.schema('heartbeat')).toBe(createSchemaLock().schema('heartbeat'))
    })

    it('should refuse inconsistent configurations with a message that says what to fix', () => {
      expect(
        configMessage(() => createSchemaLock({ extend: { booking: { providerId: column.id() } } })),
      ).toBe(
        'createSchemaLock: column `providerId` of `booking` (table `bookings`) is a default column and cannot be redefined',
      )
      expect(
        configMessage(() => createSchemaLock({ extend: { booking: { _x: column.id() } } })),
      ).toContain('column `_x` of `booking`')
      expect(
        configMessage(() =>
          createSchemaLock({
            extend: {
              booking: {
                x: {
                  schema: z.string().optional(),
                  column: { type: 'string', size: 5, required: true },
                },
              },
            },
          }),
        ),
      ).toContain('the zod schema accepts a missing value but the column says `required: true`')
      expect(
        configMessage(() =>
          createSchemaLock({
            extend: { booking: { x: { schema: z.string(), column: { type: 'string', size: 0 } } } },
          }),
        ),
      ).toContain('positive integer `size`')
      expect(
        configMessage(() =>
          createSchemaLock({
            extend: {
              booking: {
                x: {
                  schema: z.string().optional(),
                  column: { type: 'string', size: 5, default: 'a', required: true },
                },
              },
            },
          }),
        ),
      ).toContain('required: true')
      expect(
        configMessage(() =>
          createSchemaLock({
            extend: {
              booking: { x: { schema: z.enum(['a']), column: { type: 'enum', elements: [] } } },
            },
          }),
        ),
      ).toContain('at least one element')
      expect(
        configMessage(() => createSchemaLock({ extend: { booking: { x: 'string' as never } } })),
      ).toContain('needs `{ schema, column }`')
      expect(
        configMessage(() => createSchemaLock({ extend: { bookings: {} } as never })),
      ).toContain('unknown kind in `extend` `bookings`')
      expect(
        configMessage(() =>
          createSchemaLock({
            extend: { chatMessage: { message: column.string({ size: 10, required: false }) } },
          }),
        ),
      ).toContain('`message` is both a column and a legacy alias of `content`')
      expect(
        createSchemaLock({
          extend: { chatMessage: { message: column.string({ size: 10, required: false }) } },
          aliases: { chatMessage: { message: null } },
        })
          .columns('chatMessage')
          .at(-1)!.key,
      ).toBe('message')
    })

    it('should refuse bad table ids, shared tables, bad aliases, bad indexes and a bad systemFieldsOnWrite', () => {
      expect(configMessage(() => createSchemaLock({ tableIds: { booking: '_bookings' } }))).toBe(
        'createSchemaLock: table id `_bookings` for `booking` is not a valid Appwrite id',
      )
      expect(
        configMessage(() => createSchemaLock({ tableIds: { booking: 'rows', chatRoom: 'rows' } })),
      ).toBe('createSchemaLock: `booking` and `chatRoom` cannot share table `rows`')
      expect(configMessage(() => createSchemaLock({ tableIds: { room: 'x' } as never }))).toContain(
        'unknown kind in `tableIds` `room`',
      )
      expect(
        configMessage(() => createSchemaLock({ aliases: { booking: { masseurId: 'masseur' } } })),
      ).toContain('alias `masseurId` points to `masseur`, which is not a column')
      expect(
        configMessage(() =>
          createSchemaLock({
            indexes: { booking: [{ key: 'x', type: 'key', columns: ['nope'] }] },
          }),
        ),
      ).toContain('index `x` uses `nope`, which is not a column')
      expect(
        configMessage(() =>
          createSchemaLock({
            indexes: { booking: [{ key: 'by_provider', type: 'key', columns: ['providerId'] }] },
          }),
        ),
      ).toContain('two indexes are called `by_provider`')
      expect(
        configMessage(() =>
          createSchemaLock({
            indexes: { booking: [{ key: 'x', type: 'key', columns: ['providerId'], orders: [] }] },
          }),
        ),
      ).toContain('needs one order per column')
      expect(
        configMessage(() =>
          createSchemaLock({
            indexes: { booking: [{ key: 'x', type: 'spatial' as never, columns: ['providerId'] }] },
          }),
        ),
      ).toContain('unknown type `spatial`')
      expect(
        configMessage(() =>
          createSchemaLock({ indexes: { booking: [{ key: 'x', type: 'key', columns: [] }] } }),
        ),
      ).toContain('has no columns')
      expect(
        configMessage(() => createSchemaLock({ systemFieldsOnWrite: 'keep' as never })),
      ).toContain("must be 'strip' or 'reject'")
    })
  })

  describe('column builders', () => {
    it('should derive matching zod bounds and specs', () => {
      const int = column.integer({ min: 1, max: 5, required: false, default: 3 })
      expect(int.column).toEqual({
        type: 'integer',
        min: 1,
        max: 5,
        required: false,
        array: false,
        default: 3,
      })
      expect(int.schema.safeParse(null).success).toBe(true)
      expect(int.schema.safeParse(6).success).toBe(false)
      const float = column.float({ min: 0 })
      expect(float.column).toEqual({
        type: 'float',
        min: 0,
        max: null,
        required: true,
        array: false,
        default: null,
      })
      expect(float.schema.safeParse(0.5).success).toBe(true)
      const flag = column.boolean({ required: false, default: true })
      expect(flag.column).toEqual({ type: 'boolean', required: false, array: false, default: true })
      expect(column.email().schema.safeParse('a@b.co').success).toBe(true)
      expect(column.email().schema.safeParse('nope').success).toBe(false)
      expect(column.url().schema.safeParse('https://x.io/a').success).toBe(true)
      expect(column.url().schema.safeParse('javascript:alert(1)').success).toBe(false)
      const tier = column.enum(['standard', 'vip'], { required: false, default: 'standard' })
      expect(tier.column).toEqual({
        type: 'enum',
        elements: ['standard', 'vip'],
        required: false,
        array: false,
        default: 'standard',
      })
      const reused = z.enum(['a', 'b'])
      expect(column.enum(reused).schema).toBe(reused)
    })

    it('should refuse a default on a required column and a string column without a valid size', () => {
      expect(() => column.string({ size: 5, default: 'x' })).toThrow(
        'a required column cannot have a default',
      )
      expect(() => column.string({ size: 0 })).toThrow(
        'a string column needs a positive integer `size`, got 0',
      )
      expect(() => column.string({ size: 1.5 })).toThrow(BookingGuardError)
    })
  })
})
