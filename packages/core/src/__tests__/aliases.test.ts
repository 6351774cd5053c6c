import { describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import type { TableKind } from '../index'
import type { SchemaKind, SchemaLockReadIssue } from '../schema/index'
import { SchemaLockError, createSchemaLock } from '../index'
import { LEGACY_ALIASES } from '../schema/index'
import { resolveAliases, sameValue } from '../schema/aliases'
import { errorOf, validRow } from './schemaRows'

const rows: Record<SchemaKind, () => Record<string, unknown>> = {
  booking: () => validRow('booking', { source: 'chatWindow' }),
  bookingInput: () => validRow('bookingInput'),
  chatRoom: () => validRow('chatRoom'),
  chatMessage: () => validRow('chatMessage'),
  notification: () => validRow('notification', { recipientName: 'Budi', bookingId: 'b1' }),
  heartbeat: () => validRow('heartbeat'),
}

/** Which kinds each default alias applies to: every kind that has the canonical column. */
const expectedKinds: Record<keyof typeof LEGACY_ALIASES, SchemaKind[]> = {
  therapistId: ['booking', 'bookingInput', 'chatRoom'],
  therapistName: ['booking', 'bookingInput', 'chatRoom'],
  therapistType: ['booking', 'bookingInput'],
  receiverId: ['notification'],
  receivername: ['notification'],
  message: ['chatMessage'],
  bookingid: ['chatRoom', 'chatMessage', 'notification'],
  expiresat: ['chatRoom'],
}

const cases = Object.entries(expectedKinds).flatMap(([alias, kinds]) =>
  kinds.map((kind) => [alias, LEGACY_ALIASES[alias as keyof typeof LEGACY_ALIASES], kind] as const),
)

function withAlias(kind: SchemaKind, alias: string, canonical: string): Record<string, unknown> {
  const row = rows[kind]()
  const value = row[canonical]
  delete row[canonical]
  return { [alias]: value, ...row }
}

describe('aliases', () => {
  it('should hold the legacy alias table in one place', () => {
    expect(LEGACY_ALIASES).toEqual({
      therapistId: 'providerId',
      therapistName: 'providerName',
      therapistType: 'providerType',
      receiverId: 'recipientId',
      receivername: 'recipientName',
      message: 'content',
      bookingid: 'bookingId',
      expiresat: 'expiresAt',
    })
  })

  it('should apply each alias to exactly the kinds that have its canonical column', () => {
    const lock = createSchemaLock()
    for (const [alias, kinds] of Object.entries(expectedKinds)) {
      // `rows` has a row for every kind (its type says so).
      for (const kind of Object.keys(rows) as SchemaKind[]) {
        expect(alias in lock.aliases(kind), `${alias} on ${kind}`).toBe(kinds.includes(kind))
      }
    }
  })

  describe.each(cases)('%s → %s on %s', (alias, canonical, kind) => {
    it('should map the alias to the canonical field on write', () => {
      const lock = createSchemaLock()
      const out = lock.parse(kind, withAlias(kind, alias, canonical)) as Record<string, unknown>
      expect(out[canonical]).toBe(rows[kind]()[canonical])
      expect(out).not.toHaveProperty(alias)
      expect(out).toEqual(lock.parse(kind, rows[kind]()))
    })

    it('should leave the canonical field as it is on write', () => {
      const lock = createSchemaLock()
      expect((lock.parse(kind, rows[kind]()) as Record<string, unknown>)[canonical]).toBe(
        rows[kind]()[canonical],
      )
    })

    it('should accept alias and canonical together when they agree', () => {
      const lock = createSchemaLock()
      const value = rows[kind]()[canonical]
      const out = lock.parse(kind, { ...rows[kind](), [alias]: value }) as Record<string, unknown>
      expect(out[canonical]).toBe(value)
      expect(out).not.toHaveProperty(alias)
    })

    it('should reject alias and canonical that differ, at the canonical path', () => {
      const lock = createSchemaLock()
      const error = errorOf(() => lock.parse(kind, { ...rows[kind](), [alias]: 'other' }))
      expect(error.issues).toEqual([
        {
          path: [canonical],
          code: 'alias_conflict',
          message: `Legacy \`${alias}\` and \`${canonical}\` are both set and differ: send only \`${canonical}\``,
        },
      ])
    })

    if (kind !== 'bookingInput') {
      it('should map the alias to the canonical field on read', () => {
        const lock = createSchemaLock({ onIssue: () => {} })
        const row = { $id: 'r1', ...withAlias(kind, alias, canonical) }
        const out = lock.normalize(kind, row) as Record<string, unknown>
        expect(out[canonical]).toBe(rows[kind]()[canonical])
        expect(out).not.toHaveProperty(alias)
        expect(out.$id).toBe('r1')
      })

      it('should keep the canonical field on a read conflict and report it, never throw', () => {
        const onIssue = vi.fn()
        const lock = createSchemaLock({ onIssue })
        const out = lock.normalize(kind, {
          $id: 'r1',
          ...rows[kind](),
          [alias]: 'other',
        }) as Record<string, unknown>
        expect(out[canonical]).toBe(rows[kind]()[canonical])
        expect(out).not.toHaveProperty(alias)
        expect(onIssue).toHaveBeenCalledExactlyOnceWith({
          kind,
          tableId: lock.tableId(kind as TableKind),
          rowId: 'r1',
          path: [canonical],
          code: 'alias_conflict',
          message: `Legacy \`${alias}\` differs from \`${canonical}\`; kept \`${canonical}\``,
        } satisfies SchemaLockReadIssue)
      })
    }
  })

  describe('on write', () => {
    it('should name the legacy field in the message of an invalid aliased value, at the canonical path', () => {
      const lock = createSchemaLock()
      const error = errorOf(() =>
        lock.parse('booking', {
          ...withAlias('booking', 'therapistId', 'providerId'),
          therapistId: 7,
        }),
      )
      expect(error.issues).toEqual([
        {
          path: ['providerId'],
          code: 'invalid_type',
          message: 'Invalid input: expected string, received number (sent as legacy `therapistId`)',
        },
      ])
    })

    it('should treat an undefined canonical field as absent and a null one as a conflict', () => {
      const lock = createSchemaLock()
      expect(
        lock.parse('booking', { ...rows.booking(), providerId: undefined, therapistId: 'p9' })
          .providerId,
      ).toBe('p9')
      expect(lock.parse('booking', { ...rows.booking(), therapistId: undefined }).providerId).toBe(
        'p1',
      )
      const error = errorOf(() =>
        lock.parse('notification', {
          ...rows.notification(),
          recipientName: null,
          receivername: 'Budi',
        }),
      )
      expect(error.issues.map((i) => [i.path, i.code])).toEqual([
        [['recipientName'], 'alias_conflict'],
      ])
    })

    it('should compare structured values, not references', () => {
      const lock = createSchemaLock({
        extend: {
          booking: {
            tags: {
              schema: z.array(z.string().max(20)).optional(),
              column: { type: 'string', size: 20, array: true, required: false },
            },
          },
        },
        aliases: { booking: { labels: 'tags' } },
      })
      expect(
        lock.parse('booking', { ...rows.booking(), tags: ['a', 'b'], labels: ['a', 'b'] }).tags,
      ).toEqual(['a', 'b'])
      expect(
        errorOf(() => lock.parse('booking', { ...rows.booking(), tags: ['a'], labels: ['b'] }))
          .issues[0]!.code,
      ).toBe('alias_conflict')
    })

    it('should report two different aliases of one field that disagree, naming both', () => {
      const lock = createSchemaLock({ aliases: { booking: { masseurId: 'providerId' } } })
      const row = withAlias('booking', 'therapistId', 'providerId')
      expect(lock.parse('booking', { ...row, masseurId: 'p1' }).providerId).toBe('p1')
      const error = errorOf(() => lock.parse('booking', { ...row, masseurId: 'p2' }))
      expect(error.issues).toEqual([
        {
          path: ['providerId'],
          code: 'alias_conflict',
          message:
            'Legacy `therapistId` and `masseurId` both stand for `providerId` and differ: send only `providerId`',
        },
      ])
    })

    it('should apply extra booking aliases to bookingInput when their target is an input field', () => {
      const lock = createSchemaLock({
        aliases: { booking: { masseurId: 'providerId', state: 'status' } },
      })
      expect(lock.aliases('bookingInput')).toHaveProperty('masseurId', 'providerId')
      expect(lock.aliases('bookingInput')).not.toHaveProperty('state')
      expect(lock.aliases('booking')).toHaveProperty('state', 'status')
      const input = withAlias('bookingInput', 'masseurId', 'providerId')
      expect(lock.parse('bookingInput', input).providerId).toBe('p1')
    })

    it('should let the app remove a default alias with null', () => {
      const lock = createSchemaLock({ aliases: { chatMessage: { message: null } } })
      expect(lock.aliases('chatMessage')).not.toHaveProperty('message')
      const error = errorOf(() =>
        lock.parse('chatMessage', withAlias('chatMessage', 'message', 'content')),
      )
      expect(error.issues.map((i) => [i.path, i.code])).toEqual([
        [['message'], 'unknown_field'],
        [['content'], 'invalid_type'],
      ])
    })
  })

  describe('on read', () => {
    it('should let a legacy alias fill a canonical column Appwrite returned as null, in any key order', () => {
      const onIssue = vi.fn()
      const lock = createSchemaLock({ onIssue })
      expect(lock.normalize('booking', { providerId: null, therapistId: 'p1' }).providerId).toBe(
        'p1',
      )
      expect(lock.normalize('booking', { therapistId: 'p1', providerId: null }).providerId).toBe(
        'p1',
      )
      expect(lock.normalize('booking', { therapistId: null, providerId: 'p1' }).providerId).toBe(
        'p1',
      )
      expect(lock.normalize('booking', { providerId: 'p1', therapistId: null }).providerId).toBe(
        'p1',
      )
      expect(onIssue).not.toHaveBeenCalled()
    })

    it('should map a null alias to a null canonical field when the row has no canonical column', () => {
      const lock = createSchemaLock({ onIssue: () => {} })
      const out = lock.normalize('booking', { therapistId: null })
      expect(out).toEqual({ providerId: null })
    })

    it('should keep the first of two disagreeing aliases and report the second', () => {
      const onIssue = vi.fn()
      const lock = createSchemaLock({ onIssue, aliases: { booking: { masseurId: 'providerId' } } })
      expect(lock.normalize('booking', { therapistId: 'p1', masseurId: 'p2' }).providerId).toBe(
        'p1',
      )
      expect(onIssue).toHaveBeenCalledExactlyOnceWith(
        expect.objectContaining({ path: ['providerId'], code: 'alias_conflict', rowId: undefined }),
      )
    })
  })

  describe('sameValue', () => {
    it('should compare JSON values structurally', () => {
      expect(sameValue('a', 'a')).toBe(true)
      expect(sameValue(Number.NaN, Number.NaN)).toBe(true)
      expect(sameValue(1, '1')).toBe(false)
      expect(sameValue(null, undefined)).toBe(false)
      expect(sameValue([1, { a: [2] }], [1, { a: [2] }])).toBe(true)
      expect(sameValue([1, 2], [2, 1])).toBe(false)
      expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true)
      expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false)
      expect(sameValue({ a: undefined }, { b: undefined })).toBe(false)
      expect(sameValue([], {})).toBe(false)
      expect(sameValue({}, [])).toBe(false)
    })

    it('should treat values nested deeper than 64 levels as different instead of recursing forever', () => {
      const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)])
      expect(sameValue(deep(10), deep(10))).toBe(true)
      expect(sameValue(deep(100), deep(100))).toBe(false)
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const other: Record<string, unknown> = {}
      other.self = other
      expect(sameValue(cyclic, other)).toBe(false)
    })
  })

  describe('resolveAliases', () => {
    const columns = new Set(['providerId', 'content'])

    it('should keep only the default aliases whose canonical column exists, in a prototype-less map', () => {
      const map = resolveAliases(columns, undefined, 'x')
      expect({ ...map }).toEqual({ therapistId: 'providerId', message: 'content' })
      expect(Object.getPrototypeOf(map)).toBeNull()
    })

    it('should refuse an alias to a missing column, a removal of a missing alias, and an alias that is a column', () => {
      expect(() => resolveAliases(columns, { a: 'nope' }, 'k')).toThrow(
        'k: alias `a` points to `nope`, which is not a column',
      )
      expect(() => resolveAliases(columns, { nope: null }, 'k')).toThrow(
        'k: there is no default alias `nope` to remove',
      )
      expect(() => resolveAliases(new Set(['content', 'message']), undefined, 'k')).toThrow(
        'k: `message` is both a column and a legacy alias of `content`',
      )
    })

    it('should skip inapplicable extras when lenient', () => {
      expect({
        ...resolveAliases(columns, { a: 'nope', nope: null, b: 'content' }, 'k', true),
      }).toEqual({
        therapistId: 'providerId',
        message: 'content',
        b: 'content',
      })
    })
  })

  it('should throw a SchemaLockError (not a plain error) for alias problems', () => {
    const lock = createSchemaLock()
    expect(() => lock.parse('booking', { ...rows.booking(), therapistId: 'x' })).toThrow(
      SchemaLockError,
    )
  })
})
