import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planQuery } from '../fake/planner'
import { effectiveOrders, nullOrderAttribute, runQuery, validateListQueries } from '../fake/queries'
import type { RawQuery } from '../fake/queries'
import type { TableSchema } from '../fake/schema'
import { createMemoryStorage, createOverlayStorage } from '../fake/store'
import type { StoredRow, TableStorage } from '../fake/store'
import type { FakeColumn, FakeIndex } from '../fake/types'

const column = (key: string, type: FakeColumn['type'], array = false): FakeColumn => ({
  key,
  type,
  format: '',
  status: 'available',
  error: '',
  required: false,
  array,
  default: null,
  $createdAt: '',
  $updatedAt: '',
})

const index = (key: string, type: FakeIndex['type'], columns: string[]): FakeIndex => ({
  key,
  type,
  status: 'available',
  error: '',
  columns,
  orders: columns.map(() => 'ASC'),
  lengths: [],
})

/** `name`, `score`, `at` and `flag` are indexed; `tag` and `tags` are not. */
const SCHEMA: TableSchema = {
  databaseId: 'main',
  tableId: 'rows',
  name: 'rows',
  columns: new Map([
    ['name', column('name', 'string')],
    ['score', column('score', 'integer')],
    ['at', column('at', 'datetime')],
    ['flag', column('flag', 'boolean')],
    ['tag', column('tag', 'string')],
    ['tags', column('tags', 'string', true)],
  ]),
  indexes: [
    index('by_name', 'key', ['name', 'score']),
    index('by_score', 'unique', ['score']),
    index('by_at', 'key', ['at']),
    index('by_flag', 'key', ['flag']),
    index('by_tags', 'key', ['tags']),
  ],
  permissions: [],
  rowSecurity: true,
}

// Small domains, so that ties, nulls and case variants are frequent.
const IDS = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'R1', 'r10']
const NAMES = ['a', 'A', 'b', 'B', 'ab', 'a ']
const SCORES = [-1, 0, 1, 2, 7]
const DATES = [
  '2026-01-01T00:00:00.000+00:00',
  '2026-01-01T00:00:01.000+00:00',
  '2026-01-01T00:00:01.500+00:00',
  '2026-01-02T00:00:00.000+00:00',
]
const DATE_QUERIES = [...DATES, '2026-01-01 00:00:01', '2025-12-31T23:59:59.000+00:00']

const value = <T>(values: readonly T[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...values) },
    fc.constant(null),
    fc.constant(undefined),
  )

const dataArb = fc.record({
  name: value(NAMES),
  score: value(SCORES),
  at: value(DATES),
  flag: value([true, false]),
  tag: value(['x', 'y']),
  tags: fc.oneof(fc.constant(undefined), fc.subarray(['x', 'y'])),
})

type Data = typeof dataArb extends fc.Arbitrary<infer T> ? T : never

type Write =
  | { kind: 'put'; id: string; data: Data; at: string; readable: boolean }
  | { kind: 'delete'; id: string }

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      id: fc.constantFrom(...IDS),
      data: dataArb,
      at: fc.constantFrom(...DATES),
      readable: fc.boolean(),
    }),
  },
  fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...IDS) }),
)

/** Per attribute, values its filters may carry (what validation accepts). */
const QUERY_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  $id: fc.constantFrom(...IDS, 'r', 'zz'),
  $sequence: fc.integer({ min: 0, max: 40 }),
  $createdAt: fc.constantFrom(...DATE_QUERIES),
  $updatedAt: fc.constantFrom(...DATE_QUERIES),
  name: fc.constantFrom(...NAMES, 'c', ''),
  score: fc.constantFrom(...SCORES, 3, -5),
  at: fc.constantFrom(...DATE_QUERIES),
  flag: fc.boolean(),
  tag: fc.constantFrom('x', 'y', 'X'),
}
const ATTRIBUTES = Object.keys(QUERY_VALUES)
const STRINGS = new Set(['$id', 'name', 'tag'])

const filterArb: fc.Arbitrary<RawQuery> = fc.constantFrom(...ATTRIBUTES).chain((attribute) => {
  const one = QUERY_VALUES[attribute]!
  const methods = [
    'equal',
    'notEqual',
    'lessThan',
    'lessThanEqual',
    'greaterThan',
    'greaterThanEqual',
    'between',
    'notBetween',
    'isNull',
    'isNotNull',
    ...(STRINGS.has(attribute) ? ['startsWith', 'endsWith'] : []),
  ]
  return fc.constantFrom(...methods).chain((method) => {
    const values =
      method === 'equal'
        ? fc.array(one, { minLength: 1, maxLength: 3 })
        : method === 'between' || method === 'notBetween'
          ? fc.tuple(one, one)
          : method === 'isNull' || method === 'isNotNull'
            ? fc.constant([])
            : fc.tuple(one)
    return values.map((list): RawQuery => ({ method, attribute, values: list }))
  })
})

const queriesArb: fc.Arbitrary<RawQuery[]> = fc
  .record({
    filters: fc.array(
      fc.oneof(
        { weight: 5, arbitrary: filterArb },
        fc
          .tuple(filterArb, filterArb)
          .map((children): RawQuery => ({ method: 'or', attribute: '', values: children })),
        fc
          .tuple(fc.constantFrom('tags'), fc.constantFrom('x', 'y'))
          .map(([attribute, tag]): RawQuery => ({ method: 'contains', attribute, values: [tag] })),
      ),
      { maxLength: 3 },
    ),
    orders: fc.array(
      fc.record({
        method: fc.constantFrom('orderAsc', 'orderDesc'),
        attribute: fc.constantFrom(...ATTRIBUTES),
        values: fc.constant([]),
      }),
      { maxLength: 2 },
    ),
    limit: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    offset: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    cursor: fc.option(
      fc.record({
        method: fc.constantFrom('cursorAfter', 'cursorBefore'),
        attribute: fc.constant(''),
        values: fc.tuple(fc.constantFrom(...IDS)),
      }),
      { nil: undefined },
    ),
  })
  .map(({ filters, orders, limit, offset, cursor }) => [
    ...filters,
    ...orders,
    ...(limit === undefined ? [] : [{ method: 'limit', attribute: '', values: [limit] }]),
    ...(offset === undefined ? [] : [{ method: 'offset', attribute: '', values: [offset] }]),
    ...(cursor === undefined ? [] : [cursor]),
  ])

/** Applies one write as the engine does: a replaced row keeps its `$sequence` and `$createdAt`. */
function write(table: TableStorage, step: Write): void {
  if (step.kind === 'delete') {
    table.delete(step.id)
    return
  }
  const old = table.get(step.id)
  const data: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(step.data)) if (item !== undefined) data[key] = item
  table.put({
    $id: step.id,
    $sequence: old?.$sequence ?? table.nextSequence(),
    $createdAt: old?.$createdAt ?? step.at,
    $updatedAt: step.at,
    $permissions: step.readable ? ['read("user:u1")'] : [],
    data,
  })
}

const canSee = (row: StoredRow) => row.$permissions.length > 0

/**
 * The planner's answer beside the scan's, for one list call; `undefined` when the planner
 * declined (the caller scans) or the call is one the engine refuses (a hidden or null cursor).
 */
function both(
  table: TableStorage,
  schema: TableSchema | undefined,
  raw: readonly RawQuery[],
  visibleOnly: boolean,
  countTotal: boolean,
) {
  const queries = validateListQueries(schema, raw)
  const see = visibleOnly ? canSee : undefined
  let cursorRow: StoredRow | undefined
  if (queries.cursor) {
    cursorRow = table.get(queries.cursor.rowId)
    if (!cursorRow || (see && !see(cursorRow))) return undefined
    if (nullOrderAttribute(cursorRow, effectiveOrders(queries.orders)) !== undefined)
      return undefined
  }
  const rows = [...table.values()].filter((row) => !see || see(row))
  const scanned = runQuery(rows, queries, cursorRow)
  const planned = planQuery(table, schema, queries, cursorRow, see, countTotal)
  if (planned === undefined) return undefined
  return {
    scanned: { total: countTotal ? scanned.total : 0, ids: scanned.rows.map((row) => row.$id) },
    planned: { total: countTotal ? planned.total : 0, ids: planned.rows.map((row) => row.$id) },
  }
}

describe('planner', () => {
  it('should answer every list call exactly as the scan does, across writes, commits and permissions', () => {
    let planned = 0
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: writeArb.map((step) => ({ kind: 'write' as const, step })) },
            fc
              .array(writeArb, { maxLength: 4 })
              .map((steps) => ({ kind: 'commit' as const, steps })),
            {
              weight: 3,
              arbitrary: fc
                .record({
                  queries: queriesArb,
                  visibleOnly: fc.boolean(),
                  countTotal: fc.boolean(),
                })
                .map((call) => ({ kind: 'list' as const, ...call })),
            },
          ),
          { minLength: 10, maxLength: 60 },
        ),
        (declared, steps) => {
          const storage = createMemoryStorage()
          const table = storage.ensureTable('main', 'rows')
          const schema = declared ? SCHEMA : undefined
          const answers: Array<NonNullable<ReturnType<typeof both>>> = []
          for (const step of steps) {
            if (step.kind === 'write') write(table, step.step)
            else if (step.kind === 'commit') {
              // A transaction's commit: staged on an overlay, then written in one go.
              const overlay = createOverlayStorage(storage)
              for (const staged of step.steps) write(overlay.ensureTable('main', 'rows'), staged)
              overlay.apply()
            } else {
              const queries = declared
                ? step.queries
                : step.queries.filter(
                    (query) => !query.attribute || query.attribute.startsWith('$'),
                  )
              const answer = both(table, schema, queries, step.visibleOnly, step.countTotal)
              if (answer !== undefined) answers.push(answer)
            }
          }
          planned += answers.length
          expect(answers.map((answer) => answer.planned)).toEqual(
            answers.map((answer) => answer.scanned),
          )
        },
      ),
      { numRuns: 400 },
    )
    // The comparison means something only if the planner answered a good share of the calls.
    expect(planned).toBeGreaterThan(300)
  })

  it("should page an equal filter's long index range as the scan does, with limits, offsets and cursors", () => {
    // The narrowing plan with no order asked: many rows share each value, so the range is long,
    // and a page cut in the wrong place or in the wrong order shows.
    const oneValueArb = fc.oneof(
      fc.constantFrom('name', 'at', 'flag', '$createdAt', '$updatedAt').chain((attribute) =>
        QUERY_VALUES[attribute]!.map((item): RawQuery => ({
          method: 'equal',
          attribute,
          values: [item],
        })),
      ),
      // Keys that are one value to the index (case variants of one name), and keys that are not.
      fc.constant<RawQuery>({ method: 'equal', attribute: 'name', values: ['a', 'A'] }),
      fc
        .subarray(NAMES, { minLength: 2 })
        .map((values): RawQuery => ({ method: 'equal', attribute: 'name', values })),
    )
    const callArb = fc
      .record({
        equal: oneValueArb,
        others: fc.array(filterArb, { maxLength: 2 }),
        limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        offset: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        cursor: fc.option(fc.constantFrom(...IDS), { nil: undefined }),
        visibleOnly: fc.boolean(),
        countTotal: fc.boolean(),
      })
      .map(({ equal, others, limit, offset, cursor, ...call }) => ({
        ...call,
        queries: [
          equal,
          ...others,
          ...(limit === undefined ? [] : [{ method: 'limit', attribute: '', values: [limit] }]),
          ...(offset === undefined ? [] : [{ method: 'offset', attribute: '', values: [offset] }]),
          ...(cursor === undefined
            ? []
            : [{ method: 'cursorAfter', attribute: '', values: [cursor] }]),
        ],
      }))
    let compared = 0
    fc.assert(
      fc.property(
        fc.array(writeArb, { minLength: 20, maxLength: 60 }),
        fc.array(callArb, { minLength: 1, maxLength: 8 }),
        (writes, calls) => {
          const table = createMemoryStorage().ensureTable('main', 'rows')
          for (const step of writes) write(table, step)
          for (const call of calls) {
            const answer = both(table, SCHEMA, call.queries, call.visibleOnly, call.countTotal)
            if (answer === undefined) continue
            compared++
            expect(answer.planned).toEqual(answer.scanned)
          }
        },
      ),
      { numRuns: 300 },
    )
    expect(compared).toBeGreaterThan(500)
  })

  it('should walk the index for orderDesc($createdAt) + limit, ties broken by the newest sequence', () => {
    const storage = createMemoryStorage()
    const table = storage.ensureTable('main', 'rows')
    for (let i = 0; i < 50; i++) {
      write(table, {
        kind: 'put',
        id: `r${i}`,
        data: { name: 'a', score: null, at: null, flag: null, tag: null, tags: undefined },
        at: DATES[i % 2]!,
        readable: true,
      })
    }
    const queries = validateListQueries(undefined, [
      { method: 'orderDesc', attribute: '$createdAt', values: [] },
      { method: 'limit', attribute: '', values: [3] },
    ])
    const result = planQuery(table, undefined, queries)
    expect(result?.rows.map((row) => row.$id)).toEqual(['r49', 'r47', 'r45'])
    expect(result?.total).toBe(50)
  })

  it('should leave a random order, an unindexed filter and a transaction view to the scan', () => {
    const storage = createMemoryStorage()
    const table = storage.ensureTable('main', 'rows')
    write(table, {
      kind: 'put',
      id: 'r1',
      data: { name: 'a', score: 1, at: null, flag: null, tag: 'x', tags: undefined },
      at: DATES[0]!,
      readable: true,
    })
    const plan = (raw: RawQuery[], on: TableStorage = table) =>
      planQuery(on, SCHEMA, validateListQueries(SCHEMA, raw))
    expect(plan([{ method: 'orderRandom', attribute: '', values: [] }])).toBeUndefined()
    expect(plan([{ method: 'equal', attribute: 'tag', values: ['x'] }])).toBeUndefined()
    const view = createOverlayStorage(storage).table('main', 'rows')!
    expect(plan([{ method: 'equal', attribute: 'name', values: ['a'] }], view)).toBeUndefined()
    expect(plan([{ method: 'equal', attribute: 'name', values: ['a'] }])?.rows).toHaveLength(1)
  })
})
