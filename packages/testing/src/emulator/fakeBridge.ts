import type { FakeAppwrite, FakeAppwriteSession } from '../fake/createFakeAppwrite'
import type { FakeIdentity } from '../fake/permissions'
import type { FakeRealtime } from '../fake/realtime'
import type { Caller } from './auth'

/** A service of the fake (`tablesDB`, `databases`, `admin`) as a bag of object-form methods. @internal */
export type DataService = Readonly<Record<string, unknown>>

/** A service method of the fake, called with the SDK's object parameters. @internal */
export type ServiceMethod = (params: Record<string, unknown>) => Promise<unknown>

/**
 * The emulator's view of the fake: the services each caller acts through, its schema management
 * and a realtime connection per WebSocket. Routes call the fake's methods by name, so one the fake
 * lacks (a column type, a transaction method) answers 404 `general_route_not_found`, as a server
 * without that route would.
 *
 * @internal
 */
export interface FakeBridge {
  /** The services a caller acts through: the fake's own for the API key, `fake.as(…)` otherwise. */
  servicesFor(caller: Caller): { readonly tablesDB: DataService; readonly databases: DataService }
  /** The fake's schema management. */
  readonly admin: DataService
  /** A new realtime connection of a guest or user in the fake's hub: it gets rows it may read only. */
  realtimeFor(caller: RealtimeCaller): FakeRealtime
}

/** Who a WebSocket is: a guest or a user (the realtime endpoint takes no API key). @internal */
export type RealtimeCaller = Exclude<Caller, { kind: 'key' }>

/** The identity `fake.as()` takes for a caller; `undefined` for the API key. @internal */
export function identityOf(caller: Caller): FakeIdentity | undefined {
  if (caller.kind === 'key') return undefined
  if (caller.kind === 'guest') return 'guest'
  const { user } = caller
  return { userId: user.$id, verified: user.verified, teams: user.teams, labels: user.labels }
}

/** @internal */
export function createFakeBridge(fake: FakeAppwrite): FakeBridge {
  const keyServices = {
    tablesDB: fake.tablesDB as unknown as DataService,
    databases: fake.databases as unknown as DataService,
  }
  // One acting session per identity: `as()` opens a realtime connection each time, so HTTP
  // requests reuse theirs instead of opening one per request.
  const sessions = new Map<string, FakeAppwriteSession>()
  return {
    admin: fake.admin as unknown as DataService,
    servicesFor(caller) {
      const identity = identityOf(caller)
      if (identity === undefined) return keyServices
      const key = JSON.stringify(identity)
      let session = sessions.get(key)
      if (session === undefined) sessions.set(key, (session = fake.as(identity)))
      return session as unknown as { tablesDB: DataService; databases: DataService }
    },
    realtimeFor(caller) {
      return fake.as(identityOf(caller) ?? 'guest').realtime
    },
  }
}
