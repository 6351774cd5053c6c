import type { FakeClock, FakeTimerHandle } from './clock'
import { appwriteError, networkError } from './errors'
import type { AppwriteErrorType } from './errors'
import { createFakeRandom } from './random'
import type { FakeRandomSource } from './random'
import type { RealtimeRowEvent } from './realtime'
import type { FaultGate } from './types'

/** The service a faulted call goes through. */
export type FaultApi = 'tablesDB' | 'databases' | 'account' | 'users' | 'functions' | 'teams'

/** One service call, as the fake hands it to {@link FaultInjector.beforeCall}. */
export interface FaultCallContext {
  /** Which API the call came through. */
  api: FaultApi
  /** The SDK method name, e.g. `'createRow'`, `'listDocuments'`, `'updateTransaction'`. */
  operation: string
  /** The database the call targets, when it has one. */
  databaseId?: string
  /** The table id (the collection id on the Databases API), when the call has one. */
  tableId?: string
  /** The row id (the document id on the Databases API), when the call has one. */
  rowId?: string
  /** The call's parameter object, as the caller passed it. */
  params: Record<string, unknown>
}

/**
 * Which error a `fail` rule injects:
 * - an Appwrite error type from the server's catalogue (`'general_server_error'`, `'table_not_found'`,
 *   `'general_rate_limit_exceeded'`…), raised as an `AppwriteException` with the server's code and message;
 * - `'network'`: `TypeError: fetch failed` with an `ECONNRESET` cause, what the SDKs let through
 *   when the connection breaks;
 * - an `Error` instance (thrown as is, the same instance every time) or a factory returning a fresh one.
 */
export type FaultError = AppwriteErrorType | 'network' | Error | (() => Error)

/** How often a rule fires among the calls (or events) it matches. */
export interface FaultFrequency {
  /**
   * Fire on at most this many matching calls, then retire the rule. Defaults to unlimited (the
   * rule stays until removed).
   */
  times?: number
  /**
   * Fire on this fraction of matching calls, between `0` and `1`, drawn from a seeded generator
   * so the same calls are hit on every run. Defaults to `1` (every matching call).
   */
  rate?: number
  /**
   * Seed for `rate`. Defaults to the rule's creation number (1 for the first rule made since
   * the injector was created or `reset()`), so runs are reproducible without choosing one.
   */
  seed?: number
  /** Let this many matching calls through untouched before the rule starts firing. Defaults to `0`. */
  after?: number
}

/** Which calls a rule applies to. Every given field must match; omitted fields match anything. */
export interface FaultCallScope {
  /** SDK method name(s), e.g. `'createRow'` or `['createRow', 'upsertRow']`. Defaults to `'*'` (every method). */
  operation?: string | readonly string[]
  /** Restrict to one API (`'account'`, `'users'` and `'functions'` included). Defaults to every API. */
  api?: FaultApi
  /** Table id(s); on the Databases API this is the collection id. Defaults to every table. */
  table?: string | readonly string[]
  /** Database id(s). Defaults to every database. */
  database?: string | readonly string[]
  /** Row id(s) (document ids). Defaults to every row. */
  row?: string | readonly string[]
  /** Extra test on the call; the rule applies only when it returns `true`. */
  when?: (call: FaultCallContext) => boolean
  /** A label for the rule, repeated in every log entry it writes. */
  name?: string
}

/** Options for {@link FaultInjector.fail}. */
export interface FailFaultOptions extends FaultCallScope, FaultFrequency {
  /** The error to inject. Defaults to `'general_server_error'` (HTTP 500). */
  error?: FaultError
  /** Custom message for an Appwrite error type (the server often names the column or id). */
  message?: string
}

/** Options for {@link FaultInjector.latency}. */
export interface LatencyFaultOptions extends FaultCallScope, FaultFrequency {
  /** Extra time the call takes before it reaches storage, in milliseconds, on the fake's clock. */
  ms: number
}

/** Options for {@link FaultInjector.hang}. */
export type HangFaultOptions = FaultCallScope & FaultFrequency

/** Which realtime events a rule applies to. Every given field must match. */
export interface RealtimeFaultScope {
  /** Table id(s) (collection ids). Defaults to every table. */
  table?: string | readonly string[]
  /** Database id(s). Defaults to every database. */
  database?: string | readonly string[]
  /** Row id(s). Defaults to every row. */
  row?: string | readonly string[]
  /** Event action(s). Defaults to every action. */
  action?: RealtimeRowEvent['action'] | readonly RealtimeRowEvent['action'][]
  /**
   * Channel(s) the event must be published on, e.g. `'databases.main.tables.bookings.rows'`.
   * Defaults to any channel.
   */
  channel?: string | readonly string[]
  /** Extra test on the event; the rule applies only when it returns `true`. */
  when?: (event: RealtimeRowEvent) => boolean
  /** A label for the rule, repeated in every log entry it writes. */
  name?: string
}

/** Options for {@link RealtimeFaults.drop}. */
export type RealtimeDropOptions = RealtimeFaultScope & FaultFrequency

/** Options for {@link RealtimeFaults.delay}. */
export interface RealtimeDelayOptions extends RealtimeFaultScope, FaultFrequency {
  /** How much later the event arrives, in milliseconds, on the fake's clock. */
  ms: number
}

/** Options for {@link RealtimeFaults.duplicate}. */
export interface RealtimeDuplicateOptions extends RealtimeFaultScope, FaultFrequency {
  /** Extra copies delivered right after the original. Defaults to `1`. */
  copies?: number
}

/** Options for {@link RealtimeFaults.disconnect}. */
export interface RealtimeDisconnectOptions {
  /**
   * Reconnect automatically after this many milliseconds on the fake's clock. Defaults to
   * staying down until `reconnect()`, `rule.remove()`, `clear()` or `reset()`.
   */
  forMs?: number
  /**
   * Cut only this connection (a `FakeRealtime` made by the fake). Defaults to every connection,
   * including ones opened while the outage lasts.
   */
  realtime?: object
  /** A label for the rule, repeated in every log entry it writes. */
  name?: string
}

/** What a log entry records. */
export type FaultLogKind =
  | 'error'
  | 'network'
  | 'latency'
  | 'hang'
  | 'hang.release'
  | 'hang.abort'
  | 'realtime.drop'
  | 'realtime.delay'
  | 'realtime.duplicate'
  | 'realtime.disconnect'
  | 'realtime.reconnect'

/** One injected fault, as {@link FaultInjector.log} records it. */
export interface FaultLogEntry {
  /** When it happened, in epoch milliseconds on the fake's clock. */
  time: number
  /** What was injected. */
  kind: FaultLogKind
  /** The rule's id (`'fault-1'`, …). */
  ruleId: string
  /** The rule's `name`, when it has one. */
  name?: string
  /** The API of the affected call. */
  api?: FaultApi
  /** The SDK method of the affected call. */
  operation?: string
  /** The database of the affected call or event. */
  databaseId?: string
  /** The table (collection) of the affected call or event. */
  table?: string
  /** The row (document) of the affected call or event. */
  rowId?: string
  /** The action of the affected realtime event. */
  action?: RealtimeRowEvent['action']
  /** For `error`/`network`/`hang.abort`: the Appwrite error type, `'network'`, or the error's name. */
  error?: string
  /** For `latency`/`realtime.delay`/`realtime.disconnect`: the duration in milliseconds. */
  ms?: number
  /** For `realtime.duplicate`: how many extra copies. */
  copies?: number
}

/** The kinds of rule. */
export type FaultRuleKind =
  | 'fail'
  | 'latency'
  | 'hang'
  | 'realtime.drop'
  | 'realtime.delay'
  | 'realtime.duplicate'
  | 'realtime.disconnect'

/** A live fault rule, returned by every fault method. */
export interface FaultRule {
  /** Unique within the injector: `'fault-1'`, `'fault-2'`, … */
  readonly id: string
  /** The `name` option, if given. */
  readonly name: string | undefined
  /** What the rule injects. */
  readonly kind: FaultRuleKind
  /** How many times it has fired. */
  readonly hits: number
  /** `false` once removed, cleared, or retired after `times` hits. */
  readonly active: boolean
  /** Stops the rule. Removing a `hang` rule aborts the calls it still holds (see {@link HangFaultRule}). */
  remove(): void
}

/**
 * A `hang` rule: matching calls stay pending until the test lets them go. `release()` lets them
 * proceed (they then reach storage as if the server had answered late); `abort()` rejects them.
 * `remove()`, `clear()` and `reset()` abort the calls still held with a network error, as a
 * connection torn down mid-request would, so no write lands after a test has cleaned up.
 */
export interface HangFaultRule extends FaultRule {
  /** Calls currently held. */
  readonly pending: number
  /** Lets every held call proceed. The rule keeps holding new calls until removed. */
  release(): void
  /** Rejects every held call with `error`. Defaults to a network error (`TypeError: fetch failed`). */
  abort(error?: Error): void
}

/** A realtime disconnect: `remove()` and `reconnect()` both end it. */
export interface RealtimeDisconnectRule extends FaultRule {
  /** Ends this outage: connections come back (their `onOpen` callbacks run) and resubscribe. */
  reconnect(): void
}

/** Realtime fault methods, reached as `faults.realtime`. */
export interface RealtimeFaults {
  /**
   * Loses matching events before they reach any subscriber.
   *
   * @example
   * ```ts
   * fake.faults.realtime.drop({ table: 'bookings', times: 1 })
   * ```
   */
  drop(options?: RealtimeDropOptions): FaultRule
  /**
   * Delivers matching events `ms` later (on the fake's clock); later events may overtake them.
   *
   * @example
   * ```ts
   * fake.faults.realtime.delay({ ms: 500 })
   * await clock.advance(500)
   * ```
   */
  delay(options: RealtimeDelayOptions): FaultRule
  /**
   * Delivers matching events more than once.
   *
   * @example
   * ```ts
   * fake.faults.realtime.duplicate({ table: 'chat_messages' })
   * ```
   */
  duplicate(options?: RealtimeDuplicateOptions): FaultRule
  /**
   * Cuts realtime connections: `onClose` callbacks run, events published meanwhile are lost, and
   * on reconnect `onOpen` callbacks run and subscriptions resume.
   *
   * @example
   * ```ts
   * fake.faults.realtime.disconnect({ forMs: 10_000 })
   * await clock.advance(10_000) // back online
   * ```
   */
  disconnect(options?: RealtimeDisconnectOptions): RealtimeDisconnectRule
  /** Ends every realtime outage now. */
  reconnect(): void
}

/**
 * What the realtime hub does with one event that has at least one recipient.
 *
 * @internal
 */
export interface RealtimeFaultDecision {
  /** Lose the event. */
  drop: boolean
  /** Deliver it this much later, in milliseconds. */
  delayMs: number
  /** Deliver this many extra copies. */
  copies: number
}

/**
 * What the injector needs from the realtime hub to cut and restore connections.
 *
 * @internal
 */
export interface RealtimeFaultTarget {
  /** Starts an outage covering `connection`, or every connection when omitted. */
  startOutage(outageId: string, connection: object | undefined): void
  /** Ends an outage started by `startOutage`. */
  endOutage(outageId: string): void
}

/** Options for {@link FaultInjector}. */
export interface FaultInjectorOptions {
  /** Source of time for latency, timed disconnects and log timestamps. */
  clock: FakeClock
  /**
   * How many entries {@link FaultInjector.log} keeps: past it, each new entry evicts the oldest,
   * so a long run's memory stays bounded; {@link FaultInjector.counts} still counts every fault.
   * Defaults to {@link DEFAULT_FAULT_LOG_SIZE}.
   */
  logSize?: number
}

/** Entries {@link FaultInjector.log} keeps by default: `1_000`. */
export const DEFAULT_FAULT_LOG_SIZE = 1_000

/** How many faults were injected since the last `reset()`, whether or not the log still holds them. */
export interface FaultCounts {
  /** Every fault injected. */
  total: number
  /** Entries evicted from the log to keep it within its `logSize`. */
  evicted: number
  /** Faults by kind; a kind never injected is absent. */
  byKind: Partial<Record<FaultLogKind, number>>
}

type Matcher = ReadonlySet<string> | undefined

const toMatcher = (value: string | readonly string[] | undefined, star = false): Matcher => {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? [value] : value
  if (star && list.includes('*')) return undefined
  return new Set(list)
}

const fits = (matcher: Matcher, value: string | undefined) =>
  matcher === undefined || (value !== undefined && matcher.has(value))

/** What a rule needs from its injector; kept off the injector's public surface. */
interface RuleHost {
  retire(rule: BaseRule | DisconnectRule): void
  exhaust(rule: BaseRule): void
  record(
    kind: FaultLogKind,
    rule: FaultRule,
    call: FaultCallContext,
    extra?: Partial<FaultLogEntry>,
  ): void
}

interface Deferred {
  call: FaultCallContext
  resolve: () => void
  reject: (error: Error) => void
}

abstract class BaseRule implements FaultRule {
  readonly id: string
  readonly name: string | undefined
  abstract readonly kind: FaultRuleKind
  hits = 0
  active = true
  readonly #owner: RuleHost
  #remaining: number
  #skip: number
  readonly #rate: number | undefined
  readonly #random: FakeRandomSource | undefined

  constructor(
    owner: RuleHost,
    id: string,
    index: number,
    name: string | undefined,
    frequency: FaultFrequency,
  ) {
    this.#owner = owner
    this.id = id
    this.name = name
    this.#remaining = checkCount('times', frequency.times) ?? Infinity
    this.#skip = checkCount('after', frequency.after, true) ?? 0
    if (frequency.rate !== undefined && !(frequency.rate >= 0 && frequency.rate <= 1))
      throw new RangeError(`fault rate must be between 0 and 1, got ${String(frequency.rate)}`)
    this.#rate = frequency.rate
    this.#random =
      frequency.rate === undefined ? undefined : createFakeRandom(frequency.seed ?? index)
  }

  /** Decides whether the rule fires on this matching call or event, and counts it. */
  fire(): boolean {
    if (this.#skip > 0) {
      this.#skip--
      return false
    }
    if (this.#random !== undefined && this.#random() >= (this.#rate ?? 1)) return false
    this.hits++
    if (--this.#remaining <= 0) this.#owner.exhaust(this)
    return true
  }

  remove(): void {
    this.#owner.retire(this)
  }

  /** Called once when the rule leaves the injector. */
  dispose(): void {
    this.active = false
  }
}

function checkCount(
  label: string,
  value: number | undefined,
  allowZero = false,
): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1))
    throw new RangeError(
      `fault \`${label}\` must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`,
    )
  return value
}

function checkMs(label: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(
      `fault \`${label}\` must be a non-negative number of milliseconds, got ${String(value)}`,
    )
  return value
}

abstract class CallRule extends BaseRule {
  readonly #operations: Matcher
  readonly #api: FaultApi | undefined
  readonly #tables: Matcher
  readonly #databases: Matcher
  readonly #rows: Matcher
  readonly #when: ((call: FaultCallContext) => boolean) | undefined

  constructor(
    owner: RuleHost,
    id: string,
    index: number,
    options: FaultCallScope & FaultFrequency,
  ) {
    super(owner, id, index, options.name, options)
    this.#operations = toMatcher(options.operation, true)
    this.#api = options.api
    this.#tables = toMatcher(options.table)
    this.#databases = toMatcher(options.database)
    this.#rows = toMatcher(options.row)
    this.#when = options.when
  }

  matches(call: FaultCallContext): boolean {
    return (
      fits(this.#operations, call.operation) &&
      (this.#api === undefined || this.#api === call.api) &&
      fits(this.#tables, call.tableId) &&
      fits(this.#databases, call.databaseId) &&
      fits(this.#rows, call.rowId) &&
      (this.#when === undefined || this.#when(call))
    )
  }
}

class FailRule extends CallRule {
  readonly kind = 'fail'
  readonly #error: FaultError
  readonly #message: string | undefined

  constructor(owner: RuleHost, id: string, index: number, options: FailFaultOptions) {
    super(owner, id, index, options)
    this.#error = options.error ?? 'general_server_error'
    this.#message = options.message
  }

  /** A fresh error for one failed call, and how the log names it. */
  create(): { error: Error; kind: 'error' | 'network'; label: string } {
    const spec = this.#error
    if (spec === 'network') return { error: networkError(), kind: 'network', label: 'network' }
    if (typeof spec === 'string')
      return { error: appwriteError(spec, this.#message), kind: 'error', label: spec }
    const error = typeof spec === 'function' ? spec() : spec
    const isNetwork = error instanceof TypeError && error.message === 'fetch failed'
    const type = (error as { type?: unknown }).type
    return {
      error,
      kind: isNetwork ? 'network' : 'error',
      label: isNetwork ? 'network' : typeof type === 'string' && type !== '' ? type : error.name,
    }
  }
}

class LatencyRule extends CallRule {
  readonly kind = 'latency'
  readonly ms: number

  constructor(owner: RuleHost, id: string, index: number, options: LatencyFaultOptions) {
    super(owner, id, index, options)
    this.ms = checkMs('ms', options.ms)
  }
}

class HangRule extends CallRule implements HangFaultRule {
  readonly kind = 'hang'
  readonly #held = new Set<Deferred>()
  readonly #owner: RuleHost

  constructor(owner: RuleHost, id: string, index: number, options: HangFaultOptions) {
    super(owner, id, index, options)
    this.#owner = owner
  }

  get pending(): number {
    return this.#held.size
  }

  hold(call: FaultCallContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#held.add({ call, resolve, reject })
    })
  }

  release(): void {
    const held = [...this.#held]
    this.#held.clear()
    for (const entry of held) {
      this.#owner.record('hang.release', this, entry.call)
      entry.resolve()
    }
  }

  abort(error?: Error): void {
    const held = [...this.#held]
    this.#held.clear()
    for (const entry of held) {
      // A fresh error per call, so each rejection carries its own stack.
      const reason = error ?? networkError()
      this.#owner.record('hang.abort', this, entry.call, {
        error: reason === error ? reason.name : 'network',
      })
      entry.reject(reason)
    }
  }

  override dispose(): void {
    super.dispose()
    this.abort()
  }
}

abstract class EventRule extends BaseRule {
  readonly #tables: Matcher
  readonly #databases: Matcher
  readonly #rows: Matcher
  readonly #actions: Matcher
  readonly #channels: readonly string[] | undefined
  readonly #when: ((event: RealtimeRowEvent) => boolean) | undefined

  constructor(
    owner: RuleHost,
    id: string,
    index: number,
    options: RealtimeFaultScope & FaultFrequency,
  ) {
    super(owner, id, index, options.name, options)
    this.#tables = toMatcher(options.table)
    this.#databases = toMatcher(options.database)
    this.#rows = toMatcher(options.row)
    this.#actions = toMatcher(options.action)
    this.#channels = options.channel === undefined ? undefined : [options.channel].flat()
    this.#when = options.when
  }

  matches(event: RealtimeRowEvent, channels: readonly string[]): boolean {
    return (
      fits(this.#tables, event.tableId) &&
      fits(this.#databases, event.databaseId) &&
      fits(this.#rows, event.rowId) &&
      fits(this.#actions, event.action) &&
      (this.#channels === undefined ||
        this.#channels.some((channel) => channels.includes(channel))) &&
      (this.#when === undefined || this.#when(event))
    )
  }
}

class DropRule extends EventRule {
  readonly kind = 'realtime.drop'
}

class DelayRule extends EventRule {
  readonly kind = 'realtime.delay'
  readonly ms: number

  constructor(owner: RuleHost, id: string, index: number, options: RealtimeDelayOptions) {
    super(owner, id, index, options)
    this.ms = checkMs('ms', options.ms)
  }
}

class DuplicateRule extends EventRule {
  readonly kind = 'realtime.duplicate'
  readonly copies: number

  constructor(owner: RuleHost, id: string, index: number, options: RealtimeDuplicateOptions) {
    super(owner, id, index, options)
    this.copies = checkCount('copies', options.copies) ?? 1
  }
}

class DisconnectRule implements RealtimeDisconnectRule {
  readonly kind = 'realtime.disconnect'
  readonly id: string
  readonly name: string | undefined
  hits = 1
  active = true
  timer: FakeTimerHandle | undefined
  readonly #owner: RuleHost

  constructor(owner: RuleHost, id: string, name: string | undefined) {
    this.#owner = owner
    this.id = id
    this.name = name
  }

  remove(): void {
    this.#owner.retire(this)
  }

  reconnect(): void {
    this.#owner.retire(this)
  }
}

type AnyRule =
  FailRule | LatencyRule | HangRule | DropRule | DelayRule | DuplicateRule | DisconnectRule

/**
 * Simmy-style fault injection for the fake: make chosen calls fail, slow down or hang, and make
 * realtime events go missing, arrive late or twice, or the connection drop. Rules are scoped by
 * operation, table, database, row or a predicate; fire on the next N calls, a seeded rate, or
 * always; and every fault they inject is appended to {@link FaultInjector.log}.
 *
 * Several rules may match one call: their latencies add up, then the first matching `hang`
 * holds the call, then the first matching `fail` rejects it. A rule only counts (`times`,
 * `after`, `rate`) the calls it matches.
 *
 * @example
 * ```ts
 * const fake = createFakeAppwrite()
 * fake.faults.fail({ operation: 'createRow', table: 'notifications', times: 2, error: 'general_server_error' })
 * fake.faults.fail({ operation: '*', rate: 0.3, seed: 1, error: 'network' })
 * fake.faults.latency({ ms: 20 })
 * const hang = fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
 * hang.release()
 * fake.faults.realtime.drop({ table: 'bookings', times: 1 })
 * expect(fake.faults.log).toMatchObject([{ kind: 'error', operation: 'createRow', table: 'notifications' }])
 * ```
 */
/**
 * Runs one fake call behind the fault gate: `run` at once when no rule fires (or `call` is
 * `undefined`: no rules to ask), else after the gate's latency or released hang, or not at all
 * when it fails. A throw from either side becomes a rejection, as with the real SDK.
 *
 * @internal
 */
export function runGated<T>(
  faults: FaultGate,
  call: FaultCallContext | undefined,
  run: () => T,
): Promise<T> {
  let gate: Promise<void> | undefined
  try {
    if (call !== undefined) gate = faults.beforeCall(call)
    if (gate === undefined) return Promise.resolve(run())
  } catch (error) {
    return Promise.reject(error)
  }
  return gate.then(run)
}

export class FaultInjector {
  readonly #clock: FakeClock
  #callRules: Array<FailRule | LatencyRule | HangRule> = []
  #eventRules: Array<DropRule | DelayRule | DuplicateRule> = []
  readonly #outages = new Map<string, DisconnectRule>()
  readonly #draining = new Set<HangRule>()
  /** The newest `#logSize` entries, as a ring: the oldest sits at `#logStart` once it is full. */
  #log: FaultLogEntry[] = []
  #logStart = 0
  readonly #logSize: number
  #counts: FaultCounts = { total: 0, evicted: 0, byKind: {} }
  #counter = 0
  #target: RealtimeFaultTarget | undefined

  /** Realtime faults: drop, delay, duplicate, disconnect, reconnect. */
  readonly realtime: RealtimeFaults

  readonly #host: RuleHost = {
    retire: (rule) => this.#retire(rule),
    exhaust: (rule) => this.#exhaust(rule),
    record: (kind, rule, call, extra) => this.#record(kind, rule, call, extra),
  }

  constructor(options: FaultInjectorOptions) {
    this.#clock = options.clock
    const logSize = options.logSize ?? DEFAULT_FAULT_LOG_SIZE
    if (!Number.isInteger(logSize) || logSize < 0)
      throw new RangeError(`FaultInjector logSize must be an integer ≥ 0, got ${logSize}`)
    this.#logSize = logSize
    this.realtime = {
      drop: (opts = {}) => this.#addEventRule(DropRule, opts),
      delay: (opts) => this.#addEventRule(DelayRule, opts),
      duplicate: (opts = {}) => this.#addEventRule(DuplicateRule, opts),
      disconnect: (opts = {}) => this.#disconnect(opts),
      reconnect: () => {
        for (const rule of [...this.#outages.values()]) this.#retire(rule)
      },
    }
  }

  /**
   * Makes matching calls reject with an Appwrite error or a network error.
   *
   * @example
   * ```ts
   * fake.faults.fail({ operation: 'createRow', table: 'notifications', times: 2, error: 'general_server_error' })
   * fake.faults.fail({ operation: '*', rate: 0.3, seed: 1, error: 'network' })
   * ```
   */
  fail(options: FailFaultOptions = {}): FaultRule {
    return this.#addCallRule(FailRule, options)
  }

  /**
   * Delays matching calls by `ms` on the fake's clock before they touch storage.
   *
   * @example
   * ```ts
   * fake.faults.latency({ ms: 20 })
   * ```
   */
  latency(options: LatencyFaultOptions): FaultRule {
    return this.#addCallRule(LatencyRule, options)
  }

  /**
   * Holds matching calls pending until `release()` or `abort()` (see {@link HangFaultRule}).
   *
   * @example
   * ```ts
   * const hang = fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
   * const pending = createBooking(input)
   * hang.abort() // or hang.release()
   * ```
   */
  hang(options: HangFaultOptions = {}): HangFaultRule {
    return this.#addCallRule(HangRule, options)
  }

  /**
   * The faults injected so far, oldest first: the newest `logSize` of them (default
   * {@link DEFAULT_FAULT_LOG_SIZE}); {@link FaultInjector.counts} counts them all. A copy: later
   * faults do not change it.
   */
  get log(): readonly FaultLogEntry[] {
    return this.#logStart === 0
      ? this.#log.slice()
      : [...this.#log.slice(this.#logStart), ...this.#log.slice(0, this.#logStart)]
  }

  /** Every fault injected since the last `reset()`, by kind, including those the log evicted. A copy. */
  get counts(): FaultCounts {
    return { ...this.#counts, byKind: { ...this.#counts.byKind } }
  }

  /** The rules currently active, in creation order. */
  get rules(): readonly FaultRule[] {
    return [...this.#callRules, ...this.#eventRules, ...this.#outages.values()]
  }

  /**
   * `true` while no call rule is set: {@link FaultInjector.beforeCall} then answers `undefined`,
   * so the fake skips building the call's context.
   *
   * @internal
   */
  get idle(): boolean {
    return this.#callRules.length === 0
  }

  /**
   * Called by every fake `tablesDB` / `databases` method before it touches storage. Returns
   * `undefined` when no rule fires (the fast path: one length check with no rules), else a
   * promise that resolves when the call may proceed (after latency, or a released hang) or
   * rejects with the injected error.
   */
  beforeCall(call: FaultCallContext, options?: { latency?: boolean }): Promise<void> | undefined {
    if (this.#callRules.length === 0) return undefined
    const withLatency = options?.latency !== false
    let latency = 0
    let held: Promise<void> | undefined
    let failure: Error | undefined
    for (const rule of this.#callRules.slice()) {
      // Checked before `matches`/`fire`, so a skipped latency rule spends none of its `times`.
      if (rule instanceof LatencyRule && !withLatency) continue
      // Only the first hang and the first failure apply, so later ones are not spent on this call.
      if (rule instanceof HangRule && held !== undefined) continue
      if (rule instanceof FailRule && failure !== undefined) continue
      if (!rule.matches(call) || !rule.fire()) continue
      if (rule instanceof LatencyRule) {
        latency += rule.ms
        this.#record('latency', rule, call, { ms: rule.ms })
      } else if (rule instanceof HangRule) {
        held = rule.hold(call)
        this.#record('hang', rule, call)
      } else {
        const made = rule.create()
        failure = made.error
        this.#record(made.kind, rule, call, { error: made.label })
      }
    }
    if (latency === 0 && held === undefined && failure === undefined) return undefined
    return this.#apply(latency, held, failure)
  }

  async #apply(
    latency: number,
    held: Promise<void> | undefined,
    failure: Error | undefined,
  ): Promise<void> {
    if (latency > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, latency))
    if (held !== undefined) await held
    if (failure !== undefined) throw failure
  }

  /**
   * Decides the fate of one realtime event that has at least one recipient. `undefined` when
   * no rule fires.
   *
   * @internal
   */
  decideRealtime(
    event: RealtimeRowEvent,
    channels: readonly string[],
  ): RealtimeFaultDecision | undefined {
    if (this.#eventRules.length === 0) return undefined
    const rules = this.#eventRules.slice()
    // A lost event cannot also be late or doubled, so drops are settled first.
    for (const rule of rules) {
      if (rule instanceof DropRule && rule.matches(event, channels) && rule.fire()) {
        this.#recordEvent('realtime.drop', rule, event)
        return { drop: true, delayMs: 0, copies: 0 }
      }
    }
    let delayMs = 0
    let copies = 0
    for (const rule of rules) {
      if (rule instanceof DropRule || !rule.matches(event, channels) || !rule.fire()) continue
      if (rule instanceof DelayRule) {
        delayMs += rule.ms
        this.#recordEvent('realtime.delay', rule, event, { ms: rule.ms })
      } else {
        copies += rule.copies
        this.#recordEvent('realtime.duplicate', rule, event, { copies: rule.copies })
      }
    }
    return delayMs === 0 && copies === 0 ? undefined : { drop: false, delayMs, copies }
  }

  /**
   * Connects the realtime hub, so `realtime.disconnect()` can reach its connections.
   *
   * @internal
   */
  attachRealtime(target: RealtimeFaultTarget): void {
    this.#target = target
  }

  /**
   * Removes every rule: hung calls are aborted with a network error, realtime outages end
   * (connections reopen). The log is kept; use {@link FaultInjector.reset} to empty it too.
   */
  clear(): void {
    const rules = [
      ...this.#callRules,
      ...this.#eventRules,
      ...this.#draining,
      ...this.#outages.values(),
    ]
    for (const rule of rules) this.#retire(rule)
  }

  /** {@link FaultInjector.clear}, then empties the log and restarts rule numbering (and default seeds). */
  reset(): void {
    this.clear()
    this.#log = []
    this.#logStart = 0
    this.#counts = { total: 0, evicted: 0, byKind: {} }
    this.#counter = 0
  }

  /** Takes a rule out of service (removed or cleared). */
  #retire(rule: AnyRule | BaseRule): void {
    if (rule instanceof DisconnectRule) {
      if (!rule.active) return
      rule.active = false
      this.#outages.delete(rule.id)
      if (rule.timer !== undefined) this.#clock.clearTimeout(rule.timer)
      this.#append({
        time: this.#clock.now(),
        kind: 'realtime.reconnect',
        ruleId: rule.id,
        ...named(rule.name),
      })
      this.#target?.endOutage(rule.id)
      return
    }
    this.#callRules = this.#callRules.filter((r) => r !== rule)
    this.#eventRules = this.#eventRules.filter((r) => r !== rule)
    if (rule instanceof HangRule) this.#draining.delete(rule)
    rule.dispose()
  }

  /**
   * Retires a rule that used up its `times`. A spent hang rule keeps the calls it holds until
   * the test releases or aborts them (or `clear()`), so it is parked instead of disposed.
   */
  #exhaust(rule: BaseRule): void {
    this.#callRules = this.#callRules.filter((r) => r !== rule)
    this.#eventRules = this.#eventRules.filter((r) => r !== rule)
    rule.active = false
    if (rule instanceof HangRule) this.#draining.add(rule)
  }

  /** Appends a log entry for a call. */
  #record(
    kind: FaultLogKind,
    rule: FaultRule,
    call: FaultCallContext,
    extra: Partial<FaultLogEntry> = {},
  ): void {
    this.#logFor(kind, rule, {
      api: call.api,
      operation: call.operation,
      ...(call.databaseId === undefined ? {} : { databaseId: call.databaseId }),
      ...(call.tableId === undefined ? {} : { table: call.tableId }),
      ...(call.rowId === undefined ? {} : { rowId: call.rowId }),
      ...extra,
    })
  }

  /** Appends a log entry for a realtime event. */
  #recordEvent(
    kind: FaultLogKind,
    rule: FaultRule,
    event: RealtimeRowEvent,
    extra: Partial<FaultLogEntry> = {},
  ): void {
    this.#logFor(kind, rule, {
      databaseId: event.databaseId,
      table: event.tableId,
      rowId: event.rowId,
      action: event.action,
      ...extra,
    })
  }

  /** Appends an entry: the time, what happened, the rule, then what it happened to. */
  #logFor(kind: FaultLogKind, rule: FaultRule, fields: Partial<FaultLogEntry>): void {
    this.#append({ time: this.#clock.now(), kind, ruleId: rule.id, ...named(rule.name), ...fields })
  }

  #append(entry: FaultLogEntry): void {
    const counts = this.#counts
    counts.total++
    counts.byKind[entry.kind] = (counts.byKind[entry.kind] ?? 0) + 1
    if (this.#log.length < this.#logSize) {
      this.#log.push(entry)
      return
    }
    counts.evicted++
    if (this.#logSize === 0) return
    this.#log[this.#logStart] = entry
    this.#logStart = (this.#logStart + 1) % this.#logSize
  }

  #next(): { id: string; index: number } {
    const index = ++this.#counter
    return { id: `fault-${index}`, index }
  }

  #addCallRule<
    R extends FailRule | LatencyRule | HangRule,
    O extends FaultCallScope & FaultFrequency,
  >(Rule: new (owner: RuleHost, id: string, index: number, options: O) => R, options: O): R {
    const { id, index } = this.#next()
    const rule = new Rule(this.#host, id, index, options)
    this.#callRules.push(rule)
    return rule
  }

  #addEventRule<
    R extends DropRule | DelayRule | DuplicateRule,
    O extends RealtimeFaultScope & FaultFrequency,
  >(Rule: new (owner: RuleHost, id: string, index: number, options: O) => R, options: O): R {
    const { id, index } = this.#next()
    const rule = new Rule(this.#host, id, index, options)
    this.#eventRules.push(rule)
    return rule
  }

  #disconnect(options: RealtimeDisconnectOptions): RealtimeDisconnectRule {
    if (this.#target === undefined)
      throw new Error(
        'faults.realtime.disconnect() needs a realtime hub: create the RealtimeHub with this FaultInjector first',
      )
    const forMs = options.forMs === undefined ? undefined : checkMs('forMs', options.forMs)
    const { id } = this.#next()
    const rule = new DisconnectRule(this.#host, id, options.name)
    this.#outages.set(id, rule)
    this.#append({
      time: this.#clock.now(),
      kind: 'realtime.disconnect',
      ruleId: id,
      ...named(rule.name),
      ...(forMs === undefined ? {} : { ms: forMs }),
    })
    this.#target.startOutage(id, options.realtime)
    if (forMs !== undefined) rule.timer = this.#clock.setTimeout(() => this.#retire(rule), forMs)
    return rule
  }
}

const named = (name: string | undefined) => (name === undefined ? {} : { name })
