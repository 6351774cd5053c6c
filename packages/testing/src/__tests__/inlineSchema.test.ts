import { describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import { installTableFeatures } from '../tables'
import { appwriteError } from './helpers'

const databaseId = 'main'

async function setup() {
  const fake = createFakeAppwrite({ seed: 1 })
  installTableFeatures(fake)
  await fake.admin.create({ databaseId, name: 'Main' })
  let count = 0
  /** Creates a fresh table with inline `columns` and `indexes`. */
  const create = (columns: object[], indexes: object[] = []) =>
    fake.admin.createTable({ databaseId, tableId: `t${++count}`, name: 'T', columns, indexes })
  return { fake, create }
}

const refused = (message: string) => appwriteError(400, 'general_argument_invalid', message)

describe('installTableFeatures', () => {
  it('should refuse inline definitions on a fake without it, naming it, and create nothing', async () => {
    const fake = createFakeAppwrite({ seed: 1 })
    await fake.admin.create({ databaseId, name: 'Main' })
    const message =
      "createTable / createCollection with inline `columns` / `attributes` or `indexes` needs the fake's table features: call installTableFeatures(fake) from '@booking-guard/testing/tables' once after createFakeAppwrite() (the emulator installs them itself), or create the table first and its columns and indexes with their own calls"
    const columns = [{ key: 'a', type: 'varchar', size: 10 }]
    const indexes = [{ key: 'i', type: 'key', attributes: ['a'] }]
    await expect(
      fake.admin.createTable({ databaseId, tableId: 't1', name: 'T', columns }),
    ).rejects.toThrow(message)
    await expect(
      fake.admin.createTable({ databaseId, tableId: 't2', name: 'T', indexes }),
    ).rejects.toThrow(message)
    expect((await fake.admin.listTables({ databaseId })).total).toBe(0)
    // An empty table, and columns and indexes by their own calls, need nothing installed.
    await fake.admin.createTable({ databaseId, tableId: 't3', name: 'T', columns: [], indexes: [] })
    await fake.admin.createVarcharColumn({
      databaseId,
      tableId: 't3',
      key: 'a',
      size: 10,
      required: false,
    })
    expect((await fake.admin.getTable({ databaseId, tableId: 't3' })).columns).toHaveLength(1)
  })

  it('should do nothing more when installed twice', async () => {
    const { fake, create } = await setup()
    installTableFeatures(fake)
    const table = await create([{ key: 'a', type: 'varchar', size: 10 }])
    expect(table.columns.map((column) => column.key)).toEqual(['a'])
  })
})

describe('inlineColumns', () => {
  it('should refuse each malformed column definition with the server message, creating no table', async () => {
    const { fake, create } = await setup()
    const cases: Array<[object, string]> = [
      [{ type: 'string', size: 10 }, "Attribute at index 0 is missing required field 'key'"],
      [{ key: 'a' }, "Attribute at index 0 is missing required field 'type'"],
      [
        { key: '_a', type: 'boolean' },
        "Invalid key for attribute at index 0: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
      ],
      [{ key: 'a', type: 'float' }, "Invalid type for attribute 'a': float"],
      [{ key: 'a', type: 'relationship' }, "Invalid type for attribute 'a': relationship"],
      [
        { key: 'a', type: 'string', size: 1.5 },
        "Invalid size for attribute 'a': must be an integer",
      ],
      [
        { key: 'a', type: 'varchar' },
        "Invalid or missing size for string attribute 'a'. Size must be between 1 and 1073741824",
      ],
      [
        { key: 'a', type: 'text', format: 'email' },
        "Format is only allowed for string type for attribute 'a'",
      ],
      [
        { key: 'a', type: 'string', size: 9, format: 'uuid' },
        "Invalid format for attribute 'a': uuid",
      ],
      [
        { key: 'a', type: 'boolean', required: 'yes' },
        "Invalid 'required' value for attribute 'a': must be a boolean",
      ],
      [
        { key: 'a', type: 'boolean', signed: true },
        "Attribute 'a': 'signed' can only be used with integer, bigint or float types",
      ],
      [
        { key: 'a', type: 'boolean', required: true, default: true },
        "Attribute 'a' cannot have a default value when required is true",
      ],
      [
        { key: 'a', type: 'text', array: true, default: 'x' },
        "Attribute 'a' cannot have a default value when array is true",
      ],
      [
        { key: 'a', type: 'string', size: 9, min: 1 },
        "Attribute 'a': min/max can only be used with integer, bigint or float types",
      ],
      [
        { key: 'a', type: 'integer', min: 5, max: 1 },
        "Attribute 'a': minimum value must be less than or equal to maximum value",
      ],
      [
        { key: 'a', type: 'varchar', size: 3, default: 'long' },
        "Default value for attribute 'a' exceeds maximum size of 3 characters",
      ],
      [
        { key: 'a', type: 'email', default: 'nope' },
        "Default value for email attribute 'a' must be a valid email address",
      ],
      [
        { key: 'a', type: 'integer', default: 1.5 },
        "Default value for integer attribute 'a' must be an integer",
      ],
      [
        { key: 'a', type: 'integer', min: 0, max: 9, default: 10 },
        "Default value for integer attribute 'a' must be between 0 and 9",
      ],
      [
        { key: 'a', type: 'double', default: 'x' },
        "Default value for float attribute 'a' must be a number",
      ],
      [
        { key: 'a', type: 'datetime', default: 'yesterday' },
        "Default value for datetime attribute 'a' must be in valid ISO 8601 format",
      ],
      [{ key: 'a', type: 'enum' }, "Attribute 'a' with enum format must have 'elements' array"],
      [
        { key: 'a', type: 'enum', elements: ['x', ''] },
        "Enum element at index 1 for attribute 'a' must be a non-empty string",
      ],
      [
        { key: 'a', type: 'enum', elements: ['x'], default: 'y' },
        "Default value for enum attribute 'a' must be one of the provided elements",
      ],
    ]
    for (const [definition, message] of cases) {
      const answer = await create([definition]).then(
        () => 'created',
        (error: { code: number; type: string; message: string }) =>
          `${error.code} ${error.type}: ${error.message}`,
      )
      expect({ definition, answer }).toEqual({
        definition,
        answer: `400 general_argument_invalid: ${message}`,
      })
    }
    await expect(
      create([
        { key: 'a', type: 'boolean' },
        { key: 'a', type: 'integer' },
      ]),
    ).rejects.toMatchObject(refused('Duplicate attribute key: a'))
    expect((await fake.admin.listTables({ databaseId })).total).toBe(0)
  })

  it('should check every definition before refusing a type the fake does not serve', async () => {
    const { create } = await setup()
    await expect(
      create([
        { key: 'big', type: 'bigint' },
        { key: 'a', type: 'blob' },
      ]),
    ).rejects.toMatchObject(refused("Invalid type for attribute 'a': blob"))
    for (const type of ['bigint', 'point', 'linestring', 'polygon'])
      await expect(create([{ key: 'x', type }])).rejects.toMatchObject({
        code: 405,
        type: 'general_not_implemented',
        message: expect.stringContaining(`does not serve ${type} columns (column 'x')`) as unknown,
      })
  })

  it('should resolve shorthand formats and fixed sizes, and take encryption from filters only', async () => {
    const { create } = await setup()
    const table = await create([
      { key: 'mail', type: 'email' },
      { key: 'secret', type: 'varchar', size: 200, encrypt: true },
      { key: 'sealed', type: 'varchar', size: 200, filters: ['encrypt'] },
      { key: 'body', type: 'longtext', size: 5 },
      { key: 'score', type: 'double', min: 0, max: 1 },
    ])
    const byKey = Object.fromEntries(table.columns.map((c) => [c.key, c as object]))
    expect(byKey.mail).toMatchObject({ type: 'string', format: 'email', status: 'available' })
    expect(byKey.secret).toMatchObject({ type: 'varchar', encrypt: false })
    expect(byKey.sealed).toMatchObject({ type: 'varchar', encrypt: true })
    expect(byKey.body).toMatchObject({ type: 'longtext' })
    expect(byKey.score).toMatchObject({ type: 'double', min: 0, max: 1 })
  })
})

describe('inlineIndexes', () => {
  it('should refuse each malformed index definition with the server message', async () => {
    const { create } = await setup()
    const columns = [{ key: 'a', type: 'varchar', size: 10 }]
    const cases: Array<[object, string]> = [
      [{ type: 'key', attributes: ['a'] }, "Index at position 0 is missing required field 'key'"],
      [
        { key: 'i', type: 'key', columns: ['a'] },
        "Index at position 0 is missing required field 'attributes' (must be an array)",
      ],
      [{ key: 'i', type: 'btree', attributes: ['a'] }, "Invalid type for index 'i': btree"],
      [{ key: 'i', type: 'key', attributes: [] }, "Index 'i' must have at least one attribute"],
      [{ key: 'i', type: 'key', attributes: ['-a'] }, "Invalid attribute name '-a' in index 'i'"],
      [
        { key: 'i', type: 'key', attributes: ['a'], orders: ['asc'] },
        "Invalid order 'asc' in index 'i'. Must be 'ASC' or 'DESC'",
      ],
      [
        { key: 'i', type: 'key', attributes: ['a'], lengths: [1, 2] },
        "Index 'i': lengths array length (2) must match attributes array length (1)",
      ],
    ]
    for (const [index, message] of cases) {
      const answer = await create(columns, [index]).then(
        () => 'created',
        (error: { code: number; type: string; message: string }) =>
          `${error.code} ${error.type}: ${error.message}`,
      )
      expect({ index, answer }).toEqual({
        index,
        answer: `400 general_argument_invalid: ${message}`,
      })
    }
    const key = { key: 'i', type: 'key', attributes: ['a'] }
    await expect(create(columns, [key, key])).rejects.toMatchObject(
      refused('Duplicate index key: i'),
    )
    await expect(create(columns, [{ ...key, orders: ['DESC'] }])).resolves.toMatchObject({
      indexes: [{ key: 'i', columns: ['a'], orders: ['DESC'], status: 'available' }],
    })
  })
})
