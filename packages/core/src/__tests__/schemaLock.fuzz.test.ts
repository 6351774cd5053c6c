import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import type { SchemaKind } from '../schema/index'
import { validRow } from './schemaRows'
import { column, createSchemaLock, isSchemaLockError } from '../index'
import { LEGACY_ALIASES, SCHEMA_KINDS, TABLE_KINDS } from '../schema/index'

const lock = createSchemaLock({
  onIssue: () => {},
  aliases: { booking: { masseurId: 'providerId' } },
})

const valid: Record<SchemaKind, Record<string, unknown>> = {
  booking: validRow('booking', {
    bookingType: 'scheduled',
    scheduledAt: '2026-01-02T09:00:00Z',
    price: 25_000,
    currency: 'EUR',
    source: 'priceSlider',
  }),
  bookingInput: validRow('bookingInput', { providerType: 'place', providerName: 'Spa' }),
  chatRoom: validRow('chatRoom'),
  chatMessage: validRow('chatMessage'),
  notification: validRow('notification', { body: 'Ana booked', priority: 'normal' }),
  heartbeat: validRow('heartbeat'),
}

const interestingValues: readonly unknown[] = [
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
]
const interesting = fc.constantFrom(...interestingValues)
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

  describe('exactly like zod', () => {
    // Every builder, bounds and patterns included (a global pattern keeps a `lastIndex`), and one
    // hand-written column.
    const extended = createSchemaLock({
      onIssue: () => {},
      extend: {
        booking: {
          rating: column.float({ min: 0, max: 5, required: false }),
          score: column.float({ required: false }),
          vip: column.boolean({ required: false, default: false }),
          email: column.email({ required: false }),
          website: column.url({ required: false }),
          tier: column.enum(['gold', 'silver'], { required: false, default: 'silver' }),
          code: column.string({ size: 4, min: 2, pattern: /^[a-z]+$/g, required: false }),
          visits: column.integer({ min: -3, max: 3, required: false }),
        },
        chatMessage: {
          mood: {
            schema: z.string().refine((v) => v !== 'grumpy'),
            column: { type: 'string', size: 10 },
          },
        },
      },
    })
    const boundaryValues: readonly unknown[] = [
      'a'.repeat(255),
      'a'.repeat(256),
      'a'.repeat(2000),
      'a'.repeat(2001),
      'EUR\n',
      'abc',
      'ab',
      'a',
      'abcde',
      'x@example.com',
      'not an email',
      'https://example.com/a',
      'ftp://example.com',
      'gold',
      'silver',
      'grumpy',
      2 ** 53,
      2 ** 53 - 1,
      1e12,
      1e12 + 1,
      -0,
      -3,
      -4,
      3,
      4,
      4.5,
      5,
      5.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      false,
    ]
    const values = [...interestingValues, ...boundaryValues]
    const base = (target: typeof lock, kind: SchemaKind) =>
      target === extended && kind === 'booking' ? { ...valid.booking, code: 'abc' } : valid[kind]

    /**
     * Compares the lock with zod itself on an input of columns only (no alias, no system field),
     * and checks that the lock's answer is zod's: one pass of the kind's schema decides.
     */
    function expectZodAnswer(target: typeof lock, kind: SchemaKind, input: unknown): boolean {
      const schema = target.schema(kind)
      const expected = schema.safeParse(input)
      if (!expected.success) {
        expect(() => target.parse(kind, input)).toThrow(SchemaLockErrorLike)
        return false
      }
      const zod = vi.spyOn(schema, 'safeParse')
      try {
        const out = target.parse(kind, input)
        expect(out).toStrictEqual(expected.data)
        expect(Object.keys(out)).toEqual(Object.keys(expected.data as object))
        expect(zod).toHaveBeenCalledTimes(1)
      } finally {
        zod.mockRestore()
      }
      return true
    }

    it('should answer exactly like zod for every column set to every probe value, or left out', () => {
      let accepted = 0
      let refused = 0
      for (const target of [lock, extended]) {
        for (const kind of SCHEMA_KINDS) {
          for (const key of Object.keys(target.schema(kind).shape)) {
            const row = base(target, kind)
            const cases = [
              mutate(row, [{ op: 'delete', key }]),
              ...values.map((value) => mutate(row, [{ op: 'set', key, value }])),
            ]
            for (const input of cases) {
              if (expectZodAnswer(target, kind, input)) accepted++
              else refused++
            }
          }
        }
      }
      expect(accepted).toBeGreaterThan(500)
      expect(refused).toBeGreaterThan(500)
    })

    it('should answer exactly like zod for random changes of several columns, in any key order', () => {
      let accepted = 0
      for (const target of [lock, extended]) {
        fc.assert(
          fc.property(
            fc.constantFrom(...SCHEMA_KINDS),
            fc.array(fc.tuple(fc.nat(), fc.option(fc.constantFrom(...values))), { maxLength: 4 }),
            (kind, changes) => {
              const columns = Object.keys(target.schema(kind).shape)
              // Deleting a column and setting it again moves it to the end of the input.
              const mutations = changes.map(([pick, value]) => {
                const key = columns[pick % columns.length]!
                return value === null
                  ? { op: 'delete' as const, key }
                  : { op: 'set' as const, key, value }
              })
              if (expectZodAnswer(target, kind, mutate(base(target, kind), mutations))) accepted++
            },
          ),
          { numRuns: 1000 },
        )
      }
      expect(accepted).toBeGreaterThan(200)
    })

    it("should run a column's own refinements, on a builder's schema or a hand-written one", () => {
      const message = { ...valid.chatMessage, mood: 'grumpy' }
      expect(() => extended.parse('chatMessage', message)).toThrow(SchemaLockErrorLike)
      expect(extended.parse('chatMessage', { ...message, mood: 'calm' })).toMatchObject({
        mood: 'calm',
      })
      // A schema made from a builder's is a new schema: its refinement runs too.
      const refined = createSchemaLock({
        extend: {
          chatRoom: {
            floor: {
              schema: column.integer({ min: 0 }).schema.refine((v) => v !== 13),
              column: { type: 'integer', min: 0, max: null },
            },
          },
        },
      })
      expect(() => refined.parse('chatRoom', { ...valid.chatRoom, floor: 13 })).toThrow(
        SchemaLockErrorLike,
      )
      expect(refined.parse('chatRoom', { ...valid.chatRoom, floor: 12 })).toMatchObject({
        floor: 12,
      })
    })
  })
})

/** `toThrow` matcher argument: any SchemaLockError. */
const SchemaLockErrorLike = {
  asymmetricMatch: (error: unknown) => isSchemaLockError(error),
  toString: () => 'a SchemaLockError',
}
