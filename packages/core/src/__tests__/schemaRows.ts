// Valid rows of each schema kind, and the SchemaLockError a call throws, for the schema lock's
// tests.
import type { SchemaLockError } from '../index'
import type { SchemaKind } from '../schema/index'
import { isSchemaLockError } from '../index'
import { MINIMAL_INPUT } from './realtimeFixtures'

type Row = Record<string, unknown>

/**
 * A valid row of each kind: an immediate booking of Ana with the therapist Budi (and its input),
 * its active chat room `b1`, a text message from Ana, a high-priority "booking received"
 * notification for Budi, and a heartbeat.
 */
const VALID_ROWS: Record<SchemaKind, Row> = {
  booking: {
    ...MINIMAL_INPUT,
    status: 'pending',
    providerResponseStatus: 'AwaitingResponse',
    responseDeadline: '2026-01-01T10:05:00.000+00:00',
    source: 'direct',
    pipelineStatus: 'pending',
  },
  bookingInput: MINIMAL_INPUT,
  chatRoom: {
    bookingId: 'b1',
    customerId: 'c1',
    customerName: 'Ana',
    providerId: 'p1',
    providerName: 'Budi',
    status: 'active',
    expiresAt: '2026-01-02T10:00:00.000+00:00',
  },
  chatMessage: {
    roomId: 'b1',
    bookingId: 'b1',
    senderId: 'c1',
    senderType: 'customer',
    senderName: 'Ana',
    content: 'hello',
    messageType: 'text',
  },
  notification: {
    recipientId: 'p1',
    recipientType: 'therapist',
    type: 'bookingReceived',
    title: 'New booking',
    body: 'Ana booked 60 minutes',
    priority: 'high',
  },
  heartbeat: { channelKey: 'k', sentAt: '2026-01-01T10:00:00Z' },
}

/** A fresh valid row of `kind`; `overrides` replace or add fields. */
export function validRow(kind: SchemaKind, overrides: Row = {}): Row {
  return { ...VALID_ROWS[kind], ...overrides }
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
