import { Condition, Operator, Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { fakeWithTable } from './helpers'

const databaseId = 'main'
const tableId = 'slots'
const ref = { databaseId, tableId }

/** A fake whose `slots` table has one column of each kind an operator applies to. */
async function setup() {
  const { fake, admin, clock } = await fakeWithTable({ tableId, name: 'Slots' })
  await admin.createStringColumn({ ...ref, key: 'name', size: 16, required: false })
  await admin.createIntegerColumn({ ...ref, key: 'seats', required: false })
  await admin.createFloatColumn({ ...ref, key: 'price', required: false })
  await admin.createBooleanColumn({ ...ref, key: 'open', required: false })
  await admin.createDatetimeColumn({ ...ref, key: 'startsAt', required: false })
  await admin.createStringColumn({ ...ref, key: 'tags', size: 16, required: false, array: true })
  await admin.createIntegerColumn({ ...ref, key: 'scores', required: false, array: true })
  await fake.tablesDB.createRow({
    ...ref,
    rowId: 's1',
    data: {
      name: 'Yoga',
      seats: 10,
      price: 20,
      open: false,
      startsAt: '2026-01-10T09:00:00.000Z',
      tags: ['a', 'b', 'a', 'c'],
      scores: [5, 1, 9],
    },
  })
  return { fake, tablesDB: fake.tablesDB, clock }
}

const INVALID = { code: 400, type: 'row_invalid_structure' }

describe('operators', () => {
  it('should cap increment and multiply at max and floor decrement and divide at min', async () => {
    const { tablesDB } = await setup()
    const update = (data: Record<string, unknown>) =>
      tablesDB.updateRow({ ...ref, rowId: 's1', data })
    expect((await update({ seats: Operator.increment(5, 12) })).seats).toBe(12)
    expect((await update({ seats: Operator.decrement(20, 3) })).seats).toBe(3)
    expect((await update({ seats: Operator.multiply(10, 25) })).seats).toBe(25)
    expect((await update({ seats: Operator.modulo(7) })).seats).toBe(4)
    expect((await update({ seats: Operator.power(2) })).seats).toBe(16)
    expect((await update({ price: Operator.divide(8, 4) })).price).toBe(4)
  })

  it('should apply the string, boolean, date and array operators', async () => {
    const { tablesDB, clock } = await setup()
    await clock.advance(60_000)
    const row = await tablesDB.updateRow({
      ...ref,
      rowId: 's1',
      data: {
        name: Operator.stringReplace('Yoga', 'Pilates'),
        open: Operator.toggle(),
        startsAt: Operator.dateAddDays(2),
        tags: Operator.arrayUnique(),
        scores: Operator.arrayFilter(Condition.GreaterThan, 3),
      },
    })
    expect(row).toMatchObject({
      name: 'Pilates',
      open: true,
      startsAt: '2026-01-12T09:00:00.000+00:00',
      tags: ['a', 'b', 'c'],
      scores: [5, 9],
    })
    const next = await tablesDB.updateRow({
      ...ref,
      rowId: 's1',
      data: {
        startsAt: Operator.dateSetNow(),
        tags: Operator.arrayDiff(['b']),
        scores: Operator.arrayInsert(1, 7),
      },
    })
    expect(next).toMatchObject({
      startsAt: '2026-01-01T00:01:00.000+00:00',
      tags: ['a', 'c'],
      scores: [5, 7, 9],
    })
  })

  it("should refuse an operator that does not fit its column with the server's message and write nothing", async () => {
    const { tablesDB } = await setup()
    const update = (data: Record<string, unknown>) =>
      tablesDB.updateRow({ ...ref, rowId: 's1', data })
    await expect(update({ name: Operator.increment(1) })).rejects.toMatchObject({
      ...INVALID,
      message: "Invalid document structure: Cannot apply increment to non-numeric field 'name'",
    })
    await expect(update({ seats: Operator.arrayAppend([1]) })).rejects.toMatchObject({
      ...INVALID,
      message: "Invalid document structure: Cannot apply arrayAppend to non-array field 'seats'",
    })
    await expect(update({ seats: '{"method":"divide","values":[0]}' })).rejects.toMatchObject({
      ...INVALID,
      message: 'Invalid document structure: Division by zero is not allowed',
    })
    await expect(update({ open: Operator.stringConcat('x') })).rejects.toMatchObject({
      ...INVALID,
      message: "Invalid document structure: Cannot apply concat to non-string field 'open'",
    })
    // The result is still checked against the column: 16 characters at most.
    await expect(update({ name: Operator.stringConcat(' and a long tail') })).rejects.toMatchObject(
      INVALID,
    )
    expect(await tablesDB.getRow({ ...ref, rowId: 's1' })).toMatchObject({
      name: 'Yoga',
      seats: 10,
    })
  })

  it('should apply a bulk update operator to each row and keep a plain JSON-looking string as text', async () => {
    const { tablesDB } = await setup()
    await tablesDB.createRow({ ...ref, rowId: 's2', data: { seats: 1 } })
    const result = await tablesDB.updateRows({
      ...ref,
      data: { seats: Operator.increment(2) },
      queries: [Query.isNotNull('seats')],
    })
    expect(result.total).toBe(2)
    const seats = (await tablesDB.listRows({ ...ref, queries: [Query.orderAsc('$id')] })).rows.map(
      (row) => row.seats,
    )
    expect(seats).toEqual([12, 3])
    const text = await tablesDB.updateRow({
      ...ref,
      rowId: 's1',
      data: { name: '{"method":"x"}' },
    })
    expect(text.name).toBe('{"method":"x"}')
  })
})
