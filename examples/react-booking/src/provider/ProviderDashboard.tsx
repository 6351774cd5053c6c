import { useChatProvider, useConnectionState, useProviderBookings } from '@booking-guard/react'
import type { ProviderBookingItem } from '@booking-guard/react'
import { useEffect, useRef, useState } from 'react'
import { ActiveChat } from '../ChatWindow'
import { explainWriteError } from '../refusal'
import type { Session } from '../session'
import { HealthPanel } from './HealthPanel'

/** The therapist's bookings (they load even when chat is broken), live, with accept/decline. */
export function ProviderDashboard({ session }: { session: Session }) {
  const { bookings, status, warnings } = useProviderBookings(session.user.id)
  const { openChat } = useChatProvider()
  const fresh = useFreshIds(status === 'ready' ? bookings : undefined)
  return (
    <>
      <ConnectionBanner />
      <div className="columns">
        <section className="card" aria-labelledby="bookings-heading">
          <h2 id="bookings-heading">
            Bookings {warnings > 0 && <span className="badge warn">{warnings} need attention</span>}
          </h2>
          {status === 'loading' && <p role="status">Loading bookings…</p>}
          {status === 'error' && <p role="alert">Bookings could not be loaded. Retrying…</p>}
          {status === 'ready' && bookings.length === 0 && <p>No bookings yet.</p>}
          <ul className="bookings" aria-live="polite" data-testid="bookings">
            {bookings.map((item) => (
              <BookingItem
                key={item.booking.$id}
                item={item}
                isNew={fresh.has(item.booking.$id)}
                onOpenChat={() =>
                  openChat({
                    chatRoomId: item.booking.$id,
                    bookingId: item.booking.$id,
                    providerId: item.booking.providerId,
                    providerName: item.booking.customerName,
                  })
                }
                onRespond={(response) =>
                  session.guard.respondToBooking(item.booking.$id, {
                    providerId: session.user.id,
                    response,
                  })
                }
              />
            ))}
          </ul>
        </section>
        <ActiveChat />
      </div>
      <HealthPanel session={session} bookings={bookings} />
    </>
  )
}

/** Ids that arrived after the first load, for a visual (sound-free) cue that fades after 30 s. */
function useFreshIds(items: readonly ProviderBookingItem[] | undefined): ReadonlySet<string> {
  const known = useRef<Set<string>>(undefined)
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set())
  useEffect(() => {
    if (items === undefined) return
    if (known.current === undefined) {
      known.current = new Set(items.map((i) => i.booking.$id))
      return
    }
    const arrived = items.map((i) => i.booking.$id).filter((id) => !known.current!.has(id))
    if (arrived.length === 0) return
    for (const id of arrived) known.current.add(id)
    setFresh((previous) => new Set([...previous, ...arrived]))
    const timer = setTimeout(
      () => setFresh((previous) => new Set([...previous].filter((id) => !arrived.includes(id)))),
      30_000,
    )
    return () => clearTimeout(timer)
  }, [items])
  return fresh
}

const LABELS = {
  chatRoom: 'chat room',
  systemMessage: 'system message',
  notification: 'notification',
  push: 'push',
} as const

function BookingItem({
  item,
  isNew,
  onOpenChat,
  onRespond,
}: {
  item: ProviderBookingItem
  isNew: boolean
  onOpenChat: () => void
  onRespond: (response: 'accept' | 'decline') => Promise<unknown>
}) {
  const { booking, communication, warning } = item
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const respond = (response: 'accept' | 'decline') => {
    setBusy(true)
    setError(undefined)
    onRespond(response).then(
      () => setBusy(false),
      (e: unknown) => {
        setError(explainWriteError(e))
        setBusy(false)
      },
    )
  }
  return (
    <li
      className={`booking${isNew ? ' new' : ''}${warning ? ' warning' : ''}`}
      data-testid="booking"
      data-booking-id={booking.$id}
    >
      <div>
        <strong>{booking.customerName}</strong> · {booking.durationMinutes} min ·{' '}
        {booking.bookingType === 'scheduled' && booking.scheduledAt
          ? new Date(booking.scheduledAt).toLocaleString()
          : 'now'}
        {isNew && <span className="badge new-badge">New</span>}
      </div>
      <div>
        Status: <span data-testid="booking-status">{booking.providerResponseStatus}</span>
      </div>
      <div className="communication" aria-label="Communication status">
        {communication === undefined
          ? 'checking communication…'
          : (Object.keys(LABELS) as (keyof typeof LABELS)[]).map((key) => (
              <span key={key} className={`comm ${communication[key]}`}>
                {LABELS[key]}: {communication[key]}
              </span>
            ))}
      </div>
      <div className="actions">
        <button type="button" onClick={onOpenChat}>
          Open chat
        </button>
        {booking.providerResponseStatus === 'AwaitingResponse' && (
          <>
            <button type="button" disabled={busy} onClick={() => respond('accept')}>
              Accept
            </button>
            <button type="button" disabled={busy} onClick={() => respond('decline')}>
              Decline
            </button>
          </>
        )}
      </div>
      {error !== undefined && <p role="alert">{error}</p>}
    </li>
  )
}

function ConnectionBanner() {
  const state = useConnectionState()
  return (
    <p role="status" className={`banner ${state}`} data-testid="connection">
      {state === 'online'
        ? 'Live: new bookings appear as they arrive'
        : state === 'reconnecting'
          ? 'Reconnecting… new bookings are still fetched every few seconds'
          : 'Offline: showing the bookings loaded so far'}
    </p>
  )
}
