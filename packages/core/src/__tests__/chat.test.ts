import { describe, expect, it } from 'vitest'
import { isBookingStateError, isPipelineTimeoutError, isSchemaLockError } from '../errors'
import type { Harness } from './pipelineFixtures'
import { bookingInput, fulfilled, harness, rejected } from './pipelineFixtures'

async function room(h: Harness): Promise<string> {
  const { chatRoom } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
  return chatRoom.$id
}

const customer = { senderId: 'cust1', senderType: 'customer', senderName: 'Ana' } as const
const provider = { senderId: 'prov1', senderType: 'therapist', senderName: 'Budi' } as const

describe('chat', () => {
  describe('sendMessage', () => {
    it.each([
      ['sendMessage', /same `clientMessageId`/],
      ['listMessages', /wrote nothing/],
      ['markMessagesRead', /read marker/],
    ] as const)(
      'should reject %s with a PipelineTimeoutError when its budget runs out, never an internal abort reason',
      async (method, message) => {
        const h = harness()
        const roomId = await room(h)
        h.fake.faults.hang({
          operation: ['getRow', 'listRows'],
          table: ['chat_rooms', 'chat_messages'],
          times: 1,
        })
        const call: Promise<unknown> =
          method === 'sendMessage'
            ? h.guard.sendMessage(roomId, { ...customer, content: 'On my way' })
            : method === 'listMessages'
              ? h.guard.listMessages(roomId)
              : h.guard.markMessagesRead(roomId, { readerId: 'cust1' })
        const error = rejected(await h.settle(call))
        expect(isPipelineTimeoutError(error)).toBe(true)
        expect(error).toMatchObject({ operation: method, bookingId: roomId, compensated: false })
        expect((error as Error).message).toMatch(message)
      },
    )

    it('should store a message from a participant, readable by both parties only', async () => {
      const h = harness()
      const roomId = await room(h)
      const openedAt = Date.parse(String(h.rows('chat_rooms')[0]!.lastMessageAt))
      await h.clock.advance(1_000)
      const { message, replayed } = fulfilled(
        await h.settle(h.guard.sendMessage(roomId, { ...customer, content: 'On my way' })),
      )
      expect(replayed).toBe(false)
      expect(message).toMatchObject({
        roomId,
        bookingId: roomId,
        content: 'On my way',
        messageType: 'text',
      })
      const stored = h.rows('chat_messages').find((r) => r.$id === message.$id)!
      expect(stored.$permissions).toEqual(['read("user:cust1")', 'read("user:prov1")'])
      expect(Date.parse(String(h.rows('chat_rooms')[0]!.lastMessageAt))).toBeGreaterThanOrEqual(
        openedAt + 1_000,
      )
    })

    it('should store a message once for a repeated clientMessageId', async () => {
      const h = harness()
      const roomId = await room(h)
      const send = () =>
        h.settle(
          h.guard.sendMessage(roomId, { ...provider, content: 'Hi', clientMessageId: 'local-1' }),
        )
      const first = fulfilled(await send())
      const second = fulfilled(await send())
      expect(second.replayed).toBe(true)
      expect(second.message.$id).toBe(first.message.$id)
      expect(h.rows('chat_messages').filter((r) => r.content === 'Hi')).toHaveLength(1)
    })

    it('should refuse a send whose clientMessageId the other party already used, never replaying theirs', async () => {
      const h = harness()
      const roomId = await room(h)
      const send = (sender: typeof customer | typeof provider) =>
        h.settle(h.guard.sendMessage(roomId, { ...sender, content: 'Hi', clientMessageId: 'x' }))
      fulfilled(await send(customer))
      // The id is derived from room and clientMessageId, so it is taken: by another sender.
      expect(rejected(await send(provider))).toMatchObject({ type: 'row_already_exists' })
      const stored = h.rows('chat_messages').filter((r) => r.content === 'Hi')
      expect(stored.map((r) => r.senderId)).toEqual(['cust1'])
    })

    it('should refuse a sender who is not in the room, and system senders', async () => {
      const h = harness()
      const roomId = await room(h)
      const stranger = rejected(
        await h.settle(
          h.guard.sendMessage(roomId, { ...customer, senderId: 'eve', content: 'hello' }),
        ),
      )
      expect(isBookingStateError(stranger)).toBe(true)
      expect(stranger).toMatchObject({ reason: 'forbidden' })
      const wrongSide = rejected(
        await h.settle(
          h.guard.sendMessage(roomId, { ...provider, senderId: 'cust1', content: 'hello' }),
        ),
      )
      expect(wrongSide).toMatchObject({ reason: 'forbidden' })
      const system = await h.guard
        .sendMessage(roomId, { ...customer, senderType: 'system' as 'customer', content: 'x' })
        .catch((e: unknown) => e)
      expect(isSchemaLockError(system)).toBe(true)
      expect(h.rows('chat_messages')).toHaveLength(1)
    })

    it('should validate the message with the schema lock before any request', async () => {
      const h = harness()
      const roomId = await room(h)
      const error = await h.guard
        .sendMessage(roomId, { ...customer, content: '' })
        .catch((e: unknown) => e)
      expect(isSchemaLockError(error)).toBe(true)
      const tooLong = await h.guard
        .sendMessage(roomId, { ...customer, content: 'x'.repeat(5001) })
        .catch((e: unknown) => e)
      expect(isSchemaLockError(tooLong)).toBe(true)
    })

    it('should refuse a missing or expired room', async () => {
      const h = harness({ chatRoomTtlMs: 1_000 })
      const missing = rejected(
        await h.settle(h.guard.sendMessage('nope', { ...customer, content: 'hi' })),
      )
      expect(missing).toMatchObject({ reason: 'notFound' })
      const roomId = await room(h)
      await h.clock.advance(60 * 60_000 + 2_000)
      const expired = rejected(
        await h.settle(h.guard.sendMessage(roomId, { ...customer, content: 'hi' })),
      )
      expect(expired).toMatchObject({ reason: 'roomClosed' })
    })

    it('should still store the message when the room activity marker cannot be updated', async () => {
      const h = harness()
      const roomId = await room(h)
      h.fake.faults.fail({
        operation: 'updateRow',
        table: 'chat_rooms',
        error: 'user_unauthorized',
      })
      const { message } = fulfilled(
        await h.settle(h.guard.sendMessage(roomId, { ...customer, content: 'ok' })),
      )
      expect(h.rows('chat_messages').some((r) => r.$id === message.$id)).toBe(true)
    })
  })

  describe('listMessages', () => {
    it('should page from the newest page back, oldest first within a page', async () => {
      const h = harness()
      const roomId = await room(h)
      for (let i = 1; i <= 5; i++) {
        await h.clock.advance(1_000)
        fulfilled(await h.settle(h.guard.sendMessage(roomId, { ...customer, content: `m${i}` })))
      }
      const first = fulfilled(await h.settle(h.guard.listMessages(roomId, { limit: 2 })))
      expect(first.messages.map((m) => m.content)).toEqual(['m4', 'm5'])
      const second = fulfilled(
        await h.settle(h.guard.listMessages(roomId, { limit: 2, cursor: first.nextCursor! })),
      )
      expect(second.messages.map((m) => m.content)).toEqual(['m2', 'm3'])
      const third = fulfilled(
        await h.settle(h.guard.listMessages(roomId, { limit: 2, cursor: second.nextCursor! })),
      )
      expect(third.messages.map((m) => m.content)).toEqual([
        expect.stringMatching(/Booking received/),
        'm1',
      ])
      expect(third.nextCursor).toBeUndefined()
    })

    it('should refuse a page size outside 1–100', async () => {
      const h = harness()
      for (const limit of [0, 101, 1.5]) {
        expect(
          isSchemaLockError(await h.guard.listMessages('r', { limit }).catch((e: unknown) => e)),
        ).toBe(true)
      }
    })
  })

  describe('markMessagesRead', () => {
    it('should move the reader read marker on the room in one write', async () => {
      const h = harness()
      const roomId = await room(h)
      await h.clock.advance(5_000)
      const { readAt, room: updated } = fulfilled(
        await h.settle(h.guard.markMessagesRead(roomId, { readerId: 'prov1' })),
      )
      expect(Date.parse(readAt)).toBe(h.clock.now())
      expect(Date.parse(updated.providerLastReadAt!)).toBe(Date.parse(readAt))
      expect(updated.customerLastReadAt ?? null).toBeNull()
    })

    it('should refuse a reader who is not in the room', async () => {
      const h = harness()
      const roomId = await room(h)
      const error = rejected(await h.settle(h.guard.markMessagesRead(roomId, { readerId: 'eve' })))
      expect(error).toMatchObject({ reason: 'forbidden' })
    })
  })

  describe('getProviderBookings', () => {
    it('should keep listing bookings when every chat table is broken (income protection)', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      h.fake.faults.fail({ table: 'chat_rooms', error: 'table_not_found' })
      h.fake.faults.fail({ table: 'chat_messages', error: 'table_not_found' })
      h.fake.faults.fail({ table: 'notifications', error: 'table_not_found' })
      const page = fulfilled(
        await h.settle(h.guard.getProviderBookings('prov1', { status: 'pending' })),
      )
      expect(page.bookings.map((b) => b.$id)).toEqual([booking.$id])
    })
  })

  describe('checkCommunication', () => {
    it('should report every piece ok for a delivered booking', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const check = fulfilled(await h.settle(h.guard.checkCommunication(booking.$id)))
      expect(check).toEqual({
        bookingId: booking.$id,
        chatRoom: 'ok',
        systemMessage: 'ok',
        notification: 'ok',
        push: 'ok',
        ok: true,
      })
    })

    it('should report what is missing and what failed', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      await h.fake.tablesDB.deleteRow({
        databaseId: 'main',
        tableId: 'chat_rooms',
        rowId: booking.$id,
      })
      h.fake.faults.fail({
        operation: 'getRow',
        table: 'notifications',
        error: 'general_server_error',
      })
      const check = fulfilled(await h.settle(h.guard.checkCommunication(booking.$id)))
      expect(check).toMatchObject({
        chatRoom: 'missing',
        systemMessage: 'ok',
        notification: 'failed',
        push: 'failed',
        ok: false,
      })
    })
  })
})
