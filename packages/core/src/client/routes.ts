/**
 * The paths the booking server answers (all `POST`, JSON in and out), below its base path. The
 * `:id` parts are a booking id or a chat room id. Shared by the browser client and the server.
 *
 * @internal
 */
export const BOOKING_ROUTES = {
  createBooking: '/bookings',
  respond: '/bookings/:id/respond',
  cancel: '/bookings/:id/cancel',
  sendMessage: '/rooms/:id/messages',
  healthCheck: '/health-check',
} as const

/** A route's path with its id filled in. @internal */
export const routePath = (route: keyof typeof BOOKING_ROUTES, id = ''): string =>
  BOOKING_ROUTES[route].replace(':id', encodeURIComponent(id))
