// Valid rows of each schema kind, and the SchemaLockError a call throws, for the schema lock's
// tests. Each builder returns a fresh object; `overrides` replace or add fields.
import type { SchemaLockError } from '../index'
import { isSchemaLockError } from '../index'

type Row = Record<string, unknown>

/** A valid immediate booking row of Ana with the therapist Budi. */
export function bookingRow(overrides: Row = {}): Row {
  return {
    customerId: 'c1',
    customerName: 'Ana',
    providerId: 'p1',
    providerType: 'therapist',
    providerName: 'Budi',
    status: 'pending',
    providerResponseStatus: 'AwaitingResponse',
    responseDeadline: '2026-01-01T10:05:00.000+00:00',
    bookingType: 'immediate',
    durationMinutes: 60,
    source: 'direct',
    pipelineStatus: 'pending',
    ...overrides,
  }
}

/** A valid booking input (what a customer submits) of Ana with the therapist Budi. */
export function bookingInputRow(overrides: Row = {}): Row {
  return {
    customerId: 'c1',
    customerName: 'Ana',
    providerId: 'p1',
    providerType: 'therapist',
    providerName: 'Budi',
    bookingType: 'immediate',
    durationMinutes: 60,
    ...overrides,
  }
}

/** A valid active chat room of booking `b1`. */
export function chatRoomRow(overrides: Row = {}): Row {
  return {
    bookingId: 'b1',
    customerId: 'c1',
    customerName: 'Ana',
    providerId: 'p1',
    providerName: 'Budi',
    status: 'active',
    expiresAt: '2026-01-02T10:00:00.000+00:00',
    ...overrides,
  }
}

/** A valid text message from Ana in room `b1`. */
export function chatMessageRow(overrides: Row = {}): Row {
  return {
    roomId: 'b1',
    bookingId: 'b1',
    senderId: 'c1',
    senderType: 'customer',
    senderName: 'Ana',
    content: 'hello',
    messageType: 'text',
    ...overrides,
  }
}

/** A valid high-priority "booking received" notification for the therapist `p1`. */
export function notificationRow(overrides: Row = {}): Row {
  return {
    recipientId: 'p1',
    recipientType: 'therapist',
    type: 'bookingReceived',
    title: 'New booking',
    body: 'Ana booked 60 minutes',
    priority: 'high',
    ...overrides,
  }
}

/** The SchemaLockError `fn` throws (anything else thrown is rethrown; no throw fails). */
export function errorOf(fn: () => unknown): SchemaLockError {
  try {
    fn()
  } catch (error) {
    if (isSchemaLockError(error)) return error
    throw error
  }
  throw new Error('expected a SchemaLockError, nothing was thrown')
}
