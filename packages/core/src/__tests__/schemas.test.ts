import { describe, expect, it } from 'vitest'
import type * as z from 'zod'
import type { SchemaLockError, TableKind } from '../index'
import { createSchemaLock, isSchemaLockError } from '../index'
import {
  BookingInputSchema,
  BookingSchema,
  BookingSourceSchema,
  BookingStatusSchema,
  BookingTypeSchema,
  ChatMessageSchema,
  ChatRoomSchema,
  ChatRoomStatusSchema,
  HeartbeatSchema,
  MessageTypeSchema,
  NotificationPrioritySchema,
  NotificationSchema,
  NotificationTypeSchema,
  PipelineStatusSchema,
  ProviderResponseStatusSchema,
  ProviderTypeSchema,
  PushStatusSchema,
  RecipientTypeSchema,
  SenderTypeSchema,
  TABLE_KINDS,
} from '../schema/index'

const lock = createSchemaLock({ onIssue: () => {} })

const rows: Record<TableKind, () => Record<string, unknown>> = {
  booking: () => ({
    customerId: 'cust_1',
    customerName: 'Ana',
    providerId: 'prov.1',
    providerType: 'therapist',
    providerName: 'Budi',
    status: 'pending',
    providerResponseStatus: 'AwaitingResponse',
    responseDeadline: '2026-01-01T10:05:00.000+00:00',
    bookingType: 'immediate',
    scheduledAt: '2026-01-01T10:00:00.000+00:00',
    durationMinutes: 90,
    price: 350_000_00,
    currency: 'IDR',
    source: 'bookingButton',
    pipelineStatus: 'pending',
  }),
  chatRoom: () => ({
    bookingId: 'b1',
    customerId: 'cust_1',
    customerName: 'Ana',
    providerId: 'prov.1',
    providerName: 'Budi',
    status: 'active',
    expiresAt: '2026-01-02T10:00:00Z',
  }),
  chatMessage: () => ({
    roomId: 'b1',
    bookingId: 'b1',
    senderId: 'system',
    senderType: 'system',
    senderName: 'booking-guard',
    content: 'Booking received',
    messageType: 'system',
  }),
  notification: () => ({
    recipientId: 'prov.1',
    recipientType: 'therapist',
    type: 'bookingReceived',
    title: 'New booking',
    body: 'Ana booked 90 minutes',
    bookingId: 'b1',
    priority: 'high',
  }),
  heartbeat: () => ({ channelKey: 'provider:prov.1', sentAt: '2026-01-01T10:00:00.000Z' }),
}

function issuesOf(fn: () => unknown): SchemaLockError['issues'] {
  try {
    fn()
  } catch (error) {
    if (isSchemaLockError(error)) return error.issues
    throw error
  }
  throw new Error('expected a SchemaLockError, nothing was thrown')
}

function pathsOf(fn: () => unknown): string[] {
  return issuesOf(fn).map((issue) => issue.path.join('.'))
}

const enums = [
  [
    'booking',
    'status',
    BookingStatusSchema,
    ['pending', 'confirmed', 'declined', 'expired', 'cancelled', 'completed'],
  ],
  [
    'booking',
    'providerResponseStatus',
    ProviderResponseStatusSchema,
    ['AwaitingResponse', 'Accepted', 'Declined', 'Expired'],
  ],
  ['booking', 'providerType', ProviderTypeSchema, ['therapist', 'place']],
  ['booking', 'bookingType', BookingTypeSchema, ['immediate', 'scheduled']],
  [
    'booking',
    'source',
    BookingSourceSchema,
    ['bookingButton', 'chatWindow', 'menuSlider', 'scheduled', 'priceSlider', 'direct'],
  ],
  ['booking', 'pipelineStatus', PipelineStatusSchema, ['pending', 'delivered', 'failed']],
  ['chatRoom', 'status', ChatRoomStatusSchema, ['active', 'closed', 'expired']],
  ['chatMessage', 'senderType', SenderTypeSchema, ['customer', 'therapist', 'place', 'system']],
  ['chatMessage', 'messageType', MessageTypeSchema, ['text', 'image', 'file', 'system']],
  [
    'notification',
    'recipientType',
    RecipientTypeSchema,
    ['customer', 'therapist', 'place', 'admin'],
  ],
  [
    'notification',
    'type',
    NotificationTypeSchema,
    [
      'bookingReceived',
      'bookingAccepted',
      'bookingDeclined',
      'bookingExpired',
      'bookingCancelled',
      'bookingReminder',
      'chatMessage',
      'system',
    ],
  ],
  ['notification', 'priority', NotificationPrioritySchema, ['low', 'normal', 'high', 'urgent']],
  ['notification', 'pushStatus', PushStatusSchema, ['pending', 'sent', 'failed', 'skipped']],
] as const satisfies readonly (readonly [TableKind, string, z.ZodEnum, readonly string[]])[]

describe('schemas', () => {
  it('should accept a valid row of every kind and return it unchanged in content', () => {
    for (const kind of TABLE_KINDS) {
      expect(lock.parse(kind, rows[kind]())).toEqual(rows[kind]())
    }
  })

  describe.each(enums)('enum %s.%s', (kind, field, schema, values) => {
    it('should have exactly the documented values, also as the column elements', () => {
      expect(schema.options).toEqual(values)
      const spec = lock.columns(kind).find((c) => c.key === field)
      expect(spec).toMatchObject({ type: 'enum', elements: values })
    })

    it('should accept every value', () => {
      for (const value of values) {
        expect(lock.parse(kind, { ...rows[kind](), [field]: value })[field as never]).toBe(value)
      }
    })

    it('should reject any other value, a differently cased one and a non-string, at its path', () => {
      const required = lock.columns(kind).find((c) => c.key === field)!.required
      const cased =
        values[0].toLowerCase() === values[0] ? values[0].toUpperCase() : values[0].toLowerCase()
      for (const bad of ['nope', cased, ` ${values[0]}`, 1, ...(required ? [null] : [])]) {
        const issues = issuesOf(() => lock.parse(kind, { ...rows[kind](), [field]: bad }))
        expect(issues.map((i) => i.path)).toEqual([[field]])
      }
    })
  })

  describe.each(TABLE_KINDS)('required columns of %s', (kind) => {
    it('should reject the row when any required column is missing, at its path', () => {
      const required = lock.columns(kind).filter((c) => c.required)
      expect(required.length).toBeGreaterThan(0)
      for (const spec of required) {
        const row = rows[kind]()
        delete row[spec.key]
        expect(pathsOf(() => lock.parse(kind, row))).toEqual([spec.key])
      }
    })

    it('should reject every required column set to null, at its path', () => {
      for (const spec of lock.columns(kind).filter((c) => c.required)) {
        expect(pathsOf(() => lock.parse(kind, { ...rows[kind](), [spec.key]: null }))).toEqual([
          spec.key,
        ])
      }
    })

    it('should accept every optional column missing or null', () => {
      for (const spec of lock.columns(kind).filter((c) => !c.required)) {
        if (kind === 'booking' && spec.key === 'currency') continue // a price needs its currency
        const row = rows[kind]()
        delete row[spec.key]
        expect(() => lock.parse(kind, row)).not.toThrow()
        expect(() => lock.parse(kind, { ...rows[kind](), [spec.key]: null })).not.toThrow()
      }
    })
  })

  describe.each(TABLE_KINDS)('string columns of %s', (kind) => {
    it('should accept a string of exactly the column size and reject one character more, at its path', () => {
      for (const spec of lock.columns(kind)) {
        if (spec.type !== 'string') continue
        const fits = spec.key === 'currency' ? 'EUR' : 'A'.repeat(spec.size)
        expect(() => lock.parse(kind, { ...rows[kind](), [spec.key]: fits })).not.toThrow()
        const issues = issuesOf(() => lock.parse(kind, { ...rows[kind](), [spec.key]: `${fits}A` }))
        expect(issues.every((i) => i.path.join('.') === spec.key)).toBe(true)
        expect(issues.map((i) => i.code)).toContain('too_big')
      }
    })

    it('should reject a non-string at its path', () => {
      for (const spec of lock.columns(kind)) {
        if (spec.type !== 'string') continue
        const issues = issuesOf(() => lock.parse(kind, { ...rows[kind](), [spec.key]: 42 }))
        expect(issues).toEqual([
          {
            path: [spec.key],
            code: 'invalid_type',
            message: expect.stringContaining('expected string'),
          },
        ])
      }
    })
  })

  describe.each(TABLE_KINDS)('datetime columns of %s', (kind) => {
    const datetimes = () => lock.columns(kind).filter((c) => c.type === 'datetime')

    it('should accept ISO 8601 with Z, with an offset, and Appwrite’s own form', () => {
      for (const spec of datetimes()) {
        for (const good of [
          '2026-01-01T10:00:00.000+00:00',
          '2026-01-01T10:00:00Z',
          '2026-06-30T23:59:59.123456+07:00',
          '2026-01-01T10:00:00-05:30',
        ]) {
          expect(lock.parse(kind, { ...rows[kind](), [spec.key]: good })[spec.key as never]).toBe(
            good,
          )
        }
      }
    })

    it('should reject bad dates at their path', () => {
      for (const spec of datetimes()) {
        for (const bad of [
          'tomorrow',
          '2026-02-30T10:00:00Z',
          '2026-13-01T10:00:00Z',
          '2026-01-01T24:00:00Z',
          '2026-01-01T10:00:00',
          '2026-01-01',
          '2026-01-01T10:00:00+0000',
          1767261600000,
          '',
        ]) {
          expect(pathsOf(() => lock.parse(kind, { ...rows[kind](), [spec.key]: bad }))).toEqual([
            spec.key,
          ])
        }
      }
    })
  })

  describe('ids', () => {
    it('should accept ids by Appwrite’s rule', () => {
      for (const id of ['a', 'A.b-c_d', '0', 'a'.repeat(36), 'user.Z-9_x']) {
        expect(lock.parse('booking', { ...rows.booking(), customerId: id }).customerId).toBe(id)
      }
    })

    it('should reject ids that break Appwrite’s rule, at the path, with a message saying the rule', () => {
      for (const id of ['', '_a', '.a', '-a', 'a b', 'a/b', 'ä', 'a'.repeat(37), 'unique()']) {
        const issues = issuesOf(() => lock.parse('booking', { ...rows.booking(), customerId: id }))
        expect(issues.map((i) => i.path)).toEqual(issues.map(() => ['customerId']))
        expect(issues.length).toBeGreaterThan(0)
      }
      const [issue] = issuesOf(() => lock.parse('booking', { ...rows.booking(), customerId: '_a' }))
      expect(issue!.message).toContain('not starting with . _ or -')
    })
  })

  describe('numbers', () => {
    it('should accept durationMinutes from 1 to 1440 and reject 0, 1441, fractions, strings and NaN', () => {
      for (const ok of [1, 60, 1440])
        expect(
          lock.parse('booking', { ...rows.booking(), durationMinutes: ok }).durationMinutes,
        ).toBe(ok)
      for (const bad of [0, -5, 1441, 1.5, '60', Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(
          pathsOf(() => lock.parse('booking', { ...rows.booking(), durationMinutes: bad })),
        ).toEqual(['durationMinutes'])
      }
    })

    it('should take prices as non-negative integer minor units', () => {
      expect(lock.parse('booking', { ...rows.booking(), price: 0 }).price).toBe(0)
      for (const bad of [-1, 12.5, '100', 1e13]) {
        expect(pathsOf(() => lock.parse('booking', { ...rows.booking(), price: bad }))).toEqual([
          'price',
        ])
      }
    })

    it('should accept a currency as 3 uppercase letters only', () => {
      for (const bad of ['eur', 'EU', 'EURO', 'E1R', 978]) {
        const paths = pathsOf(() => lock.parse('booking', { ...rows.booking(), currency: bad }))
        expect(new Set(paths)).toEqual(new Set(['currency']))
      }
    })
  })

  describe('cross-field rules', () => {
    it('should require scheduledAt for a scheduled booking, at scheduledAt', () => {
      const unscheduled = rows.booking()
      delete unscheduled.scheduledAt
      expect(lock.parse('booking', unscheduled).bookingType).toBe('immediate')
      const issues = issuesOf(() =>
        lock.parse('booking', { ...unscheduled, bookingType: 'scheduled' }),
      )
      expect(issues).toEqual([
        {
          path: ['scheduledAt'],
          code: 'custom',
          message: 'Required when `bookingType` is `scheduled`',
        },
      ])
      expect(
        pathsOf(() =>
          lock.parse('booking', { ...unscheduled, bookingType: 'scheduled', scheduledAt: null }),
        ),
      ).toEqual(['scheduledAt'])
      const ok = lock.parse('booking', {
        ...unscheduled,
        bookingType: 'scheduled',
        scheduledAt: '2026-01-03T09:00:00+08:00',
      })
      expect(ok.scheduledAt).toBe('2026-01-03T09:00:00+08:00')
    })

    it('should require a currency when a price is set, at currency', () => {
      const row = rows.booking()
      delete row.currency
      expect(pathsOf(() => lock.parse('booking', row))).toEqual(['currency'])
      delete row.price
      expect(() => lock.parse('booking', row)).not.toThrow()
    })

    it('should apply the same rules to bookingInput', () => {
      expect(
        pathsOf(() => lock.parse('bookingInput', { ...bookingInput(), bookingType: 'scheduled' })),
      ).toEqual(['scheduledAt'])
    })
  })

  describe('bookingInput', () => {
    it('should accept only the fields a caller may set', () => {
      expect(lock.parse('bookingInput', bookingInput())).toEqual(bookingInput())
      expect(Object.keys(BookingInputSchema.shape).sort()).toEqual(
        [
          'bookingType',
          'currency',
          'customerId',
          'customerName',
          'durationMinutes',
          'location',
          'notes',
          'price',
          'providerId',
          'providerName',
          'providerType',
          'scheduledAt',
        ].sort(),
      )
    })

    it('should refuse every pipeline-owned field, naming it and saying who sets it', () => {
      for (const field of [
        'status',
        'providerResponseStatus',
        'responseDeadline',
        'source',
        'pipelineStatus',
        'idempotencyKey',
        'fingerprint',
      ]) {
        const issues = issuesOf(() =>
          lock.parse('bookingInput', { ...bookingInput(), [field]: 'x' }),
        )
        expect(issues).toEqual([
          {
            path: [field],
            code: 'unknown_field',
            message: `Unknown field \`${field}\`: set by the pipeline, never by the caller`,
          },
        ])
      }
    })
  })

  describe('exported schemas', () => {
    it('should be the exact instances the default lock uses', () => {
      expect(lock.schema('booking')).toBe(BookingSchema)
      expect(lock.schema('bookingInput')).toBe(BookingInputSchema)
      expect(lock.schema('chatRoom')).toBe(ChatRoomSchema)
      expect(lock.schema('chatMessage')).toBe(ChatMessageSchema)
      expect(lock.schema('notification')).toBe(NotificationSchema)
      expect(lock.schema('heartbeat')).toBe(HeartbeatSchema)
    })

    it('should be strict on their own (unknown keys rejected)', () => {
      expect(HeartbeatSchema.safeParse({ ...rows.heartbeat(), extra: 1 }).success).toBe(false)
    })
  })

  describe('column specs', () => {
    it('should agree with the zod schema for every default column (one source of truth)', () => {
      // Each entry: what the column spec promises, and whether the zod schema keeps that promise.
      const broken: string[] = []
      const check = (label: string, holds: boolean) => {
        if (!holds) broken.push(label)
      }
      for (const kind of TABLE_KINDS) {
        const shape = lock.schema(kind).shape as Record<string, z.ZodType>
        const specs = lock.columns(kind)
        expect(specs.map((s) => s.key)).toEqual(Object.keys(shape))
        for (const spec of specs) {
          const schema = shape[spec.key]!
          const label = `${kind}.${spec.key}`
          check(`${label} required`, schema.safeParse(undefined).success === !spec.required)
          check(`${label} array`, !spec.array)
          if (spec.type === 'integer' && spec.min !== null) {
            check(`${label} min`, schema.safeParse(spec.min).success)
            check(`${label} below min`, !schema.safeParse(spec.min - 1).success)
          }
          if (spec.type === 'integer' && spec.max !== null) {
            check(`${label} max`, schema.safeParse(spec.max).success)
            check(`${label} above max`, !schema.safeParse(spec.max + 1).success)
          }
          if (spec.type === 'enum') {
            for (const element of spec.elements)
              check(`${label} ${element}`, schema.safeParse(element).success)
            check(`${label} outside`, !schema.safeParse('__not_an_element__').success)
          }
          if (spec.default !== null)
            check(`${label} default`, schema.safeParse(spec.default).success)
        }
      }
      expect(broken).toEqual([])
    })

    it('should describe the booking table as documented', () => {
      const byKey = Object.fromEntries(lock.columns('booking').map((c) => [c.key, c]))
      expect(byKey.providerId).toEqual({
        key: 'providerId',
        type: 'string',
        size: 36,
        required: true,
        array: false,
        default: null,
      })
      expect(byKey.scheduledAt).toEqual({
        key: 'scheduledAt',
        type: 'datetime',
        required: false,
        array: false,
        default: null,
      })
      expect(byKey.durationMinutes).toEqual({
        key: 'durationMinutes',
        type: 'integer',
        min: 1,
        max: 1440,
        required: true,
        array: false,
        default: null,
      })
      expect(byKey.currency).toEqual({
        key: 'currency',
        type: 'string',
        size: 3,
        required: false,
        array: false,
        default: null,
      })
    })

    it('should give notification read and pushStatus server defaults, so they are optional on write', () => {
      const byKey = Object.fromEntries(lock.columns('notification').map((c) => [c.key, c]))
      expect(byKey.read).toEqual({
        key: 'read',
        type: 'boolean',
        required: false,
        array: false,
        default: false,
      })
      expect(byKey.pushStatus).toMatchObject({ type: 'enum', required: false, default: 'pending' })
      expect(lock.parse('notification', rows.notification())).not.toHaveProperty('read')
    })

    it('should list the indexes the pipeline relies on', () => {
      const indexes = (kind: TableKind) =>
        lock.indexes(kind).map((i) => `${i.type}:${i.columns.join('+')}`)
      expect(indexes('booking')).toEqual(
        expect.arrayContaining([
          'key:providerId',
          'key:customerId',
          'key:pipelineStatus',
          'unique:idempotencyKey',
          'key:providerResponseStatus+responseDeadline',
        ]),
      )
      expect(indexes('chatRoom')).toEqual(
        expect.arrayContaining(['key:customerId', 'key:providerId']),
      )
      expect(indexes('chatMessage')).toEqual(expect.arrayContaining(['key:roomId']))
      expect(indexes('notification')).toEqual(
        expect.arrayContaining(['key:recipientId', 'key:pushStatus']),
      )
      expect(indexes('heartbeat')).toEqual(['key:channelKey'])
    })
  })
})

function bookingInput(): Record<string, unknown> {
  return {
    customerId: 'cust_1',
    customerName: 'Ana',
    providerId: 'prov.1',
    providerType: 'place',
    providerName: 'Spa Ubud',
    bookingType: 'immediate',
    durationMinutes: 60,
  }
}
