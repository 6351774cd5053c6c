import { describe, expect, it, vi } from 'vitest'
import { createProviderBookingsObserver } from '../observers/index'
import type { BookingGuardOptions } from '../index'
import type { ProviderBookingsObserver } from '../observers/index'
import { VOID_PATCH } from '../pipeline/voided'
import { liveHarness } from './pipelineFixtures'

function setup(options: Partial<BookingGuardOptions> = {}) {
  const { clock, fake, guard, run, book } = liveHarness(options)
  /** A booking row written the way the incident's app wrote them: no chat room, no notification. */
  const bareBooking = async (rowId: string, data: Record<string, unknown> = {}) => {
    await fake.tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId,
      data: {
        customerId: 'cust1',
        customerName: 'Ana',
        providerId: 'prov1',
        providerType: 'therapist',
        providerName: 'Budi',
        status: 'pending',
        providerResponseStatus: 'AwaitingResponse',
        responseDeadline: new Date(clock.now() + 60_000).toISOString(),
        bookingType: 'immediate',
        durationMinutes: 60,
        source: 'direct',
        ...data,
      },
    })
    await run()
  }
  const observe = () => createProviderBookingsObserver({ guard, providerId: 'prov1' })
  /** An observer with one subscriber, after its first load. */
  const watch = async () => {
    const observer = observe()
    observer.subscribe(() => undefined)
    await run()
    return observer
  }
  return { clock, fake, guard, run, book, bareBooking, observe, watch }
}

const summary = (observer: ProviderBookingsObserver) =>
  observer
    .getSnapshot()
    .bookings.map(
      (item) =>
        `${item.booking.$id}:${item.warning ? 'warn' : 'ok'}:${item.communication?.chatRoom ?? '?'}`,
    )

describe('providerBookingsObserver', () => {
  it('should load bookings without realtime, saying why it is offline', async () => {
    const h = setup({ realtime: undefined })
    const first = await h.book()
    const observer = h.observe()
    expect(observer.getSnapshot()).toMatchObject({ status: 'loading', bookings: [] })
    observer.subscribe(() => undefined)
    await h.run()
    expect(observer.getSnapshot()).toMatchObject({ status: 'ready', connection: 'offline' })
    expect(String(observer.getSnapshot().realtimeError)).toContain('needs realtime')
    expect(summary(observer)).toEqual([`${first.$id}:ok:ok`])
  })

  it('should add bookings made later from realtime, newest first, each checked', async () => {
    const h = setup()
    const first = await h.book()
    const observer = await h.watch()
    expect(observer.getSnapshot().connection).toBe('live')
    const second = await h.book()
    expect(summary(observer)).toEqual([`${second.$id}:ok:ok`, `${first.$id}:ok:ok`])
    expect(observer.getSnapshot().bookings[0]!.communication).toMatchObject({
      systemMessage: 'ok',
      notification: 'ok',
      ok: true,
    })
    expect(observer.getSnapshot().warnings).toBe(0)
  })

  it('should show a booking whose provider was never told, with a warning', async () => {
    const h = setup()
    await h.bareBooking('legacy1', { pipelineStatus: 'delivered' })
    const observer = await h.watch()
    expect(summary(observer)).toEqual(['legacy1:warn:missing'])
    expect(observer.getSnapshot().bookings[0]!.communication).toMatchObject({
      systemMessage: 'missing',
      notification: 'missing',
    })
    expect(observer.getSnapshot().warnings).toBe(1)
  })

  it('should keep showing bookings when their chat cannot be read', async () => {
    const h = setup()
    const booking = await h.book()
    h.fake.faults.fail({ operation: 'getRow', table: 'chat_rooms', error: 'general_server_error' })
    const observer = await h.watch()
    expect(summary(observer)).toEqual([`${booking.$id}:warn:failed`])
  })

  it('should show a booking the pipeline left pending (the feed hides it) with a warning', async () => {
    const h = setup()
    await h.bareBooking('stuck1', { pipelineStatus: 'pending' })
    const observer = await h.watch()
    expect(observer.getSnapshot().bookings.map((item) => [item.booking.$id, item.warning])).toEqual(
      [['stuck1', true]],
    )
  })

  it.each([
    ['compensated (failed and void)', 'void'],
    ['deleted', 'delete'],
  ] as const)('should drop a pending booking it showed once it is %s', async (_, how) => {
    const h = setup()
    await h.bareBooking('stuck1', { pipelineStatus: 'pending' })
    const observer = await h.watch()
    expect(summary(observer)).toEqual(['stuck1:warn:missing'])
    await h.clock.advance(1_000)
    const row = { databaseId: 'main', tableId: 'bookings', rowId: 'stuck1' }
    if (how === 'void') await h.fake.tablesDB.updateRow({ ...row, data: VOID_PATCH })
    else await h.fake.tablesDB.deleteRow(row)
    await h.run()
    expect(summary(observer)).toEqual([])
    // A refresh that raced the compensation cannot bring it back either.
    await observer.refresh()
    expect(summary(observer)).toEqual([])
  })

  it('should re-read the table on refresh, and re-check a booking with a warning once it changes', async () => {
    const h = setup({ realtime: undefined })
    const observer = await h.watch()
    expect(observer.getSnapshot().bookings).toEqual([])
    await h.bareBooking('late1', { pipelineStatus: 'delivered' })
    const refreshing = observer.refresh()
    await h.run()
    await refreshing
    expect(summary(observer)).toEqual(['late1:warn:missing'])
    const check = vi.spyOn(h.guard, 'checkCommunication')
    await h.run(1_000)
    await h.fake.tablesDB.updateRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'late1',
      data: { status: 'confirmed' },
    })
    const again = observer.refresh()
    await h.run()
    await again
    expect(check).toHaveBeenCalledWith('late1')
  })

  it('should read the table once across stop and restart', async () => {
    const h = setup()
    const read = vi.spyOn(h.guard, 'getProviderBookings')
    const observer = h.observe()
    observer.subscribe(() => undefined)()
    observer.subscribe(() => undefined)
    await h.run()
    expect(read).toHaveBeenCalledTimes(1)
    expect(observer.getSnapshot().status).toBe('ready')
  })

  it('should report a bookings table it cannot read as an error', async () => {
    const h = setup()
    h.fake.faults.fail({ operation: 'listRows', table: 'bookings', error: 'general_server_error' })
    const observer = await h.watch()
    expect(observer.getSnapshot().status).toBe('error')
    expect(observer.getSnapshot().error).toMatchObject({ code: 500 })
  })
})
