// Small apps built on the hooks the way users build them, rendered by the tests. Written with
// `createElement` (the workspace typechecks tests without a JSX setting).
import { createElement as h, useState } from 'react'
import type { CreateBookingInput } from '@booking-guard/core'
import type { ChatRoomMessage } from '@booking-guard/core/observers'
import {
  useBookingSubmit,
  useChatProvider,
  useChatRoom,
  useConnectionState,
  useCustomerBookings,
  useErrorMonitor,
  useHealth,
  useProviderBookings,
} from '../index'
import type { UseBookingSubmitOptions } from '../index'

const STATUS_TEXT = {
  idle: 'Ready',
  submitting: 'Sending your booking…',
  success: 'Booked!',
  error: 'Not booked',
} as const

/** A booking form: one button, its progress, a cancel button, and the user-facing error. */
export function BookingForm({
  input,
  options,
}: {
  input: CreateBookingInput
  options?: UseBookingSubmitOptions
}) {
  const { submit, cancel, isPending, status, attempt, maxAttempts, userMessage } =
    useBookingSubmit(options)
  return h(
    'form',
    {
      'aria-label': 'Book a massage',
      onSubmit: (event: { preventDefault(): void }) => {
        event.preventDefault()
        void submit(input, { source: 'bookingButton' })
      },
    },
    h('button', { type: 'submit', disabled: isPending }, 'Book now'),
    isPending ? h('button', { type: 'button', onClick: cancel }, 'Cancel') : null,
    h(
      'p',
      { role: 'status' },
      status === 'retrying'
        ? `Retrying (attempt ${attempt} of ${maxAttempts})…`
        : STATUS_TEXT[status],
    ),
    userMessage === undefined ? null : h('p', { role: 'alert' }, userMessage),
  )
}

function Message({ message }: { message: ChatRoomMessage }) {
  return h(
    'li',
    null,
    `${message.senderName}: ${message.content} (${message.status})`,
    message.userMessage === undefined ? null : ` ${message.userMessage}`,
    message.retry === undefined
      ? null
      : h('button', { type: 'button', onClick: () => void message.retry?.() }, 'Retry'),
  )
}

/** One chat room: messages, older-page button, unread count and a composer. */
export function ChatWindow({
  roomId,
  title,
  pageSize,
}: {
  roomId: string
  title: string
  pageSize?: number
}) {
  const { messages, send, hasOlder, loadOlder, unreadCount, markRead, status } = useChatRoom(
    roomId,
    pageSize === undefined ? {} : { pageSize },
  )
  const [text, setText] = useState('')
  return h(
    'section',
    { 'aria-label': title },
    h('p', null, status === 'loading' ? 'Loading messages…' : `${unreadCount} unread`),
    hasOlder ? h('button', { type: 'button', onClick: () => void loadOlder() }, 'Older') : null,
    h('button', { type: 'button', onClick: () => void markRead() }, 'Mark read'),
    h(
      'ul',
      { 'aria-label': 'Messages' },
      messages.map((message) =>
        h(Message, { key: message.clientMessageId ?? message.id, message }),
      ),
    ),
    h(
      'form',
      {
        'aria-label': 'Send a message',
        onSubmit: (event: { preventDefault(): void }) => {
          event.preventDefault()
          void send(text)
          setText('')
        },
      },
      h('input', {
        'aria-label': 'Message',
        value: text,
        onChange: (event: { target: { value: string } }) => setText(event.target.value),
      }),
      h('button', { type: 'submit' }, 'Send'),
    ),
  )
}

/** The chat the ChatProvider has in front, if any. */
export function ChatDock() {
  const { activeChat, chats, closeChat } = useChatProvider()
  if (activeChat === undefined) return h('p', null, 'No chat open')
  return h(
    'div',
    null,
    h('p', null, `${chats.length} chat(s) open`),
    h(ChatWindow, {
      key: activeChat.chatRoomId,
      roomId: activeChat.chatRoomId,
      title: `Chat with ${activeChat.providerName}`,
    }),
    h('button', { type: 'button', onClick: () => closeChat(activeChat.chatRoomId) }, 'Close chat'),
  )
}

/** A provider's dashboard: bookings, their communication warnings, and how they arrive. */
export function Dashboard({ providerId }: { providerId: string }) {
  const { bookings, status, connection, warnings } = useProviderBookings(providerId)
  if (status === 'loading') return h('p', null, 'Loading bookings…')
  return h(
    'section',
    { 'aria-label': 'Bookings' },
    h('p', null, `Feed: ${connection}, ${warnings} warning(s)`),
    bookings.length === 0
      ? h('p', null, 'No bookings yet')
      : h(
          'ul',
          null,
          bookings.map(({ booking, communication, warning }) =>
            h(
              'li',
              { key: booking.$id },
              `${booking.customerName}, ${booking.durationMinutes} min`,
              warning ? ` ⚠ chat room ${communication?.chatRoom ?? 'unchecked'}` : ' ✓',
            ),
          ),
        ),
  )
}

/** The signed-in customer's bookings and their live status. */
export function MyBookings({ customerId }: { customerId?: string }) {
  const { bookings, status, connection } = useCustomerBookings(customerId)
  if (status === 'loading') return h('p', null, 'Loading your bookings…')
  return h(
    'section',
    { 'aria-label': 'My bookings' },
    h('p', null, `Feed: ${connection}`),
    h(
      'ul',
      null,
      bookings.map((booking) =>
        h('li', { key: booking.$id }, `${booking.providerName}: ${booking.status}`),
      ),
    ),
  )
}

/** A banner that shows only when realtime is in trouble. */
export function ConnectionBanner() {
  const state = useConnectionState()
  return h('p', { role: 'status', 'aria-label': 'Connection' }, `Connection: ${state}`)
}

/** Error stats, recent errors and the alert. */
export function ErrorPanel() {
  const { stats, recent, alerting, alert, dismissAlert } = useErrorMonitor({ recent: 3 })
  return h(
    'section',
    { 'aria-label': 'Errors' },
    h('p', null, `${stats.total} error(s)`),
    alerting
      ? h(
          'div',
          { role: 'alert' },
          alert?.message ?? 'Error rate too high',
          h('button', { type: 'button', onClick: dismissAlert }, 'Dismiss'),
        )
      : null,
    h(
      'ul',
      null,
      recent.map((entry) => h('li', { key: entry.id }, entry.message)),
    ),
  )
}

/** The last health check, and a button to run one. */
export function HealthBadge() {
  const { ok, last, checking, check } = useHealth()
  return h(
    'button',
    { type: 'button', onClick: () => void check(), disabled: checking },
    ok === null ? 'Not checked' : ok ? 'Healthy' : `Failing at ${last?.failedStep ?? '?'}`,
  )
}
