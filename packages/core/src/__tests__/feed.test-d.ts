import type { Realtime } from 'appwrite'
import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expectTypeOf, it } from 'vitest'
import type {
  HealthCheckResult,
  HealthCheckStepName,
  ProviderBookingEvent,
  ProviderFeed,
  RoomMessageEvent,
  WatchdogState,
} from '../index'
import type {
  FeedConnection,
  ProviderFeedSnapshot,
  RealtimeConnectionLike,
  RoomFeedSnapshot,
  WatchdogStateChange,
} from '../realtime/index'
import {
  createFeedManager,
  createHealthCheck,
  createProviderFeed,
  createRoomFeed,
  createWatchdog,
} from '../realtime/index'

const fake = createFakeAppwrite()
const base = { tablesDB: fake.tablesDB, realtime: fake.realtime, databaseId: 'main' }

describe('feed', () => {
  it('should accept the web SDK Realtime and the fake realtime as a connection', () => {
    expectTypeOf<Realtime>().toExtend<RealtimeConnectionLike>()
    expectTypeOf(fake.realtime).toExtend<RealtimeConnectionLike>()
  })

  it('should type provider feed snapshots and events', () => {
    const feed = createProviderFeed({ ...base, providerId: 'p1' })
    expectTypeOf(feed).toEqualTypeOf<ProviderFeed>()
    expectTypeOf(feed.getSnapshot()).toEqualTypeOf<ProviderFeedSnapshot>()
    expectTypeOf(feed.getSnapshot().connection).toEqualTypeOf<FeedConnection>()
    expectTypeOf(feed.getSnapshot().watchdog).toEqualTypeOf<WatchdogState | 'off'>()
    expectTypeOf(feed.getSnapshot().lastEventAt).toEqualTypeOf<number | null>()
    expectTypeOf(feed.getSnapshot().bookings[0]!.providerId).toEqualTypeOf<string>()
    expectTypeOf(feed.getSnapshot().bookings[0]!.$updatedAt).toEqualTypeOf<string>()
    feed.listen((event) => {
      expectTypeOf(event).toEqualTypeOf<ProviderBookingEvent>()
      expectTypeOf(event.type).toEqualTypeOf<'created' | 'updated'>()
    })
    expectTypeOf(feed.listen)
      .parameter(1)
      .toEqualTypeOf<{ readonly since?: number | string | Date } | undefined>()
  })

  it('should fit React’s useSyncExternalStore without glue', () => {
    const feed = createProviderFeed({ ...base, providerId: 'p1' })
    type Subscribe = (onStoreChange: () => void) => () => void
    expectTypeOf(feed.subscribe).toExtend<Subscribe>()
    expectTypeOf(feed.getSnapshot).toExtend<() => ProviderFeedSnapshot>()
    const room = createRoomFeed({ ...base, roomId: 'r1' })
    expectTypeOf(room.subscribe).toExtend<Subscribe>()
    expectTypeOf(room.getSnapshot()).toEqualTypeOf<RoomFeedSnapshot>()
    room.listen((event) => expectTypeOf(event).toEqualTypeOf<RoomMessageEvent>())
  })

  it('should require the connection options', () => {
    expectTypeOf(createFeedManager)
      .parameter(0)
      .toHaveProperty('databaseId')
      .toEqualTypeOf<string>()
    // @ts-expect-error databaseId is required
    createFeedManager({ tablesDB: fake.tablesDB, realtime: fake.realtime })
    // @ts-expect-error realtime is required
    createFeedManager({ tablesDB: fake.tablesDB, databaseId: 'main' })
    // @ts-expect-error the watchdog option takes a configuration or false, not true
    createFeedManager({ ...base, watchdog: true })
  })

  it('should type watchdog transitions and health check results', () => {
    const watchdog = createWatchdog(base)
    watchdog.onStateChange((event) => {
      expectTypeOf(event).toEqualTypeOf<WatchdogStateChange>()
      expectTypeOf(event.to).toEqualTypeOf<WatchdogState>()
      expectTypeOf(event.silentForMs).toEqualTypeOf<number | null>()
    })
    const check = createHealthCheck({ ...base, createBooking: async () => undefined })
    expectTypeOf(check.run()).resolves.toEqualTypeOf<HealthCheckResult>()
    expectTypeOf<HealthCheckResult['steps'][number]['name']>().toEqualTypeOf<HealthCheckStepName>()
    expectTypeOf<HealthCheckResult['steps'][number]['error']>().toEqualTypeOf<string | undefined>()
  })
})
