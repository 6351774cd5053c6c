/**
 * `@booking-guard/core/observers`: framework-agnostic observable snapshots (`subscribe` +
 * `getSnapshot`, for `useSyncExternalStore` or any other UI library). `@booking-guard/react`'s
 * hooks are built on them; use them to write an adapter for another framework.
 *
 * @packageDocumentation
 */
export type { ObserverLike } from './store'
export {
  DEFAULT_BOOKING_ERROR_MESSAGES,
  createBookingSubmitObserver,
  describeBookingError,
} from './bookingSubmitObserver'
export type {
  BookingErrorDescription,
  BookingErrorKind,
  BookingErrorMessages,
  BookingSubmitObserver,
  BookingSubmitError,
  BookingSubmitObserverOptions,
  BookingSubmitOptions,
  BookingSubmitSnapshot,
  BookingSubmitStatus,
  BookingSuccessContext,
} from './bookingSubmitObserver'
export { createChatRoomObserver } from './chatRoomObserver'
export type {
  ChatMessageStatus,
  ChatParticipant,
  ChatRoomMessage,
  ChatRoomObserver,
  ChatRoomObserverOptions,
  ChatRoomSnapshot,
} from './chatRoomObserver'
export { createProviderBookingsObserver } from './providerBookingsObserver'
export { createCustomerBookingsObserver } from './customerBookingsObserver'
export type {
  CustomerBookingsObserver,
  CustomerBookingsObserverOptions,
  CustomerBookingsSnapshot,
} from './customerBookingsObserver'
export type { BookingListState } from './bookingList'
export type {
  ProviderBookingItem,
  ProviderBookingsObserver,
  ProviderBookingsObserverOptions,
  ProviderBookingsSnapshot,
} from './providerBookingsObserver'
export { createConnectionObserver } from './connectionObserver'
export type {
  ConnectionObserver,
  ConnectionObserverOptions,
  ConnectionSnapshot,
  ConnectionState,
} from './connectionObserver'
export { createErrorMonitorObserver } from './errorMonitorObserver'
export type {
  ErrorMonitorObserver,
  ErrorMonitorObserverOptions,
  ErrorMonitorView,
} from './errorMonitorObserver'
export { createHealthObserver } from './healthObserver'
export type { HealthObserver, HealthObserverOptions, HealthSnapshot } from './healthObserver'
