import type { BackendRow } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import { BookingStateError, SchemaLockError } from '../errors'
import type { SenderType } from '../schema/schemas'
import { CallBudget, overBudget } from './budget'
import { PipelineCall } from './call'
import { iso } from './format'
import { messageIdForClientId, randomId } from './ids'
import { capture, emit } from './report'
import type { ChatMessageRow, ChatRoomRow, PipelineRuntime, ReadRuntime, WriteSpec } from './types'
import { isNotFound, remote } from './writes'

/** A message is the one this send means when it is in the same room, from the same sender. */
function sameSender(row: BackendRow, spec: WriteSpec): boolean {
  return row.roomId === spec.data.roomId && row.senderId === spec.data.senderId
}

/** A chat message to send. */
export interface SendMessageInput {
  /** Who writes: the customer's id, or the provider's id (or its mapped user id). */
  senderId: string
  /** `customer`, `therapist` or `place` (`system` is reserved for the pipeline). */
  senderType: Exclude<SenderType, 'system'>
  /** Display name of the sender, at most 255 characters. */
  senderName: string
  /** The text (or an image/file URL), 1–5,000 characters. */
  content: string
  /**
   * The client's own id for this message (an Appwrite-style id, at most 36 characters). Sending
   * the same `clientMessageId` twice stores the message once. Defaults to none.
   */
  clientMessageId?: string
  /** Aborts the call. */
  signal?: AbortSignal
}

/** What `sendMessage` resolves to. */
export interface SendMessageResult {
  /** The stored message. */
  readonly message: ChatMessageRow
  /** `true` when a message with the same `clientMessageId` was already stored. */
  readonly replayed: boolean
}

/** Options of `listMessages`. */
export interface ListMessagesOptions {
  /** `nextCursor` of the previous page, to load older messages. Defaults to the newest page. */
  cursor?: string
  /** Messages per page, 1–100. Defaults to `50`. */
  limit?: number
  /** Aborts the call. */
  signal?: AbortSignal
}

/** A page of messages. */
export interface MessagePage {
  /** The messages of this page, oldest first. */
  readonly messages: readonly ChatMessageRow[]
  /** Pass as `cursor` to load the page of older messages; `undefined` when there are none. */
  readonly nextCursor: string | undefined
}

/** Options of `markMessagesRead`. */
export interface MarkMessagesReadOptions {
  /** The reader: the room's customer or provider. */
  readerId: string
  /** Aborts the call. */
  signal?: AbortSignal
}

/** What `markMessagesRead` resolves to. */
export interface MarkMessagesReadResult {
  /** The room with its read marker moved. */
  readonly room: ChatRoomRow
  /** The instant written (ISO 8601): every message created up to it counts as read by the reader. */
  readonly readAt: string
}

const MAX_PAGE = 100

function notFound(roomId: string): BookingStateError {
  return new BookingStateError(
    `chat room \`${roomId}\` does not exist, or this user may not read it`,
    {
      reason: 'notFound',
      bookingId: roomId,
    },
  )
}

async function loadRoom(
  rt: ReadRuntime,
  roomId: string,
  signal: AbortSignal,
): Promise<ChatRoomRow> {
  try {
    const row = await remote(rt, () => rt.backend.get(rt.tables.chatRoom, roomId), signal)
    return rt.lock.normalize('chatRoom', row) as ChatRoomRow
  } catch (error) {
    if (isNotFound(error)) throw notFound(roomId)
    throw error
  }
}

/** Which side of the room `userId` is on, or `undefined` for a stranger. */
function sideOf(
  rt: ReadRuntime,
  room: ChatRoomRow,
  userId: string,
): 'customer' | 'provider' | undefined {
  if (room.customerId === userId) return 'customer'
  if (room.providerId === userId || rt.permissions.providerUser(room.providerId) === userId) {
    return 'provider'
  }
  return undefined
}

/**
 * Stores a chat message in a booking's room after checking that the sender belongs to it and
 * that the room is open. See `guard.sendMessage`.
 *
 * @internal
 */
export async function sendMessage(
  rt: PipelineRuntime,
  roomId: string,
  input: SendMessageInput,
): Promise<SendMessageResult> {
  const { signal, ...fields } = input
  if ((fields.senderType as string) === 'system') {
    throw new SchemaLockError(
      [
        {
          path: ['senderType'],
          code: 'invalid_value',
          message: '`system` messages are written by the pipeline only',
        },
      ],
      { kind: 'chatMessage', tableId: rt.tables.chatMessage },
    )
  }
  const data = rt.lock.parse('chatMessage', {
    ...fields,
    roomId,
    bookingId: roomId,
    messageType: 'text',
  }) as Record<string, unknown>
  const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, signal)
  try {
    const room = await loadRoom(rt, roomId, budget.signal)
    const side = sideOf(rt, room, fields.senderId)
    const expectedSide = fields.senderType === 'customer' ? 'customer' : 'provider'
    if (side !== expectedSide) {
      throw new BookingStateError(
        `\`${fields.senderId}\` is not the ${expectedSide} of chat room \`${roomId}\``,
        { reason: 'forbidden', bookingId: room.bookingId },
      )
    }
    const now = rt.clock.now()
    if (room.status !== 'active' || Date.parse(room.expiresAt) <= now) {
      throw new BookingStateError(
        `chat room \`${roomId}\` is ${room.status === 'active' ? 'expired' : room.status}`,
        {
          reason: 'roomClosed',
          bookingId: room.bookingId,
        },
      )
    }
    data.bookingId = room.bookingId
    const messageId =
      typeof fields.clientMessageId === 'string'
        ? messageIdForClientId(roomId, fields.clientMessageId)
        : randomId('m')
    const call = new PipelineCall(rt, {
      operation: 'sendMessage',
      bookingId: room.bookingId,
      mode: 'saga',
      signal: budget.signal,
    })
    try {
      const [stored] = await Promise.all([
        call.write({
          step: 'systemMessage',
          tableId: rt.tables.chatMessage,
          rowId: messageId,
          data,
          permissions: rt.permissions.message(room.customerId, room.providerId),
          matches: sameSender,
          unreadable: 'foreign',
        }),
        // The room's activity marker is a convenience: a failure is reported, the message still counts.
        remote(
          rt,
          () => rt.backend.update(rt.tables.chatRoom, roomId, { lastMessageAt: iso(now) }),
          budget.signal,
        ).catch((error: unknown) =>
          capture(rt, error, 'chat', 'warning', 'chat.lastMessageAt', { roomId }),
        ),
      ])
      if (stored.state !== 'created' && stored.state !== 'existing') {
        capture(rt, stored.error, 'chat', 'error', 'chat.sendMessage', { roomId, messageId })
        throw stored.error ?? new Error(`message ${messageId} could not be stored`)
      }
      const message = rt.lock.normalize(
        'chatMessage',
        stored.row ?? { ...data, $id: messageId },
      ) as ChatMessageRow
      const replayed = stored.state === 'existing'
      emit(rt, () => ({ type: 'messageSent', at: rt.clock.now(), roomId, messageId, replayed }))
      return { message, replayed }
    } finally {
      call.dispose()
    }
  } catch (error) {
    throw overBudget(budget, error, {
      operation: 'sendMessage',
      bookingId: roomId,
      failedStep: 'systemMessage',
      message: `sendMessage to room \`${roomId}\` ran out of its ${budget.timeoutMs} ms budget; the message may or may not be stored: send it again with the same \`clientMessageId\`, which stores it once`,
    })
  } finally {
    budget.dispose()
  }
}

/**
 * One page of a room's messages, newest page first, oldest first within the page. See
 * `guard.listMessages`.
 *
 * @internal
 */
export async function listMessages(
  rt: ReadRuntime,
  roomId: string,
  options: ListMessagesOptions = {},
): Promise<MessagePage> {
  const limit = options.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new SchemaLockError(
      [{ path: ['limit'], code: 'too_big', message: `Use an integer limit of 1–${MAX_PAGE}` }],
      { kind: 'listMessages' },
    )
  }
  const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, options.signal)
  try {
    const queries = [Q.equal('roomId', roomId), Q.orderDesc('$createdAt'), Q.limit(limit + 1)]
    if (options.cursor !== undefined) queries.push(Q.cursorAfter(options.cursor))
    const { rows } = await remote(
      rt,
      () => rt.backend.list(rt.tables.chatMessage, queries),
      budget.signal,
    )
    const page = rows.slice(0, limit)
    const nextCursor = rows.length > limit ? page[page.length - 1]!.$id : undefined
    return {
      messages: page
        .reverse()
        .map((row: BackendRow) => rt.lock.normalize('chatMessage', row) as ChatMessageRow),
      nextCursor,
    }
  } catch (error) {
    throw overBudget(budget, error, {
      operation: 'listMessages',
      bookingId: roomId,
      failedStep: 'read',
      message: `listMessages(${roomId}) ran out of its ${budget.timeoutMs} ms budget; it wrote nothing: try again`,
    })
  } finally {
    budget.dispose()
  }
}

/**
 * Marks every message of a room read for one participant by moving the room's read marker
 * (`customerLastReadAt` / `providerLastReadAt`): one write, whatever the number of messages.
 *
 * @internal
 */
export async function markMessagesRead(
  rt: ReadRuntime,
  roomId: string,
  options: MarkMessagesReadOptions,
): Promise<MarkMessagesReadResult> {
  const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, options.signal)
  try {
    const room = await loadRoom(rt, roomId, budget.signal)
    const side = sideOf(rt, room, options.readerId)
    if (side === undefined) {
      throw new BookingStateError(
        `\`${options.readerId}\` is not a participant of chat room \`${roomId}\``,
        {
          reason: 'forbidden',
          bookingId: room.bookingId,
        },
      )
    }
    const readAt = iso(rt.clock.now())
    const column = side === 'customer' ? 'customerLastReadAt' : 'providerLastReadAt'
    const updated = await remote(
      rt,
      () => rt.backend.update(rt.tables.chatRoom, roomId, { [column]: readAt }),
      budget.signal,
    )
    return { room: rt.lock.normalize('chatRoom', updated) as ChatRoomRow, readAt }
  } catch (error) {
    throw overBudget(budget, error, {
      operation: 'markMessagesRead',
      bookingId: roomId,
      failedStep: 'read',
      message: `markMessagesRead(${roomId}) ran out of its ${budget.timeoutMs} ms budget; the read marker may or may not have moved: try again`,
    })
  } finally {
    budget.dispose()
  }
}
