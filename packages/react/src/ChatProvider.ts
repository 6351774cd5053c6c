'use client'
import { createContext, createElement, useContext, useMemo, useState } from 'react'
import type { ReactElement, ReactNode } from 'react'
import type { ChatParticipant } from '@booking-guard/core/observers'

/** A chat the UI shows: the room of one booking. */
export interface OpenChat {
  /** The chat room (its id is the booking id). */
  readonly chatRoomId: string
  /** The booking the room belongs to. */
  readonly bookingId: string
  /** The provider the customer talks to. */
  readonly providerId: string
  /** The provider's display name, for the chat header. */
  readonly providerName: string
  /** Which UI entry point opened it, e.g. the booking's `source` (`bookingButton`). */
  readonly source?: string
}

/** What {@link useChatProvider} returns. */
export interface ChatProviderValue {
  /** The open chats, in the order they were opened. */
  readonly chats: readonly OpenChat[]
  /** The chat in front, or `undefined` when none is open. */
  readonly activeChat: OpenChat | undefined
  /** Who is chatting, as given to the provider; `useChatRoom` writes as this user. */
  readonly user: ChatParticipant | undefined
  /** Opens a chat (or brings an open one to the front). */
  openChat(chat: OpenChat): void
  /** Closes a chat; the last opened one left comes to the front. */
  closeChat(chatRoomId: string): void
  /**
   * Opens the chat of the booking just made. `useBookingSubmit` calls it on every success, so a
   * booking's chat opens by the code path itself, not by an event someone has to be listening to.
   */
  handleBookingSuccess(booking: OpenChat): void
}

/** @internal */
export const ChatContext = createContext<ChatProviderValue | null>(null)

/** Props of {@link ChatProvider}. */
export interface ChatProviderProps {
  /** Who is chatting (the signed-in customer or provider). Needed by `useChatRoom` unless it gets `user`. */
  user?: ChatParticipant
  /** Chats open at first (e.g. restored from storage). Defaults to none. */
  initialChats?: readonly OpenChat[]
  children?: ReactNode
}

interface ChatState {
  readonly chats: readonly OpenChat[]
  readonly active: string | undefined
}

/**
 * Holds the open chats and the one in front, and opens a booking's chat when
 * `useBookingSubmit` succeeds: no `window` events, no listener that may not be mounted.
 *
 * @example
 * ```tsx
 * <ChatProvider user={{ id: user.$id, type: 'customer', name: user.name }}>
 *   <BookingForm />
 *   <ChatDock />
 * </ChatProvider>
 * ```
 */
export function ChatProvider({
  user,
  initialChats = [],
  children,
}: ChatProviderProps): ReactElement {
  const [state, setState] = useState<ChatState>(() => ({
    chats: initialChats,
    active: initialChats[initialChats.length - 1]?.chatRoomId,
  }))
  const actions = useMemo(() => {
    const openChat = (chat: OpenChat) =>
      setState(({ chats }) => ({
        chats: chats.some((c) => c.chatRoomId === chat.chatRoomId) ? chats : [...chats, chat],
        active: chat.chatRoomId,
      }))
    const closeChat = (chatRoomId: string) =>
      setState(({ chats, active }) => {
        const left = chats.filter((c) => c.chatRoomId !== chatRoomId)
        return {
          chats: left,
          active: active === chatRoomId ? left[left.length - 1]?.chatRoomId : active,
        }
      })
    return { openChat, closeChat, handleBookingSuccess: openChat }
  }, [])
  const value = useMemo<ChatProviderValue>(
    () => ({
      ...actions,
      chats: state.chats,
      activeChat: state.chats.find((c) => c.chatRoomId === state.active),
      user,
    }),
    [actions, state, user],
  )
  return createElement(ChatContext.Provider, { value }, children)
}

/** The chat context, or a clear error naming the hook and the provider. @internal */
export function useChatContext(hook: string): ChatProviderValue {
  const value = useContext(ChatContext)
  if (value === null) throw new Error(`${hook} must be used inside <ChatProvider>`)
  return value
}

/**
 * The open chats, the one in front and the actions of the nearest {@link ChatProvider}. Throws
 * when there is no provider.
 *
 * @example
 * ```tsx
 * function ChatDock() {
 *   const { activeChat, closeChat } = useChatProvider()
 *   if (!activeChat) return null
 *   return (
 *     <aside aria-label={`Chat with ${activeChat.providerName}`}>
 *       <ChatRoom roomId={activeChat.chatRoomId} />
 *       <button onClick={() => closeChat(activeChat.chatRoomId)}>Close</button>
 *     </aside>
 *   )
 * }
 * ```
 */
export function useChatProvider(): ChatProviderValue {
  return useChatContext('useChatProvider')
}
