import { describe, expect, it } from 'vitest'
import { permission, upstreamSuite } from './upstream'
import { createFakeAppwrite } from '../../index'

// Facts from tests/e2e/Services/Databases/TablesDB/TablesDBColumnsTest.php (appwrite's main
// branch, after 1.9.6: the inline `columns` of create table resolved as the dedicated column
// routes resolve them, `Appwrite\Utopia\Database\Attribute::resolve`), every call by the API key.
const COLUMNS = 'tests/e2e/Services/Databases/TablesDB/TablesDBColumnsTest.php'

const suite = upstreamSuite(() => ({ fake: createFakeAppwrite({ strict: true }) }))

describe('Inline columns of create table, as the server tests them', () => {
  it(`${COLUMNS} testCreateTableColumns: should create every column type inline, available, with the sizes and formats of the dedicated routes`, async () => {
    const { up } = { up: suite.up }
    const databaseId = await up.createDatabase('Inline Columns')
    const table = await up.call('POST', `/tablesdb/${databaseId}/tables`, up.key, {
      tableId: 'unique()',
      name: 'Modules',
      permissions: [permission.create('any'), permission.read('any')],
      columns: [
        { key: 'title', type: 'string', size: 128, required: true },
        { key: 'slug', type: 'varchar', size: 64 },
        { key: 'modulePath', type: 'text' },
        { key: 'summary', type: 'mediumtext' },
        { key: 'archive', type: 'longtext' },
        { key: 'email', type: 'email' },
        { key: 'website', type: 'url' },
        { key: 'address', type: 'ip' },
        { key: 'status', type: 'enum', elements: ['on', 'off'], default: 'on' },
      ],
      indexes: [{ key: 'slug_unique', type: 'unique', attributes: ['slug'] }],
    })
    expect(table.status).toBe(201)
    expect(table.body.columns).toHaveLength(9)
    expect((table.body.columns as Array<{ key: string }>).map((c) => c.key).sort()).toEqual([
      'address',
      'archive',
      'email',
      'modulePath',
      'slug',
      'status',
      'summary',
      'title',
      'website',
    ])
    expect(table.body.indexes).toHaveLength(1)
    expect(table.body.indexes[0]).toMatchObject({ key: 'slug_unique', status: 'available' })
    const tableId = table.body.$id as string

    const columns = await up.call(
      'GET',
      `/tablesdb/${databaseId}/tables/${tableId}/columns`,
      up.key,
    )
    expect(columns.status).toBe(200)
    expect(columns.body.total).toBe(9)
    const byKey: Record<string, Record<string, unknown>> = {}
    for (const column of columns.body.columns as Array<Record<string, unknown>>) {
      expect({ key: column.key, status: column.status }).toEqual({
        key: column.key,
        status: 'available',
      })
      byKey[column.key as string] = column
    }
    expect(byKey.title).toMatchObject({ type: 'string', size: 128 })
    expect(byKey.slug).toMatchObject({ type: 'varchar', size: 64 })
    expect(byKey.modulePath).toMatchObject({ type: 'text' })
    expect(byKey.summary).toMatchObject({ type: 'mediumtext' })
    expect(byKey.archive).toMatchObject({ type: 'longtext' })
    expect(byKey.email).toMatchObject({ type: 'string', format: 'email' })
    expect(byKey.website).toMatchObject({ type: 'string', format: 'url' })
    expect(byKey.address).toMatchObject({ type: 'string', format: 'ip' })
    expect(byKey.status).toMatchObject({
      type: 'string',
      format: 'enum',
      elements: ['on', 'off'],
      default: 'on',
    })

    // Longer than any sized string type allows: it fits only in a text column's 65535.
    const modulePath = 'src/Appwrite/Platform/Modules/Databases/'.repeat(200)
    const row = await up.call('POST', `/tablesdb/${databaseId}/tables/${tableId}/rows`, up.key, {
      rowId: 'unique()',
      data: {
        title: 'Appwrite',
        modulePath,
        email: 'team@appwrite.io',
        website: 'https://appwrite.io',
        address: '127.0.0.1',
        status: 'off',
      },
    })
    expect(row.status).toBe(201)
    expect(row.body.modulePath).toBe(modulePath)
    expect(row.body.status).toBe('off')
  })

  it(`${COLUMNS} testCreateTableUnsupportedColumnType: should refuse a column of an unknown type, naming the column and the type`, async () => {
    const { up } = suite
    const databaseId = await up.createDatabase('Inline Columns Invalid')
    const table = await up.call('POST', `/tablesdb/${databaseId}/tables`, up.key, {
      tableId: 'unique()',
      name: 'Invalid',
      columns: [{ key: 'unknown', type: 'blob' }],
    })
    expect(table.status).toBe(400)
    expect(String(table.body.message)).toContain("Invalid type for attribute 'unknown': blob")
  })
})
