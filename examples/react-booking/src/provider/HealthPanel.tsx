import { describeBookingError } from '@booking-guard/core'
import type { MetricsSnapshot } from '@booking-guard/core'
import { useHealth } from '@booking-guard/react'
import type { ProviderBookingItem } from '@booking-guard/react'
import { useEffect, useState } from 'react'
import type { Session } from '../session'

/** `ok` of `total`, as a percentage. */
interface Rate {
  readonly ok: number
  readonly total: number
}

const percent = (rate: Rate | undefined) =>
  rate === undefined || rate.total === 0
    ? '—'
    : `${((rate.ok / rate.total) * 100).toFixed(1)}% of ${rate.total}`

/** How many of the listed bookings passed a communication check (`undefined`: still checking). */
function communicationRate(
  bookings: readonly ProviderBookingItem[],
  key: 'chatRoom' | 'notification',
): Rate {
  const checked = bookings.filter((b) => b.communication !== undefined)
  return {
    ok: checked.filter((b) => b.communication?.[key] === 'ok').length,
    total: checked.length,
  }
}

const fromMetrics = (metrics: MetricsSnapshot, key: 'realtimeMatch' | 'healthCheckPass') => {
  const rate = metrics.rates[key]
  return { ok: rate.samples - rate.failures, total: rate.samples }
}

/**
 * The booking Function's synthetic health check (a booking through the whole pipeline and
 * realtime, then removed) and the incident's four rates, as this browser sees them: chat rooms
 * and notifications of the bookings listed here, realtime match of this dashboard's feed, and
 * the health checks run from this panel.
 */
export function HealthPanel({
  session,
  bookings,
}: {
  session: Session
  bookings: readonly ProviderBookingItem[]
}) {
  const { last, checking, check } = useHealth()
  const [metrics, setMetrics] = useState<MetricsSnapshot>(() => session.metrics.snapshot())
  const [error, setError] = useState<string>()

  useEffect(() => {
    const timer = setInterval(() => setMetrics(session.metrics.snapshot()), 5_000)
    return () => clearInterval(timer)
  }, [session])

  const run = () => {
    setError(undefined)
    check().then(
      (result) => {
        session.metrics.recordHealthCheck(result.ok)
        setMetrics(session.metrics.snapshot())
      },
      (e: unknown) => setError(describeBookingError(e).message),
    )
  }
  const rates: readonly [string, Rate][] = [
    ['Chat room creation', communicationRate(bookings, 'chatRoom')],
    ['Notification delivery', communicationRate(bookings, 'notification')],
    ['Realtime match', fromMetrics(metrics, 'realtimeMatch')],
    ['Health check pass', fromMetrics(metrics, 'healthCheckPass')],
  ]
  return (
    <section className="card" aria-labelledby="health-heading" data-testid="health">
      <h2 id="health-heading">Health and metrics</h2>
      <p>
        Synthetic booking:{' '}
        <strong data-testid="health-status">
          {last === null
            ? 'not run yet'
            : last.ok
              ? `passed in ${Math.round(last.durationMs)} ms`
              : `failing at ${last.failedStep}`}
        </strong>{' '}
        <button type="button" onClick={run} disabled={checking}>
          {checking ? 'Checking…' : 'Run health check'}
        </button>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Rate</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rates.map(([label, rate]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{percent(rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {error !== undefined && <p role="alert">{error}</p>}
    </section>
  )
}
