import { useBookingSubmit } from '@booking-guard/react'
import type { CreateBookingInput } from '@booking-guard/core'
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { Therapist } from '../config'
import { ActiveChat } from '../ChatWindow'
import { explainWriteError } from '../refusal'

const money = (minor: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 100)

const BOOKING_TYPES = [
  { type: 'immediate', label: 'Now' },
  { type: 'scheduled', label: 'Later' },
] as const

/** Pick a therapist, fill the form, "Order now": the booking's chat opens with the system message. */
export function CustomerView({
  therapists,
  customerName,
}: {
  therapists: readonly Therapist[]
  customerName: string
}) {
  const { submit, reset, status, attempt, maxAttempts, error, userMessage, fieldErrors } =
    useBookingSubmit()
  const [therapistId, setTherapistId] = useState(therapists[0]?.id ?? '')
  const [bookingType, setBookingType] = useState<'immediate' | 'scheduled'>('immediate')
  const [lastInput, setLastInput] = useState<CreateBookingInput>()
  const busy = status === 'submitting' || status === 'retrying'
  const therapist = therapists.find((t) => t.id === therapistId)

  const order = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const when = String(form.get('scheduledAt') ?? '')
    // The booking Function fills in who books (the signed-in user), the therapist's name and the
    // price; the schema lock checks the rest. The name is the one the chat shows for the customer.
    const input = {
      customerName,
      providerId: therapistId,
      bookingType,
      scheduledAt:
        bookingType === 'scheduled' && when !== '' ? new Date(when).toISOString() : undefined,
      durationMinutes: Number(form.get('durationMinutes')),
      notes: String(form.get('notes') ?? '') || undefined,
    } as unknown as CreateBookingInput
    setLastInput(input)
    reset()
    void submit(input, { source: 'bookingButton' })
  }

  return (
    <div className="columns">
      <form className="card" onSubmit={order} aria-label="Book a massage">
        <fieldset>
          <legend>Therapist</legend>
          {therapists.map((t) => (
            <label key={t.id} className="choice">
              <input
                type="radio"
                name="therapist"
                value={t.id}
                checked={therapistId === t.id}
                onChange={() => setTherapistId(t.id)}
              />
              {t.name} — {t.speciality}, {money(t.hourlyPrice, t.currency)} / hour
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>When</legend>
          {BOOKING_TYPES.map(({ type, label }) => (
            <label key={type} className="choice">
              <input
                type="radio"
                name="bookingType"
                checked={bookingType === type}
                onChange={() => setBookingType(type)}
              />
              {label}
            </label>
          ))}
          {bookingType === 'scheduled' && (
            <label>
              Start{' '}
              <input
                type="datetime-local"
                name="scheduledAt"
                required
                aria-describedby="err-scheduledAt"
              />
            </label>
          )}
          <FieldError field="scheduledAt" errors={fieldErrors} />
        </fieldset>
        <label>
          Duration
          <select name="durationMinutes" defaultValue="60" aria-describedby="err-durationMinutes">
            <option value="30">30 minutes</option>
            <option value="60">60 minutes</option>
            <option value="90">90 minutes</option>
            <option value="0">0 minutes (invalid, to see the schema lock)</option>
          </select>
        </label>
        <FieldError field="durationMinutes" errors={fieldErrors} />
        <label>
          Notes for {therapist?.name ?? 'the therapist'}
          <textarea name="notes" maxLength={2000} rows={2} />
        </label>
        <button type="submit" disabled={busy || therapist === undefined}>
          {status === 'retrying'
            ? `Retrying (${attempt}/${maxAttempts})…`
            : busy
              ? 'Booking…'
              : 'Order now'}
        </button>
        {status === 'error' && (
          <div role="alert" className="error" data-testid="booking-error">
            <p>{explainWriteError(error, userMessage)}</p>
            {lastInput !== undefined && (
              <button
                type="button"
                onClick={() => void submit(lastInput, { source: 'bookingButton' })}
              >
                Try again
              </button>
            )}
          </div>
        )}
      </form>
      <ActiveChat />
    </div>
  )
}

function FieldError({
  field,
  errors,
}: {
  field: string
  errors: Readonly<Record<string, string>>
}) {
  const message = errors[field]
  return message === undefined ? null : (
    <p id={`err-${field}`} className="field-error" role="alert">
      {message}
    </p>
  )
}
