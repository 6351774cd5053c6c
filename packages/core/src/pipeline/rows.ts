import type { Booking, BookingSource, NotificationType, RecipientType } from '../schema/schemas'
import { MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH } from '../schema/schemas'
import { childIds } from './ids'
import type { ChildEvent } from './ids'
import type { BackendRow } from '../backend/appwriteBackend'
import { clip, iso } from './format'
import type { PipelineRuntime, WriteSpec } from './types'

/**
 * What the child row builders read of a runtime: a guard's runtime, or the repair's own (which
 * has no policy, breaker or clock of a guard).
 *
 * @internal
 */
export interface RowContext {
  readonly tables: PipelineRuntime['tables']
  readonly settings: Pick<PipelineRuntime['settings'], 'chatRoomTtlMs'>
  readonly permissions: PipelineRuntime['permissions']
  readonly pushSender: PipelineRuntime['pushSender']
}

/** The id written as `senderId` of system messages. */
export const SYSTEM_SENDER_ID = 'system'

/** The booking fields the row builders read (a parsed input, a booking row, or a legacy row normalized). @internal */
export type BookingFacts = Pick<
  Booking,
  | 'customerId'
  | 'customerName'
  | 'providerId'
  | 'providerType'
  | 'providerName'
  | 'bookingType'
  | 'durationMinutes'
> & { scheduledAt?: string | null | undefined }

/** A chat room is this booking's when it has the booking and the same two people. */
function sameRoom(row: BackendRow, spec: WriteSpec): boolean {
  const data = spec.data
  return (
    row.bookingId === data.bookingId &&
    row.customerId === data.customerId &&
    row.providerId === data.providerId
  )
}

/** A system message is this transition's when it is in the booking's room. */
function sameSystemMessage(row: BackendRow, spec: WriteSpec): boolean {
  return row.bookingId === spec.data.bookingId && row.roomId === spec.data.roomId
}

/** A notification is this transition's when it is the booking's, to the same recipient. */
function sameNotification(row: BackendRow, spec: WriteSpec): boolean {
  return row.bookingId === spec.data.bookingId && row.recipientId === spec.data.recipientId
}

/**
 * A cancellation's notice is this transition's when it is the booking's and went to either party.
 * Who cancelled is not stored, so the notice the reconciler rebuilds for a cancelled booking goes
 * to the customer, while the call that cancelled it may have told the provider: both are this
 * booking's one cancellation notice (its id says so), and finding either completes the booking.
 */
function sameCancellationNotice(booking: BookingFacts) {
  return (row: BackendRow, spec: WriteSpec): boolean =>
    row.bookingId === spec.data.bookingId &&
    (row.recipientId === booking.customerId || row.recipientId === booking.providerId)
}

/** Who did something to a booking (for cancel texts and recipients). @internal */
export type Actor = 'customer' | 'provider' | 'system'

function when(booking: BookingFacts): string {
  return booking.bookingType === 'scheduled' && booking.scheduledAt
    ? `for ${booking.scheduledAt}`
    : 'for as soon as possible'
}

interface TransitionText {
  readonly message: string
  readonly type: NotificationType
  readonly title: string
  readonly body: string
  /** Who is told: the customer, except for a customer's own cancellation (then the provider). */
  readonly notify: 'customer' | 'provider'
}

function transitionText(
  event: ChildEvent,
  booking: BookingFacts,
  actor: Actor,
  reason: string | undefined,
): TransitionText {
  const because = reason ? `: ${reason}` : '.'
  const duration = `${booking.durationMinutes} min`
  switch (event) {
    case 'created':
      return {
        message: `Booking received: ${duration} ${when(booking)}. Waiting for ${booking.providerName} to respond.`,
        type: 'bookingReceived',
        title: 'New booking request',
        body: `${booking.customerName} booked ${duration} ${when(booking)}. Please accept or decline.`,
        notify: 'provider',
      }
    case 'accepted':
      return {
        message: `${booking.providerName} accepted the booking${because}`,
        type: 'bookingAccepted',
        title: 'Booking accepted',
        body: `${booking.providerName} accepted your ${duration} booking ${when(booking)}.`,
        notify: 'customer',
      }
    case 'declined':
      return {
        message: `${booking.providerName} declined the booking${because}`,
        type: 'bookingDeclined',
        title: 'Booking declined',
        body: `${booking.providerName} declined your ${duration} booking${because}`,
        notify: 'customer',
      }
    case 'expired':
      return {
        message: `${booking.providerName} did not respond in time; the booking expired.`,
        type: 'bookingExpired',
        title: 'Booking expired',
        body: `${booking.providerName} did not respond in time to your ${duration} booking. Please book again.`,
        notify: 'customer',
      }
    case 'cancelled': {
      const by =
        actor === 'provider'
          ? booking.providerName
          : actor === 'customer'
            ? booking.customerName
            : undefined
      return {
        message:
          by === undefined
            ? `The booking was cancelled${because}`
            : `The booking was cancelled by ${by}${because}`,
        type: 'bookingCancelled',
        title: 'Booking cancelled',
        body: `${by ?? 'The booking'} ${by === undefined ? 'was cancelled' : 'cancelled the booking'}: ${duration} ${when(booking)}${because}`,
        notify: actor === 'customer' ? 'provider' : 'customer',
      }
    }
  }
}

/** Pipeline-set fields of a new booking row. @internal */
export interface NewBookingFields {
  readonly source: BookingSource
  readonly idempotencyKey: string | undefined
  readonly fingerprint: string | undefined
  readonly slotKey: string | undefined
  /** Health-check bookings only; never set from a caller's input. */
  readonly synthetic?: boolean
  readonly pipelineStatus: 'pending' | 'delivered'
}

/** The booking row to write for a validated input. @internal */
export function bookingData(
  rt: PipelineRuntime,
  input: Record<string, unknown>,
  fields: NewBookingFields,
  now: number,
): Record<string, unknown> {
  const data: Record<string, unknown> = Object.assign({}, input)
  data.status = 'pending'
  data.providerResponseStatus = 'AwaitingResponse'
  data.responseDeadline = iso(now + rt.settings.responseDeadlineMs)
  data.source = fields.source
  data.pipelineStatus = fields.pipelineStatus
  if (fields.idempotencyKey !== undefined) data.idempotencyKey = fields.idempotencyKey
  if (fields.fingerprint !== undefined) data.fingerprint = fields.fingerprint
  if (fields.slotKey !== undefined) data.slotKey = fields.slotKey
  if (fields.synthetic === true) data.synthetic = true
  return data
}

/** The chat room of a booking. @internal */
export function chatRoomWrite(
  rt: RowContext,
  bookingId: string,
  booking: BookingFacts,
  now: number,
): WriteSpec {
  const start = booking.scheduledAt ? Math.max(now, Date.parse(booking.scheduledAt)) : now
  const expiresAt = start + booking.durationMinutes * 60_000 + rt.settings.chatRoomTtlMs
  return {
    step: 'chatRoom',
    tableId: rt.tables.chatRoom,
    rowId: childIds.chatRoom(bookingId),
    data: {
      bookingId,
      customerId: booking.customerId,
      customerName: booking.customerName,
      providerId: booking.providerId,
      providerName: booking.providerName,
      status: 'active',
      expiresAt: iso(expiresAt),
      lastMessageAt: iso(now),
    },
    permissions: rt.permissions.participants(booking.customerId, booking.providerId),
    matches: sameRoom,
    unreadable: 'existing',
  }
}

/** The system message and the notification of a transition (or of the creation). @internal */
export function transitionWrites(
  rt: RowContext,
  bookingId: string,
  booking: BookingFacts,
  event: ChildEvent,
  actor: Actor = 'system',
  reason?: string,
): { systemMessage: WriteSpec; notification: WriteSpec } {
  const text = transitionText(event, booking, actor, reason)
  const roomId = childIds.chatRoom(bookingId)
  const toProvider = text.notify === 'provider'
  const recipientId = toProvider ? booking.providerId : booking.customerId
  const recipientUser = toProvider ? rt.permissions.providerUser(booking.providerId) : recipientId
  const recipientType: RecipientType = toProvider ? booking.providerType : 'customer'
  return {
    systemMessage: {
      step: 'systemMessage',
      tableId: rt.tables.chatMessage,
      rowId: childIds.systemMessage(bookingId, event),
      data: {
        roomId,
        bookingId,
        senderId: SYSTEM_SENDER_ID,
        senderType: 'system',
        senderName: 'System',
        content: clip(text.message, MESSAGE_MAX_LENGTH),
        messageType: 'system',
      },
      permissions: rt.permissions.message(booking.customerId, booking.providerId),
      matches: sameSystemMessage,
      unreadable: 'existing',
    },
    notification: {
      step: 'notification',
      tableId: rt.tables.notification,
      rowId: childIds.notification(bookingId, event),
      data: {
        recipientId,
        recipientType,
        recipientName: clip(
          toProvider ? booking.providerName : booking.customerName,
          NAME_MAX_LENGTH,
        ),
        type: text.type,
        title: text.title,
        body: clip(text.body, 2000),
        bookingId,
        priority: 'high',
        read: false,
        pushStatus: rt.pushSender === undefined ? 'skipped' : 'pending',
        pushAttempts: 0,
      },
      permissions: rt.permissions.recipient(recipientUser),
      matches: event === 'cancelled' ? sameCancellationNotice(booking) : sameNotification,
      unreadable: 'existing',
    },
  }
}

/** Which child event a booking's current status implies (beyond `created`). @internal */
export function eventOfStatus(
  row: Readonly<Record<string, unknown>>,
): { event: ChildEvent; actor: Actor } | undefined {
  switch (row.status) {
    case 'confirmed':
      return { event: 'accepted', actor: 'provider' }
    case 'declined':
      return { event: 'declined', actor: 'provider' }
    case 'expired':
      return { event: 'expired', actor: 'system' }
    case 'cancelled':
      // Who cancelled is not stored; a rebuilt notice is neutral and goes to the customer.
      return { event: 'cancelled', actor: 'system' }
    default:
      return undefined
  }
}
