'use client'
import { useContext } from 'react'
import { createChatRoomObserver } from '@booking-guard/core/observers'
import type { BookingErrorMessages } from '@booking-guard/core'
import type {
  ChatParticipant,
  ChatRoomObserver,
  ChatRoomSnapshot,
} from '@booking-guard/core/observers'
import { ChatContext } from './ChatProvider'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useChatRoom}. */
export interface UseChatRoomOptions {
  /** Who reads and writes. Defaults to the `user` of the nearest `ChatProvider`. */
  user?: ChatParticipant
  /** Messages per page of history (and per `loadOlder`), 1–100. Defaults to `30`. */
  pageSize?: number
  /** The user's read marker when the app knows it (see `unreadCount`). Defaults to `null`. */
  lastReadAt?: string | null
  /** User-facing messages per error kind for failed sends. */
  messages?: Partial<BookingErrorMessages>
}

/** What {@link useChatRoom} returns: the room snapshot plus its actions. */
export interface UseChatRoomResult extends ChatRoomSnapshot {
  /** Sends a message, shown at once as `sending`, then `sent` or `failed` (with `retry()`). */
  send: ChatRoomObserver['send']
  /** Loads the previous page of messages. */
  loadOlder: ChatRoomObserver['loadOlder']
  /** Marks every message read for the user. */
  markRead: ChatRoomObserver['markRead']
}

/**
 * A chat room: its messages (the newest page of history, then realtime with catch-up),
 * `send(content)` with optimistic messages that go `sending` → `sent` or `failed` with
 * `retry()`, `loadOlder()` by cursor, `unreadCount` and `markRead()`. Needs
 * {@link BookingGuardProvider}, and the user from `ChatProvider` or `options.user`.
 *
 * @example
 * ```tsx
 * function ChatRoom({ roomId }: { roomId: string }) {
 *   const { messages, send, hasOlder, loadOlder } = useChatRoom(roomId)
 *   const [text, setText] = useState('')
 *   return (
 *     <section>
 *       {hasOlder && <button onClick={() => void loadOlder()}>Older messages</button>}
 *       <ul>
 *         {messages.map((m) => (
 *           <li key={m.clientMessageId ?? m.id}>
 *             {m.content} {m.status === 'failed' && <button onClick={() => void m.retry?.()}>Retry</button>}
 *           </li>
 *         ))}
 *       </ul>
 *       <form onSubmit={(e) => { e.preventDefault(); void send(text); setText('') }}>
 *         <input value={text} onChange={(e) => setText(e.target.value)} />
 *       </form>
 *     </section>
 *   )
 * }
 * ```
 */
export function useChatRoom(roomId: string, options: UseChatRoomOptions = {}): UseChatRoomResult {
  const { guard, clock } = useGuardContext('useChatRoom')
  const chat = useContext(ChatContext)
  const user = options.user ?? chat?.user
  if (user === undefined) {
    throw new Error(
      'useChatRoom needs a user: <ChatProvider user={…}> or useChatRoom(roomId, { user })',
    )
  }
  const observer = useObserver(
    () => createChatRoomObserver({ ...options, guard, roomId, user, clock }),
    [guard, clock, roomId, user.id, user.type, user.name],
  )
  return {
    ...useSnapshot(observer),
    send: observer.send,
    loadOlder: observer.loadOlder,
    markRead: observer.markRead,
  }
}
