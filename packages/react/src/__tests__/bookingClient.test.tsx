// @vitest-environment jsdom
// The browser half of the architecture the README shows: a booking client (reads as the user,
// writes through the booking Function) given to the provider and hooks as it is.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { createElement as h } from 'react'
import { describe, expect, it } from 'vitest'
import { createBookingClient } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import type { FunctionsLike } from '@booking-guard/core'
import { createBookingFunction } from '@booking-guard/core/server'
import { createFakeAppwrite } from '@booking-guard/testing'
import { BookingGuardProvider, ChatProvider } from '../index'
import { BookingForm, ChatDock } from './components'
import { bookingInput, textOf } from './utils'

/** Appwrite running the booking Function for `userId`: its headers, its JSON answer as text. */
function functionsFor(
  run: ReturnType<typeof createBookingFunction>,
  userId: string,
): FunctionsLike {
  return {
    async createExecution({ xpath = '/', method = 'POST', body = '' }) {
      const answer = await run({
        req: {
          method,
          path: xpath,
          bodyText: body,
          headers: { 'x-appwrite-user-id': userId, 'x-appwrite-key': 'standard_key' },
        },
        res: { json: (value: unknown, statusCode = 200) => ({ value, statusCode }) },
        log: () => {},
        error: () => {},
      })
      return { responseStatusCode: answer.statusCode, responseBody: JSON.stringify(answer.value) }
    },
  }
}

describe('booking client in React', () => {
  it('should book through the server and open the chat, with no cast', async () => {
    const fake = createFakeAppwrite({ seed: 5 })
    await provisionSchema({ admin: fake.admin, databaseId: 'main' })
    const run = createBookingFunction({
      databaseId: 'main',
      tablesDB: () => fake.tablesDB,
      resolveProvider: (id) => (id === 'prov1' ? { userId: 'prov1', name: 'Budi' } : undefined),
    })
    const client = createBookingClient({
      tablesDB: fake.as('user:cust1').tablesDB,
      databaseId: 'main',
      functions: functionsFor(run, 'cust1'),
      functionId: 'booking',
    })
    render(
      h(
        BookingGuardProvider,
        { guard: client },
        h(
          ChatProvider,
          { user: { id: 'cust1', type: 'customer', name: 'Ana' } },
          h(BookingForm, { input: bookingInput() }),
          h(ChatDock),
        ),
      ),
    )

    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await waitFor(() => expect(textOf(screen.getByRole('status'))).toBe('Booked!'))
    const chat = screen.getByRole('region', { name: 'Chat with Budi' })
    await waitFor(() =>
      expect(textOf(within(chat).getByRole('list', { name: 'Messages' }))).toMatch(
        /Booking received: 60 min/,
      ),
    )
    expect(fake.snapshot().main?.bookings).toMatchObject([{ customerId: 'cust1' }])
  })
})
