import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import type {
  Booking,
  BookingInput,
  BookingStatus,
  ChatRoom,
  Notification,
  ProviderResponseStatus,
  SchemaExtensions,
  SchemaLock,
  TableKind,
} from '../index'
import type { LockOutput } from '../schema/index'
import { column, createSchemaLock } from '../index'

describe('schemaLock', () => {
  it('should infer the default row types from the schemas', () => {
    expectTypeOf<Booking['providerId']>().toEqualTypeOf<string>()
    expectTypeOf<Booking['status']>().toEqualTypeOf<BookingStatus>()
    expectTypeOf<BookingStatus>().toEqualTypeOf<
      'pending' | 'confirmed' | 'declined' | 'expired' | 'cancelled' | 'completed'
    >()
    expectTypeOf<ProviderResponseStatus>().toEqualTypeOf<
      'AwaitingResponse' | 'Accepted' | 'Declined' | 'Expired'
    >()
    expectTypeOf<Booking['scheduledAt']>().toEqualTypeOf<string | null | undefined>()
    expectTypeOf<Booking>().toHaveProperty('price').toEqualTypeOf<number | null | undefined>()
    expectTypeOf<Notification['read']>().toEqualTypeOf<boolean | null | undefined>()
    expectTypeOf<BookingInput>().not.toHaveProperty('status')
    expectTypeOf<BookingInput>().not.toHaveProperty('pipelineStatus')
  })

  it('should type parse, parsePatch and normalize by kind', () => {
    const lock = createSchemaLock()
    expectTypeOf(lock.parse('booking', {})).toEqualTypeOf<Booking>()
    expectTypeOf(lock.parse('bookingInput', {})).toEqualTypeOf<BookingInput>()
    expectTypeOf(lock.parse('chatRoom', {})).toEqualTypeOf<ChatRoom>()
    expectTypeOf(lock.parsePatch('booking', {})).toEqualTypeOf<Partial<Booking>>()
    const row = lock.normalize('booking', {})
    expectTypeOf(row.$id).toEqualTypeOf<string>()
    expectTypeOf(row.providerId).toEqualTypeOf<string>()
    expectTypeOf(row.someLegacyColumn).toEqualTypeOf<unknown>()
    expectTypeOf(lock.kindOfTable('x')).toEqualTypeOf<TableKind | undefined>()
    // @ts-expect-error not a kind
    lock.parse('bookings', {})
    // @ts-expect-error bookingInput has no table to patch
    lock.parsePatch('bookingInput', {})
    // @ts-expect-error bookingInput has no table to read from
    lock.normalize('bookingInput', {})
  })

  it('should include extension columns in the inferred types', () => {
    const lock = createSchemaLock({
      extend: {
        booking: {
          spaId: column.id({ required: false }),
          roomLabel: { schema: z.string().max(20), column: { type: 'string', size: 20 } },
          tier: column.enum(['standard', 'vip']),
        },
        chatMessage: { attachmentUrl: column.url({ required: false }) },
      },
    })
    const booking = lock.parse('booking', {})
    expectTypeOf(booking.spaId).toEqualTypeOf<string | null | undefined>()
    expectTypeOf(booking.roomLabel).toEqualTypeOf<string>()
    expectTypeOf(booking.tier).toEqualTypeOf<'standard' | 'vip'>()
    expectTypeOf(booking.providerId).toEqualTypeOf<string>()
    expectTypeOf(lock.parse('bookingInput', {}).roomLabel).toEqualTypeOf<string>()
    expectTypeOf(lock.parse('bookingInput', {})).not.toHaveProperty('status')
    expectTypeOf(lock.parse('chatMessage', {}).attachmentUrl).toEqualTypeOf<
      string | null | undefined
    >()
    expectTypeOf(lock.parse('chatRoom', {})).not.toHaveProperty('spaId')
    expectTypeOf(lock.normalize('booking', {}).tier).toEqualTypeOf<'standard' | 'vip'>()
    expectTypeOf(lock.schema('booking').shape.roomLabel).toEqualTypeOf<z.ZodString>()
  })

  it('should name a lock’s types with LockOutput, and accept a lock where the default lock type is expected', () => {
    const extensions = { booking: { spaId: column.id() } } satisfies SchemaExtensions
    type SpaBooking = LockOutput<typeof extensions, 'booking'>
    expectTypeOf<SpaBooking['spaId']>().toEqualTypeOf<string>()
    expectTypeOf<SpaBooking['customerId']>().toEqualTypeOf<string>()
    const lock = createSchemaLock({ extend: extensions })
    expectTypeOf(lock.parse('booking', {})).toEqualTypeOf<SpaBooking>()
    expectTypeOf(lock).toExtend<SchemaLock>()
  })

  it('should type the column builders from their options', () => {
    expectTypeOf(column.string({ size: 5 }).schema).toEqualTypeOf<z.ZodString>()
    expectTypeOf<z.output<ReturnType<typeof column.integer<false>>['schema']>>().toEqualTypeOf<
      number | null | undefined
    >()
    expectTypeOf<
      z.output<ReturnType<typeof column.enum<['a', 'b'], true>>['schema']>
    >().toEqualTypeOf<'a' | 'b'>()
    const fromSchema = column.enum(z.enum(['x', 'y']), { required: false, default: 'x' })
    expectTypeOf(fromSchema.schema.parse).returns.toEqualTypeOf<'x' | 'y' | null | undefined>()
    // @ts-expect-error a default outside the enum
    column.enum(['a', 'b'], { required: false, default: 'c' })
    const sizeless = { schema: z.string(), column: { type: 'string' } } as const
    // @ts-expect-error a string column needs its size
    createSchemaLock({ extend: { booking: { x: sizeless } } })
  })
})
