import { CallBudget, raceAbort } from './budget'
import { clip } from './format'
import { capture, emit } from './report'
import type { PipelineRuntime, PushEventBase, PushMessage, PushSender } from './types'
import { remote } from './writes'

export type { PushAttemptContext, PushMessage, PushSender } from './types'

/** A notification row as far as push delivery needs it: the push message's fields under the row's names. @internal */
export interface PushableNotification extends Omit<PushMessage, 'notificationId' | 'bookingId'> {
  readonly $id: string
  readonly bookingId?: string | null | undefined
  readonly pushAttempts?: number | null | undefined
}

/** How a push delivery ended. @internal */
export type PushOutcome = 'sent' | 'skipped' | 'failed'

const PUSH_ERROR_MAX_LENGTH = 1000

/**
 * Runs the app's push sender for a notification with retry, then records the outcome on the
 * notification row (`pushStatus`, `pushAttempts`, `pushError`). Never throws: a push failure never
 * fails a booking; it is an event, a metric and a monitor entry instead.
 *
 * @internal
 */
export async function deliverPush(
  rt: PipelineRuntime,
  notification: PushableNotification,
): Promise<PushOutcome> {
  const sender = rt.pushSender
  if (sender === undefined) return 'skipped'
  const message: PushMessage = {
    notificationId: notification.$id,
    bookingId: notification.bookingId,
    recipientId: notification.recipientId,
    recipientType: notification.recipientType,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    priority: notification.priority,
  }
  const before = notification.pushAttempts ?? 0
  let attempts = 0
  const budget = new CallBudget(rt.clock, rt.settings.pushTimeoutMs)
  let outcome: PushOutcome
  let failure: unknown
  try {
    const sent = await rt.pushPolicy.execute(
      (context) => {
        attempts++
        let value: ReturnType<PushSender>
        try {
          value = sender(message, context)
        } catch (error) {
          return Promise.reject(error as Error)
        }
        return raceAbort(() => Promise.resolve(value), context.signal)
      },
      { signal: budget.signal },
    )
    outcome = sent === 'skipped' ? 'skipped' : 'sent'
  } catch (error) {
    outcome = 'failed'
    failure = error
  } finally {
    budget.dispose()
  }
  const patch: Record<string, unknown> = {
    pushStatus: outcome,
    pushAttempts: Math.min(1000, before + attempts),
    pushError: outcome === 'failed' ? clip(describe(failure), PUSH_ERROR_MAX_LENGTH) : null,
  }
  const recordBudget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    await remote(
      rt,
      () => rt.backend.update(rt.tables.notification, notification.$id, patch),
      recordBudget.signal,
    )
  } catch (error) {
    // The row keeps `pushStatus: 'pending'`: the reconciler retries stale pending pushes.
    capture(rt, error, 'notification', 'warning', 'push.record', {
      notificationId: notification.$id,
      bookingId: notification.bookingId,
      pushStatus: outcome,
    })
  } finally {
    recordBudget.dispose()
  }
  const at = rt.clock.now()
  const total = before + attempts
  const eventBase = (): PushEventBase => ({
    at,
    bookingId: notification.bookingId ?? '',
    notificationId: notification.$id,
    attempts: total,
  })
  if (outcome === 'failed') {
    rt.metrics?.recordNotification(false)
    capture(rt, failure, 'notification', 'warning', 'push', {
      notificationId: notification.$id,
      bookingId: notification.bookingId,
      attempts: total,
    })
    emit(rt, () => ({ type: 'pushFailed', ...eventBase(), error: failure }))
  } else {
    rt.metrics?.recordNotification(true)
    emit(rt, () => ({
      type: 'pushDelivered',
      ...eventBase(),
      status: outcome === 'skipped' ? 'skipped' : 'sent',
    }))
  }
  return outcome
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

/**
 * Starts a push delivery in the background (after a commit); `guard.idle()` awaits it.
 *
 * @internal
 */
export function schedulePush(rt: PipelineRuntime, notification: PushableNotification): void {
  const delivery = deliverPush(rt, notification)
  rt.background.add(delivery)
  const done = () => rt.background.delete(delivery)
  delivery.then(done, done)
}
