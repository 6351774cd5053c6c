import { beforeAll, describe, expect, it } from 'vitest'
import { LOGO, anyoneCRUD, createBucket, readStatuses, uploadLogo } from './storage'
import { isDatetime, must, permission, upstreamSuite } from './upstream'
import type { Answer, SignedUpUser } from './upstream'

// Facts from the permission cases of tests/e2e/Services/Storage/StorageCustomClientTest.php, with
// its StoragePermissionsScope helpers (users signed up through the Account API, teams and
// memberships made with the API key), and the part of StorageConsoleClientTest's
// testFilePermissionNotAutoSetInConsole a project's API key shares with the console
// (github:appwrite/appwrite at 1.9.6). Each case names the method it carries the facts of. The
// upstream logo.png is stood in for by PNG bytes of the same size; its preview is the original
// bytes (the emulator has no image library, see its README).

const t = upstreamSuite(() => ({}))

let user: SignedUpUser

beforeAll(async () => {
  user = await t.up.signUp('Storage Permissions User')
})

const fileOf = (bucketId: string, fileId: string) => `/storage/buckets/${bucketId}/files/${fileId}`

/** Expects upstream's checks of a created permission file: 201, a date, its name, type and size. */
function expectCreated(answer: Answer): string {
  expect(answer.status).toBe(201)
  expect(answer.body.$id).not.toBe('')
  expect(isDatetime(answer.body.$createdAt)).toBe(true)
  expect(answer.body).toMatchObject({
    name: 'permissions.png',
    mimeType: 'image/png',
    sizeOriginal: LOGO.length,
  })
  return answer.body.$id as string
}

/** `createTeam` + `addToTeam` upstream: a team (by the key) with `member` in it, no roles. */
async function teamWith(member: SignedUpUser, name: string): Promise<string> {
  const team = must(
    await t.up.call('POST', '/teams', t.up.key, { teamId: 'unique()', name }),
    201,
    `creating the team ${name}`,
  )
  const teamId = team.body.$id as string
  must(
    await t.up.call('POST', `/teams/${teamId}/memberships`, t.up.key, {
      teamId,
      email: member.email,
      roles: [],
      url: 'http://localhost:5000/join-us#title',
    }),
    201,
    `adding ${member.email} to ${name}`,
  )
  return teamId
}

describe('storage bucket permissions (upstream StorageCustomClientTest)', () => {
  it('testBucketAnyPermissions: a guest creates, reads, updates and deletes through the bucket', async () => {
    const bucketId = await createBucket(t.up, 'Test Bucket', { permissions: anyoneCRUD })
    const fileId = expectCreated(await uploadLogo(t.up, bucketId, t.up.guest))
    expect(await readStatuses(t.up, bucketId, fileId, t.up.guest)).toEqual([200, 200, 200, 200])
    const renamed = await t.up.call('PUT', fileOf(bucketId, fileId), t.up.guest, {
      name: 'permissions.png',
    })
    expect(renamed.status).toBe(200)
    const deleted = await t.up.call('DELETE', fileOf(bucketId, fileId), t.up.guest)
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
  })

  it("testBucketUserPermissions: the bucket is one user's; a guest and another user get 401", async () => {
    const role = `user:${user.$id}`
    const bucketId = await createBucket(t.up, 'Test Bucket', {
      permissions: ['read', 'create', 'update', 'delete'].map((type) => `${type}("${role}")`),
    })
    const fileId = expectCreated(await uploadLogo(t.up, bucketId, user.headers))
    const file = fileOf(bucketId, fileId)
    expect(await readStatuses(t.up, bucketId, fileId, user.headers)).toEqual([200, 200, 200, 200])
    expect((await t.up.call('PUT', file, user.headers, { name: 'permissions.png' })).status).toBe(
      200,
    )

    expect((await t.up.call('GET', file, t.up.guest)).status).toBe(401)
    expect((await uploadLogo(t.up, bucketId, t.up.guest)).status).toBe(401)
    expect((await t.up.call('DELETE', file, t.up.guest)).status).toBe(401)

    const other = await t.up.signUp('user2')
    expect((await t.up.call('GET', file, other.headers)).status).toBe(401)
    expect((await uploadLogo(t.up, bucketId, other.headers)).status).toBe(401)
    expect((await t.up.call('PUT', file, other.headers, { permissions: [] })).status).toBe(401)
    expect((await t.up.call('DELETE', file, other.headers)).status).toBe(401)

    const deleted = await t.up.call('DELETE', file, user.headers)
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
  })

  it("testBucketTeamPermissions: both teams read, team 1 alone writes; team 2's writes are 401", async () => {
    const [one, two] = [await t.up.signUp('Team One Member'), await t.up.signUp('Team Two Member')]
    const [team1, team2] = [await teamWith(one, 'Team 1'), await teamWith(two, 'Team 1')]
    const bucketId = await createBucket(t.up, 'Test Bucket', {
      permissions: [
        permission.read(`team:${team1}`),
        permission.read(`team:${team2}`),
        permission.create(`team:${team1}`),
        permission.update(`team:${team1}`),
        permission.delete(`team:${team1}`),
      ],
    })
    const fileId = expectCreated(await uploadLogo(t.up, bucketId, one.headers))
    const file = fileOf(bucketId, fileId)
    expect(await readStatuses(t.up, bucketId, fileId, one.headers)).toEqual([200, 200, 200, 200])
    expect(await readStatuses(t.up, bucketId, fileId, two.headers)).toEqual([200, 200, 200, 200])

    expect((await uploadLogo(t.up, bucketId, two.headers)).status).toBe(401)
    expect((await t.up.call('PUT', file, two.headers, { permissions: [] })).status).toBe(401)
    expect((await t.up.call('DELETE', file, two.headers)).status).toBe(401)

    const deleted = await t.up.call('DELETE', file, one.headers)
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
  })
})

describe('storage file permissions (upstream StorageCustomClientTest)', () => {
  /** A bucket without permissions and with file security, and a file the key made with `permissions`. */
  async function securedFile(permissions: string[]): Promise<{ bucketId: string; fileId: string }> {
    const bucketId = await createBucket(t.up, 'Test Bucket', {
      permissions: [],
      fileSecurity: true,
    })
    const fileId = expectCreated(await uploadLogo(t.up, bucketId, t.up.key, { permissions }))
    return { bucketId, fileId }
  }

  it('testFileAnyPermissions: a file readable by anyone; creating and deleting stay 401', async () => {
    const { bucketId, fileId } = await securedFile([permission.read('any')])
    expect(await readStatuses(t.up, bucketId, fileId, t.up.guest)).toEqual([200, 200, 200, 200])
    expect((await uploadLogo(t.up, bucketId, t.up.guest)).status).toBe(401)
    expect((await t.up.call('DELETE', fileOf(bucketId, fileId), t.up.guest)).status).toBe(401)
  })

  it('testFileUsersPermissions: a file readable by users; a user may not delete it', async () => {
    const { bucketId, fileId } = await securedFile([permission.read('users')])
    expect(await readStatuses(t.up, bucketId, fileId, user.headers)).toEqual([200, 200, 200, 200])
    expect((await uploadLogo(t.up, bucketId, t.up.guest)).status).toBe(401)
    expect((await t.up.call('DELETE', fileOf(bucketId, fileId), user.headers)).status).toBe(401)
  })

  it('testFileUserPermissions: one user reads; another gets 404 on reads and 401 on writes', async () => {
    const { bucketId, fileId } = await securedFile([permission.read(`user:${user.$id}`)])
    const file = fileOf(bucketId, fileId)
    expect(await readStatuses(t.up, bucketId, fileId, user.headers)).toEqual([200, 200, 200, 200])
    expect((await uploadLogo(t.up, bucketId, t.up.guest)).status).toBe(401)
    expect((await t.up.call('DELETE', file, user.headers)).status).toBe(401)

    const other = await t.up.signUp('user2', 'unique()')
    expect((await t.up.call('GET', file, other.headers)).status).toBe(404)
    expect((await uploadLogo(t.up, bucketId, other.headers)).status).toBe(401)
    expect((await t.up.call('PUT', file, other.headers, { permissions: [] })).status).toBe(401)
    expect((await t.up.call('DELETE', file, other.headers)).status).toBe(401)
  })

  it("testFileTeamPermissions: both teams read the file, team 1 alone writes it; team 2's writes are 401", async () => {
    const [one, two] = [await t.up.signUp('Team One Member'), await t.up.signUp('Team Two Member')]
    const [team1, team2] = [await teamWith(one, 'Team 1'), await teamWith(two, 'Team 1')]
    const { bucketId, fileId } = await securedFile([
      permission.read(`team:${team1}`),
      permission.read(`team:${team2}`),
      permission.update(`team:${team1}`),
      permission.delete(`team:${team1}`),
    ])
    const file = fileOf(bucketId, fileId)
    expect(await readStatuses(t.up, bucketId, fileId, one.headers)).toEqual([200, 200, 200, 200])
    expect(await readStatuses(t.up, bucketId, fileId, two.headers)).toEqual([200, 200, 200, 200])

    expect((await uploadLogo(t.up, bucketId, two.headers)).status).toBe(401)
    expect((await t.up.call('PUT', file, two.headers, { permissions: [] })).status).toBe(401)
    expect((await t.up.call('DELETE', file, two.headers)).status).toBe(401)

    const deleted = await t.up.call('DELETE', file, one.headers)
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
  })
})

describe('storage file permissions with the API key (upstream StorageConsoleClientTest)', () => {
  it('testFilePermissionNotAutoSetInConsole: a file the key makes without permissions has none', async () => {
    const bucketId = await createBucket(t.up, 'Test Bucket Permissions', { fileSecurity: true })
    const file = await uploadLogo(t.up, bucketId, t.up.key, { fileId: 'unique()' })
    expect(file.status).toBe(201)
    expect(file.body.$permissions).toEqual([])
    const got = await t.up.call('GET', fileOf(bucketId, file.body.$id as string), t.up.key)
    expect(got.body.$permissions).toEqual([])
    expect((await t.up.call('DELETE', `/storage/buckets/${bucketId}`, t.up.key)).status).toBe(204)
  })
})
