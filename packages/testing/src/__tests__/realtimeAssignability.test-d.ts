import type {
  Client,
  Realtime,
  RealtimeResponseEvent as SdkEvent,
  RealtimeSubscription,
} from 'appwrite'
import { Channel, Query } from 'appwrite'
import { describe, expectTypeOf, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { FaultInjector } from '../fake/faults'
import { RealtimeHub } from '../fake/realtime'
import type {
  FakeRealtime,
  FakeRealtimeSubscription,
  RealtimeResponseEvent,
} from '../fake/realtime'

type RealtimeSurface = Pick<Realtime, 'subscribe' | 'onOpen' | 'onClose' | 'onError' | 'disconnect'>

const clock = createManualClock()
const hub = new RealtimeHub({ clock, faults: new FaultInjector({ clock }) })

describe('realtimeAssignability', () => {
  it('should make FakeRealtime assignable to the SDK Realtime service surface', () => {
    expectTypeOf<FakeRealtime>().toExtend<RealtimeSurface>()
    const realtime: RealtimeSurface = hub.createRealtime()
    expectTypeOf(realtime.subscribe).toBeFunction()
  })

  it('should resolve subscribe to something assignable to the SDK RealtimeSubscription', () => {
    expectTypeOf<FakeRealtimeSubscription>().toExtend<RealtimeSubscription>()
  })

  it('should hand callbacks an event assignable to the SDK RealtimeResponseEvent', () => {
    // The SDK exports the legacy shape, where `subscriptions` is optional; the fake always sends it.
    expectTypeOf<RealtimeResponseEvent<{ status: string }>>().toExtend<
      SdkEvent<{ status: string }>
    >()
    expectTypeOf<RealtimeResponseEvent['subscriptions']>().toEqualTypeOf<string[]>()
  })

  it('should accept the SDK Channel builders and Query strings', () => {
    const realtime = hub.createRealtime()
    expectTypeOf(
      realtime.subscribe(
        [Channel.tablesdb('main').table('bookings').row(), Channel.rows(), 'documents'],
        (event) => expectTypeOf(event.payload).toEqualTypeOf<Record<string, unknown>>(),
        [Query.equal('status', 'pending')],
      ),
    ).resolves.toEqualTypeOf<FakeRealtimeSubscription>()
  })

  it('should make subscribeLegacy assignable to the deprecated client.subscribe', () => {
    const legacy: Client['subscribe'] = (channels, callback, queries) =>
      hub.subscribeLegacy(channels, callback, queries)
    expectTypeOf(legacy).returns.toEqualTypeOf<() => void>()
    expectTypeOf(hub.subscribeLegacy).toExtend<Client['subscribe']>()
  })
})
