import { createAppwriteBackend } from './backend/appwriteBackend'
import { explainKeylessWrite } from './client/keylessWrite'
import type { DatabasesLike, RealtimeLike, TablesDBLike } from './backend/types'
import { systemClock } from './clock'
import type { Clock } from './clock'
import { BookingGuardError } from './errors'
import type { PipelineMode } from './errors'
import type { ErrorMonitor } from './monitor/errorMonitor'
import type { Metrics } from './monitor/metrics'
import type { CircuitBreaker, CircuitBreakerOptions } from './resilience/circuitBreaker'
import { Emitter } from './resilience/emitter'
import { RetryPolicy, createRetryPolicy } from './resilience/retryPolicy'
import type { ExecutionPolicy, RetryPolicyOptions } from './resilience/retryPolicy'
import { createGuardPolicy } from './resilience/guardPolicy'
import { mapBackend } from './schema/mappedBackend'
import { createSchemaLock } from './schema/schemaLock'
import type { LockInput, SchemaExtensions, SchemaLock } from './schema/schemaLock'
import type { TableKind } from './schema/schemas'
import { sendMessage } from './pipeline/chat'
import { guardTables, readMethods } from './client/readGuard'
import type {
  ListMessagesOptions,
  MarkMessagesReadOptions,
  MarkMessagesReadResult,
  MessagePage,
  SendMessageInput,
  SendMessageResult,
} from './pipeline/chat'
import { createBooking, KeyedCalls } from './pipeline/createBooking'
import type {
  BookingRow,
  CreateBookingOptions,
  CreateBookingResult,
} from './pipeline/createBooking'
import type { BookingGuardEvent, BookingGuardListener } from './pipeline/types'
import { assertBookingId, defaultSlotKey, randomId } from './pipeline/ids'
import { cancelBooking, respondToBooking } from './pipeline/lifecycle'
import type {
  CancelBookingOptions,
  RespondToBookingOptions,
  TransitionResult,
} from './pipeline/lifecycle'
import { createPermissionRules } from './pipeline/permissions'
import type { PermissionsOptions } from './pipeline/permissions'
import type { PushSender } from './pipeline/push'
import type {
  CommunicationCheck,
  ProviderBookingsOptions,
  ProviderBookingsPage,
} from './pipeline/reads'
import { reconcile } from './pipeline/reconcile'
import type { ReconcileOptions, ReconcileReport } from './pipeline/reconcile'
import { ModeSelector } from './pipeline/mode'
import type { PendingAction, PipelineRuntime, SlotLockRule } from './pipeline/types'
// realtime
import { createGuardRealtime } from './realtime/guardRealtime'
import type { GuardRealtime, GuardRealtimeOptions } from './realtime/guardRealtime'

/**
 * What `createBooking` accepts: exactly the booking fields a caller may set, the lock's extension
 * columns on `booking` (for a guard made with that lock), and the default legacy aliases
 * (`therapistId`, `therapistName`, `therapistType`) in place of their canonical field. Any other
 * key (`providerID`, `status`) is a compile error; the pipeline sets status, deadline, source and
 * pipeline fields itself. Data of unknown shape (a request body) is validated at run time.
 *
 * @example
 * ```ts
 * const input: CreateBookingInput = {
 *   customerId: 'c1', customerName: 'Ana', providerId: 'p1', providerType: 'therapist',
 *   providerName: 'Budi', bookingType: 'scheduled', scheduledAt: '2026-06-01T10:00:00.000Z',
 *   durationMinutes: 60, price: 25_000, currency: 'EUR',
 * }
 * // With extension columns: CreateBookingInput<typeof extensions>
 * ```
 */
export type CreateBookingInput<E extends SchemaExtensions = Record<never, never>> = LockInput<
  E,
  'bookingInput'
>

/**
 * The Appwrite data service the guard writes through: `tablesDB` or, on servers before 1.8,
 * `databases`. Give exactly one (a guard given both throws a `CONFIGURATION` error); the compiler
 * insists on at least one.
 */
export type BookingGuardBackendOption =
  | {
      /**
       * Appwrite's TablesDB service (server ≥ 1.8): `new TablesDB(client)` from `appwrite` or
       * `node-appwrite`, or `@booking-guard/testing`'s `fake.tablesDB`.
       */
      tablesDB: TablesDBLike
      /** The legacy collections service (`new Databases(client)`), for servers before 1.8. */
      databases?: DatabasesLike
    }
  | {
      /** Appwrite's TablesDB service (server ≥ 1.8). */
      tablesDB?: TablesDBLike
      /** The legacy collections service (`new Databases(client)`), for servers before 1.8. */
      databases: DatabasesLike
    }

/**
 * Options of {@link createBookingGuard}: the {@link BookingGuardBaseOptions} and one Appwrite data
 * service ({@link BookingGuardBackendOption}).
 */
export type BookingGuardOptions<E extends SchemaExtensions = Record<never, never>> =
  BookingGuardBaseOptions<E> & BookingGuardBackendOption

/** Every option of {@link createBookingGuard} but the data service. */
export interface BookingGuardBaseOptions<
  E extends SchemaExtensions = Record<never, never>,
> extends GuardRealtimeOptions {
  /** The realtime service (`new Realtime(client)`), kept for the provider feed and watchdog. Defaults to none. */
  realtime?: RealtimeLike
  /** The database holding the booking tables. Required. */
  databaseId: string
  /**
   * Table ids per kind when they differ from `bookings`, `chat_rooms`, `chat_messages`,
   * `notifications`. Ignored when `schemaLock` is given (set them there).
   */
  tables?: Partial<Record<TableKind, string>>
  /**
   * A schema lock with your extensions and table ids; its extension columns type
   * `createBooking`'s input. Defaults to `createSchemaLock({ tableIds: tables })`.
   */
  schemaLock?: SchemaLock<E>
  /**
   * `transaction`: one Appwrite transaction per booking (server ≥ 1.8). `saga`: parallel writes
   * with a step ledger and compensation (any server). `auto`: probes transaction support on the
   * first booking and remembers the answer. Defaults to `'auto'`.
   */
  mode?: 'auto' | PipelineMode
  /**
   * Retries for every Appwrite call: a `createRetryPolicy()` or its options. Defaults to 3
   * attempts, 300 ms → 600 ms back-off with ±15% jitter, retrying network errors, 5xx and 429.
   */
  retry?: RetryPolicy | RetryPolicyOptions
  /**
   * The circuit breaker in front of Appwrite: a `createCircuitBreaker()`, its options, or `false`
   * for none. Defaults to opening after 5 consecutive failures and probing after 30 s.
   */
  breaker?: CircuitBreaker | CircuitBreakerOptions | false
  /** Source of time for budgets, deadlines and timestamps. Defaults to {@link systemClock}. */
  clock?: Clock
  /** Where failures are captured (category, severity, step). Defaults to none. */
  monitor?: ErrorMonitor
  /** Where bookings, chat rooms, notifications, retries and breaker openings are counted. Defaults to none. */
  metrics?: Metrics
  /**
   * Sends pushes (web push, FCM, …) after a booking or transition commits; its outcome is stored
   * on the notification (`pushStatus`). Defaults to none: notifications are stored with
   * `pushStatus: 'skipped'`.
   */
  pushSender?: PushSender
  /** Retries of the push sender. Defaults to 3 attempts with back-off, retrying every error. */
  pushRetry?: RetryPolicy | RetryPolicyOptions
  /** Who may read the rows; never `any`. Defaults to the booking's customer and provider only. */
  permissions?: PermissionsOptions
  /**
   * Whole-call budget of every pipeline call, in milliseconds: on expiry in-flight requests are
   * abandoned, partial writes compensated, and a `PipelineTimeoutError` thrown. Defaults to `15_000`.
   */
  timeoutMs?: number
  /**
   * Budget of the compensation that follows a failure, in milliseconds, on top of `timeoutMs`:
   * what cannot be undone in time is left `pending` for the reconciler. Defaults to `5_000`.
   */
  compensationTimeoutMs?: number
  /** Budget of one push delivery (all its attempts), in milliseconds. Defaults to `10_000`. */
  pushTimeoutMs?: number
  /** How long a provider has to answer a booking, in milliseconds. Defaults to `1_500_000` (25 minutes). */
  responseDeadlineMs?: number
  /**
   * How long a chat room stays open after the booking ends (start + duration), in milliseconds.
   * Defaults to `86_400_000` (24 hours).
   */
  chatRoomTtlMs?: number
  /** Lifetime of a booking transaction on the server, in seconds (60–3600). Defaults to `60`. */
  transactionTtlSeconds?: number
  /**
   * Slot lock for scheduled bookings: `true` stores a slot key (provider + start time) that the
   * `unique_slot` index admits once, so a second booking of the same slot fails with
   * `SlotTakenError`; `{ secret }` does the same with a key only the server can compute (an
   * HMAC under `secret`, e.g. `process.env.BOOKING_GUARD_SLOT_SECRET`, the same on every
   * instance), so even where users could create booking rows nobody can squat another
   * provider's slot; or a function computing your own key (at most 64 characters). The index
   * must exist (`booking-guard provision`). Defaults to `false`.
   */
  slotLock?: boolean | { readonly secret: string } | SlotLockRule
  /** Generates booking ids for calls without an idempotency key (at most 32 characters). Defaults to 32 random hex-based characters. */
  generateId?: () => string
  /** Reconciler settings. */
  reconcile?: {
    /** What to do with bookings left pending while awaiting their provider. Defaults to `'complete'`. */
    pending?: PendingAction
    /** Push attempts (over all passes) after which a failed push is no longer retried. Defaults to `10`. */
    maxPushAttempts?: number
  }
}

/**
 * The booking guard: all-or-nothing bookings and transitions, chat, and the reconciler. Made by
 * {@link createBookingGuard}; `E` are the extensions of its schema lock.
 */
export interface BookingGuard<
  E extends SchemaExtensions = Record<never, never>,
> extends GuardRealtime {
  /**
   * Validates `input` with the schema lock, then writes the booking, its chat room, a "booking
   * received" system message and the provider's notification, all or nothing (one transaction,
   * or a saga with compensation). Invalid input throws `SchemaLockError` and writes nothing; a
   * failure throws `BookingPipelineError` naming the step; a timeout `PipelineTimeoutError`; a
   * taken slot `SlotTakenError`; a reused key with another input `IdempotencyConflictError`.
   *
   * @example
   * ```ts
   * const { booking, chatRoom, replayed } = await guard.createBooking(
   *   { customerId: 'c1', customerName: 'Ana', providerId: 'p1', providerType: 'therapist',
   *     providerName: 'Budi', bookingType: 'immediate', durationMinutes: 60 },
   *   { idempotencyKey: formId, source: 'bookingButton' },
   * )
   * ```
   */
  createBooking(
    input: CreateBookingInput<E>,
    options?: CreateBookingOptions,
  ): Promise<CreateBookingResult>
  /**
   * The provider accepts or declines a booking awaiting its response. Writes the booking, a
   * system message and a notification to the customer, all or nothing. Throws
   * `BookingStateError` (nothing written) for another provider or a booking no longer awaiting.
   *
   * @example
   * ```ts
   * await guard.respondToBooking(bookingId, { providerId: 'p1', response: 'decline', reason: 'Fully booked' })
   * ```
   */
  respondToBooking(bookingId: string, options: RespondToBookingOptions): Promise<TransitionResult>
  /**
   * Cancels a pending or confirmed booking as its customer or provider; the other party gets a
   * notification and the room a system message, all or nothing. Frees the slot.
   *
   * @example
   * ```ts
   * await guard.cancelBooking(bookingId, { by: 'customer', actorId: 'c1', reason: 'Plans changed' })
   * ```
   */
  cancelBooking(bookingId: string, options: CancelBookingOptions): Promise<TransitionResult>
  /**
   * Sends a chat message after checking that the sender belongs to the room and the room is
   * open. A repeated `clientMessageId` stores the message once.
   *
   * @example
   * ```ts
   * await guard.sendMessage(bookingId, {
   *   senderId: 'c1', senderType: 'customer', senderName: 'Ana', content: 'On my way', clientMessageId: localId,
   * })
   * ```
   */
  sendMessage(roomId: string, input: SendMessageInput): Promise<SendMessageResult>
  /**
   * A page of a room's messages: the newest page first, oldest first within the page; pass
   * `nextCursor` to load older messages.
   *
   * @example
   * ```ts
   * const first = await guard.listMessages(roomId, { limit: 30 })
   * const older = first.nextCursor ? await guard.listMessages(roomId, { cursor: first.nextCursor }) : undefined
   * ```
   */
  listMessages(roomId: string, options?: ListMessagesOptions): Promise<MessagePage>
  /**
   * Marks a room's messages read for one participant (one write: the room's read marker).
   *
   * @example
   * ```ts
   * const { readAt } = await guard.markMessagesRead(roomId, { readerId: 'p1' })
   * ```
   */
  markMessagesRead(
    roomId: string,
    options: MarkMessagesReadOptions,
  ): Promise<MarkMessagesReadResult>
  /**
   * A provider's bookings, newest first, read from the bookings table alone, so a broken chat
   * can never hide a booking.
   *
   * @example
   * ```ts
   * const { bookings, nextCursor } = await guard.getProviderBookings('p1', { status: 'pending' })
   * ```
   */
  getProviderBookings(
    providerId: string,
    options?: ProviderBookingsOptions,
  ): Promise<ProviderBookingsPage>
  /**
   * A customer's own bookings, newest first, read like `getProviderBookings` (the same page and
   * options, compensated bookings left out). In the browser (`createBookingClient`) the read runs
   * under the signed-in user's permissions, so a customer reads only their own.
   *
   * @example
   * ```ts
   * const { bookings, nextCursor } = await guard.getCustomerBookings(user.$id, { limit: 10 })
   * ```
   */
  getCustomerBookings(
    customerId: string,
    options?: ProviderBookingsOptions,
  ): Promise<ProviderBookingsPage>
  /**
   * One booking by id, normalized by the schema lock (legacy names such as `therapistId` and the
   * lock's value mappings applied), or `null` when there is none the caller may see: no such row,
   * a row the caller may not read (Appwrite answers 404 for both), or a booking whose creation
   * was compensated (failed or void), the same bookings `getProviderBookings` leaves out. Other
   * failures (no connection, a missing table) reject as every read does. An empty id throws
   * `SchemaLockError`.
   *
   * @example
   * ```ts
   * const booking = await guard.getBooking(bookingId)
   * if (booking === null) showNotFound()
   * else render(booking.providerName, booking.status)
   * ```
   */
  getBooking(bookingId: string, options?: { signal?: AbortSignal }): Promise<BookingRow | null>
  /**
   * Whether a booking's chat room, system message, notification and push exist.
   *
   * @example
   * ```ts
   * const check = await guard.checkCommunication(bookingId)
   * if (!check.ok) alertSupport(check)
   * ```
   */
  checkCommunication(
    bookingId: string,
    options?: { signal?: AbortSignal },
  ): Promise<CommunicationCheck>
  /**
   * One reconcile pass: finishes or compensates bookings left pending, expires bookings past their
   * response deadline, retries failed pushes, removes orphaned rows. Idempotent; run it every
   * minute (an Appwrite Function on a schedule), as several instances if you like.
   *
   * @example
   * ```ts
   * const report = await guard.reconcile({ olderThanMs: 60_000 })
   * console.log(report.pending.completed, report.expired.expired)
   * ```
   */
  reconcile(options?: ReconcileOptions): Promise<ReconcileReport>
  /**
   * Listens to every guard event (steps, failures, compensations, pushes, reconcile passes);
   * returns a function that removes the listener. A throwing listener never fails a booking.
   *
   * @example
   * ```ts
   * const off = guard.on((event) => {
   *   if (event.type === 'pipelineFailed') console.warn(event.step, event.compensated)
   * })
   * ```
   */
  on(listener: BookingGuardListener): () => void
  /**
   * Resolves when background work (push deliveries started after a commit) has finished; await
   * it before a serverless function returns, or in tests.
   *
   * @example
   * ```ts
   * await guard.createBooking(input)
   * await guard.idle()
   * ```
   */
  idle(): Promise<void>
  /**
   * How the guard writes now: `transaction`, `saga`, or `auto` while the probe has not run yet.
   *
   * @example
   * ```ts
   * if (guard.mode === 'saga') console.info('Appwrite transactions unavailable: saga mode')
   * ```
   */
  readonly mode: PipelineMode | 'auto'
  /** The schema lock the guard validates and normalizes with. */
  readonly schemaLock: SchemaLock<E>
  /** The realtime service given in the options, for the provider feed and the watchdog. */
  readonly realtime: RealtimeLike | undefined
  /** The retry policy and breaker every Appwrite call goes through. */
  readonly policy: ExecutionPolicy
  /**
   * Removes the listeners the guard added to its retry policy and breaker (for metrics). The guard
   * stays usable.
   *
   * @example
   * ```ts
   * guard.dispose()
   * ```
   */
  dispose(): void
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback
  if (!(resolved > 0) || !Number.isFinite(resolved)) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `createBookingGuard: \`${name}\` must be a positive number of milliseconds (got ${String(value)})`,
    )
  }
  return resolved
}

function isPolicy(value: unknown): value is RetryPolicy {
  return value instanceof RetryPolicy
}

/**
 * Creates a booking guard over an Appwrite TablesDB (or legacy Databases) service: the
 * all-or-nothing booking pipeline, lifecycle transitions, chat and the reconciler, with retries,
 * a circuit breaker, a whole-call budget, events, metrics and error capture.
 *
 * @example
 * ```ts
 * import { Client, TablesDB } from 'node-appwrite'
 * import { createBookingGuard, createErrorMonitor, createMetrics } from '@booking-guard/core'
 *
 * const client = new Client().setEndpoint(endpoint).setProject(project).setKey(apiKey)
 * const monitor = createErrorMonitor()
 * const guard = createBookingGuard({
 *   tablesDB: new TablesDB(client),
 *   databaseId: 'main',
 *   monitor,
 *   metrics: createMetrics({ monitor }),
 *   slotLock: true,
 *   pushSender: async (message) => { await fcm.send(toFcm(message)) },
 * })
 * const { booking } = await guard.createBooking(input, { idempotencyKey: formId })
 * ```
 */
export function createBookingGuard<E extends SchemaExtensions = Record<never, never>>(
  options: BookingGuardOptions<E>,
): BookingGuard<E> {
  const clock = options.clock ?? systemClock
  const lock: SchemaLock<SchemaExtensions> =
    options.schemaLock ?? createSchemaLock({ tableIds: options.tables ?? {} })
  // The lock's column names and value spellings applied to every read and write.
  const backend = mapBackend(createAppwriteBackend(options), lock)
  const mode = options.mode ?? 'auto'
  if (mode !== 'auto' && mode !== 'transaction' && mode !== 'saga') {
    throw new BookingGuardError(
      'CONFIGURATION',
      "createBookingGuard: `mode` must be 'auto', 'transaction' or 'saga'",
    )
  }
  if (mode === 'transaction' && backend.transactions === undefined) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'createBookingGuard: `mode: "transaction"` needs an SDK service with createTransaction/createOperations/updateTransaction (appwrite ≥ 21, server ≥ 1.8); use `mode: "saga"` or `"auto"`',
    )
  }
  const { retry, policy, dispose } = createGuardPolicy(options, clock)
  const pushPolicy = isPolicy(options.pushRetry)
    ? options.pushRetry
    : createRetryPolicy({ clock, shouldRetry: () => true, ...options.pushRetry })
  const slot = options.slotLock
  const appGenerateId = options.generateId
  const maxPushAttempts = options.reconcile?.maxPushAttempts ?? 10
  const transactionTtlSeconds = options.transactionTtlSeconds ?? 60
  if (!(transactionTtlSeconds >= 60 && transactionTtlSeconds <= 3600)) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'createBookingGuard: `transactionTtlSeconds` must be 60–3600',
    )
  }
  const events = new Emitter<BookingGuardEvent>()
  const rt: PipelineRuntime = {
    backend,
    lock,
    tables: guardTables(lock),
    policy,
    cleanupPolicy: retry,
    clock,
    monitor: options.monitor,
    metrics: options.metrics,
    permissions: createPermissionRules(options.permissions),
    settings: {
      timeoutMs: positive('timeoutMs', options.timeoutMs, 15_000),
      compensationTimeoutMs: positive(
        'compensationTimeoutMs',
        options.compensationTimeoutMs,
        5_000,
      ),
      pushTimeoutMs: positive('pushTimeoutMs', options.pushTimeoutMs, 10_000),
      responseDeadlineMs: positive('responseDeadlineMs', options.responseDeadlineMs, 25 * 60_000),
      chatRoomTtlMs: positive('chatRoomTtlMs', options.chatRoomTtlMs, 24 * 3_600_000),
      transactionTtlSeconds,
      slotLock: slotLockRule(slot),
      // The library's ids are valid by construction; only an app's generator is checked.
      generateId:
        appGenerateId === undefined
          ? () => randomId('b')
          : () => {
              const id = appGenerateId()
              assertBookingId(id, 'createBookingGuard `generateId`')
              return id
            },
      pendingAction: options.reconcile?.pending ?? 'complete',
      maxPushAttempts,
    },
    modes: new ModeSelector(mode, backend, clock, (event) => events.emit(event)),
    events,
    pushSender: options.pushSender,
    pushPolicy,
    background: new Set(),
  }
  const keyedCalls = new KeyedCalls()
  const service: unknown = options.tablesDB ?? options.databases
  // realtime: feeds, watchdogs and health check share one subscription, built on first use.
  const realtimeMethods = createGuardRealtime(
    {
      backend,
      lock,
      clock,
      databaseId: options.databaseId,
      realtime: options.realtime,
      monitor: options.monitor,
      metrics: options.metrics,
      createBooking: (input, { idempotencyKey, signal }) =>
        createBooking(rt, keyedCalls, input, { idempotencyKey, signal }, true),
    },
    options,
  )

  return {
    ...realtimeMethods,
    // Writes from a guard without an API key fail with a setup error, not a retryable one.
    createBooking: (input, callOptions) =>
      explainKeylessWrite('createBooking', service, () =>
        createBooking(rt, keyedCalls, input, callOptions),
      ),
    respondToBooking: (bookingId, callOptions) =>
      explainKeylessWrite('respondToBooking', service, () =>
        respondToBooking(rt, bookingId, callOptions),
      ),
    cancelBooking: (bookingId, callOptions) =>
      explainKeylessWrite('cancelBooking', service, () =>
        cancelBooking(rt, bookingId, callOptions),
      ),
    sendMessage: (roomId, input) =>
      explainKeylessWrite('sendMessage', service, () => sendMessage(rt, roomId, input)),
    ...readMethods(rt),
    reconcile: (callOptions) => reconcile(rt, callOptions),
    on: (listener) => events.add(listener),
    idle: async () => {
      while (rt.background.size > 0) await Promise.allSettled([...rt.background])
    },
    get mode() {
      const current = rt.modes.current()
      return current === 'probe' ? 'auto' : current
    },
    schemaLock: lock as SchemaLock<E>,
    realtime: options.realtime,
    policy,
    dispose,
  }
}

/** The slot key rule of a guard's `slotLock` option. */
function slotLockRule(slot: BookingGuardOptions['slotLock']): SlotLockRule | undefined {
  if (typeof slot === 'function') return slot
  if (slot === true) return (booking) => defaultSlotKey(booking.providerId, booking.scheduledAt)
  if (typeof slot === 'object' && slot !== null) {
    const secret: unknown = slot.secret
    if (typeof secret !== 'string' || secret.length < 16) {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createBookingGuard: `slotLock.secret` must be a string of at least 16 characters, the same on every server (e.g. `process.env.BOOKING_GUARD_SLOT_SECRET`)',
      )
    }
    return (booking) => defaultSlotKey(booking.providerId, booking.scheduledAt, secret)
  }
  return undefined
}
