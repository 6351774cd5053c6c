// @vitest-environment jsdom
import { fireEvent, screen, within } from '@testing-library/react'
import { createElement as h, useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { createCircuitBreaker } from '@booking-guard/core'
import { BookingForm, ChatDock } from './components'
import type { UseBookingSubmitOptions } from '../index'
import { bookingInput, setup, textOf } from './utils'

const bookingRows = (t: ReturnType<typeof setup>) => t.fake.snapshot().main?.bookings ?? []

function App() {
  return h('div', null, h(BookingForm, { input: bookingInput() }), h(ChatDock))
}

describe('useBookingSubmit', () => {
  it('should show retrying while the fake fails twice, then success, and open the chat with the system message', async () => {
    const t = setup()
    t.fake.faults.fail({ operation: 'createRow', table: 'bookings', times: 2, error: 'network' })
    t.renderWithGuard(h(App))
    expect(screen.getByText('No chat open')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    expect(textOf(screen.getByRole('status'))).toBe('Sending your booking…')
    await t.until(() =>
      expect(textOf(screen.getByRole('status'))).toBe('Retrying (attempt 2 of 3)…'),
    )
    expect(textOf(screen.getByRole('alert'))).toBe(
      'We could not reach the booking service. Check your connection and try again.',
    )
    expect(screen.getByRole('button', { name: 'Book now' })).toHaveProperty('disabled', true)
    await t.until(() =>
      expect(textOf(screen.getByRole('status'))).toBe('Retrying (attempt 3 of 3)…'),
    )
    await t.until(() => expect(textOf(screen.getByRole('status'))).toBe('Booked!'))
    expect(screen.queryByRole('alert')).toBeNull()

    const chat = screen.getByRole('region', { name: 'Chat with Budi' })
    await t.until(() =>
      expect(textOf(within(chat).getByRole('list', { name: 'Messages' }))).toMatch(
        /Booking received: 60 min/,
      ),
    )
    expect(new Set(bookingRows(t).map((row) => row.$id)).size).toBe(1)
  })

  it('should name the invalid fields and open no chat', async () => {
    const t = setup()
    t.renderWithGuard(
      h(
        'div',
        null,
        h(BookingForm, { input: bookingInput({ customerName: '', durationMinutes: 0 }) }),
        h(ChatDock),
      ),
    )
    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await t.until(() => expect(textOf(screen.getByRole('status'))).toBe('Not booked'))
    expect(textOf(screen.getByRole('alert'))).toBe(
      'Please check these details: customerName, durationMinutes.',
    )
    expect(screen.getByText('No chat open')).toBeTruthy()
    expect(bookingRows(t)).toHaveLength(0)
  })

  it('should say the service is temporarily unavailable while the circuit is open, without retrying', async () => {
    const t = setup({ breaker: createCircuitBreaker() })
    const breaker = (t.guard.policy as unknown as { breaker: { isolate(): () => void } }).breaker
    breaker.isolate()
    t.renderWithGuard(h(App))
    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await t.until(() => expect(textOf(screen.getByRole('status'))).toBe('Not booked'))
    expect(textOf(screen.getByRole('alert'))).toBe(
      'The booking service is temporarily unavailable. Please try again in a moment.',
    )
    expect(bookingRows(t)).toHaveLength(0)
  })

  it('should open the chat even when the form is gone before the booking lands', async () => {
    const t = setup()
    const hang = t.fake.faults.hang({ operation: 'createRow', table: 'bookings' })
    function Page() {
      const [showForm, setShowForm] = useState(true)
      return h(
        'div',
        null,
        showForm ? h(BookingForm, { input: bookingInput() }) : null,
        h('button', { type: 'button', onClick: () => setShowForm(false) }, 'Leave'),
        h(ChatDock),
      )
    }
    t.renderWithGuard(h(Page))
    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await t.until(() => expect(hang.pending).toBe(1))
    fireEvent.click(screen.getByRole('button', { name: 'Leave' }))
    expect(screen.queryByRole('form', { name: 'Book a massage' })).toBeNull()
    hang.release()
    await t.until(() => expect(screen.getByRole('region', { name: 'Chat with Budi' })).toBeTruthy())
  })

  it('should book once on a double click, in StrictMode too', async () => {
    const t = setup()
    t.renderWithGuard(h(App), { strict: true })
    const button = screen.getByRole('button', { name: 'Book now' })
    fireEvent.click(button)
    fireEvent.submit(screen.getByRole('form', { name: 'Book a massage' }))
    await t.until(() => expect(textOf(screen.getByRole('status'))).toBe('Booked!'))
    await t.advance(500)
    expect(bookingRows(t)).toHaveLength(1)
    expect(screen.getByText('1 chat(s) open')).toBeTruthy()
  })

  it('should cancel the submit under way: back to Ready, no booking, no chat, no onError', async () => {
    const t = setup()
    const hang = t.fake.faults.hang({ operation: 'createRow', table: 'bookings' })
    const onError = vi.fn()
    const onSettled = vi.fn()
    t.renderWithGuard(
      h(
        'div',
        null,
        h(BookingForm, { input: bookingInput(), options: { onError, onSettled } }),
        h(ChatDock),
      ),
    )
    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await t.until(() => expect(hang.pending).toBe(1))
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(textOf(screen.getByRole('status'))).toBe('Ready')
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull()
    expect(screen.getByRole('button', { name: 'Book now' })).toHaveProperty('disabled', false)
    hang.release()
    hang.remove()
    await t.advance(5_000)
    expect(textOf(screen.getByRole('status'))).toBe('Ready')
    expect(screen.getByText('No chat open')).toBeTruthy()
    expect(bookingRows(t).filter((row) => row.pipelineStatus === 'delivered')).toEqual([])
    expect(onError).not.toHaveBeenCalled()
    expect(onSettled).not.toHaveBeenCalled()
  })

  it('should call onError and onSettled once with the typed error after the last attempt', async () => {
    const t = setup()
    t.fake.faults.fail({ operation: 'createRow', table: 'bookings', error: 'network' })
    const seen: string[] = []
    const options: UseBookingSubmitOptions = {
      onError: (error, { input }) => seen.push(`error ${error.code} ${input.customerName}`),
      onSettled: (result, error) => seen.push(`settled ${String(result)} ${error?.code}`),
    }
    t.renderWithGuard(h(BookingForm, { input: bookingInput(), options }))
    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await t.until(() => expect(textOf(screen.getByRole('status'))).toBe('Not booked'))
    expect(seen).toEqual(['error BOOKING_PIPELINE Ana', 'settled undefined BOOKING_PIPELINE'])
  })
})
