import type { MetricsSnapshot, PipelineRate, RateMetric } from '@booking-guard/core'
import { useEffect, useState } from 'react'
import type { ServerHealth, Session } from '../session'

const RATES: readonly [PipelineRate, string, 'server' | 'browser'][] = [
  ['chatRoomCreation', 'Chat room creation', 'server'],
  ['notificationDelivery', 'Notification delivery', 'server'],
  ['realtimeMatch', 'Realtime match', 'browser'],
  ['healthCheckPass', 'Health check pass', 'server'],
]

const percent = (rate: RateMetric) =>
  rate.value === undefined ? '—' : `${(rate.value * 100).toFixed(1)}% of ${rate.samples}`

/**
 * The incident's four rates: chat rooms and notifications per booking and the health check from
 * the server (which makes the bookings), realtime match from this browser's feed.
 */
export function HealthPanel({ session }: { session: Session }) {
  const [server, setServer] = useState<ServerHealth>()
  const [browser, setBrowser] = useState<MetricsSnapshot>(() => session.metrics.snapshot())
  const [checking, setChecking] = useState(false)
  const [error, setError] = useState<string>()

  useEffect(() => {
    let live = true
    const refresh = () => {
      setBrowser(session.metrics.snapshot())
      session.server.health().then(
        (health) => live && setServer(health),
        (e: unknown) => live && setError(String(e)),
      )
    }
    refresh()
    const timer = setInterval(refresh, 5_000)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [session])

  const check = () => {
    setChecking(true)
    session.server.checkHealth().then(
      (health) => {
        setServer(health)
        setChecking(false)
      },
      (e: unknown) => {
        setError(String(e))
        setChecking(false)
      },
    )
  }
  const last = server?.last
  return (
    <section className="card" aria-labelledby="health-heading" data-testid="health">
      <h2 id="health-heading">Health and metrics</h2>
      <p>
        Synthetic booking:{' '}
        <strong data-testid="health-status">
          {last == null
            ? 'not run yet'
            : last.ok
              ? `passed in ${Math.round(last.durationMs)} ms`
              : `failing at ${last.failedStep}`}
        </strong>{' '}
        <button type="button" onClick={check} disabled={checking}>
          {checking ? 'Checking…' : 'Run health check'}
        </button>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Rate</th>
            <th scope="col">Value</th>
            <th scope="col">Alert below</th>
          </tr>
        </thead>
        <tbody>
          {RATES.map(([key, label, where]) => {
            const rate = (where === 'server' ? server?.metrics : browser)?.rates[key]
            return (
              <tr key={key} className={rate?.breached ? 'breached' : undefined}>
                <th scope="row">{label}</th>
                <td>{rate === undefined ? '—' : percent(rate)}</td>
                <td>{rate === undefined ? '—' : `${rate.threshold * 100}%`}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {error !== undefined && <p role="alert">{error}</p>}
    </section>
  )
}
