import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import { LEGACY, TABLES_DB, tablesSuite } from './tables'
import type { ApiNames, ColumnSpec } from './tables'

// Facts from tests/e2e/Services/TablesDB/DatabasesStringTypesTest.php (columns, rows, tables) and
// its twin tests/e2e/Services/Databases/Legacy/DatabasesStringTypesTest.php (attributes,
// documents, collections) at appwrite 1.9.6: every call by the API key, as those tests make them.
// Their testUpdate…Column / testUpdate…Attribute methods are skipped upstream (the database
// library cannot update these types yet), so they carry no fact to hold the emulator to.

const TEXT_TYPES = ['text', 'mediumtext', 'longtext'] as const

/** The default each text type's `<type>_with_default` column is created with upstream. */
const TEXT_DEFAULTS: Record<(typeof TEXT_TYPES)[number], string> = {
  text: 'This is a longer default text value that can contain more content.',
  mediumtext: 'Default mediumtext content',
  longtext: 'Default longtext content for very large text storage',
}

/**
 * The columns of upstream's setupDatabaseAndTable / setupDatabaseAndCollection, in its order: five
 * varchar ones, then for each text type a plain one, one with a default, a required one and an array.
 */
const STRING_TYPE_COLUMNS: ColumnSpec[] = [
  ['varchar', { key: 'varchar_field', size: 255, required: false }],
  ['varchar', { key: 'varchar_with_default', size: 100, required: false, default: 'hello world' }],
  ['varchar', { key: 'varchar_required', size: 50, required: true }],
  ['varchar', { key: 'varchar_array', size: 64, required: false, array: true }],
  ['varchar', { key: 'varchar_min', size: 1, required: false }],
  ...TEXT_TYPES.flatMap((type): ColumnSpec[] => [
    [type, { key: `${type}_field`, required: false }],
    [type, { key: `${type}_with_default`, required: false, default: TEXT_DEFAULTS[type] }],
    [type, { key: `${type}_required`, required: true }],
    [type, { key: `${type}_array`, required: false, array: true }],
  ]),
]

const STRING_TYPES = ['varchar', ...TEXT_TYPES]

/** How each upstream file names its methods: `Column` / `Row` / `Table` or `Attribute` / `Document` / `Collection`. */
interface Flavour {
  api: ApiNames
  file: string
  member: 'Column' | 'Attribute'
  record: 'Row' | 'Document'
  container: 'Table' | 'Collection'
  /** The list method (upstream names them differently per file). */
  listMethod: string
  /** The get-container method. */
  getMethod: string
}

const FLAVOURS: Flavour[] = [
  {
    api: TABLES_DB,
    file: 'tests/e2e/Services/TablesDB/DatabasesStringTypesTest.php',
    member: 'Column',
    record: 'Row',
    container: 'Table',
    listMethod: 'testListColumnsWithStringTypes',
    getMethod: 'testGetTableWithStringTypeColumns',
  },
  {
    api: LEGACY,
    file: 'tests/e2e/Services/Databases/Legacy/DatabasesStringTypesTest.php',
    member: 'Attribute',
    record: 'Document',
    container: 'Collection',
    listMethod: 'testListStringTypeAttributes',
    getMethod: 'testGetCollectionWithStringTypeAttributes',
  },
]

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

for (const f of FLAVOURS) {
  describe(`String column types under ${f.api.base}, as the server tests them`, () => {
    const t = tablesSuite('String Types Test Database', () => [], f.api)
    let stringsId: string
    type Member = Record<string, unknown> & { key: string; type: string }
    const member = (key: string) => t.up.call('GET', `${t.db.columns(stringsId)}/${key}`, t.up.key)
    const container = () =>
      t.up.call('GET', `${f.api.base}/${t.db.databaseId}/${f.api.container}/${stringsId}`, t.up.key)
    const create = (type: string, params: Record<string, unknown>) =>
      t.up.call('POST', `${t.db.columns(stringsId)}/${type}`, t.up.key, params)
    /** Creates an encrypted `type` member (a varchar one 256 long): 202, `encrypt: true`. */
    const createEncrypted = async (type: string, key: string) => {
      const size = type === 'varchar' ? { size: 256 } : {}
      const answer = await create(type, { key, ...size, required: false, encrypt: true })
      expect(answer.status).toBe(202)
      expect(answer.body.encrypt).toBe(true)
    }

    beforeAll(async () => {
      stringsId = await t.db.table('String Types Table', STRING_TYPE_COLUMNS, {
        permissions: [permission.create('any'), permission.read('any')],
      })
    })

    it(`${f.file} testCreate${f.container}: should answer the ${f.container.toLowerCase()} by its id`, async () => {
      const got = await container()
      expect(got.status).toBe(200)
      expect(got.body.$id).toBe(stringsId)
    })

    it(`${f.file} testCreateVarchar${f.member}: should answer each varchar ${f.member.toLowerCase()} with its size, default and flags, and create an encrypted one`, async () => {
      const field = await member('varchar_field')
      expect(field.status).toBe(200)
      expect(field.body).toMatchObject({
        key: 'varchar_field',
        type: 'varchar',
        size: 255,
        required: false,
        default: null,
        encrypt: false,
      })
      expect((await member('varchar_with_default')).body.default).toBe('hello world')
      expect((await member('varchar_required')).body.required).toBe(true)
      expect((await member('varchar_array')).body.array).toBe(true)
      expect((await member('varchar_min')).body.size).toBe(1)
      await createEncrypted('varchar', 'varchar_encrypted')
    })

    it(`${f.file} testCreateVarchar${f.member}Failures: should refuse a bad size, a default longer than the size, a taken key and a small encrypted ${f.member.toLowerCase()}`, async () => {
      const refused: Array<[params: Record<string, unknown>, status: number]> = [
        [{ key: 'varchar_zero', size: 0 }, 400],
        [{ key: 'varchar_negative', size: -10 }, 400],
        [{ key: 'varchar_too_large', size: 16382 }, 400],
        [{ key: 'varchar_no_size' }, 400],
        [
          {
            key: 'varchar_default_too_long',
            size: 5,
            default: 'this is way too long for the size',
          },
          400,
        ],
        [{ key: 'varchar_field', size: 100 }, 409],
        [{ key: 'varchar_encrypt_small', size: 149, encrypt: true }, 400],
      ]
      for (const [params, status] of refused) {
        const answer = await create('varchar', { required: false, ...params })
        expect({ params, status: answer.status }).toEqual({ params, status })
      }
    })

    for (const type of TEXT_TYPES)
      it(`${f.file} testCreate${cap(type)}${f.member}: should answer each ${type} ${f.member.toLowerCase()} with its flags, and create an encrypted one`, async () => {
        const field = await member(`${type}_field`)
        expect(field.status).toBe(200)
        expect(field.body).toMatchObject({
          key: `${type}_field`,
          type,
          required: false,
          encrypt: false,
        })
        const withDefault = await member(`${type}_with_default`)
        expect(withDefault.status).toBe(200)
        expect(withDefault.body.default).toBe(TEXT_DEFAULTS[type])
        expect((await member(`${type}_required`)).body.required).toBe(true)
        expect((await member(`${type}_array`)).body.array).toBe(true)
        await createEncrypted(type, `${type}_encrypted`)
      })

    it(`${f.file} testGetVarchar${f.member} + testGetText${f.member} + testGetMediumtext${f.member} + testGetLongtext${f.member}: should answer one ${f.member.toLowerCase()} of each type by key`, async () => {
      const expected: Array<Record<string, unknown>> = [
        { key: 'varchar_with_default', type: 'varchar', size: 100 },
        ...TEXT_TYPES.map((type) => ({ key: `${type}_field`, type })),
      ]
      for (const model of expected) {
        const got = await member(String(model.key))
        expect(got.status).toBe(200)
        expect(got.body).toMatchObject(model)
      }
    })

    it(`${f.file} testCreate${f.record}WithStringTypes: should store a ${f.record.toLowerCase()} holding every string type`, async () => {
      const data = {
        varchar_field: 'Test varchar value',
        varchar_required: 'Required value',
        text_field: 'This is a text field with more content.',
        text_required: 'Required text',
        mediumtext_field: 'Medium text content here',
        mediumtext_required: 'Required mediumtext',
        longtext_field: 'Long text content for storing large amounts of data',
        longtext_required: 'Required longtext',
      }
      const written = await t.db.write(
        stringsId,
        t.up.key,
        {
          ...data,
          varchar_array: ['item1', 'item2', 'item3'],
          text_array: ['text item 1', 'text item 2'],
          mediumtext_array: ['mediumtext item 1'],
          longtext_array: ['longtext item 1', 'longtext item 2'],
        },
        [permission.read('any')],
      )
      expect(written.status).toBe(201)
      expect(written.body).toMatchObject(data)
      expect(written.body.varchar_array).toHaveLength(3)
      expect(written.body.text_array).toHaveLength(2)
    })

    it(`${f.file} testCreate${f.record}WithDefaultValues + testCreate${f.record}Failures: should fill defaults, and refuse a ${f.record.toLowerCase()} without its required ${f.member.toLowerCase()}s`, async () => {
      const written = await t.db.write(
        stringsId,
        t.up.key,
        {
          varchar_field: 'Value',
          varchar_required: 'Required',
          text_required: 'Required text',
          mediumtext_required: 'Required mediumtext',
          longtext_required: 'Required longtext',
        },
        [permission.read('any')],
      )
      expect(written.status).toBe(201)
      expect(written.body).toMatchObject({
        varchar_with_default: 'hello world',
        text_with_default: 'This is a longer default text value that can contain more content.',
      })
      const missing = await t.db.write(stringsId, t.up.key, { varchar_field: 'Value' }, [
        permission.read('any'),
      ])
      expect(missing.status).toBe(400)
    })

    it(`${f.file} ${f.getMethod} + ${f.listMethod}: should list every string type, with its encrypt flag, on the ${f.container.toLowerCase()} and the ${f.api.schema} route`, async () => {
      await createEncrypted('varchar', 'varchar_encrypted_collection')
      const got = await container()
      expect(got.status).toBe(200)
      expect(got.body.$id).toBe(stringsId)
      const members = got.body[f.api.schema] as Member[]
      expect(members.map((m) => m.type)).toEqual(expect.arrayContaining(STRING_TYPES))
      const encryptOf = Object.fromEntries(members.map((m) => [m.key, m.encrypt]))
      expect(encryptOf).toMatchObject({
        varchar_field: false,
        text_field: false,
        mediumtext_field: false,
        longtext_field: false,
        varchar_encrypted_collection: true,
      })
      const listed = await t.up.call('GET', t.db.columns(stringsId), t.up.key)
      expect(listed.status).toBe(200)
      expect(listed.body.total).toBeGreaterThan(0)
      expect((listed.body[f.api.schema] as Member[]).map((m) => m.type)).toEqual(
        expect.arrayContaining(STRING_TYPES),
      )
    })

    it(`${f.file} testDeleteStringType${f.member}s: should delete a varchar ${f.member.toLowerCase()} with 204, then answer 404 for it`, async () => {
      const tableId = await t.db.table('Deletable', [STRING_TYPE_COLUMNS[4] as ColumnSpec])
      const path = `${t.db.columns(tableId)}/varchar_min`
      expect((await t.up.call('DELETE', path, t.up.key)).status).toBe(204)
      expect((await t.up.call('GET', path, t.up.key)).status).toBe(404)
    })
  })
}
