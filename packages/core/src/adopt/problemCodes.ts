// The names of what an audit finds. A leaf module (it imports nothing): @booking-guard/testing's
// incident database builds it into its own bundle to name the damage it plants.

/** What an audit can find. */
export type AuditProblemCode =
  /** A booking with no chat room (no room row has its `bookingId`). */
  | 'missingChatRoom'
  /** A booking with no system message in its room. */
  | 'missingSystemMessage'
  /** A booking whose provider was never notified. */
  | 'missingNotification'
  /** A notification or chat message in another table than the mapping says. */
  | 'misplacedRow'
  /** A row whose permissions include `any`, `guests` or `users`. */
  | 'openPermissions'
  /** A row still written with legacy field names (`therapistId`, `isRead`, …). */
  | 'legacyFields'
  /** A row with an enum value in the app's old spelling (`'Pending'`). */
  | 'legacyValue'
  /** A booking still pending long after it was made. */
  | 'stuckPending'
  /** A live booking for a slot another live booking already holds. */
  | 'duplicateSlot'

/** Every audit problem code, in report order. */
export const AUDIT_PROBLEM_CODES: readonly AuditProblemCode[] = [
  'missingChatRoom',
  'missingSystemMessage',
  'missingNotification',
  'misplacedRow',
  'openPermissions',
  'legacyFields',
  'legacyValue',
  'stuckPending',
  'duplicateSlot',
]
