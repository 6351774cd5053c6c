import { createFeedManager } from './feed'
import type { FeedManagerOptions, RoomFeed } from './feed'

/** Options of {@link createRoomFeed}: a {@link FeedManagerOptions} plus the room. */
export interface RoomFeedOptions extends FeedManagerOptions {
  /** The chat room whose messages to follow (its id is the booking id). */
  roomId: string
}

/**
 * Creates a live, gap-free feed of one chat room's messages on its own subscription and
 * watchdog; inside a guard, `guard.roomFeed(roomId)` / `guard.subscribeToRoom`.
 *
 * @example
 * ```ts
 * const room = createRoomFeed({ tablesDB, realtime: new Realtime(client), databaseId: 'main', roomId: bookingId })
 * const stop = room.listen(({ type, message }) => {
 *   if (type === 'created') appendMessage(message)
 * })
 * ```
 */
export function createRoomFeed(options: RoomFeedOptions): RoomFeed {
  return createFeedManager(options).roomFeed(options.roomId)
}
