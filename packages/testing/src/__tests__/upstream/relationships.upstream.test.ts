import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import { LEGACY, TABLES_DB, tablesSuite } from './tables'
import type { ApiNames } from './tables'

// The relationship cases of tests/e2e/Services/Databases/DatabasesBase.php (appwrite 1.9.6),
// as its TablesDB and legacy runners make their first call: the relationship column of each
// kind, then the update of one. The server answers 202 and 200; the emulator refuses
// relationship columns on purpose (see the testing README, **Not served**), so each call must be
// refused loudly (405 `general_not_implemented`, saying so) and leave nothing half-made: no
// column on either side, the tables still usable.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const REFUSED = {
  type: 'general_not_implemented',
  message: expect.stringContaining('does not serve relationship') as unknown,
}

/** Each upstream method's relationship call: the table it starts from, the kind, the keys. */
const KINDS = [
  {
    method: 'testOneToOneRelationship',
    params: {
      type: 'oneToOne',
      key: 'library',
      twoWay: true,
      twoWayKey: 'person',
      onDelete: 'cascade',
    },
  },
  {
    method: 'testOneToManyRelationship',
    params: { type: 'oneToMany', twoWay: true, key: 'libraries', twoWayKey: 'person_one_to_many' },
  },
  {
    method: 'testManyToOneRelationship',
    params: { type: 'manyToOne', twoWay: true, key: 'artist', twoWayKey: 'albums' },
  },
  {
    method: 'testManyToManyRelationship',
    params: {
      type: 'manyToMany',
      twoWay: true,
      key: 'players',
      twoWayKey: 'sports',
      onDelete: 'setNull',
    },
  },
] as const

function relationshipCases(api: ApiNames, runner: string) {
  describe(`Relationship columns under ${api.base}, as ${runner} makes them`, () => {
    const t = tablesSuite('Test Database', undefined, api)
    const relatedId = api === LEGACY ? 'relatedCollectionId' : 'relatedTableId'
    let personId: string
    let libraryId: string

    beforeAll(async () => {
      const owned = [
        permission.read(`user:${t.user.$id}`),
        permission.update(`user:${t.user.$id}`),
        permission.create(`user:${t.user.$id}`),
      ]
      personId = await t.db.table(
        'person',
        [['string', { key: 'fullName', size: 255, required: false }]],
        { permissions: [...owned, permission.delete(`user:${t.user.$id}`)] },
      )
      libraryId = await t.db.table(
        'library',
        [['string', { key: 'libraryName', size: 255, required: true }]],
        { permissions: owned },
      )
    })

    for (const { method, params } of KINDS)
      it(`${BASE} ${method} (${runner}): should refuse the ${params.type} relationship loudly and create no column on either side`, async () => {
        const created = await t.up.call(
          'POST',
          `${t.db.columns(personId)}/relationship`,
          t.up.key,
          {
            [relatedId]: libraryId,
            ...params,
          },
        )
        expect(created.status).toBe(405)
        expect(created.body).toMatchObject(REFUSED)
        const own = await t.up.call('GET', `${t.db.columns(personId)}/${params.key}`, t.up.key)
        expect(own.status).toBe(404)
        const twoWay = await t.up.call(
          'GET',
          `${t.db.columns(libraryId)}/${params.twoWayKey}`,
          t.up.key,
        )
        expect(twoWay.status).toBe(404)
        const row = await t.db.write(personId, t.user.headers, { fullName: 'Stevie Wonder' })
        expect(row.status).toBe(201)
      })

    // upstream's getSchemaUrl(…, 'relationship', key): `…/{key}/relationship` on both APIs
    // (the legacy route's alias of `…/attributes/relationship/{key}`).
    const paths = [
      `/libraries/relationship`,
      ...(api === LEGACY ? ['/relationship/libraries'] : []),
    ]
    it(`${BASE} testOneToManyRelationship (${runner}): should refuse the update of a relationship loudly, on ${paths.join(' and ')}`, async () => {
      for (const path of paths) {
        const updated = await t.up.call('PATCH', `${t.db.columns(personId)}${path}`, t.up.key, {
          onDelete: 'cascade',
        })
        expect({ path, status: updated.status }).toEqual({ path, status: 405 })
        expect(updated.body).toMatchObject(REFUSED)
      }
    })
  })
}

relationshipCases(TABLES_DB, 'TablesDBCustomServerTest')
relationshipCases(LEGACY, 'LegacyCustomServerTest')
