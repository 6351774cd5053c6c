import type { FakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeRealtimeSubscription, RealtimeResponseEvent } from '../fake/realtime'
import type { FakeBridge, RealtimeCaller } from './fakeBridge'

/**
 * The server side of one emulator WebSocket: its own connection in the fake's realtime hub, with
 * the caller's roles, so the hub only matches rows the caller may read, applies the realtime
 * faults, and reports a `disconnect` fault or a refused query.
 *
 * @internal
 */
export interface LinkConnection {
  subscribe(
    channels: readonly string[],
    callback: (event: RealtimeResponseEvent) => void,
    queries: readonly string[],
  ): Promise<FakeRealtimeSubscription>
  /** Called when a realtime `disconnect` fault cuts this connection. */
  onClose(callback: () => void): void
  /**
   * Called when the hub refuses a subscription (code and message as the server's error frame),
   * on a later microtask but before the `subscribe` / `update` promise settles.
   */
  onError(callback: (message: string, code: number) => void): void
  /** Drops every subscription of this connection. */
  dispose(): void
}

/** How the emulator's WebSockets reach the fake's realtime hub. @internal */
export interface RealtimeLink {
  /** Opens the hub side of a WebSocket for `caller`. */
  open(caller: RealtimeCaller): LinkConnection
  /** Whether a realtime `disconnect` fault is active: new WebSockets are then refused. */
  isDown(): boolean
}

/** @internal */
export function createRealtimeLink(fake: FakeAppwrite, bridge: FakeBridge): RealtimeLink {
  return {
    open(caller) {
      const realtime = bridge.realtimeFor(caller)
      let disposed = false
      return {
        async subscribe(channels, callback, queries) {
          const handle = await realtime.subscribe([...channels], callback, [...queries])
          // The socket closed while the hub subscribed: nothing would unsubscribe it otherwise.
          if (disposed) await handle.unsubscribe()
          return handle
        },
        onClose(callback) {
          // Subscriptions are only ever unsubscribed (never closed) and `dispose` marks itself
          // first, so the hub closes this connection only for a `disconnect` fault.
          realtime.onClose(() => {
            if (!disposed) callback()
          })
        },
        onError(callback) {
          realtime.onError((error, code) => {
            if (!disposed) callback(error?.message ?? 'Error: Server Error', code ?? 0)
          })
        },
        dispose() {
          if (disposed) return
          disposed = true
          void realtime.disconnect()
        },
      }
    },
    isDown: () =>
      fake.faults.rules.some((rule) => rule.kind === 'realtime.disconnect' && rule.active),
  }
}
