import { systemClock } from '../clock'
import type { Clock } from '../clock'
import { BookingGuardError } from '../errors'
import { errorFacts } from '../resilience/classifyError'
import { Emitter, reportListenerError } from '../resilience/emitter'
import { SlidingWindow } from '../resilience/slidingWindow'

/** Which part of the app an error belongs to. */
export type ErrorCategory =
  'booking' | 'chat' | 'notification' | 'realtime' | 'schema' | 'appwrite' | 'network'

/** How bad an error is. `critical` always raises an alert; `critical` and `error` count towards the error rate. */
export type ErrorSeverity = 'critical' | 'error' | 'warning' | 'info'

/** Every {@link ErrorCategory}, in a stable order. */
export const ERROR_CATEGORIES: readonly ErrorCategory[] = Object.freeze([
  'booking',
  'chat',
  'notification',
  'realtime',
  'schema',
  'appwrite',
  'network',
])

/** Every {@link ErrorSeverity}, most severe first. */
export const ERROR_SEVERITIES: readonly ErrorSeverity[] = Object.freeze([
  'critical',
  'error',
  'warning',
  'info',
])

/** Options for {@link ErrorMonitor.capture}. */
export interface CaptureOptions {
  /**
   * Which part of the app failed. When omitted (or not a known category) it is inferred:
   * network failures → `network`, missing tables or columns and schema errors → `schema`,
   * other Appwrite errors → `appwrite`, anything else → `booking`.
   */
  category?: ErrorCategory
  /** How bad it is. Defaults to `'error'`. */
  severity?: ErrorSeverity
  /** What was being done, e.g. `'createBooking'` or `'chat.sendMessage'`. */
  operation?: string
  /** Extra JSON-safe facts (ids, step names). Copied shallowly; never put secrets or message bodies here. */
  context?: Readonly<Record<string, unknown>>
}

/** One captured error as the monitor keeps it: plain data, no reference to the original error. */
export interface CapturedError {
  /** Sequence number, from 1, unique per monitor. */
  readonly id: number
  /** Epoch milliseconds when captured, by the monitor's clock. */
  readonly timestamp: number
  /** Which part of the app failed. */
  readonly category: ErrorCategory
  /** How bad it is. */
  readonly severity: ErrorSeverity
  /** What was being done, when given. */
  readonly operation: string | undefined
  /** The error's `name` (`AppwriteException`, `TypeError`), or the `typeof` of a non-Error. */
  readonly name: string
  /** The error's message, or the thrown value as text. */
  readonly message: string
  /** The error's `code` as text (HTTP status, errno, booking-guard code), when it has one. */
  readonly code: string | undefined
  /** Appwrite's error `type`, when it has one. */
  readonly type: string | undefined
  /** Stack trace, unless `captureStack: false`. */
  readonly stack: string | undefined
  /** The `context` given to `capture`. */
  readonly context: Readonly<Record<string, unknown>> | undefined
}

interface AlertBase {
  /** Epoch milliseconds when the alert was raised. */
  readonly timestamp: number
  /** One sentence for a human (Slack, pager). */
  readonly message: string
}

/** Raised for every `critical` capture. */
export interface CriticalAlert extends AlertBase {
  readonly type: 'critical'
  /** The captured error. */
  readonly entry: CapturedError
}

/** Raised when the error rate reaches the threshold; raised again only after it fell below. */
export interface RateAlert extends AlertBase {
  readonly type: 'rate'
  /** Errors (`critical` + `error`) per minute over the window. */
  readonly ratePerMinute: number
  /** The threshold reached, per minute. */
  readonly threshold: number
  /** Length of the sliding window, in milliseconds. */
  readonly windowMs: number
}

/** Raised by {@link createMetrics} when a pipeline rate falls below its threshold. */
export interface MetricAlert extends AlertBase {
  readonly type: 'metric'
  /** OpenTelemetry-style metric name, e.g. `booking_guard.chat_room.creation_rate`. */
  readonly metric: string
  /** Current value (a ratio in `[0, 1]` for rates). */
  readonly value: number
  /** The threshold it fell below. */
  readonly threshold: number
  /** Samples the value is based on. */
  readonly samples: number
  /** Unit of `value` and `threshold` (UCUM, `'1'` for ratios). */
  readonly unit: string
}

/** Anything the monitor tells `onAlert` listeners. */
export type MonitorAlert = CriticalAlert | RateAlert | MetricAlert

type WithoutTimestamp<T> = T extends unknown ? Omit<T, 'timestamp'> & { timestamp?: number } : never

/** An alert handed to {@link ErrorMonitor.alert}; `timestamp` defaults to now. */
export type MonitorAlertInput = WithoutTimestamp<MonitorAlert>

/** Where opt-in console output goes: `console` itself, or a structured logger (pino, winston). */
export interface MonitorLogger {
  error(message: string, entry: CapturedError): void
  warn(message: string, entry: CapturedError): void
  info(message: string, entry: CapturedError): void
}

/** Options for {@link createErrorMonitor}. */
export interface ErrorMonitorOptions {
  /** Most recent errors kept in memory (a ring buffer; older ones are dropped and counted). Defaults to `500`. */
  capacity?: number
  /** Length of the sliding window for the error rate, in milliseconds (60 buckets). Defaults to `60_000`. */
  rateWindow?: number
  /**
   * Errors per minute (`critical` + `error` over the window) that raise a `rate` alert. The
   * alert fires when the rate reaches the threshold and re-arms once a capture sees it below.
   * Defaults to `10`.
   */
  rateThreshold?: number
  /** Keep stack traces on captured entries. Defaults to `true`. */
  captureStack?: boolean
  /**
   * Logs each capture, structured: `logger.error('[booking-guard] booking/createBooking: …', entry)`
   * (`warn` for warnings, `info` for info). `true` uses the global `console`. Defaults to `false`.
   */
  console?: boolean | MonitorLogger
  /** Source of time for timestamps and the rate window. Defaults to {@link systemClock}. */
  clock?: Clock
}

/** Counts and rate at one moment; immutable, replaced when something changes. */
export interface ErrorMonitorSnapshot {
  /** Errors captured since creation (or the last `clear()`). */
  readonly total: number
  /** Entries currently kept. */
  readonly retained: number
  /** Entries dropped from the ring buffer to stay within `capacity`. */
  readonly dropped: number
  /** The ring buffer's size. */
  readonly capacity: number
  /** Captures per category, since creation. */
  readonly byCategory: Readonly<Record<ErrorCategory, number>>
  /** Captures per severity, since creation. */
  readonly bySeverity: Readonly<Record<ErrorSeverity, number>>
  /** `critical` + `error` captures per minute over the sliding window. */
  readonly ratePerMinute: number
  /** Whether the rate is at or above the threshold (a `rate` alert was raised and not yet re-armed). */
  readonly rateAlerting: boolean
  /** Alerts raised since creation. */
  readonly alerts: number
}

/** What {@link ErrorMonitor.toJSON} returns. */
export interface ErrorMonitorExport {
  /** ISO time of the export, by the monitor's clock. */
  readonly exportedAt: string
  /** Counts and rate at export time. */
  readonly snapshot: ErrorMonitorSnapshot
  /** Kept entries, oldest first. */
  readonly entries: readonly CapturedError[]
}

const CSV_COLUMNS = [
  'id',
  'timestamp',
  'time',
  'severity',
  'category',
  'operation',
  'name',
  'code',
  'type',
  'message',
  'context',
] as const

/**
 * Collects errors in bounded memory, counts them by category and severity, tracks the error rate
 * per minute and raises alerts. Create one with {@link createErrorMonitor} (which throws a
 * `CONFIGURATION` error for invalid options). After that no method throws into the caller: a
 * failure inside the monitor, its logger or a listener is reported on `console.error`.
 */
export class ErrorMonitor {
  readonly #capacity: number
  readonly #rateThreshold: number
  readonly #captureStack: boolean
  readonly #logger: MonitorLogger | undefined
  readonly #clock: Clock
  readonly #window: SlidingWindow
  readonly #alertEmitter = new Emitter<MonitorAlert>()
  readonly #captureEmitter = new Emitter<CapturedError>()
  #buffer: Array<CapturedError | undefined>
  #head = 0
  #size = 0
  #nextId = 1
  #total = 0
  #alerts = 0
  #rateAlerting = false
  #byCategory: Record<ErrorCategory, number> = zeroCounts(ERROR_CATEGORIES)
  #bySeverity: Record<ErrorSeverity, number> = zeroCounts(ERROR_SEVERITIES)
  #snapshot: ErrorMonitorSnapshot | undefined
  #snapshotSlot = NaN

  /** @internal Use {@link createErrorMonitor}. */
  constructor(options: ErrorMonitorOptions = {}) {
    const capacity = options.capacity ?? 500
    const rateWindow = options.rateWindow ?? 60_000
    const rateThreshold = options.rateThreshold ?? 10
    const problems: string[] = []
    if (!(Number.isInteger(capacity) && capacity >= 1))
      problems.push(`capacity must be an integer ≥ 1 (got ${capacity})`)
    if (!(rateWindow > 0 && Number.isFinite(rateWindow)))
      problems.push(`rateWindow must be > 0 ms (got ${rateWindow})`)
    if (!(rateThreshold > 0))
      problems.push(`rateThreshold must be > 0 per minute (got ${rateThreshold})`)
    if (problems.length > 0) {
      throw new BookingGuardError('CONFIGURATION', `createErrorMonitor: ${problems.join('; ')}`)
    }
    this.#capacity = capacity
    this.#rateThreshold = rateThreshold
    this.#captureStack = options.captureStack ?? true
    this.#logger = options.console === true ? console : options.console || undefined
    this.#clock = options.clock ?? systemClock
    this.#window = new SlidingWindow(rateWindow, 60)
    this.#buffer = new Array<CapturedError | undefined>(this.#capacity)
  }

  /**
   * Records an error. Returns the stored entry, or `undefined` if recording itself failed
   * (reported on `console.error`, never thrown).
   */
  capture(error: unknown, options: CaptureOptions = {}): CapturedError | undefined {
    try {
      const entry = this.#toEntry(error, options)
      this.#buffer[(this.#head + this.#size) % this.#capacity] = entry
      if (this.#size < this.#capacity) this.#size++
      else this.#head = (this.#head + 1) % this.#capacity
      this.#total++
      this.#byCategory[entry.category]++
      this.#bySeverity[entry.severity]++
      if (entry.severity === 'critical' || entry.severity === 'error') {
        this.#window.record(entry.timestamp, false)
      }
      // Listeners run after every count (the rate too), so a snapshot read inside one is current.
      this.#snapshot = undefined
      this.#log(entry)
      this.#captureEmitter.emit(entry)
      if (entry.severity === 'critical') {
        this.alert({
          type: 'critical',
          entry,
          message: `critical ${entry.category} error${entry.operation ? ` in ${entry.operation}` : ''}: ${entry.message}`,
          timestamp: entry.timestamp,
        })
      }
      this.#checkRate(entry.timestamp)
      return entry
    } catch (failure) {
      reportListenerError(failure)
      return undefined
    }
  }

  /**
   * Raises an alert to every `onAlert` listener. {@link createMetrics} uses it for threshold
   * breaches; apps can raise their own (`type: 'metric'`). Never throws.
   */
  alert(alert: MonitorAlertInput): void {
    try {
      this.#alerts++
      this.#snapshot = undefined
      this.#alertEmitter.emit({
        ...alert,
        timestamp: alert.timestamp ?? this.#clock.now(),
      } as MonitorAlert)
    } catch (failure) {
      reportListenerError(failure)
    }
  }

  /** Listens for alerts (critical captures, rate threshold, metric breaches): forward them to Sentry, Slack or a pager. */
  onAlert(listener: (alert: MonitorAlert) => void): () => void {
    return this.#alertEmitter.add(listener)
  }

  /** Listens for every captured entry, e.g. to forward errors to Sentry. */
  onCapture(listener: (entry: CapturedError) => void): () => void {
    return this.#captureEmitter.add(listener)
  }

  /** Kept entries, oldest first (a new array each call). */
  entries(): readonly CapturedError[] {
    const out: CapturedError[] = []
    for (let i = 0; i < this.#size; i++) out.push(this.#buffer[(this.#head + i) % this.#capacity]!)
    return out
  }

  /**
   * Counts and rate now. The same frozen object is returned until a capture, an alert, or the
   * rate window moving on changes it, so it works with React's `useSyncExternalStore`.
   */
  snapshot(): ErrorMonitorSnapshot {
    const now = this.#clock.now()
    const slot = Math.floor(now / (this.#window.duration / 60))
    if (this.#snapshot !== undefined && slot === this.#snapshotSlot) return this.#snapshot
    this.#snapshotSlot = slot
    this.#snapshot = Object.freeze({
      total: this.#total,
      retained: this.#size,
      dropped: this.#total - this.#size,
      capacity: this.#capacity,
      byCategory: Object.freeze({ ...this.#byCategory }),
      bySeverity: Object.freeze({ ...this.#bySeverity }),
      ratePerMinute: this.#rate(now),
      rateAlerting: this.#rateAlerting,
      alerts: this.#alerts,
    })
    return this.#snapshot
  }

  /** Snapshot plus kept entries as one JSON-safe object (`JSON.stringify(monitor)` works). */
  toJSON(): ErrorMonitorExport {
    return {
      exportedAt: new Date(this.#clock.now()).toISOString(),
      snapshot: this.snapshot(),
      entries: this.entries(),
    }
  }

  /**
   * Kept entries as CSV (RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes
   * or line breaks quoted, quotes doubled), oldest first, with a header row. Text starting with
   * `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so spreadsheets do not run it as a
   * formula. `context` is JSON; stacks are left out (use `toJSON()` for them).
   */
  toCSV(): string {
    const lines = [CSV_COLUMNS.join(',')]
    for (const entry of this.entries()) {
      lines.push(
        [
          String(entry.id),
          String(entry.timestamp),
          csvCell(new Date(entry.timestamp).toISOString()),
          csvCell(entry.severity),
          csvCell(entry.category),
          csvCell(entry.operation),
          csvCell(entry.name),
          csvCell(entry.code),
          csvCell(entry.type),
          csvCell(entry.message),
          csvCell(entry.context === undefined ? undefined : safeJson(entry.context)),
        ].join(','),
      )
    }
    return `${lines.join('\r\n')}\r\n`
  }

  /** Forgets every entry, count and the rate window (listeners stay). */
  clear(): void {
    this.#buffer = new Array<CapturedError | undefined>(this.#capacity)
    this.#head = 0
    this.#size = 0
    this.#total = 0
    this.#alerts = 0
    this.#rateAlerting = false
    this.#byCategory = zeroCounts(ERROR_CATEGORIES)
    this.#bySeverity = zeroCounts(ERROR_SEVERITIES)
    this.#window.reset()
    this.#snapshot = undefined
  }

  #rate(now: number): number {
    this.#window.sum(now)
    return (this.#window.failed * 60_000) / this.#window.duration
  }

  #checkRate(now: number): void {
    const rate = this.#rate(now)
    if (rate < this.#rateThreshold) {
      this.#rateAlerting = false
      return
    }
    if (this.#rateAlerting) return
    this.#rateAlerting = true
    this.alert({
      type: 'rate',
      ratePerMinute: rate,
      threshold: this.#rateThreshold,
      windowMs: this.#window.duration,
      message: `error rate ${formatNumber(rate)}/min reached the alert threshold of ${this.#rateThreshold}/min`,
      timestamp: now,
    })
  }

  #toEntry(error: unknown, options: CaptureOptions): CapturedError {
    const record =
      typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined
    const severity = ERROR_SEVERITIES.includes(options.severity as ErrorSeverity)
      ? options.severity!
      : 'error'
    const category = ERROR_CATEGORIES.includes(options.category as ErrorCategory)
      ? options.category!
      : inferCategory(error)
    const code = record?.code
    const type = record?.type
    return Object.freeze({
      id: this.#nextId++,
      timestamp: this.#clock.now(),
      category,
      severity,
      operation: typeof options.operation === 'string' ? options.operation : undefined,
      name: record ? (typeof record.name === 'string' ? record.name : 'Object') : typeof error,
      message: messageOf(error, record),
      code: typeof code === 'string' || typeof code === 'number' ? String(code) : undefined,
      type: typeof type === 'string' && type !== '' ? type : undefined,
      stack: this.#captureStack && typeof record?.stack === 'string' ? record.stack : undefined,
      context: options.context === undefined ? undefined : Object.freeze({ ...options.context }),
    })
  }

  #log(entry: CapturedError): void {
    const logger = this.#logger
    if (logger === undefined) return
    const where = entry.operation ? `${entry.category}/${entry.operation}` : entry.category
    const text = `[booking-guard] ${entry.severity} ${where}: ${entry.message}`
    try {
      if (entry.severity === 'warning') logger.warn(text, entry)
      else if (entry.severity === 'info') logger.info(text, entry)
      else logger.error(text, entry)
    } catch (failure) {
      reportListenerError(failure)
    }
  }
}

/**
 * Creates an {@link ErrorMonitor}: a bounded, never-throwing error log with counts by category
 * and severity, an error rate per minute, alerts (every `critical`, and the rate reaching
 * `rateThreshold`) and JSON / CSV export.
 *
 * @example
 * ```ts
 * const monitor = createErrorMonitor({ capacity: 1_000, rateThreshold: 10 })
 * monitor.onAlert((alert) => void fetch(slackWebhook, { method: 'POST', body: JSON.stringify({ text: alert.message }) }))
 * try {
 *   await guard.createBooking(input)
 * } catch (error) {
 *   monitor.capture(error, { category: 'booking', severity: 'critical', operation: 'createBooking', context: { providerId } })
 *   throw error
 * }
 * ```
 */
export function createErrorMonitor(options: ErrorMonitorOptions = {}): ErrorMonitor {
  return new ErrorMonitor(options)
}

function inferCategory(error: unknown): ErrorCategory {
  const verdict = errorFacts(error)
  if (verdict.category === 'network') return 'network'
  if (verdict.category === 'schema') return 'schema'
  if (
    verdict.type !== undefined &&
    /^(table|collection|database|attribute|column)_not_found$/.test(verdict.type)
  ) {
    return 'schema'
  }
  if (verdict.status !== undefined && verdict.status > 0) return 'appwrite'
  if (verdict.category === 'server' || verdict.category === 'rate-limit') return 'appwrite'
  return 'booking'
}

function messageOf(error: unknown, record: Record<string, unknown> | undefined): string {
  if (typeof error === 'string') return error
  if (record === undefined) return String(error)
  if (typeof record.message === 'string') return record.message
  return safeJson(error)
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>
  for (const key of keys) out[key] = 0
  return out
}

function csvCell(value: string | undefined): string {
  if (value === undefined || value === '') return ''
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return '[unserializable]'
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1)
}
