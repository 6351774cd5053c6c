import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SchemaRegistry } from '../fake/schema'
import type { TableSchema } from '../fake/schema'
import type { ColumnDefinition } from '../fake/types'
import {
  columnValueFailure,
  formatPhpNumber,
  parseServerDatetime,
  toServerDatetime,
  STRUCTURE_PREFIX,
  validateColumnValue,
  validateSchemalessKeys,
  validateStructure,
} from '../fake/validation'
import { mainDatabase } from './helpers'

function tableOf(columns: ColumnDefinition[]): TableSchema {
  const registry = new SchemaRegistry({
    databases: mainDatabase({ t: { columns } }),
    now: () => '2026-01-01T00:00:00.000+00:00',
  })
  const resolution = registry.resolve('main', 't')
  if (!resolution.ok || !resolution.schema) throw new Error('expected a schema')
  return resolution.schema
}

const check = (columns: ColumnDefinition[], data: Record<string, unknown>) =>
  validateStructure(tableOf(columns), data, 'full')

describe('validation', () => {
  it('should format numbers like PHP number_format', () => {
    expect(formatPhpNumber(0)).toBe('0')
    expect(formatPhpNumber(1_000_000)).toBe('1,000,000')
    expect(formatPhpNumber(-2147483648)).toBe('-2,147,483,648')
    expect(formatPhpNumber(-(2n ** 63n))).toBe('-9,223,372,036,854,775,808')
    expect(formatPhpNumber(0.5)).toBe('1')
    expect(formatPhpNumber(-1.5)).toBe('-2')
  })

  it('should format datetimes like the server, with milliseconds and +00:00', () => {
    expect(toServerDatetime(Date.parse('2026-03-01T10:00:00Z'))).toBe(
      '2026-03-01T10:00:00.000+00:00',
    )
  })

  it('should read datetimes without a zone as UTC and refuse what the server refuses', () => {
    const expected = Date.parse('2026-03-01T10:00:00Z')
    expect(parseServerDatetime('2026-03-01T10:00:00')).toBe(expected)
    expect(parseServerDatetime('2026-03-01 10:00:00')).toBe(expected)
    expect(parseServerDatetime('2026-03-01T12:00:00+02:00')).toBe(expected)
    expect(parseServerDatetime('2026-03-01')).toBe(Date.parse('2026-03-01T00:00:00Z'))
    for (const bad of ['', 'now', 'tomorrow', '0999-01-01', 'not a date', 42, null]) {
      expect(parseServerDatetime(bad)).toBeUndefined()
    }
  })

  it('should report a missing required column first', () => {
    const columns: ColumnDefinition[] = [
      { key: 'a', type: 'string', required: true },
      { key: 'b', type: 'integer' },
    ]
    expect(check(columns, { b: 'x', c: 1 })).toBe(
      'Invalid document structure: Missing required attribute "a"',
    )
    expect(check(columns, { a: null })).toBe(
      'Invalid document structure: Missing required attribute "a"',
    )
  })

  it('should skip the required check for partial (bulk update) data', () => {
    const schema = tableOf([
      { key: 'a', type: 'string', required: true },
      { key: 'b', type: 'boolean' },
    ])
    expect(validateStructure(schema, { b: true }, 'partial')).toBeUndefined()
    expect(validateStructure(schema, { b: 'yes' }, 'partial')).toBe(
      'Invalid document structure: Attribute "b" has invalid type. Value must be a valid boolean',
    )
  })

  it('should report unknown columns before bad values', () => {
    expect(check([{ key: 'a', type: 'integer' }], { a: 'x', therapistId: 't1' })).toBe(
      'Invalid document structure: Unknown attribute: "therapistId"',
    )
  })

  it('should check string sizes in characters', () => {
    const columns: ColumnDefinition[] = [{ key: 'name', type: 'string', size: 3 }]
    expect(check(columns, { name: 'abc' })).toBeUndefined()
    expect(check(columns, { name: 'ééé' })).toBeUndefined()
    expect(check(columns, { name: 'abcd' })).toBe(
      'Invalid document structure: Attribute "name" has invalid type. Value must be a valid string and no longer than 3 chars',
    )
    expect(check(columns, { name: 5 })).toContain('Value must be a valid string')
  })

  it('should check integers with the column range and the 32/64-bit description', () => {
    const small: ColumnDefinition[] = [{ key: 'n', type: 'integer', min: 15, max: 480 }]
    expect(check(small, { n: 60 })).toBeUndefined()
    expect(check(small, { n: 5 })).toBe(
      'Invalid document structure: Attribute "n" has invalid format. Value must be a valid range between 15 and 480',
    )
    expect(check(small, { n: 1.5 })).toBe(
      'Invalid document structure: Attribute "n" has invalid format. Value must be a valid signed 32-bit integer between -2,147,483,648 and 2,147,483,647',
    )
    expect(check([{ key: 'n', type: 'integer' }], { n: '1' })).toBe(
      'Invalid document structure: Attribute "n" has invalid format. Value must be a valid signed 64-bit integer between -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807',
    )
  })

  it('should check doubles, booleans and datetimes', () => {
    expect(check([{ key: 'p', type: 'double', min: 0, max: 1 }], { p: 0.5 })).toBeUndefined()
    expect(check([{ key: 'p', type: 'double', min: 0, max: 1 }], { p: 2 })).toBe(
      'Invalid document structure: Attribute "p" has invalid format. Value must be a valid range between 0 and 1',
    )
    expect(check([{ key: 'p', type: 'double' }], { p: 'x' })).toBe(
      'Invalid document structure: Attribute "p" has invalid format. Value must be a valid float',
    )
    expect(check([{ key: 'b', type: 'boolean' }], { b: 1 })).toBe(
      'Invalid document structure: Attribute "b" has invalid type. Value must be a valid boolean',
    )
    expect(check([{ key: 'd', type: 'datetime' }], { d: 'soon' })).toBe(
      'Invalid document structure: Attribute "d" has invalid type. Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.',
    )
  })

  it('should check email, url, ip and enum formats', () => {
    const columns: ColumnDefinition[] = [
      { key: 'email', type: 'email' },
      { key: 'url', type: 'url' },
      { key: 'ip', type: 'ip' },
      { key: 'status', type: 'enum', elements: ['pending', 'accepted'] },
    ]
    expect(
      check(columns, { email: 'a@b.co', url: 'https://x.io/a', ip: '10.0.0.1', status: 'pending' }),
    ).toBeUndefined()
    expect(check(columns, { ip: '::1' })).toBeUndefined()
    expect(check(columns, { email: 'nope' })).toBe(
      'Invalid document structure: Attribute "email" has invalid format. Value must be a valid email address',
    )
    expect(check(columns, { url: 'not a url' })).toBe(
      'Invalid document structure: Attribute "url" has invalid format. Value must be a valid URL',
    )
    expect(check(columns, { ip: '300.1.1.1' })).toBe(
      'Invalid document structure: Attribute "ip" has invalid format. Value must be a valid IP address',
    )
    expect(check(columns, { status: 'cancelled' })).toBe(
      'Invalid document structure: Attribute "status" has invalid format. Value must be one of (pending, accepted)',
    )
  })

  it('should check arrays element by element', () => {
    const columns: ColumnDefinition[] = [{ key: 'tags', type: 'string', size: 5, array: true }]
    expect(check(columns, { tags: [] })).toBeUndefined()
    expect(check(columns, { tags: null })).toBeUndefined()
    expect(check(columns, { tags: 'a' })).toBe(
      'Invalid document structure: Attribute "tags" must be an array',
    )
    expect(check(columns, { tags: ['ok', 'too long'] })).toBe(
      `Invalid document structure: Attribute "tags['1']" has invalid type. Value must be a valid string and no longer than 5 chars`,
    )
  })

  it('should accept null for optional columns', () => {
    expect(check([{ key: 'n', type: 'integer' }], { n: null })).toBeUndefined()
  })

  it('should refuse $-prefixed keys on schemaless tables', () => {
    expect(validateSchemalessKeys({ a: 1 })).toBeUndefined()
    expect(validateSchemalessKeys({ $foo: 1 })).toBe(
      'Invalid document structure: Unknown attribute: "$foo"',
    )
  })

  it('should describe a failing value without the attribute framing', () => {
    const [email, size] = [
      ...tableOf([
        { key: 'email', type: 'email' },
        { key: 'code', type: 'string', size: 3 },
      ]).columns.values(),
    ]
    expect(columnValueFailure(email!, 'nope')).toBe('Value must be a valid email address')
    expect(columnValueFailure(size!, 'long')).toBe(
      'Value must be a valid string and no longer than 3 chars',
    )
    expect(columnValueFailure(email!, 'a@b.co')).toBeUndefined()
  })

  it('should treat a column still processing or failed as an unknown attribute', () => {
    const columns: ColumnDefinition[] = [
      { key: 'a', type: 'string' },
      { key: 'b', type: 'string', required: true, status: 'processing' },
      { key: 'c', type: 'string', status: 'failed' },
    ]
    expect(check(columns, { a: 'x' })).toBeUndefined()
    expect(check(columns, { a: 'x', b: 'y' })).toBe(
      'Invalid document structure: Unknown attribute: "b"',
    )
    expect(check(columns, { c: 'z' })).toBe('Invalid document structure: Unknown attribute: "c"')
  })

  it('should answer like the validator chain for every column and value (quick checks included)', () => {
    // validateStructure takes shortcuts for the usual values; validateColumnValue always runs the
    // server's chain. Both must agree on every value, bounds and odd numbers included.
    const bound = fc.oneof(
      fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }),
      fc.constantFrom(
        0,
        2147483647,
        2147483648,
        -2147483648,
        2 ** 53,
        -(2 ** 53),
        9_007_199_254_740_991,
        1.5,
        -2.5,
        1e300,
      ),
      fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 5n),
    )
    const column: fc.Arbitrary<ColumnDefinition> = fc.oneof(
      fc.record({
        key: fc.constant('v'),
        type: fc.constantFrom('string' as const, 'varchar' as const),
        size: fc.integer({ min: 0, max: 6 }),
        required: fc.boolean(),
        array: fc.boolean(),
      }),
      fc.record({
        key: fc.constant('v'),
        type: fc.constant('enum' as const),
        elements: fc.constant(['a', 'b', 'ab'] as string[]),
        size: fc.integer({ min: 1, max: 3 }),
        required: fc.boolean(),
      }),
      fc.record(
        {
          key: fc.constant('v'),
          type: fc.constant('integer' as const),
          min: bound,
          max: bound,
          required: fc.boolean(),
          array: fc.boolean(),
        },
        { requiredKeys: ['key', 'type', 'required'] },
      ),
      fc.record(
        {
          key: fc.constant('v'),
          type: fc.constantFrom('double' as const, 'float' as const),
          min: bound,
          max: bound,
          required: fc.boolean(),
        },
        { requiredKeys: ['key', 'type', 'required'] },
      ),
      fc.record({
        key: fc.constant('v'),
        type: fc.constantFrom('boolean' as const, 'datetime' as const, 'email' as const),
        required: fc.boolean(),
        array: fc.boolean(),
      }),
    )
    const scalar = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('a', 'ab', 'abc', '😀😀', '😀😀😀', 'x@y.io', ''),
      fc.constantFrom('2026-03-01T10:00:00Z', '2026-03-01 10:00:00', '0999-01-01', 'now'),
      fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }),
      fc.double(),
      fc.constantFrom(2 ** 53, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, 1e21, 1e20, -1e21, -0, 2147483648),
      fc.bigInt({ min: -10n, max: 10n }),
      fc.boolean(),
      fc.constant(null),
    )
    // Values at and next to a column's own bounds, where an off-by-one would show.
    const nearBounds = (definition: ColumnDefinition) =>
      fc.constantFrom(
        ...[definition.min, definition.max, definition.size, 2147483647, -2147483648]
          .filter((bound) => bound !== undefined)
          .flatMap((bound) => [Number(bound) - 1, Number(bound), Number(bound) + 1]),
        0,
      )
    const pair = column.chain((definition) => {
      const item = fc.oneof(scalar, nearBounds(definition))
      return fc.tuple(fc.constant(definition), fc.oneof(item, fc.array(item, { maxLength: 3 })))
    })
    fc.assert(
      fc.property(pair, ([definition, v]) => {
        const schema = tableOf([definition])
        const failure = validateColumnValue(schema.columns.get('v')!, 'v', v)
        expect(validateStructure(schema, { v }, 'partial')).toBe(
          failure === undefined ? undefined : STRUCTURE_PREFIX + failure,
        )
      }),
      { numRuns: 3000, seed: 20_260_101 },
    )
  })

  it('should format datetimes exactly as toISOString does, in and out of four-digit years', () => {
    const viaDate = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}+00:00`
    for (const text of [
      '1000-01-01T00:00:00.000Z',
      '1582-10-15T00:00:00.000Z',
      '1900-02-28T23:59:59.999Z',
      '1900-03-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T12:34:56.789Z',
      '2100-03-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      const ms = Date.parse(text)
      expect(toServerDatetime(ms)).toBe(viaDate(ms))
    }
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
          // Outside the years formatted by hand, and fractions: the Date path.
          fc.integer({ min: -8.64e15, max: 8.64e15 }),
          fc.double({ min: -1e12, max: 1e13, noNaN: true }),
        ),
        (ms) => {
          expect(toServerDatetime(ms)).toBe(viaDate(ms))
        },
      ),
      { numRuns: 20_000, seed: 20_260_101 },
    )
    expect(() => toServerDatetime(Number.NaN)).toThrow(RangeError)
  })
})
