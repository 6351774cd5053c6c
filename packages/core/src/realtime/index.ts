/**
 * `@booking-guard/core/realtime`: feeds, the watchdog and the health check on their own, with
 * their tuning defaults. A guard or a booking client builds all of them for you
 * (`guard.providerFeed`, `guard.watchdog`, `guard.runHealthCheck`).
 *
 * @packageDocumentation
 */
export { defaultChannel } from './types'
export type {
  ChannelBuilder,
  FeedBooking,
  FeedConnection,
  FeedListenOptions,
  FeedMessage,
  ProviderBookingEvent,
  ProviderFeedSnapshot,
  RealtimeConnectionLike,
  RealtimeLifecycleLike,
  RealtimeMetrics,
  RealtimeMonitor,
  RoomFeedSnapshot,
  RoomMessageEvent,
  WatchdogState,
} from './types'
export {
  DEFAULT_DEAD_AFTER_MISSES,
  DEFAULT_WATCHDOG_INTERVAL_MS,
  DEFAULT_WATCHDOG_TIMEOUT_MS,
  createWatchdog,
} from './watchdog'
export type {
  Watchdog,
  WatchdogConfig,
  WatchdogOptions,
  WatchdogReason,
  WatchdogSnapshot,
  WatchdogStateChange,
} from './watchdog'
export {
  DEFAULT_INITIAL_LIMIT,
  DEFAULT_OVERLAP_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RECONCILE_INTERVAL_MS,
  createFeedManager,
} from './feed'
export type {
  CustomerFeed,
  Feed,
  FeedConfig,
  FeedManager,
  FeedManagerOptions,
  ProviderFeed,
  RoomFeed,
} from './feed'
export { createProviderFeed } from './providerFeed'
export type { ProviderFeedOptions } from './providerFeed'
export { createRoomFeed } from './roomFeed'
export type { RoomFeedOptions } from './roomFeed'
export {
  DEFAULT_HEALTH_CHECK_INTERVAL_MS,
  DEFAULT_SYNTHETIC_CUSTOMER_ID,
  DEFAULT_SYNTHETIC_PROVIDER_ID,
  createHealthCheck,
} from './healthCheck'
export type {
  HealthCheck,
  HealthCheckConfig,
  HealthCheckFetch,
  HealthCheckOptions,
  HealthCheckPing,
  HealthCheckResult,
  HealthCheckSnapshot,
  HealthCheckStep,
  HealthCheckStepName,
  SyntheticBookingRequest,
  SyntheticBookingWriter,
} from './healthCheck'
export type { GuardFeeds, GuardRealtime, GuardRealtimeOptions } from './guardRealtime'
