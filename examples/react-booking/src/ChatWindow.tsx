import { useChatProvider, useChatRoom } from '@booking-guard/react'
import { useEffect, useId, useRef, useState } from 'react'
import { explainWriteError } from './refusal'

/** A booking's chat: history + realtime, optimistic sending with retry. Focuses its input on open. */
export function ChatWindow({
  roomId,
  title,
  onClose,
}: {
  roomId: string
  title: string
  onClose?: () => void
}) {
  const { messages, status, send, unreadCount, markRead } = useChatRoom(roomId)
  const [text, setText] = useState('')
  const input = useRef<HTMLInputElement>(null)
  const headingId = useId()

  useEffect(() => {
    input.current?.focus()
  }, [roomId])
  useEffect(() => {
    if (unreadCount > 0) void markRead().catch(() => undefined)
  }, [unreadCount, markRead])

  return (
    <section className="chat" aria-labelledby={headingId} data-testid="chat">
      <header>
        <h2 id={headingId}>{title}</h2>
        {onClose && (
          <button type="button" onClick={onClose} aria-label="Close chat">
            ×
          </button>
        )}
      </header>
      {status === 'loading' && <p role="status">Loading messages…</p>}
      {status === 'error' && (
        <p role="alert">Messages could not be loaded; new ones still arrive.</p>
      )}
      <ol className="messages" role="log" aria-live="polite" aria-label="Messages">
        {messages.map((m) => (
          <li
            key={m.clientMessageId ?? m.id}
            className={m.senderType === 'system' ? 'system' : m.mine ? 'mine' : 'theirs'}
            data-testid={m.senderType === 'system' ? 'system-message' : 'message'}
          >
            {m.senderType !== 'system' && <span className="sender">{m.senderName}: </span>}
            {m.content}
            {m.status === 'sending' && <span className="muted"> · sending…</span>}
            {m.status === 'failed' && (
              <span role="alert">
                {' '}
                · {explainWriteError(m.error, m.userMessage ?? 'Not sent.')}{' '}
                <button type="button" onClick={() => void m.retry?.()}>
                  Retry
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (text.trim() === '') return
          void send(text.trim())
          setText('')
        }}
      >
        <label>
          Message
          <input
            ref={input}
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={5000}
          />
        </label>
        <button type="submit">Send</button>
      </form>
    </section>
  )
}

/** The chat `ChatProvider` has in front (opened by a booking or by "Open chat"), if any. */
export function ActiveChat() {
  const { activeChat, closeChat } = useChatProvider()
  if (activeChat === undefined) return null
  return (
    <ChatWindow
      roomId={activeChat.chatRoomId}
      title={`Chat with ${activeChat.providerName}`}
      onClose={() => closeChat(activeChat.chatRoomId)}
    />
  )
}
