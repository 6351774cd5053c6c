import * as z from 'zod'
import type { ColumnDefs, IndexSpec, ShapeOf } from './columns'
import { column } from './columns'
import {
  BOOKING_SOURCES,
  BOOKING_STATUSES,
  BOOKING_TYPES,
  CHAT_ROOM_STATUSES,
  MESSAGE_TYPES,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_TYPES,
  PIPELINE_STATUSES,
  PROVIDER_RESPONSE_STATUSES,
  PROVIDER_TYPES,
  PUSH_STATUSES,
  RECIPIENT_TYPES,
  SENDER_TYPES,
} from './kinds'

export { DEFAULT_TABLE_IDS, SCHEMA_KINDS, TABLE_KINDS } from './kinds'

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

/**
 * Where a booking is in its life: `pending` until the provider answers, then `confirmed`,
 * `declined` or `expired` (deadline missed); later `cancelled` or `completed`.
 */
export const BookingStatusSchema = z.enum(BOOKING_STATUSES)
/** A booking's status. See {@link BookingStatusSchema}. */
export type BookingStatus = z.infer<typeof BookingStatusSchema>

/** The provider's answer to a booking; `Expired` when the response deadline passed unanswered. */
export const ProviderResponseStatusSchema = z.enum(PROVIDER_RESPONSE_STATUSES)
/** The provider's answer to a booking. See {@link ProviderResponseStatusSchema}. */
export type ProviderResponseStatus = z.infer<typeof ProviderResponseStatusSchema>

/** Who provides the service: a `therapist` (a person) or a `place` (a venue). */
export const ProviderTypeSchema = z.enum(PROVIDER_TYPES)
/** Who provides the service. See {@link ProviderTypeSchema}. */
export type ProviderType = z.infer<typeof ProviderTypeSchema>

/** `immediate` (as soon as possible) or `scheduled` (at `scheduledAt`, then required). */
export const BookingTypeSchema = z.enum(BOOKING_TYPES)
/** When the booking takes place. See {@link BookingTypeSchema}. */
export type BookingType = z.infer<typeof BookingTypeSchema>

/** The UI entry point a booking came from; set by the pipeline from its options, never by the caller's input. */
export const BookingSourceSchema = z.enum(BOOKING_SOURCES)
/** Where a booking came from. See {@link BookingSourceSchema}. */
export type BookingSource = z.infer<typeof BookingSourceSchema>

/**
 * The pipeline's step ledger on a booking: `pending` while its writes are in flight (the
 * reconciler finishes or compensates bookings left here), `delivered` when booking, chat room,
 * system message and notification all exist, `failed` when it was compensated.
 */
export const PipelineStatusSchema = z.enum(PIPELINE_STATUSES)
/** The pipeline's step ledger. See {@link PipelineStatusSchema}. */
export type PipelineStatus = z.infer<typeof PipelineStatusSchema>

/** A chat room is `active` from its booking on, then `closed` or `expired` (at `expiresAt`). */
export const ChatRoomStatusSchema = z.enum(CHAT_ROOM_STATUSES)
/** A chat room's status. See {@link ChatRoomStatusSchema}. */
export type ChatRoomStatus = z.infer<typeof ChatRoomStatusSchema>

/** Who wrote a chat message; `system` for messages the pipeline writes ("booking received"). */
export const SenderTypeSchema = z.enum(SENDER_TYPES)
/** Who wrote a chat message. See {@link SenderTypeSchema}. */
export type SenderType = z.infer<typeof SenderTypeSchema>

/** What a chat message carries: `text`, an `image` or a `file` (their URL in `content`), or a `system` notice. */
export const MessageTypeSchema = z.enum(MESSAGE_TYPES)
/** What a chat message carries. See {@link MessageTypeSchema}. */
export type MessageType = z.infer<typeof MessageTypeSchema>

/** Who a notification is for. */
export const RecipientTypeSchema = z.enum(RECIPIENT_TYPES)
/** Who a notification is for. See {@link RecipientTypeSchema}. */
export type RecipientType = z.infer<typeof RecipientTypeSchema>

/** What a notification is about. */
export const NotificationTypeSchema = z.enum(NOTIFICATION_TYPES)
/** What a notification is about. See {@link NotificationTypeSchema}. */
export type NotificationType = z.infer<typeof NotificationTypeSchema>

/** How urgently a notification must reach its recipient. */
export const NotificationPrioritySchema = z.enum(NOTIFICATION_PRIORITIES)
/** How urgent a notification is. See {@link NotificationPrioritySchema}. */
export type NotificationPriority = z.infer<typeof NotificationPrioritySchema>

/**
 * The push outbox step of a notification: `pending` until the app's push sender ran, then `sent`,
 * `failed` (the reconciler retries it) or `skipped` (no sender, or the recipient has no device).
 */
export const PushStatusSchema = z.enum(PUSH_STATUSES)
/** The push outbox step of a notification. See {@link PushStatusSchema}. */
export type PushStatus = z.infer<typeof PushStatusSchema>

// ---------------------------------------------------------------------------------------------
// Columns: each defined once, with its zod type and its Appwrite column spec
// ---------------------------------------------------------------------------------------------

/** Longest name (customer, provider, sender, recipient) in characters. */
export const NAME_MAX_LENGTH = 255
/** Longest booking in minutes (24 hours). */
export const DURATION_MAX_MINUTES = 1440
/** Largest price in minor units (10 billion major units of a two-decimal currency). */
export const PRICE_MAX_MINOR_UNITS = 1_000_000_000_000

const name = () => column.string({ size: NAME_MAX_LENGTH, min: 1 })

const bookingColumns = {
  customerId: column.id(),
  customerName: name(),
  providerId: column.id(),
  providerType: column.enum(ProviderTypeSchema),
  providerName: name(),
  status: column.enum(BookingStatusSchema),
  providerResponseStatus: column.enum(ProviderResponseStatusSchema),
  responseDeadline: column.datetime(),
  bookingType: column.enum(BookingTypeSchema),
  scheduledAt: column.datetime({ required: false }),
  durationMinutes: column.integer({ min: 1, max: DURATION_MAX_MINUTES }),
  price: column.integer({ min: 0, max: PRICE_MAX_MINOR_UNITS, required: false }),
  currency: column.string({
    size: 3,
    pattern: /^[A-Z]{3}$/,
    patternMessage: 'Invalid currency: use an ISO 4217 code of 3 uppercase letters, e.g. EUR',
    required: false,
  }),
  location: column.string({ size: 500, required: false }),
  notes: column.string({ size: 2000, required: false }),
  source: column.enum(BookingSourceSchema),
  pipelineStatus: column.enum(PipelineStatusSchema),
  idempotencyKey: column.string({ size: 64, min: 1, required: false }),
  fingerprint: column.string({ size: 64, min: 1, required: false }),
  /**
   * The slot lock of a scheduled booking (provider + start, hashed): the `unique_slot` index admits
   * one live booking per slot; the pipeline clears it when the booking fails, is declined,
   * cancelled or expires. `null` for bookings without a slot lock.
   */
  slotKey: column.string({ size: 64, min: 1, required: false }),
  /**
   * `true` for the health check's synthetic bookings: provider feeds never deliver them. Set by
   * the pipeline for health-check runs only; not part of `bookingInput`, so callers cannot set it.
   */
  synthetic: column.boolean({ required: false, default: false }),
} satisfies ColumnDefs

const bookingInputColumns = {
  customerId: bookingColumns.customerId,
  customerName: bookingColumns.customerName,
  providerId: bookingColumns.providerId,
  providerType: bookingColumns.providerType,
  providerName: bookingColumns.providerName,
  bookingType: bookingColumns.bookingType,
  scheduledAt: bookingColumns.scheduledAt,
  durationMinutes: bookingColumns.durationMinutes,
  price: bookingColumns.price,
  currency: bookingColumns.currency,
  location: bookingColumns.location,
  notes: bookingColumns.notes,
} satisfies ColumnDefs

const chatRoomColumns = {
  bookingId: column.id(),
  customerId: column.id(),
  customerName: name(),
  providerId: column.id(),
  providerName: name(),
  status: column.enum(ChatRoomStatusSchema),
  expiresAt: column.datetime(),
  lastMessageAt: column.datetime({ required: false }),
  /** When the customer last marked the room's messages read. */
  customerLastReadAt: column.datetime({ required: false }),
  /** When the provider last marked the room's messages read. */
  providerLastReadAt: column.datetime({ required: false }),
} satisfies ColumnDefs

/** Longest chat message in characters. */
export const MESSAGE_MAX_LENGTH = 5000

const chatMessageColumns = {
  roomId: column.id(),
  bookingId: column.id(),
  senderId: column.id(),
  senderType: column.enum(SenderTypeSchema),
  senderName: name(),
  content: column.string({ size: MESSAGE_MAX_LENGTH, min: 1 }),
  messageType: column.enum(MessageTypeSchema),
  clientMessageId: column.id({ required: false }),
} satisfies ColumnDefs

const notificationColumns = {
  recipientId: column.id(),
  recipientType: column.enum(RecipientTypeSchema),
  recipientName: column.string({ size: NAME_MAX_LENGTH, required: false }),
  type: column.enum(NotificationTypeSchema),
  title: column.string({ size: 255, min: 1 }),
  body: column.string({ size: 2000 }),
  bookingId: column.id({ required: false }),
  priority: column.enum(NotificationPrioritySchema),
  read: column.boolean({ required: false, default: false }),
  pushStatus: column.enum(PushStatusSchema, { required: false, default: 'pending' }),
  /** How many times the push sender was called for this notification. */
  pushAttempts: column.integer({ min: 0, max: 1000, required: false, default: 0 }),
  /** The last push failure, for the reconciler and for support. */
  pushError: column.string({ size: 1000, required: false }),
} satisfies ColumnDefs

const heartbeatColumns = {
  channelKey: column.string({ size: 255, min: 1 }),
  sentAt: column.datetime(),
} satisfies ColumnDefs

/**
 * The default column definitions per schema kind, each a {@link ColumnDef} (zod type + Appwrite
 * column spec). `bookingInput` reuses the booking columns the caller may set.
 */
export const defaultColumns = {
  booking: bookingColumns,
  bookingInput: bookingInputColumns,
  chatRoom: chatRoomColumns,
  chatMessage: chatMessageColumns,
  notification: notificationColumns,
  heartbeat: heartbeatColumns,
} as const

/** The default zod shapes per schema kind. @internal */
export type DefaultShapes = {
  [K in keyof typeof defaultColumns]: ShapeOf<(typeof defaultColumns)[K]>
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules
// ---------------------------------------------------------------------------------------------

interface BookingRuleFields {
  bookingType?: unknown
  scheduledAt?: unknown
  price?: unknown
  currency?: unknown
}

/**
 * A scheduled booking needs `scheduledAt`; a price needs its currency. Runs only once every field
 * is valid on its own (zod skips refinements of an object with issues).
 * @internal
 */
export function checkBookingRules(value: BookingRuleFields, ctx: z.RefinementCtx): void {
  if (
    value.bookingType === 'scheduled' &&
    (value.scheduledAt === undefined || value.scheduledAt === null)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['scheduledAt'],
      message: 'Required when `bookingType` is `scheduled`',
    })
  }
  if (
    value.price !== undefined &&
    value.price !== null &&
    (value.currency === undefined || value.currency === null)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['currency'],
      message: 'Required when `price` is set: prices are integers in minor units of this currency',
    })
  }
}

/** Cross-field rules per kind. @internal */
export const kindRules: Partial<
  Record<keyof typeof defaultColumns, (value: never, ctx: z.RefinementCtx) => void>
> = {
  booking: checkBookingRules,
  bookingInput: checkBookingRules,
}

function shapeOf<D extends ColumnDefs>(defs: D): ShapeOf<D> {
  const shape: Record<string, z.ZodType> = {}
  for (const key of Object.keys(defs)) shape[key] = defs[key]!.schema
  return shape as ShapeOf<D>
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/**
 * A booking row as written to the `bookings` table. Strict: unknown fields are rejected. Legacy
 * aliases (`therapistId`, …) are mapped only by the schema lock, not by this schema.
 */
export const BookingSchema = z.strictObject(shapeOf(bookingColumns)).superRefine(checkBookingRules)
/** A booking row's data (without Appwrite's `$` system fields). */
export type Booking = z.infer<typeof BookingSchema>

/**
 * What a caller passes to `createBooking`: the booking fields the caller may set. Status,
 * response status, deadline, source and pipeline fields are set by the pipeline.
 */
export const BookingInputSchema = z
  .strictObject(shapeOf(bookingInputColumns))
  .superRefine(checkBookingRules)
/** What a caller passes to `createBooking`. See {@link BookingInputSchema}. */
export type BookingInput = z.infer<typeof BookingInputSchema>

/** A chat room row (`chat_rooms`); its row id is the booking id. */
export const ChatRoomSchema = z.strictObject(shapeOf(chatRoomColumns))
/** A chat room row's data. */
export type ChatRoom = z.infer<typeof ChatRoomSchema>

/** A chat message row (`chat_messages`). */
export const ChatMessageSchema = z.strictObject(shapeOf(chatMessageColumns))
/** A chat message row's data. */
export type ChatMessage = z.infer<typeof ChatMessageSchema>

/** A notification row (`notifications`); the booking notice's row id is the booking id. */
export const NotificationSchema = z.strictObject(shapeOf(notificationColumns))
/** A notification row's data. */
export type Notification = z.infer<typeof NotificationSchema>

/** A watchdog heartbeat row (`heartbeats`): the canary written to test realtime end to end. */
export const HeartbeatSchema = z.strictObject(shapeOf(heartbeatColumns))
/** A heartbeat row's data. */
export type Heartbeat = z.infer<typeof HeartbeatSchema>

/** The default schema per kind; the lock without extensions uses exactly these instances. */
export const defaultSchemas = {
  booking: BookingSchema,
  bookingInput: BookingInputSchema,
  chatRoom: ChatRoomSchema,
  chatMessage: ChatMessageSchema,
  notification: NotificationSchema,
  heartbeat: HeartbeatSchema,
} as const

// ---------------------------------------------------------------------------------------------
// Kinds, tables, indexes
// ---------------------------------------------------------------------------------------------

/** Every kind of data the schema lock knows. `bookingInput` is the caller's input, stored in no table. */
export type SchemaKind = keyof typeof defaultColumns
/** The kinds stored in an Appwrite table. */
export type TableKind = Exclude<SchemaKind, 'bookingInput'>

/**
 * The indexes the pipeline, the reconciler and the provider feed query through. A missing one
 * makes those queries slow or (for `unique`) lets duplicates in.
 */
export const DEFAULT_INDEXES: Readonly<Record<TableKind, readonly IndexSpec[]>> = {
  booking: [
    { key: 'by_provider', type: 'key', columns: ['providerId'] },
    { key: 'by_customer', type: 'key', columns: ['customerId'] },
    { key: 'by_pipeline_status', type: 'key', columns: ['pipelineStatus'] },
    {
      key: 'by_response_deadline',
      type: 'key',
      columns: ['providerResponseStatus', 'responseDeadline'],
    },
    { key: 'by_fingerprint', type: 'key', columns: ['fingerprint'] },
    { key: 'unique_idempotency_key', type: 'unique', columns: ['idempotencyKey'] },
    { key: 'unique_slot', type: 'unique', columns: ['slotKey'] },
  ],
  chatRoom: [
    { key: 'by_booking', type: 'key', columns: ['bookingId'] },
    { key: 'by_customer', type: 'key', columns: ['customerId'] },
    { key: 'by_provider', type: 'key', columns: ['providerId'] },
  ],
  chatMessage: [
    { key: 'by_room', type: 'key', columns: ['roomId'] },
    { key: 'by_booking', type: 'key', columns: ['bookingId'] },
    { key: 'by_client_message_id', type: 'key', columns: ['clientMessageId'] },
  ],
  notification: [
    { key: 'by_recipient', type: 'key', columns: ['recipientId'] },
    { key: 'by_booking', type: 'key', columns: ['bookingId'] },
    { key: 'by_push_status', type: 'key', columns: ['pushStatus'] },
  ],
  heartbeat: [{ key: 'by_channel', type: 'key', columns: ['channelKey'] }],
}
