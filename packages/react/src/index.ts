'use client'
export { BookingGuardProvider } from './BookingGuardProvider'
export type { BookingGuardProviderProps } from './BookingGuardProvider'
export { ChatProvider, useChatProvider } from './ChatProvider'
export type { ChatProviderProps, ChatProviderValue, OpenChat } from './ChatProvider'
export { useBookingGuard } from './useBookingGuard'
export { useBookingSubmit } from './useBookingSubmit'
export type { UseBookingSubmitOptions, UseBookingSubmitResult } from './useBookingSubmit'
export { useChatRoom } from './useChatRoom'
export type { UseChatRoomOptions, UseChatRoomResult } from './useChatRoom'
export { useProviderBookings } from './useProviderBookings'
export type { UseProviderBookingsOptions, UseProviderBookingsResult } from './useProviderBookings'
export { useCustomerBookings } from './useCustomerBookings'
export type { UseCustomerBookingsOptions, UseCustomerBookingsResult } from './useCustomerBookings'
export { useConnectionState } from './useConnectionState'
export type { UseConnectionStateOptions } from './useConnectionState'
export { useErrorMonitor } from './useErrorMonitor'
export type { UseErrorMonitorOptions, UseErrorMonitorResult } from './useErrorMonitor'
export { useHealth } from './useHealth'
export type { UseHealthOptions, UseHealthResult } from './useHealth'
// The types the hooks return, so apps need not import core for them.
export type { BookingErrorKind, BookingRow } from '@booking-guard/core'
export type {
  BookingSubmitError,
  BookingSubmitStatus,
  ChatMessageStatus,
  ChatParticipant,
  ChatRoomMessage,
  ConnectionState,
  ProviderBookingItem,
} from '@booking-guard/core/observers'
