import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import { LEGACY, MOVIE_COLUMNS, tablesSuite } from './tables'

// Facts from tests/e2e/Services/Databases/DatabasesBase.php at appwrite 1.9.6 as
// LegacyCustomClientTest.php (a signed-in user) and LegacyCustomServerTest.php (the API key) run
// it: collections and documents through the legacy API under /v1/databases.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const t = tablesSuite('Legacy Database', undefined, LEGACY)
let moviesId: string

beforeAll(async () => {
  moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
})

describe('Legacy collections and documents, as the server tests them', () => {
  it(`${BASE} testCreateCollection: should answer a new collection with its name and integer bytesMax and bytesUsed`, async () => {
    const created = await t.up.call('POST', `/databases/${t.db.databaseId}/collections`, t.up.key, {
      collectionId: 'unique()',
      name: 'Movies',
      documentSecurity: true,
      permissions: [permission.create(`user:${t.user.$id}`)],
    })
    expect(created.status).toBe(201)
    expect(created.body.name).toBe('Movies')
    expect(Number.isInteger(created.body.bytesMax) && created.body.bytesMax >= 0).toBe(true)
    expect(Number.isInteger(created.body.bytesUsed) && created.body.bytesUsed >= 0).toBe(true)
  })

  it(`${BASE} testConsoleProject (client): should refuse the console project and a request without a project, with the server's messages`, async () => {
    const documents = `/databases/console/collections/${moviesId}/documents`
    const { 'x-appwrite-project': _project, ...signedIn } = t.user.headers
    const consoleProject = await t.up.call('GET', documents, {
      ...signedIn,
      'x-appwrite-project': 'console',
    })
    expect([400, 401]).toContain(consoleProject.status)
    expect(consoleProject.body).toMatchObject({
      type: 'general_access_forbidden',
      message:
        'This endpoint is not available for the console project. The Appwrite Console is a reserved project ID and cannot be used with the Appwrite SDKs and APIs. Please check if your project ID is correct.',
    })
    // Upstream skips the server side: the key "can't get past the invalid key check".
    const { 'x-appwrite-project': _keyProject, ...keyOnly } = t.up.key
    const withKey = await t.up.call('GET', documents, {
      ...keyOnly,
      'x-appwrite-project': 'console',
    })
    expect({ status: withKey.status, type: withKey.body.type }).toEqual({
      status: 401,
      type: 'user_unauthorized',
    })
    const noProject = await t.up.call('GET', documents, signedIn)
    expect([400, 401]).toContain(noProject.status)
    expect(noProject.body.message).toBe(
      'No Appwrite project was specified. Please specify your project ID when initializing your Appwrite SDK.',
    )
  })

  describe.each([
    ['client', 'a signed-in user'],
    ['server', 'the API key'],
  ] as const)('testDefaultPermissions (%s)', (side, who) => {
    it(`${BASE} testDefaultPermissions (${side}): should give a document written by ${who} without permissions its default ones, replace them on update and empty them`, async () => {
      const headers = side === 'client' ? t.user.headers : t.up.key
      const mine = [
        permission.read(`user:${t.user.$id}`),
        permission.update(`user:${t.user.$id}`),
        permission.delete(`user:${t.user.$id}`),
      ]
      const created = await t.db.write(moviesId, headers, {
        title: 'Captain America',
        releaseYear: 1944,
        actors: [],
      })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({ title: 'Captain America', releaseYear: 1944 })
      // A user gets read, update and delete for itself; the key grants nobody anything.
      expect(created.body.$permissions).toEqual(side === 'client' ? mine : [])
      const document = `${t.db.rows(moviesId)}/${created.body.$id as string}`
      const update = (data: Record<string, unknown>, permissions: string[]) =>
        t.up.call('PATCH', document, headers, { data, permissions })
      const narrowed = await update(
        { title: 'Captain America 2', releaseYear: 1945, actors: [] },
        mine.slice(0, 2),
      )
      expect(narrowed.status).toBe(200)
      expect(narrowed.body).toMatchObject({
        title: 'Captain America 2',
        releaseYear: 1945,
        $permissions: mine.slice(0, 2),
      })
      const read = await t.up.call('GET', document, headers)
      expect(read.status).toBe(200)
      expect(read.body.$permissions).toEqual(mine.slice(0, 2))
      const emptied = await update(
        { title: 'Captain America 3', releaseYear: 1946, actors: [] },
        [],
      )
      expect(emptied.status).toBe(200)
      expect(emptied.body).toMatchObject({ title: 'Captain America 3', $permissions: [] })
      // The user can no longer read it; the key still can.
      expect((await t.up.call('GET', document, headers)).status).toBe(side === 'client' ? 404 : 200)
    })
  })
})
