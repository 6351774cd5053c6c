import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import type { Answer } from './upstream'
import {
  DATABASES_BASE_RUNS,
  MOVIE_COLUMNS,
  MOVIES,
  ownedBy,
  sideHeaders,
  tablesSuite,
} from './tables'

// Facts from the list cache cases of tests/e2e/Services/Databases/DatabasesBase.php (appwrite
// 1.9.6), as each of the four classes an app's calls meet runs them: a list call with `ttl`
// answers `X-Appwrite-Cache: miss`, then `hit` for the same caller, schema and queries until `ttl`
// seconds passed; a schema change or an update of the table with `purge: true` starts afresh.
// Upstream sleeps through the ttl; here the fake's clock moves instead.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const cacheOf = (answer: Answer) => answer.headers.get('x-appwrite-cache')

for (const run of DATABASES_BASE_RUNS) {
  const { api, side } = run
  const records = api.records

  describe(`List cache as ${run.runner} runs it`, () => {
    const t = tablesSuite('Test Database', undefined, api)
    const headers = () => sideHeaders(t, side)
    let moviesId: string
    let movieIds: string[]
    /** Lists the movies with `queries` and `extra` parameters (`ttl`, `total`) as the run's side. */
    const list = (queries: string[], extra: Record<string, unknown> = {}) =>
      t.up.call('GET', t.db.rows(moviesId), headers(), { queries, ...extra })

    beforeAll(async () => {
      // setupDocuments: the Movies table and testCreateDocument's three movies
      moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
      const written = await t.db.seed(moviesId, headers(), [...MOVIES], ownedBy(t.user.$id))
      movieIds = written.map((answer) => answer.body.$id as string)
    })

    it(`${BASE} testListDocumentsWithCache (${run.runner}): should miss, hit (also without the total), miss for other selects, send no header without ttl, and miss once the ttl passed`, async () => {
      const queries = [
        Query.equal('$id', movieIds),
        Query.select(['title', 'releaseYear', '$id']),
        Query.orderAsc('releaseYear'),
      ]
      const first = await list(queries, { ttl: 30 })
      expect(first.status).toBe(200)
      expect(first.body.total).toBe(3)
      expect(first.body[records].map((r: { releaseYear: number }) => r.releaseYear)).toEqual([
        1944, 2017, 2019,
      ])
      expect(Object.keys(first.body[records][0])).toEqual(
        expect.arrayContaining(['title', 'releaseYear', '$id']),
      )
      expect(cacheOf(first)).toBe('miss')

      const second = await list(queries, { ttl: 30 })
      expect(second.status).toBe(200)
      expect(second.body.total).toBe(3)
      expect(second.body[records]).toEqual(first.body[records])
      expect(cacheOf(second)).toBe('hit')

      const untotalled = await list(queries, { ttl: 30, total: false })
      expect(untotalled.status).toBe(200)
      expect(untotalled.body.total).toBe(0)
      expect(untotalled.body[records]).toEqual(first.body[records])
      expect(cacheOf(untotalled)).toBe('hit')

      const titles = await list(
        [Query.equal('$id', movieIds), Query.select(['title']), Query.orderAsc('releaseYear')],
        { ttl: 10 },
      )
      expect(titles.body.total).toBe(3)
      expect(titles.body[records].map((r: { title: string }) => r.title)).toEqual(
        first.body[records].map((r: { title: string }) => r.title),
      )
      expect(cacheOf(titles)).toBe('miss')

      const uncached = await list(queries)
      expect(uncached.status).toBe(200)
      expect(uncached.body[records][0].releaseYear).toBe(1944)
      expect(uncached.headers.has('x-appwrite-cache')).toBe(false)

      await t.clock.advance(10_000)
      const expired = await list(queries, { ttl: 10 })
      expect(expired.status).toBe(200)
      expect(expired.body[records]).toHaveLength(3)
      expect(cacheOf(expired)).toBe('miss')
    })

    it(`${BASE} testListDocumentsCacheBustedByAttributeChange (${run.runner}): should miss again once a ${api.schema.slice(0, -1)} is added`, async () => {
      const queries = [
        Query.equal('$id', movieIds),
        Query.select(['title', '$id']),
        Query.orderAsc('$createdAt'),
      ]
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('miss')
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('hit')
      const added = await t.up.call('POST', `${t.db.columns(moviesId)}/string`, t.up.key, {
        key: 'cacheTestAttr',
        size: 64,
        required: false,
      })
      expect(added.status).toBe(202)
      const after = await list(queries, { ttl: 300 })
      expect(after.status).toBe(200)
      expect(cacheOf(after)).toBe('miss')
    })

    it(`${BASE} testListDocumentsCachedWithoutSelectQuery (${run.runner}): should cache a list without a select, the same ${records} on the hit`, async () => {
      const queries = [Query.equal('$id', movieIds), Query.orderAsc('releaseYear')]
      const first = await list(queries, { ttl: 60 })
      expect(first.status).toBe(200)
      expect(cacheOf(first)).toBe('miss')
      const second = await list(queries, { ttl: 60 })
      expect(cacheOf(second)).toBe('hit')
      expect(second.body[records]).toEqual(first.body[records])
    })

    it(`${BASE} testListDocumentsCachePurgedByUpdate (${run.runner}): should miss after an update with purge, and keep hitting after one without`, async () => {
      const queries = [
        Query.equal('$id', movieIds),
        Query.select(['title', 'tagline', '$id']),
        Query.orderAsc('$createdAt'),
      ]
      const update = (purge: boolean) =>
        t.up.call('PUT', `${api.base}/${t.db.databaseId}/${api.container}/${moviesId}`, t.up.key, {
          name: 'Movies',
          enabled: true,
          [api.security]: true,
          ...(purge ? { purge: true } : {}),
        })
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('miss')
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('hit')
      expect((await update(true)).status).toBe(200)
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('miss')
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('hit')
      expect((await update(false)).status).toBe(200)
      expect(cacheOf(await list(queries, { ttl: 300 }))).toBe('hit')
    })

    it(`${BASE} testListDocumentsWithCache (${run.runner}), the server's ttl parameter: should serve the cached ${records} within the ttl though one changed, and the change after it`, async () => {
      const queries = [Query.equal('$id', movieIds), Query.select(['title', 'duration'])]
      const first = await list(queries, { ttl: 5 })
      expect(cacheOf(first)).toBe('miss')
      const [movie] = first.body[records] as Array<{ title: string }>
      const target = movieIds[MOVIES.findIndex((m) => m.title === movie?.title)]
      must(
        await t.up.call('PATCH', `${t.db.rows(moviesId)}/${target}`, headers(), {
          data: { duration: 120 },
        }),
        200,
        'updating a movie',
      )
      const stale = await list(queries, { ttl: 5 })
      expect(cacheOf(stale)).toBe('hit')
      expect(stale.body[records]).toEqual(first.body[records])
      await t.clock.advance(5_000)
      const fresh = await list(queries, { ttl: 5 })
      expect(cacheOf(fresh)).toBe('miss')
      expect(fresh.body[records][0].duration).toBe(120)
    })

    it(`${BASE} testGetDocumentCacheEmpty (${run.runner}): should answer a ${records.slice(0, -1)} written after a read of its id found none`, async () => {
      const tableId = await t.db.table('CacheEmpty', [
        ['string', { key: 'title', size: 256, required: false }],
      ])
      const rowId = `cacheempty${side}`
      const path = `${t.db.rows(tableId)}/${rowId}`
      expect((await t.up.call('GET', path, headers())).status).toBe(404)
      const created = await t.db.write(
        tableId,
        headers(),
        { title: 'Cached Empty' },
        [permission.read(`user:${t.user.$id}`)],
        { [api.recordId]: rowId },
      )
      expect(created.status).toBe(201)
      const got = await t.up.call('GET', path, headers())
      expect(got.status).toBe(200)
      expect(got.body.title).toBe('Cached Empty')
    })
  })
}
