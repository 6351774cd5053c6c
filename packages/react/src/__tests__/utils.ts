// Shared set-up of the React tests, like react-query's `renderWithClient`: a fake Appwrite and a
// guard on one manual clock, the providers around the UI, and helpers that move fake time inside
// `act` so every update is flushed before a test looks at the screen.
import { act, cleanup, render } from '@testing-library/react'
import type { RenderResult } from '@testing-library/react'
import { createElement, StrictMode } from 'react'
import type { ReactElement, ReactNode } from 'react'
import { afterEach } from 'vitest'
import { createBookingGuard, createErrorMonitor } from '@booking-guard/core'
import type { BookingGuardBaseOptions, CreateBookingInput } from '@booking-guard/core'
import type { ChatParticipant } from '@booking-guard/core/observers'
import type { RealtimeConnectionLike } from '@booking-guard/core/realtime'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { BookingGuardProvider, ChatProvider } from '../index'

afterEach(cleanup)

/**
 * The DOM the tests touch, typed structurally: the workspace typechecks tests without the DOM
 * lib (React's own stubs make `HTMLElement` an empty interface there).
 */
export interface TestDocument {
  createElement(tag: 'div'): { innerHTML: string; textContent: string | null; remove(): void }
  body: { appendChild(node: unknown): unknown }
}
export const testDocument = (): TestDocument =>
  (globalThis as unknown as { document: TestDocument }).document

/** The text of an element Testing Library found. */
export const textOf = (element: unknown): string | null =>
  (element as { textContent: string | null }).textContent

export const CUSTOMER: ChatParticipant = { id: 'cust1', type: 'customer', name: 'Ana' }
export const PROVIDER: ChatParticipant = { id: 'prov1', type: 'therapist', name: 'Budi' }

export function bookingInput(overrides: Record<string, unknown> = {}): CreateBookingInput {
  return {
    customerId: 'cust1',
    customerName: 'Ana',
    providerId: 'prov1',
    providerType: 'therapist',
    providerName: 'Budi',
    bookingType: 'immediate',
    durationMinutes: 60,
    ...overrides,
  } as CreateBookingInput
}

/**
 * A realtime connection that counts the subscriptions it holds open, to prove a component tree
 * subscribes once (StrictMode mounts, unmounts and mounts again).
 */
function counting(realtime: RealtimeConnectionLike) {
  const stats = { open: 0, opened: 0 }
  const wrapped: RealtimeConnectionLike = {
    onOpen: (callback) => realtime.onOpen?.(callback),
    onClose: (callback) => realtime.onClose?.(callback),
    onError: (callback) => realtime.onError?.(callback),
    async subscribe(channels, callback, queries) {
      stats.open++
      stats.opened++
      const subscription = await realtime.subscribe(channels, callback, queries)
      let closed = false
      return {
        ...subscription,
        close: async () => {
          if (!closed) stats.open--
          closed = true
          await subscription.close()
        },
      }
    },
  }
  return { wrapped, stats }
}

/** Options of {@link setup}: guard options, and whether the guard has realtime at all. */
export interface SetupOptions extends Partial<BookingGuardBaseOptions> {
  withRealtime?: boolean
  /** Whether the provider gets a watchdog of its own (`hb-ui`). Defaults to `true`. */
  uiWatchdog?: boolean
}

/**
 * A schemaless fake and a saga-mode guard on one manual clock. The guard retries nothing itself
 * (`retry.maxAttempts: 1`), so each failure the fake injects reaches the hooks. Its feeds' watchdog
 * and the UI's watchdog send a canary every second.
 */
export function setup(options: SetupOptions = {}) {
  const { withRealtime = true, uiWatchdog = true, ...guardOptions } = options
  const clock = createManualClock()
  const fake = createFakeAppwrite({ clock, seed: 11 })
  const realtime = counting(fake.realtime as RealtimeConnectionLike)
  const monitor = createErrorMonitor({ clock, captureStack: false })
  const guard = createBookingGuard({
    tablesDB: fake.tablesDB,
    ...(withRealtime ? { realtime: realtime.wrapped } : {}),
    databaseId: 'main',
    clock,
    mode: 'saga',
    retry: { maxAttempts: 1 },
    monitor,
    watchdog: { watcherId: 'hb-feeds', intervalMs: 1_000, timeoutMs: 500 },
    ...guardOptions,
  })
  const watchdog =
    withRealtime && uiWatchdog
      ? guard.createWatchdog({
          watcherId: 'hb-ui',
          intervalMs: 1_000,
          timeoutMs: 500,
          deadAfterMisses: 5,
        })
      : undefined

  /** Moves fake time by `ms` in 50 ms steps inside `act`, letting promises and realtime settle. */
  const advance = async (ms = 50) => {
    for (let t = 0; t < ms; t += 50) {
      await act(async () => {
        await clock.advance(Math.min(50, ms - t))
        await new Promise((resolve) => setTimeout(resolve, 0))
      })
    }
  }

  /** Advances fake time until `assertion` passes (at most `maxMs` of fake time). */
  const until = async (assertion: () => void, maxMs = 10_000) => {
    for (let waited = 0; ; waited += 50) {
      try {
        assertion()
        return
      } catch (error) {
        if (waited >= maxMs) throw error
      }
      await advance(50)
    }
  }

  const providers = (children: ReactNode, user: ChatParticipant = CUSTOMER) =>
    createElement(
      BookingGuardProvider,
      { guard, clock, monitor, ...(watchdog === undefined ? {} : { watchdog }) },
      createElement(ChatProvider, { user }, children),
    )

  /** `ui` inside both providers, not rendered (for server rendering). */
  const renderTree = (ui: ReactElement) => providers(ui)

  /** Renders `ui` inside both providers, optionally in StrictMode. */
  const renderWithGuard = (
    ui: ReactElement,
    { strict = false, user }: { strict?: boolean; user?: ChatParticipant } = {},
  ): RenderResult => {
    const tree = providers(ui, user)
    return render(strict ? createElement(StrictMode, null, tree) : tree)
  }

  /** Books through the guard (as another customer's app would) and waits for it. */
  const book = async (overrides: Record<string, unknown> = {}) => {
    const call = guard.createBooking(bookingInput(overrides))
    let result: Awaited<typeof call> | undefined
    void call.then((value) => (result = value))
    await until(() => {
      if (result === undefined) throw new Error('booking not settled')
    })
    return result!
  }

  return {
    clock,
    fake,
    guard,
    monitor,
    watchdog,
    realtime: realtime.stats,
    advance,
    until,
    renderTree,
    renderWithGuard,
    book,
  }
}
