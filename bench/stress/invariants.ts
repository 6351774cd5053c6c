// The guarantee's invariants over every stored row, shared by the stress scenarios (`run.ts`, the
// guard in-process; `server.ts`, the booking server over HTTP): no booking left pending, every
// delivered booking with its chat room, system message and provider notification, no row of a
// failed or missing booking, at most one live booking per slot.

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
