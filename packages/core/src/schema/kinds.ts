// What the read side of the schema lock knows without zod: the kinds, their default table ids,
// their default column names and the values of their enum columns. `schemas.ts` builds its zod
// enums from these lists, and a type check below ties the column names to its column
// definitions, so the browser's read lock and the full lock cannot disagree.
import type { SchemaKind, TableKind, defaultColumns } from './schemas'

/**
 * Appwrite's rule for ids (row ids, user ids): 1–36 characters of `[A-Za-z0-9._-]`, not starting
 * with `_`, `.` or `-`. The length is checked separately so a too-long id gets a `too_big` issue.
 */
export const APPWRITE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** Longest id Appwrite accepts. */
export const APPWRITE_ID_MAX_LENGTH = 36

/** Every schema kind, in a stable order. */
export const SCHEMA_KINDS: readonly SchemaKind[] = [
  'booking',
  'bookingInput',
  'chatRoom',
  'chatMessage',
  'notification',
  'heartbeat',
]

/** The kinds stored in a table, in a stable order. */
export const TABLE_KINDS: readonly TableKind[] = [
  'booking',
  'chatRoom',
  'chatMessage',
  'notification',
  'heartbeat',
]

/** Default Appwrite table id per kind; override with `createSchemaLock({ tableIds })`. */
export const DEFAULT_TABLE_IDS: Readonly<Record<TableKind, string>> = {
  booking: 'bookings',
  chatRoom: 'chat_rooms',
  chatMessage: 'chat_messages',
  notification: 'notifications',
  heartbeat: 'heartbeats',
}

/** The values of a booking's `status`. @internal */
export const BOOKING_STATUSES = [
  'pending',
  'confirmed',
  'declined',
  'expired',
  'cancelled',
  'completed',
] as const
/** The values of a booking's `providerResponseStatus`. @internal */
export const PROVIDER_RESPONSE_STATUSES = [
  'AwaitingResponse',
  'Accepted',
  'Declined',
  'Expired',
] as const
/** The values of `providerType`. @internal */
export const PROVIDER_TYPES = ['therapist', 'place'] as const
/** The values of `bookingType`. @internal */
export const BOOKING_TYPES = ['immediate', 'scheduled'] as const
/** The values of a booking's `source`. @internal */
export const BOOKING_SOURCES = [
  'bookingButton',
  'chatWindow',
  'menuSlider',
  'scheduled',
  'priceSlider',
  'direct',
] as const
/** The values of a booking's `pipelineStatus`. @internal */
export const PIPELINE_STATUSES = ['pending', 'delivered', 'failed'] as const
/** The values of a chat room's `status`. @internal */
export const CHAT_ROOM_STATUSES = ['active', 'closed', 'expired'] as const
/** The values of a chat message's `senderType`. @internal */
export const SENDER_TYPES = ['customer', 'therapist', 'place', 'system'] as const
/** The values of a chat message's `messageType`. @internal */
export const MESSAGE_TYPES = ['text', 'image', 'file', 'system'] as const
/** The values of a notification's `recipientType`. @internal */
export const RECIPIENT_TYPES = ['customer', 'therapist', 'place', 'admin'] as const
/** The values of a notification's `type`. @internal */
export const NOTIFICATION_TYPES = [
  'bookingReceived',
  'bookingAccepted',
  'bookingDeclined',
  'bookingExpired',
  'bookingCancelled',
  'bookingReminder',
  'chatMessage',
  'system',
] as const
/** The values of a notification's `priority`. @internal */
export const NOTIFICATION_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
/** The values of a notification's `pushStatus`. @internal */
export const PUSH_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const

type ColumnKey<K extends TableKind> = keyof (typeof defaultColumns)[K] & string

/**
 * The default columns of each table kind by name, each with its enum values (`null` for a column
 * that is not an enum), in the order of `defaultColumns`.
 *
 * @internal
 */
export const DEFAULT_READ_COLUMNS: {
  readonly [K in TableKind]: { readonly [C in ColumnKey<K>]: readonly string[] | null }
} = {
  booking: {
    customerId: null,
    customerName: null,
    providerId: null,
    providerType: PROVIDER_TYPES,
    providerName: null,
    status: BOOKING_STATUSES,
    providerResponseStatus: PROVIDER_RESPONSE_STATUSES,
    responseDeadline: null,
    bookingType: BOOKING_TYPES,
    scheduledAt: null,
    durationMinutes: null,
    price: null,
    currency: null,
    location: null,
    notes: null,
    source: BOOKING_SOURCES,
    pipelineStatus: PIPELINE_STATUSES,
    idempotencyKey: null,
    fingerprint: null,
    slotKey: null,
    synthetic: null,
  },
  chatRoom: {
    bookingId: null,
    customerId: null,
    customerName: null,
    providerId: null,
    providerName: null,
    status: CHAT_ROOM_STATUSES,
    expiresAt: null,
    lastMessageAt: null,
    customerLastReadAt: null,
    providerLastReadAt: null,
  },
  chatMessage: {
    roomId: null,
    bookingId: null,
    senderId: null,
    senderType: SENDER_TYPES,
    senderName: null,
    content: null,
    messageType: MESSAGE_TYPES,
    clientMessageId: null,
  },
  notification: {
    recipientId: null,
    recipientType: RECIPIENT_TYPES,
    recipientName: null,
    type: NOTIFICATION_TYPES,
    title: null,
    body: null,
    bookingId: null,
    priority: NOTIFICATION_PRIORITIES,
    read: null,
    pushStatus: PUSH_STATUSES,
    pushAttempts: null,
    pushError: null,
  },
  heartbeat: { channelKey: null, sentAt: null },
}
