// The void marker of a compensated booking: a tiny module, read by feeds in the browser too.

/**
 * The response deadline compensation writes on a booking it undoes: the void marker. A late
 * write that lands after compensation (Appwrite has no conditional update) can set
 * `pipelineStatus` back to `delivered`, but never this deadline, so such a row still reads as
 * void: feeds hide it and the reconciler fails it again. A legitimate revival (a retry with the
 * idempotency key) sets a new deadline.
 *
 * @internal
 */
export const VOID_DEADLINE = '1970-01-01T00:00:00.000Z'

/** Bookings whose deadline is before this instant carry the void marker. @internal */
export const VOID_DEADLINE_BEFORE = '1970-01-02T00:00:00.000Z'

/**
 * Whether a booking row carries the void marker: compensated, so never live, whatever its
 * `pipelineStatus` says.
 *
 * @internal
 */
export function isVoided(row: object): boolean {
  const deadline = (row as { readonly responseDeadline?: unknown }).responseDeadline
  return typeof deadline === 'string' && Date.parse(deadline) < 86_400_000
}

/**
 * Whether a booking row was compensated: failed by the pipeline, or carrying the void marker
 * (whatever `pipelineStatus` a late write set). Such a booking is no booking: reads and feeds leave
 * it out, and a retry with its key revives it.
 *
 * @internal
 */
export function isCompensated(row: object): boolean {
  return (row as { readonly pipelineStatus?: unknown }).pipelineStatus === 'failed' || isVoided(row)
}

/**
 * Whether a booking row is finished and live: `delivered` and without the void marker (a
 * compensated booking that a late deliver write set back to `delivered` is not).
 *
 * @internal
 */
export function isLive(row: object): boolean {
  return (
    (row as { readonly pipelineStatus?: unknown }).pipelineStatus === 'delivered' && !isVoided(row)
  )
}

/** What compensation writes on a booking it undoes: failed, slot freed, void marker set. @internal */
export const VOID_PATCH: Readonly<Record<string, unknown>> = Object.freeze({
  pipelineStatus: 'failed',
  slotKey: null,
  responseDeadline: VOID_DEADLINE,
})
