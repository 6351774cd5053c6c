import { describe, expectTypeOf, it } from 'vitest'
import type {
  BookingErrorKind,
  BookingGuard,
  BookingGuardErrorCode,
  BookingRow,
  BookingStatus,
  BookingGuardLike,
  CommunicationCheck,
  CreateBookingInput,
  CreateBookingResult,
  ErrorMonitorSnapshot,
  HealthCheckResult,
  MonitorAlert,
  SchemaExtensions,
} from '@booking-guard/core'
import type {
  BookingSubmitError,
  BookingSubmitStatus,
  ChatRoomMessage,
  ConnectionState,
  ProviderBookingItem,
} from '@booking-guard/core/observers'
import type { FeedConnection } from '@booking-guard/core/realtime'
import { column } from '@booking-guard/core'
import type { OpenChat } from '../index'
import {
  useBookingGuard,
  useBookingSubmit,
  useChatProvider,
  useChatRoom,
  useConnectionState,
  useCustomerBookings,
  useErrorMonitor,
  useHealth,
  useProviderBookings,
} from '../index'

const input = {
  customerId: 'c1',
  customerName: 'Ana',
  providerId: 'p1',
  providerType: 'therapist',
  providerName: 'Budi',
  bookingType: 'immediate',
  durationMinutes: 60,
} as const

describe('hook return types', () => {
  it('should type useBookingGuard as what the provider holds', () => {
    expectTypeOf(useBookingGuard()).toEqualTypeOf<BookingGuardLike>()
    expectTypeOf(useBookingGuard<BookingGuard>()).toEqualTypeOf<BookingGuard>()
  })

  it('should type useBookingSubmit', () => {
    const submit = useBookingSubmit()
    expectTypeOf(submit.status).toEqualTypeOf<BookingSubmitStatus>()
    expectTypeOf(submit.status).toEqualTypeOf<
      'idle' | 'submitting' | 'retrying' | 'success' | 'error'
    >()
    expectTypeOf(submit.attempt).toEqualTypeOf<number>()
    expectTypeOf(submit.result).toEqualTypeOf<CreateBookingResult | undefined>()
    expectTypeOf(submit.error).toEqualTypeOf<BookingSubmitError | undefined>()
    expectTypeOf(submit.userMessage).toEqualTypeOf<string | undefined>()
    expectTypeOf(submit.retryAt).toEqualTypeOf<number | undefined>()
    expectTypeOf(submit.errorKind).toEqualTypeOf<BookingErrorKind | undefined>()
    expectTypeOf(submit.fieldErrors).toEqualTypeOf<Readonly<Record<string, string>>>()
    expectTypeOf(submit.submit).parameter(0).toEqualTypeOf<CreateBookingInput>()
    expectTypeOf(submit.submit).returns.toEqualTypeOf<Promise<CreateBookingResult | undefined>>()
    expectTypeOf(submit.reset).toEqualTypeOf<() => void>()
    expectTypeOf(submit.cancel).toEqualTypeOf<() => void>()
    expectTypeOf(submit.isPending).toEqualTypeOf<boolean>()
    expectTypeOf(submit.isIdle).toEqualTypeOf<boolean>()
    expectTypeOf(submit.isSuccess).toEqualTypeOf<boolean>()
    expectTypeOf(submit.isError).toEqualTypeOf<boolean>()
    // @ts-expect-error a booking needs its required fields
    void submit.submit({ customerId: 'c1' })
    // @ts-expect-error an unknown key
    void submit.submit({ ...input, providerID: 'p1' })
    // @ts-expect-error set by the pipeline, never by the caller
    void submit.submit({ ...input, status: 'confirmed' })
    void submit.submit(input)
  })

  it('should type useBookingSubmit’s input by the extensions it is given', () => {
    const _extensions = {
      booking: { tier: column.enum(['standard', 'vip']) },
    } satisfies SchemaExtensions
    const submit = useBookingSubmit<typeof _extensions>()
    void submit.submit({ ...input, tier: 'vip' })
    // @ts-expect-error the extension's required column
    void submit.submit(input)
    // @ts-expect-error still no unknown key
    void submit.submit({ ...input, tier: 'vip', providerID: 'p1' })
    expectTypeOf(submit.error).toEqualTypeOf<BookingSubmitError | undefined>()
  })

  it('should type useBookingSubmit’s callbacks as TanStack types useMutation’s', () => {
    const _extensions = {
      booking: { tier: column.enum(['standard', 'vip']) },
    } satisfies SchemaExtensions
    useBookingSubmit<typeof _extensions>({
      onSuccess: (result, { input }) => {
        expectTypeOf(result).toEqualTypeOf<CreateBookingResult>()
        expectTypeOf(input.tier).toEqualTypeOf<'standard' | 'vip'>()
      },
      onError: (error, { input, idempotencyKey }) => {
        expectTypeOf(error).toEqualTypeOf<BookingSubmitError>()
        expectTypeOf(error.code).toEqualTypeOf<BookingGuardErrorCode>()
        expectTypeOf(input.tier).toEqualTypeOf<'standard' | 'vip'>()
        expectTypeOf(idempotencyKey).toEqualTypeOf<string>()
      },
      onSettled: (result, error) => {
        expectTypeOf(result).toEqualTypeOf<CreateBookingResult | undefined>()
        expectTypeOf(error).toEqualTypeOf<BookingSubmitError | null>()
      },
    })
    // @ts-expect-error an option useMutation has but this hook does not
    useBookingSubmit({ mutationFn: () => undefined })
    // @ts-expect-error the guard comes from the provider
    useBookingSubmit({ guard: undefined })
  })

  it('should type useCustomerBookings', () => {
    const mine = useCustomerBookings()
    expectTypeOf(mine.bookings).toEqualTypeOf<readonly BookingRow[]>()
    expectTypeOf(mine.bookings[0]!.status).toEqualTypeOf<BookingStatus>()
    expectTypeOf(mine.status).toEqualTypeOf<'loading' | 'ready' | 'error'>()
    expectTypeOf(mine.connection).toEqualTypeOf<FeedConnection>()
    expectTypeOf(mine.refresh).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf(useCustomerBookings).parameter(0).toEqualTypeOf<string | undefined>()
  })

  it('should type useChatProvider', () => {
    const chat = useChatProvider()
    expectTypeOf(chat.chats).toEqualTypeOf<readonly OpenChat[]>()
    expectTypeOf(chat.activeChat).toEqualTypeOf<OpenChat | undefined>()
    expectTypeOf(chat.handleBookingSuccess).parameter(0).toEqualTypeOf<OpenChat>()
    expectTypeOf(chat.closeChat).toEqualTypeOf<(chatRoomId: string) => void>()
  })

  it('should type useChatRoom', () => {
    const room = useChatRoom('room1')
    expectTypeOf(room.messages).toEqualTypeOf<readonly ChatRoomMessage[]>()
    expectTypeOf(room.messages[0]!.status).toEqualTypeOf<'sending' | 'sent' | 'failed'>()
    expectTypeOf(room.messages[0]!.retry).toEqualTypeOf<(() => Promise<void>) | undefined>()
    expectTypeOf(room.send).toEqualTypeOf<(content: string) => Promise<void>>()
    expectTypeOf(room.loadOlder).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf(room.unreadCount).toEqualTypeOf<number>()
    expectTypeOf(room.markRead).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf(room.hasOlder).toEqualTypeOf<boolean>()
    expectTypeOf(room.connection).toEqualTypeOf<FeedConnection>()
  })

  it('should type useProviderBookings', () => {
    const dashboard = useProviderBookings('prov1')
    expectTypeOf(dashboard.bookings).toEqualTypeOf<readonly ProviderBookingItem[]>()
    expectTypeOf(dashboard.bookings[0]!.communication).toEqualTypeOf<
      CommunicationCheck | undefined
    >()
    expectTypeOf(dashboard.bookings[0]!.warning).toEqualTypeOf<boolean>()
    expectTypeOf(dashboard.bookings[0]!.booking.providerId).toEqualTypeOf<string>()
    expectTypeOf(dashboard.connection).toEqualTypeOf<FeedConnection>()
    expectTypeOf(dashboard.status).toEqualTypeOf<'loading' | 'ready' | 'error'>()
  })

  it('should type useConnectionState as one of three states', () => {
    expectTypeOf(useConnectionState).returns.toEqualTypeOf<ConnectionState>()
    expectTypeOf<ConnectionState>().toEqualTypeOf<'online' | 'reconnecting' | 'offline'>()
  })

  it('should type useErrorMonitor and useHealth', () => {
    const errors = useErrorMonitor()
    expectTypeOf(errors.stats).toEqualTypeOf<ErrorMonitorSnapshot>()
    expectTypeOf(errors.errorRate).toEqualTypeOf<number>()
    expectTypeOf(errors.alert).toEqualTypeOf<MonitorAlert | null>()
    expectTypeOf(errors.alerting).toEqualTypeOf<boolean>()
    const health = useHealth()
    expectTypeOf(health.last).toEqualTypeOf<HealthCheckResult | null>()
    expectTypeOf(health.ok).toEqualTypeOf<boolean | null>()
    expectTypeOf(health.check).returns.toEqualTypeOf<Promise<HealthCheckResult>>()
  })
})
