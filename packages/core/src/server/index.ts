// `@booking-guard/core/server`: the booking server for Appwrite Functions and Fetch API backends.
// Server only: it writes with an API key and loads `node-appwrite` on first use.
export { createBookingFunction } from './createBookingFunction'
export type { BookingFunctionOptions, FunctionContextLike } from './createBookingFunction'
export { createBookingHandler } from './createBookingHandler'
export type { BookingHandlerOptions } from './createBookingHandler'
export { statusOfBookingError } from './bookingRoutes'
export type {
  BookingCaller,
  BookingForm,
  BookingProvider,
  BookingServerOptions,
} from './bookingRoutes'
