import { systemClock } from '../clock'
import type { Clock } from '../clock'
import type { BookingGuard } from '../guard'
import type { ChatMessageRow } from '../pipeline/createBooking'
import { randomId } from '../pipeline/ids'
import type { RoomFeed } from '../realtime/feed'
import type { FeedConnection } from '../realtime/types'
import type { MessageType, SenderType } from '../schema/schemas'
import { describeBookingError } from './bookingSubmitObserver'
import type { BookingErrorKind, BookingErrorMessages } from './bookingSubmitObserver'
import { ObserverStore } from './store'

/** Who is chatting: the room's customer or provider. */
export interface ChatParticipant {
  /** The user id, as stored on the room (`customerId`, or the provider's id). */
  readonly id: string
  /** `customer`, `therapist` or `place`. */
  readonly type: Exclude<SenderType, 'system'>
  /** Display name stored on each message sent. */
  readonly name: string
}

/** `sending` (optimistic, not stored yet), `sent` (stored), `failed` (not stored; `retry()` it). */
export type ChatMessageStatus = 'sending' | 'sent' | 'failed'

/** One message as a chat shows it. */
export interface ChatRoomMessage {
  /** The row id once stored; a local id while `sending` or `failed`. */
  readonly id: string
  /** The sender's own id for the message, when it has one (every message sent through the observer has). */
  readonly clientMessageId: string | undefined
  readonly content: string
  readonly senderId: string
  readonly senderType: SenderType
  readonly senderName: string
  readonly messageType: MessageType
  /** ISO 8601: the server's `$createdAt`, or the local time while not stored. */
  readonly createdAt: string
  readonly status: ChatMessageStatus
  /** Whether the observer's user wrote it. */
  readonly mine: boolean
  /** Why a `failed` message was not stored. */
  readonly error: unknown
  /** One sentence about `error` for the user. */
  readonly userMessage: string | undefined
  /** Sends a `failed` message again (same client id, so it is stored once); `undefined` otherwise. */
  readonly retry: (() => Promise<void>) | undefined
}

/** What `observer.getSnapshot()` returns. */
export interface ChatRoomSnapshot {
  readonly roomId: string
  /** `loading` until the newest page arrived, then `ready`; `error` when it could not be read. */
  readonly status: 'loading' | 'ready' | 'error'
  /** Why the room could not be read (or the last `loadOlder` / `markRead` failure). */
  readonly error: unknown
  /** The messages, oldest first: history, realtime, then the ones not stored yet. */
  readonly messages: readonly ChatRoomMessage[]
  /** How the room's feed gets its messages; `offline` when the feed could not start (see `realtimeError`). */
  readonly connection: FeedConnection
  /** Why the realtime feed could not start (e.g. a guard without `realtime`); history and sending still work. */
  readonly realtimeError: unknown
  /** Whether older messages can be loaded. */
  readonly hasOlder: boolean
  /** Whether `loadOlder` is under way. */
  readonly loadingOlder: boolean
  /** Messages of the other participants (system ones included) newer than `lastReadAt`. */
  readonly unreadCount: number
  /** ISO 8601 of the user's read marker, or `null` when unknown. */
  readonly lastReadAt: string | null
}

/** Options of {@link createChatRoomObserver}. */
export interface ChatRoomObserverOptions {
  /** The guard the room is read, sent and marked read through. */
  guard: Pick<BookingGuard, 'roomFeed' | 'listMessages' | 'sendMessage' | 'markMessagesRead'>
  /** The room (= the booking id). */
  roomId: string
  /** Who reads and writes. */
  user: ChatParticipant
  /** Messages per page of history, 1–100. Defaults to `30`. */
  pageSize?: number
  /**
   * The user's read marker if the app knows it (`customerLastReadAt` / `providerLastReadAt` of
   * the room); until `markRead()` every message of the others counts as unread without it.
   * Defaults to `null`.
   */
  lastReadAt?: string | null
  /** Timestamps of messages not stored yet. Defaults to the system clock. */
  clock?: Clock
  /** User-facing messages per error kind for failed sends. */
  messages?: Partial<BookingErrorMessages>
}

/** A chat room's messages and actions; see {@link createChatRoomObserver}. */
export interface ChatRoomObserver {
  readonly getSnapshot: () => ChatRoomSnapshot
  readonly getServerSnapshot: () => ChatRoomSnapshot
  readonly subscribe: (onChange: () => void) => () => void
  /** Sends a message: shown at once as `sending`, then `sent` or `failed`. Never rejects. */
  readonly send: (content: string) => Promise<void>
  /** Loads the page of messages before the oldest one shown. Never rejects. */
  readonly loadOlder: () => Promise<void>
  /** Marks every message read for the user (one write). Never rejects. */
  readonly markRead: () => Promise<void>
}

const CHAT_ERROR_MESSAGES: Partial<BookingErrorMessages> = {
  network: 'Not sent: check your connection.',
  unavailable: 'Not sent: the chat is temporarily unavailable.',
  invalid: () => 'Not sent: the message is empty or too long.',
  unknown: 'Not sent.',
}

interface Outgoing {
  readonly clientMessageId: string
  readonly content: string
  readonly createdAt: string
  status: 'sending' | 'failed'
  error: unknown
  kind: BookingErrorKind | undefined
}

const createdOf = (row: ChatMessageRow): string => String(row.$createdAt)
/** Epoch ms of an ISO time, whatever its offset notation (`Z` or `+00:00`). */
const ms = (iso: string): number => Date.parse(iso) || 0

class ChatRoomObserverImpl extends ObserverStore<ChatRoomSnapshot> implements ChatRoomObserver {
  readonly #options: ChatRoomObserverOptions
  readonly #clock: Clock
  readonly #history = new Map<string, ChatMessageRow>()
  readonly #outgoing = new Map<string, Outgoing>()
  #feed: RoomFeed | undefined
  #feedOff: (() => void) | undefined
  #started = false
  /** `undefined` before the first page; `null` when there is nothing older. */
  #cursor: string | null | undefined

  constructor(options: ChatRoomObserverOptions) {
    super({
      roomId: options.roomId,
      status: 'loading',
      error: undefined,
      messages: Object.freeze([]),
      connection: 'connecting',
      realtimeError: undefined,
      hasOlder: false,
      loadingOlder: false,
      unreadCount: 0,
      lastReadAt: options.lastReadAt ?? null,
    })
    this.#options = options
    this.#clock = options.clock ?? systemClock
  }

  protected override onStart(): void {
    if (!this.#started) {
      // Once per observer: a StrictMode remount must not read the room twice.
      this.#started = true
      void this.#page(undefined)
    }
    try {
      const feed = (this.#feed ??= this.#options.guard.roomFeed(this.#options.roomId))
      this.#feedOff = feed.subscribe(() => this.#render())
      this.#render()
    } catch (error) {
      this.update({ connection: 'offline', realtimeError: error })
    }
  }

  protected override onStop(): void {
    this.#feedOff?.()
    this.#feedOff = undefined
  }

  readonly send = (content: string): Promise<void> => {
    const clientMessageId = randomId('m')
    this.#outgoing.set(clientMessageId, {
      clientMessageId,
      content,
      createdAt: new Date(this.#clock.now()).toISOString(),
      status: 'sending',
      error: undefined,
      kind: undefined,
    })
    return this.#deliver(clientMessageId)
  }

  readonly loadOlder = async (): Promise<void> => {
    const cursor = this.#cursor
    if (typeof cursor !== 'string' || this.getSnapshot().loadingOlder) return
    this.update({ loadingOlder: true })
    await this.#page(cursor)
  }

  readonly markRead = async (): Promise<void> => {
    const { guard, roomId, user } = this.#options
    try {
      const { readAt } = await guard.markMessagesRead(roomId, { readerId: user.id })
      this.update({ lastReadAt: readAt })
      this.#render()
    } catch (error) {
      this.update({ error })
    }
  }

  async #page(cursor: string | undefined): Promise<void> {
    const { guard, roomId, pageSize = 30 } = this.#options
    try {
      const page = await guard.listMessages(roomId, {
        limit: pageSize,
        ...(cursor === undefined ? {} : { cursor }),
      })
      for (const message of page.messages) this.#history.set(message.$id, message)
      this.#cursor = page.nextCursor ?? null
      this.update({ status: 'ready', loadingOlder: false })
    } catch (error) {
      this.update(
        cursor === undefined ? { status: 'error', error } : { error, loadingOlder: false },
      )
    }
    this.#render()
  }

  async #deliver(clientMessageId: string): Promise<void> {
    const outgoing = this.#outgoing.get(clientMessageId)
    if (outgoing === undefined) return
    outgoing.status = 'sending'
    this.#render()
    const { guard, roomId, user } = this.#options
    try {
      const { message } = await guard.sendMessage(roomId, {
        senderId: user.id,
        senderType: user.type,
        senderName: user.name,
        content: outgoing.content,
        clientMessageId,
      })
      // Shown as stored even if realtime never delivers it.
      this.#history.set(message.$id, message)
      this.#outgoing.delete(clientMessageId)
    } catch (error) {
      outgoing.status = 'failed'
      outgoing.error = error
      outgoing.kind = describeBookingError(error).kind
    }
    this.#render()
  }

  /** Rebuilds the message list from history, the feed and the outgoing messages. */
  #render(): void {
    const { user, messages } = this.#options
    const feed = this.#feedOff === undefined ? undefined : this.#feed?.getSnapshot()
    const rows = new Map(this.#history)
    for (const message of feed?.messages ?? []) {
      const known = rows.get(message.$id)
      if (known === undefined || ms(message.$updatedAt) >= ms(known.$updatedAt)) {
        rows.set(message.$id, message)
      }
    }
    const stored = [...rows.values()].sort(
      (a, b) => ms(createdOf(a)) - ms(createdOf(b)) || (a.$id < b.$id ? -1 : 1),
    )
    const storedClientIds = new Set(stored.map((row) => row.clientMessageId))
    const lastReadAt = this.getSnapshot().lastReadAt
    const readUntil = lastReadAt === null ? -Infinity : ms(lastReadAt)
    let unreadCount = 0
    const list: ChatRoomMessage[] = stored.map((row): ChatRoomMessage => {
      const mine = row.senderId === user.id
      if (!mine && ms(createdOf(row)) > readUntil) unreadCount++
      return Object.freeze({
        id: row.$id,
        clientMessageId: row.clientMessageId ?? undefined,
        content: row.content,
        senderId: row.senderId,
        senderType: row.senderType,
        senderName: row.senderName,
        messageType: row.messageType,
        createdAt: createdOf(row),
        status: 'sent',
        mine,
        error: undefined,
        userMessage: undefined,
        retry: undefined,
      })
    })
    for (const outgoing of this.#outgoing.values()) {
      // Stored meanwhile (realtime was faster than the answer): the stored row is shown.
      if (storedClientIds.has(outgoing.clientMessageId)) continue
      const failed = outgoing.status === 'failed'
      list.push(
        Object.freeze({
          id: outgoing.clientMessageId,
          clientMessageId: outgoing.clientMessageId,
          content: outgoing.content,
          senderId: user.id,
          senderType: user.type,
          senderName: user.name,
          messageType: 'text',
          createdAt: outgoing.createdAt,
          status: outgoing.status,
          mine: true,
          error: outgoing.error,
          userMessage: failed
            ? describeBookingError(outgoing.error, { ...CHAT_ERROR_MESSAGES, ...messages }).message
            : undefined,
          retry: failed ? () => this.#deliver(outgoing.clientMessageId) : undefined,
        }),
      )
    }
    this.update({
      messages: Object.freeze(list),
      unreadCount,
      hasOlder: typeof this.#cursor === 'string',
      ...(feed === undefined ? {} : { connection: feed.connection }),
    })
  }
}

/**
 * A chat room for one participant, as a snapshot (`useSyncExternalStore`-ready): the newest page
 * of history plus the room's realtime feed (with its catch-up), deduplicated; `send` shows a
 * message at once as `sending`, then `sent` or `failed` with `retry()` (the same client id, so a
 * retry never stores it twice); `loadOlder` pages back with the cursor; `unreadCount` and
 * `markRead`. The first listener reads the room (once per observer) and subscribes to the feed;
 * the last one unsubscribes. Creating one has no side effect.
 *
 * @example
 * ```ts
 * const room = createChatRoomObserver({
 *   guard,
 *   roomId: bookingId,
 *   user: { id: 'c1', type: 'customer', name: 'Ana' },
 * })
 * room.subscribe(() => render(room.getSnapshot().messages))
 * await room.send('On my way')
 * ```
 */
export function createChatRoomObserver(options: ChatRoomObserverOptions): ChatRoomObserver {
  return new ChatRoomObserverImpl(options)
}
