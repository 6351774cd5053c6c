import { createFeedManager } from './feed'
import type { FeedManagerOptions, ProviderFeed } from './feed'

/** Options of {@link createProviderFeed}: a {@link FeedManagerOptions} plus the provider. */
export interface ProviderFeedOptions extends FeedManagerOptions {
  /** The provider whose bookings to follow (matched on `providerId`, legacy `therapistId` included). */
  providerId: string
}

/**
 * Creates a live, gap-free feed of one provider's bookings on its own subscription and
 * watchdog. To follow many providers, use one {@link createFeedManager} (one subscription for
 * all); inside a guard, `guard.providerFeed(providerId)`.
 *
 * @example
 * ```ts
 * const feed = createProviderFeed({ tablesDB, realtime: new Realtime(client), databaseId: 'main', providerId })
 * const stop = feed.listen(({ type, booking }) => {
 *   if (type === 'created') playSound()
 * })
 * // React: useSyncExternalStore(feed.subscribe, feed.getSnapshot).bookings
 * ```
 */
export function createProviderFeed(options: ProviderFeedOptions): ProviderFeed {
  return createFeedManager(options).providerFeed(options.providerId)
}
