import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DeferredRowIndex } from '../emulator/deferredRowIndex'
import { startAppwriteEmulator } from '../emulator/startAppwriteEmulator'
import { createFakeAppwrite, fakeInternals } from '../fake/createFakeAppwrite'
import { SortedRowIndex } from '../fake/rowIndex'
import type { IndexKind } from '../fake/rowIndex'
import type { StoredRow } from '../fake/store'

const row = (id: number, value: unknown): StoredRow => ({
  $id: `r${id}`,
  $sequence: id,
  $createdAt: '2026-01-01T00:00:00.000+00:00',
  $updatedAt: '2026-01-01T00:00:00.000+00:00',
  $permissions: [],
  data: value === undefined ? {} : { name: value },
})

// Few values, in several cases and paddings, and nulls: ties between rows are the rule.
const VALUES = ['a', 'A', 'a ', 'b', 'B', 'ab', null, undefined]

/** One step of a script: a write (a new row, or an existing one replaced or deleted), or a read. */
type Step =
  | { kind: 'put'; slot: number; value: unknown }
  | { kind: 'delete'; slot: number }
  | { kind: 'read' }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      slot: fc.nat({ max: 40 }),
      value: fc.constantFrom(...VALUES),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), slot: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
)

/**
 * Runs a script as a table's storage drives its index (a replaced row: the old one removed, the
 * new one added) and checks every read, and the end, against an index built from scratch over
 * the live rows: the same rows in the same order.
 */
function expectIndexAsFresh(
  Index: typeof SortedRowIndex,
  kind: IndexKind,
  initial: number,
  steps: readonly Step[],
): void {
  const live = new Map<number, StoredRow>()
  let sequence = 0
  for (let i = 0; i < initial; i++) live.set(i, row(++sequence, VALUES[i % VALUES.length]))
  const index = new Index('name', kind, live.values())
  const expectSame = () =>
    expect(index.rows).toEqual(new SortedRowIndex('name', kind, live.values()).rows)
  for (const step of steps) {
    if (step.kind === 'read') expectSame()
    else if (step.kind === 'delete') {
      const old = live.get(step.slot)
      if (old !== undefined) index.remove(old)
      live.delete(step.slot)
    } else {
      const old = live.get(step.slot)
      const next = row(old?.$sequence ?? ++sequence, step.value)
      if (old !== undefined) index.remove(old)
      index.add(next)
      live.set(step.slot, next)
    }
  }
  expectSame()
}

// The fake's index places each write as it comes; the emulator's places them at the next read.
describe.each([
  ['SortedRowIndex', SortedRowIndex],
  ['DeferredRowIndex', DeferredRowIndex],
])('rowIndex: %s', (_name, Index) => {
  it('should read the rows a fresh index holds, whatever writes came since the last read', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<IndexKind>('text', 'plain'),
        fc.nat({ max: 30 }),
        fc.array(stepArb, { maxLength: 120 }),
        (kind, initial, steps) => expectIndexAsFresh(Index, kind, initial, steps),
      ),
      { numRuns: 400 },
    )
  })

  it('should place a long burst of writes with no read in between, and answer bounds over it', () => {
    const burst: Step[] = []
    for (let i = 0; i < 6000; i++)
      burst.push({ kind: 'put', slot: (i * 7) % 5000, value: VALUES[i % VALUES.length] })
    expectIndexAsFresh(Index, 'text', 100, burst)

    const index = new Index('name', 'text', [])
    for (let i = 0; i < 50; i++) index.add(row(i + 1, i % 2 === 0 ? 'b' : 'A'))
    expect(index.lowerBound('a')).toBe(0)
    expect(index.upperBound('a')).toBe(25)
    expect(index.rows.slice(0, 3).map((r) => r.$sequence)).toEqual([2, 4, 6])
  })
})

describe('rowIndex: which index a storage builds', () => {
  it('should build the deferred index in the emulator and the plain one in the fake', async () => {
    const fake = createFakeAppwrite()
    const table = () => fakeInternals(fake).storage.ensureTable('main', 'rows')
    expect(table().sortedIndex!('$createdAt', 'datetime')).not.toBeInstanceOf(DeferredRowIndex)
    const emulator = await startAppwriteEmulator({ fake })
    try {
      expect(table().sortedIndex!('name', 'text')).toBeInstanceOf(DeferredRowIndex)
    } finally {
      await emulator.close()
    }
  })
})
