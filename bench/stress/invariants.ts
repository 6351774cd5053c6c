// The guarantee's invariants over every stored row, shared by the stress scenarios (`run.ts`, the
// guard in-process; `server.ts`, the booking server over HTTP; `function.ts`, the booking Function
// on Appwrite's Functions): no booking left pending, every delivered booking with its chat room,
// system message and provider notification, no row of a failed or missing booking, at most one
// live booking per slot; and the server path's own promises (`checkServerPath`).
import { customerId, SERVER_PATH } from './support'
import type { Attack, Made, StressProvider } from './support'

/** A stored row, as `fake.snapshot()` gives it. */
export type StoredRow = Record<string, unknown> & { $id: string }

/** Records one check: `ok` false is a violation, described by `problem`. */
export type Count = (name: string, ok: boolean, problem: () => string) => void

/**
 * The void marker compensation writes (an epoch response deadline): never live, whatever
 * `pipelineStatus` a late write set (see `isVoided` in packages/core/src/pipeline/rows.ts).
 */
export const voided = (row: Record<string, unknown>): boolean =>
  typeof row.responseDeadline === 'string' && Date.parse(row.responseDeadline) < 86_400_000

export const delivered = (row: Record<string, unknown>): boolean =>
  row.pipelineStatus === 'delivered' && !voided(row)

/** Delivered and still open: the booking holds its slot. */
export const live = (row: Record<string, unknown>): boolean =>
  delivered(row) && (row.status === 'pending' || row.status === 'confirmed')

/** A row's state for a violation message. */
export const stored = (row: Record<string, unknown> | undefined): string =>
  row === undefined
    ? 'nothing'
    : `pipelineStatus ${String(row.pipelineStatus)}${voided(row) ? ', void' : ''}`

/** The four booking tables of one database in a snapshot. */
export interface BookingTables {
  readonly bookings: readonly StoredRow[]
  readonly rooms: readonly StoredRow[]
  readonly messages: readonly StoredRow[]
  readonly notifications: readonly StoredRow[]
}

export function bookingTables(database: Record<string, readonly StoredRow[]> | undefined) {
  const tables = database ?? {}
  return {
    bookings: tables.bookings ?? [],
    rooms: tables.chat_rooms ?? [],
    messages: tables.chat_messages ?? [],
    notifications: tables.notifications ?? [],
  } satisfies BookingTables
}

/** Checks the guarantee over every row; answers the bookings by id and the row counts. */
export function checkGuarantee(tables: BookingTables, count: Count) {
  const { bookings, rooms, messages, notifications } = tables
  const byId = new Map(bookings.map((row) => [row.$id, row]))
  const withRoom = new Set(rooms.map((row) => row.bookingId))
  const withSystemMessage = new Set(
    messages.filter((row) => row.senderType === 'system').map((row) => row.bookingId),
  )
  const withProviderNotice = new Set(
    notifications
      .filter((row) => byId.get(String(row.bookingId))?.providerId === row.recipientId)
      .map((row) => row.bookingId),
  )
  for (const row of bookings) {
    count('no booking left pending', row.pipelineStatus !== 'pending', () => row.$id)
    if (!delivered(row)) continue
    for (const [what, set] of [
      ['chat room', withRoom],
      ['system message', withSystemMessage],
      ['provider notification', withProviderNotice],
    ] as const) {
      count(`delivered booking has its ${what}`, set.has(row.$id), () => `${row.$id} has none`)
    }
  }
  for (const [table, rows] of [
    ['chat_rooms', rooms],
    ['chat_messages', messages],
    ['notifications', notifications],
  ] as const) {
    for (const row of rows) {
      const booking = byId.get(String(row.bookingId))
      count(
        'no orphan row',
        booking !== undefined && booking.pipelineStatus !== 'failed' && !voided(booking),
        () =>
          `${table}/${row.$id} belongs to ${booking === undefined ? 'a missing' : 'a failed'} booking ${String(row.bookingId)}`,
      )
    }
  }
  const slots = new Map<string, string[]>()
  for (const row of bookings) {
    if (!live(row) || typeof row.scheduledAt !== 'string') continue
    const slot = `${String(row.providerId)}@${Date.parse(row.scheduledAt)}`
    slots.set(slot, [...(slots.get(slot) ?? []), row.$id])
  }
  for (const [slot, ids] of slots) {
    count('at most one live booking per slot', ids.length === 1, () => `${slot}: ${ids.join(', ')}`)
  }
  return {
    byId,
    rows: {
      bookings: bookings.length,
      delivered: bookings.filter(delivered).length,
      failed: bookings.filter((row) => row.pipelineStatus === 'failed').length,
      voided: bookings.filter(voided).length,
      chat_rooms: rooms.length,
      chat_messages: messages.length,
      notifications: notifications.length,
    },
  }
}

/** A check counter: how many times each check ran, and every violation. */
export function createChecks() {
  const checked: Record<string, number> = {}
  const violations: string[] = []
  const count: Count = (name, ok, problem) => {
    checked[name] = (checked[name] ?? 0) + 1
    if (!ok) violations.push(`${name}: ${problem()}`)
  }
  return { checked, violations, count }
}

/** What {@link checkServerPath} checks besides the rows. */
export interface ServerPathRecord {
  readonly made: readonly Made[]
  readonly legit: { readonly acceptSent: ReadonlySet<string> }
  readonly untyped: readonly string[]
  readonly attacks: readonly Attack[]
  readonly providers: Readonly<Record<string, StressProvider>>
}

/** The customer (the verified caller) a stored idempotency key is scoped to: `<length>:<id>/<key>`. */
const customerOfScope = (key: unknown) => {
  const match = typeof key === 'string' ? /^(\d+):/.exec(key) : null
  if (match === null) return undefined
  const start = match[0].length
  return (key as string).slice(start, start + Number(match[1]))
}

/**
 * The server path's promises over the rows and what users were told: told ok means delivered; a
 * final "no" means no live booking; bookings are the sender's, priced by the server, accepted
 * only by their provider; only participants write in a room; the victims' bookings untouched;
 * every hostile request refused with a typed error; every error a client surfaced typed.
 */
export function checkServerPath(
  tables: BookingTables,
  byId: ReadonlyMap<string, StoredRow>,
  record: ServerPathRecord,
  count: Count,
) {
  const { made, providers } = record
  for (const plan of made) {
    if (plan.told !== 'ok') continue
    const row = byId.get(plan.bookingId!)
    count(
      'a customer told ok has a delivered booking',
      row !== undefined && delivered(row),
      () => `${plan.key} was told ok for ${plan.bookingId}, stored ${stored(row)}`,
    )
  }
  // A customer told a final "no" (not "try again") must have no live booking: the app shows
  // "not booked" and offers no retry, so a delivered one would be a booking nobody knows about.
  // Told "try again" and stopped (out of app retries), the same key returns the booking.
  const planOfKey = new Map(made.map((plan) => [`${customerId(plan.customer)}:${plan.key}`, plan]))
  for (const row of tables.bookings) {
    const owner = customerOfScope(row.idempotencyKey)
    const key = String(row.idempotencyKey)
    const plan = planOfKey.get(`${String(owner)}:${key.slice(key.indexOf('/') + 1)}`)
    if (plan === undefined || !delivered(row) || plan.told === 'ok') continue
    count(
      'a customer told a final failure has no live booking',
      plan.again,
      () =>
        `${plan.key} (${String(owner)}) was told ${plan.told}, not to retry, but ${row.$id} is ${stored(row)}; what it was told: ${plan.detail ?? '(no detail)'}`,
    )
  }
  for (const row of tables.bookings) {
    count(
      'a booking is made for the user who sent it',
      customerOfScope(row.idempotencyKey) === row.customerId,
      () => `${row.$id}: customerId ${String(row.customerId)}, key ${String(row.idempotencyKey)}`,
    )
    const provider = providers[String(row.providerId)]
    const price = provider && Math.round((provider.hourly * Number(row.durationMinutes)) / 60)
    count(
      "the price is the server's",
      provider !== undefined && row.price === price && row.currency === 'EUR',
      () =>
        `${row.$id}: ${String(row.price)} ${String(row.currency)} for ${String(row.providerId)}, expected ${String(price)} EUR`,
    )
    if (row.status === 'confirmed' || row.providerResponseStatus === 'Accepted') {
      count(
        'only its provider accepts a booking',
        record.legit.acceptSent.has(row.$id) || !delivered(row),
        () =>
          `${row.$id} is ${String(row.status)} (${String(row.providerResponseStatus)}) with no accept sent by its provider`,
      )
    }
  }
  for (const message of tables.messages) {
    const booking = byId.get(String(message.bookingId))
    if (message.senderType === 'system' || booking === undefined) continue
    const participants = [
      booking.customerId,
      booking.providerId,
      providers[String(booking.providerId)]?.userId,
    ]
    count(
      'only participants write into a room',
      participants.includes(message.senderId),
      () => `${message.$id} in ${String(message.bookingId)} from ${String(message.senderId)}`,
    )
  }
  for (const plan of made.filter((m) => m.customer < SERVER_PATH.victims)) {
    const row = plan.bookingId === undefined ? undefined : byId.get(plan.bookingId)
    if (row === undefined || !delivered(row)) continue
    count(
      'an attacked booking is untouched',
      row.status === 'pending' || row.status === 'expired',
      () => `${row.$id} is ${String(row.status)}`,
    )
    const written = tables.messages.filter(
      (m) => m.bookingId === row.$id && m.senderType !== 'system',
    )
    count(
      'nobody writes into an attacked room',
      written.length === 0,
      () => `${row.$id}: ${written.map((m) => String(m.senderId)).join(', ')}`,
    )
  }
  const refusals = new Set([400, 401, 403, 404, 409, 413])
  for (const attack of record.attacks) {
    // A typed 5xx or 429 (a fault, the server restarting, Appwrite's injected 500 on the
    // execution itself) is inconclusive; an untyped answer, the server's own 500 or a 2xx is not.
    const typedFailure =
      (attack.status >= 502 ||
        attack.status === 429 ||
        (attack.status === 500 && attack.code === 'general_server_error')) &&
      attack.code !== undefined &&
      attack.code !== 'not JSON'
    const noAnswer = attack.status === 0
    count(
      'every hostile request is refused with a typed error',
      (refusals.has(attack.status) && attack.code !== undefined && attack.code !== 'not JSON') ||
        attack.status === -1 ||
        typedFailure ||
        noAnswer,
      () => `${attack.name}: ${attack.status} ${String(attack.code)}`,
    )
  }
  count('every error a client surfaced is typed', record.untyped.length === 0, () =>
    record.untyped.slice(0, 5).join(' | '),
  )
}
