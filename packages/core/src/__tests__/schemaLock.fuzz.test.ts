import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import type { SchemaKind } from '../index'
import {
  LEGACY_ALIASES,
  SCHEMA_KINDS,
  TABLE_KINDS,
  createSchemaLock,
  isSchemaLockError,
} from '../index'

const lock = createSchemaLock({
  onIssue: () => {},
  aliases: { booking: { masseurId: 'providerId' } },
})

const valid: Record<SchemaKind, Record<string, unknown>> = {
  booking: {
    customerId: 'c1',
    customerName: 'Ana',
    providerId: 'p1',
    providerType: 'therapist',
    providerName: 'Budi',
    status: 'pending',
    providerResponseStatus: 'AwaitingResponse',
    responseDeadline: '2026-01-01T10:05:00.000+00:00',
    bookingType: 'scheduled',
    scheduledAt: '2026-01-02T09:00:00Z',
    durationMinutes: 60,
    price: 25_000,
    currency: 'EUR',
    source: 'priceSlider',
    pipelineStatus: 'pending',
  },
  bookingInput: {
    customerId: 'c1',
    customerName: 'Ana',
    providerId: 'p1',
    providerType: 'place',
    providerName: 'Spa',
    bookingType: 'immediate',
    durationMinutes: 60,
  },
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
    body: 'Ana booked',
    priority: 'normal',
  },
  heartbeat: { channelKey: 'k', sentAt: '2026-01-01T10:00:00Z' },
}

const interesting = fc.constantFrom<unknown>(
  'p1',
  'a'.repeat(36),
  'a'.repeat(37),
  '_x',
  '',
  'EUR',
  'eur',
  '2026-01-01T10:00:00.000+00:00',
  '2026-02-30T10:00:00Z',
  '2026-01-01T10:00:00',
  'therapist',
  'place',
  'scheduled',
  'immediate',
  'AwaitingResponse',
  'pending',
  0,
  1,
  60,
  1440,
  1441,
  -1,
  1.5,
  null,
  undefined,
  true,
  [],
  {},
)
const fieldValue = fc.oneof(interesting, fc.jsonValue({ maxDepth: 3 }))
const knownKeys = [
  ...new Set([
    ...SCHEMA_KINDS.flatMap((kind) => Object.keys(lock.schema(kind).shape)),
    ...Object.keys(LEGACY_ALIASES),
    'masseurId',
    '$id',
    '$permissions',
    '$createdAt',
    '$foo',
    '__proto__',
    'constructor',
    'toString',
    'providerid',
  ]),
]
const key = fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 12 }))
const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key, value: fieldValue }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...knownKeys) }),
)

function mutate(
  base: Record<string, unknown>,
  mutations: readonly { op: 'set' | 'delete'; key: string; value?: unknown }[],
): unknown {
  // Build the object through JSON-like own properties, `__proto__` included, as JSON.parse would.
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(base))
    Object.defineProperty(out, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  for (const m of mutations) {
    if (m.op === 'delete') delete out[m.key]
    else
      Object.defineProperty(out, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
  }
  return out
}

/** The property under test: normalized data that the schema accepts, or a SchemaLockError; nothing else. */
function expectParseOutcome(
  kind: SchemaKind,
  input: unknown,
  method: 'parse' | 'parsePatch' = 'parse',
): 'ok' | 'rejected' {
  const before = structuredClone(input)
  let out: unknown
  try {
    out =
      method === 'parse'
        ? lock.parse(kind, input)
        : lock.parsePatch(kind as Exclude<SchemaKind, 'bookingInput'>, input)
  } catch (error) {
    if (!isSchemaLockError(error)) throw error
    expect(error.issues.length).toBeGreaterThan(0)
    for (const issue of error.issues) {
      expect(Array.isArray(issue.path)).toBe(true)
      for (const part of issue.path) expect(['string', 'number']).toContain(typeof part)
      expect(issue.message.length).toBeGreaterThan(0)
      expect(typeof issue.code).toBe('string')
    }
    expect(input).toEqual(before)
    return 'rejected'
  }
  expect(input).toEqual(before)
  expect(out).not.toBe(input)
  const shape = lock.schema(kind).shape as Record<string, unknown>
  const schema =
    method === 'parse' ? lock.schema(kind) : z.strictObject(lock.schema(kind).shape).partial()
  // Complete and valid: the output passes the very schema, with only canonical columns in it.
  expect(schema.safeParse(out).success).toBe(true)
  for (const k of Object.keys(out as object)) expect(Object.hasOwn(shape, k)).toBe(true)
  return 'ok'
}

describe('schemaLock.fuzz', () => {
  it('should turn any JSON value into normalized data or a SchemaLockError, for every kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCHEMA_KINDS), fc.jsonValue(), (kind, input) => {
        expectParseOutcome(kind, input)
      }),
      { numRuns: 1000 },
    )
  })

  it('should turn any JSON object into normalized data or a SchemaLockError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCHEMA_KINDS),
        fc.dictionary(key, fieldValue, { maxKeys: 20 }),
        (kind, input) => {
          expectParseOutcome(kind, input)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('should turn any mutation of a valid row into normalized data or a SchemaLockError, reaching both outcomes', () => {
    let ok = 0
    let rejected = 0
    fc.assert(
      fc.property(
        fc.constantFrom(...SCHEMA_KINDS),
        fc.array(mutation, { maxLength: 4 }),
        (kind, mutations) => {
          if (expectParseOutcome(kind, mutate(valid[kind], mutations)) === 'ok') ok++
          else rejected++
        },
      ),
      { numRuns: 1500 },
    )
    // Both branches were exercised, so the property says something about each.
    expect(ok).toBeGreaterThan(50)
    expect(rejected).toBeGreaterThan(50)
  })

  it('should hold the same property for parsePatch', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TABLE_KINDS),
        fc.array(mutation, { maxLength: 4 }),
        (kind, mutations) => {
          expectParseOutcome(kind, mutate({}, mutations), 'parsePatch')
        },
      ),
      { numRuns: 500 },
    )
  })

  it('should give the same output for a legacy-named row as for its canonical form', () => {
    fc.assert(
      fc.property(
        fc.subarray(['providerId', 'providerName', 'providerType'] as const),
        (renamed) => {
          const legacy: Record<string, unknown> = { ...valid.booking }
          for (const canonical of renamed) {
            const alias = Object.keys(LEGACY_ALIASES).find(
              (a) => LEGACY_ALIASES[a as keyof typeof LEGACY_ALIASES] === canonical,
            )!
            legacy[alias] = legacy[canonical]
            delete legacy[canonical]
          }
          expect(lock.parse('booking', legacy)).toEqual(lock.parse('booking', valid.booking))
        },
      ),
    )
  })

  it('should normalize any JSON object without throwing or mutating it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TABLE_KINDS),
        fc.dictionary(key, fieldValue, { maxKeys: 20 }),
        (kind, row) => {
          const before = structuredClone(row)
          const out = lock.normalize(kind, row)
          expect(row).toEqual(before)
          expect(out).not.toBe(row)
          for (const alias of Object.keys(lock.aliases(kind)))
            expect(Object.hasOwn(out, alias)).toBe(false)
        },
      ),
      { numRuns: 500 },
    )
  })
})
