import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ID, Permission, Query, Realtime, Role, Storage } from 'appwrite'
import type { RealtimeResponseEvent } from 'appwrite'
import * as sdk15 from 'appwrite-15'
import * as server from 'node-appwrite'
import { InputFile } from 'node-appwrite/file'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { rejection, until } from './helpers'
import { runEmulatorCli } from '../emulator/cli'
import {
  cliIo,
  projectRequest,
  serverClient,
  setWebSdkGlobals,
  webSdkClient,
} from './emulatorHelpers'

/** The smallest valid PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)
/** 6 MiB of varied bytes: the SDKs upload it in two chunks (5 MiB + 1 MiB). */
const SIX_MB = Buffer.alloc(6 * 1024 * 1024)
for (let i = 0; i < SIX_MB.length; i++) SIX_MB[i] = (i * 31 + (i >> 12)) & 0xff

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

let emulator: AppwriteEmulator
let restoreGlobals: () => void
const realtimes: Realtime[] = []

beforeAll(async () => {
  emulator = await startAppwriteEmulator()
  restoreGlobals = setWebSdkGlobals()
})

afterEach(async () => {
  for (const realtime of realtimes.splice(0)) await realtime.disconnect()
  const admin = new server.Storage(serverClient(emulator))
  for (const bucket of (await admin.listBuckets()).buckets)
    await admin.deleteBucket({ bucketId: bucket.$id })
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

const adminStorage = () => new server.Storage(serverClient(emulator))
/** node-appwrite's Storage with the API key, once it has created the bucket `bucket`. */
async function storageWithBucket(bucket: {
  bucketId: string
  name: string
  permissions?: string[]
  fileSecurity?: boolean
  maximumFileSize?: number
  allowedFileExtensions?: string[]
}): Promise<server.Storage> {
  const storage = adminStorage()
  await storage.createBucket(bucket)
  return storage
}
/** node-appwrite's `createFile` on `storage`: `bytes` as the file `name`, with id `fileId`. */
const uploadBytes = (
  storage: server.Storage,
  bucketId: string,
  fileId: string,
  bytes: Buffer,
  name: string,
) => storage.createFile({ bucketId, fileId, file: InputFile.fromBuffer(bytes, name) })
/** The web SDK's Storage as `userId` (signed in with a JWT). */
const userStorage = (userId: string) => new Storage(webSdkClient(emulator, userId))

describe('emulator storage', () => {
  it('should create, get, list, update and delete buckets with node-appwrite', async () => {
    const storage = adminStorage()
    const created = await storage.createBucket({
      bucketId: 'avatars',
      name: 'Avatars',
      permissions: [Permission.read(Role.any()), Permission.write(Role.users())],
      fileSecurity: true,
      maximumFileSize: 1_000_000,
      allowedFileExtensions: ['png', 'jpg'],
      compression: server.Compression.Gzip,
      encryption: false,
      antivirus: false,
    })
    expect(created).toMatchObject({
      $id: 'avatars',
      name: 'Avatars',
      $permissions: ['read("any")', 'create("users")', 'update("users")', 'delete("users")'],
      fileSecurity: true,
      enabled: true,
      maximumFileSize: 1_000_000,
      allowedFileExtensions: ['png', 'jpg'],
      compression: 'gzip',
      encryption: false,
      antivirus: false,
      transformations: true,
      totalSize: 0,
    })
    expect(await storage.getBucket({ bucketId: 'avatars' })).toEqual(created)
    await storage.createBucket({ bucketId: ID.unique(), name: 'Attachments' })

    const list = await storage.listBuckets({ queries: [Query.equal('name', 'Avatars')] })
    expect(list).toEqual({ total: 1, buckets: [created] })
    expect((await storage.listBuckets({ search: 'attach' })).buckets.map((b) => b.name)).toEqual([
      'Attachments',
    ])

    // PUT: what is not sent goes back to its default; permissions left out stay.
    const updated = await storage.updateBucket({ bucketId: 'avatars', name: 'Pictures' })
    expect(updated).toMatchObject({
      name: 'Pictures',
      $permissions: created.$permissions,
      fileSecurity: false,
      maximumFileSize: 30_000_000,
      allowedFileExtensions: [],
      compression: 'none',
      encryption: true,
    })

    await storage.deleteBucket({ bucketId: 'avatars' })
    expect(await rejection(storage.getBucket({ bucketId: 'avatars' }))).toMatchObject({
      code: 404,
      type: 'storage_bucket_not_found',
    })
    expect(
      await rejection(
        storage.createBucket({ bucketId: ID.unique(), name: 'x', maximumFileSize: 0 }),
      ),
    ).toMatchObject({ code: 400, type: 'general_argument_invalid' })
  })

  it('should refuse the bucket routes to users, as they lack the buckets scopes', async () => {
    const answer = await projectRequest(emulator, '/storage/buckets', {
      method: 'POST',
      headers: { 'x-appwrite-jwt': emulator.createJWT('ada') },
      body: { bucketId: 'b', name: 'b' },
    })
    expect(answer.status).toBe(401)
    expect(await answer.json()).toMatchObject({ type: 'general_unauthorized_scope' })
  })

  it('should upload a file with InputFile.fromBuffer and download the same bytes', async () => {
    const storage = await storageWithBucket({ bucketId: 'images', name: 'Images' })
    const file = await uploadBytes(storage, 'images', 'pixel', PNG, 'pixel.png')
    expect(file).toMatchObject({
      $id: 'pixel',
      bucketId: 'images',
      $permissions: [],
      name: 'pixel.png',
      signature: md5(PNG),
      mimeType: 'image/png',
      sizeOriginal: PNG.length,
      chunksTotal: 1,
      chunksUploaded: 1,
      encryption: true,
      compression: 'none',
    })
    expect(await storage.getFile({ bucketId: 'images', fileId: 'pixel' })).toEqual(file)
    const downloaded = await storage.getFileDownload({ bucketId: 'images', fileId: 'pixel' })
    expect(Buffer.from(downloaded).equals(PNG)).toBe(true)
    expect((await storage.getBucket({ bucketId: 'images' })).totalSize).toBe(PNG.length)

    const download = await fetch(
      `${emulator.endpoint}/storage/buckets/images/files/pixel/download?project=${emulator.projectId}`,
      { headers: { 'x-appwrite-key': emulator.apiKey } },
    )
    expect(download.headers.get('content-type')).toBe('image/png')
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="pixel.png"')
    const view = await fetch(
      `${emulator.endpoint}/storage/buckets/images/files/pixel/view?project=${emulator.projectId}`,
      { headers: { 'x-appwrite-key': emulator.apiKey, range: 'bytes=0-7' } },
    )
    expect(view.status).toBe(206)
    expect(view.headers.get('content-disposition')).toBe('inline; filename="pixel.png"')
    expect(view.headers.get('content-range')).toBe(`bytes 0-7/${PNG.length}`)
    expect(Buffer.from(await view.arrayBuffer()).equals(PNG.subarray(0, 8))).toBe(true)

    expect(
      await rejection(uploadBytes(storage, 'images', 'pixel', PNG, 'pixel.png')),
    ).toMatchObject({ code: 409, type: 'storage_file_already_exists' })
  })

  it('should take a chunked upload of 6 MB from node-appwrite and the web SDK', async () => {
    const storage = await storageWithBucket({
      bucketId: 'videos',
      name: 'Videos',
      permissions: [Permission.create(Role.users()), Permission.read(Role.users())],
    })
    const progress: number[] = []
    const file = await storage.createFile({
      bucketId: 'videos',
      fileId: ID.unique(),
      file: InputFile.fromBuffer(SIX_MB, 'clip.bin'),
      onProgress: (p) => progress.push(p.chunksUploaded),
    })
    expect(progress).toEqual([1, 2])
    expect(file).toMatchObject({
      sizeOriginal: SIX_MB.length,
      chunksTotal: 2,
      chunksUploaded: 2,
      signature: md5(SIX_MB),
      mimeType: 'application/octet-stream',
    })
    const bytes = await storage.getFileDownload({ bucketId: 'videos', fileId: file.$id })
    expect(Buffer.from(bytes).equals(SIX_MB)).toBe(true)

    const web = userStorage('ada')
    const uploaded = await web.createFile({
      bucketId: 'videos',
      fileId: 'from-browser',
      file: new File([SIX_MB], 'clip.bin'),
    })
    expect(uploaded).toMatchObject({
      $id: 'from-browser',
      chunksTotal: 2,
      chunksUploaded: 2,
      $permissions: ['read("user:ada")', 'update("user:ada")', 'delete("user:ada")'],
    })
    const viaUrl = await fetch(
      web.getFileDownload({ bucketId: 'videos', fileId: 'from-browser' }),
      {
        headers: { 'x-appwrite-jwt': emulator.createJWT('ada') },
      },
    )
    expect(Buffer.from(await viaUrl.arrayBuffer()).equals(SIX_MB)).toBe(true)
  })

  it('should apply bucket permissions and file security as the server does', async () => {
    await storageWithBucket({
      bucketId: 'private',
      name: 'Private',
      permissions: [Permission.create(Role.users())],
      fileSecurity: true,
    })
    const ada = userStorage('ada')
    const bob = userStorage('bob')
    await ada.createFile({
      bucketId: 'private',
      fileId: 'note',
      file: new File(['for ada only'], 'note.txt'),
    })
    await bob.createFile({ bucketId: 'private', fileId: 'bob', file: new File(['bob'], 'b.txt') })

    // Bob holds neither the bucket's read nor the file's: the file does not exist for him.
    expect(await rejection(bob.getFile({ bucketId: 'private', fileId: 'note' }))).toMatchObject({
      code: 404,
      type: 'storage_file_not_found',
    })
    expect((await bob.listFiles({ bucketId: 'private' })).files.map((f) => f.$id)).toEqual(['bob'])
    expect(await rejection(bob.deleteFile({ bucketId: 'private', fileId: 'note' }))).toMatchObject({
      code: 401,
      type: 'user_unauthorized',
    })
    expect((await ada.getFile({ bucketId: 'private', fileId: 'note' })).mimeType).toBe('text/plain')
    // A user may only grant roles it holds.
    expect(
      await rejection(
        ada.updateFile({
          bucketId: 'private',
          fileId: 'note',
          permissions: [Permission.read(Role.user('bob'))],
        }),
      ),
    ).toMatchObject({ code: 401, type: 'user_unauthorized' })
    const shared = await ada.updateFile({
      bucketId: 'private',
      fileId: 'note',
      name: 'shared.txt',
      permissions: [Permission.read(Role.users()), Permission.write(Role.user('ada'))],
    })
    expect(shared).toMatchObject({
      name: 'shared.txt',
      $permissions: ['read("users")', 'update("user:ada")', 'delete("user:ada")'],
    })
    expect((await bob.getFile({ bucketId: 'private', fileId: 'note' })).name).toBe('shared.txt')

    // Without file security the bucket decides alone: no read on it is a 401.
    await adminStorage().updateBucket({
      bucketId: 'private',
      name: 'Private',
      permissions: [Permission.create(Role.users())],
    })
    expect(await rejection(ada.getFile({ bucketId: 'private', fileId: 'note' }))).toMatchObject({
      code: 401,
      type: 'user_unauthorized',
    })
    // A disabled bucket does not exist for users; the API key still reaches it.
    await adminStorage().updateBucket({
      bucketId: 'private',
      name: 'Private',
      permissions: [Permission.read(Role.users())],
      enabled: false,
    })
    expect(await rejection(ada.getFile({ bucketId: 'private', fileId: 'note' }))).toMatchObject({
      code: 404,
      type: 'storage_bucket_not_found',
    })
    expect((await adminStorage().getFile({ bucketId: 'private', fileId: 'note' })).$id).toBe('note')
    await adminStorage().updateBucket({
      bucketId: 'private',
      name: 'Private',
      permissions: [Permission.create(Role.users())],
    })
    // A guest cannot create where only users may.
    const guest = new Storage(webSdkClient(emulator))
    expect(
      await rejection(
        guest.createFile({ bucketId: 'private', fileId: 'g', file: new File(['g'], 'g.txt') }),
      ),
    ).toMatchObject({ code: 401, type: 'user_unauthorized' })
  })

  it('should refuse a file the bucket does not take', async () => {
    const storage = await storageWithBucket({
      bucketId: 'small',
      name: 'Small',
      maximumFileSize: 10,
      allowedFileExtensions: ['png'],
    })
    expect(
      await rejection(uploadBytes(storage, 'small', 'a', Buffer.from('hello'), 'a.txt')),
    ).toMatchObject({ code: 400, type: 'storage_file_type_unsupported' })
    expect(await rejection(uploadBytes(storage, 'small', 'b', PNG, 'b.PNG'))).toMatchObject({
      code: 400,
      type: 'storage_invalid_file_size',
    })
    expect(await rejection(uploadBytes(storage, 'nope', 'c', PNG, 'c.png'))).toMatchObject({
      code: 404,
      type: 'storage_bucket_not_found',
    })
  })

  it('should list files with queries, search and cursors', async () => {
    const storage = await storageWithBucket({ bucketId: 'docs', name: 'Docs' })
    for (const [id, name] of [
      ['a', 'invoice-2026.txt'],
      ['b', 'receipt.txt'],
      ['c', 'invoice-2025.txt'],
    ])
      await storage.createFile({
        bucketId: 'docs',
        fileId: id!,
        file: InputFile.fromBuffer(Buffer.from(name!.repeat(2)), name!),
      })
    const ids = async (queries: string[], search?: string) =>
      (
        await storage.listFiles({ bucketId: 'docs', queries, ...(search ? { search } : {}) })
      ).files.map((f) => f.$id)
    expect(await ids([])).toEqual(['a', 'b', 'c'])
    expect(await ids([Query.orderDesc('name')])).toEqual(['b', 'a', 'c'])
    expect(await ids([Query.startsWith('name', 'invoice')])).toEqual(['a', 'c'])
    expect(await ids([Query.greaterThan('sizeOriginal', 30)])).toEqual(['a', 'c'])
    expect(await ids([Query.limit(1), Query.cursorAfter('a')])).toEqual(['b'])
    expect(await ids([], 'receipt')).toEqual(['b'])
    expect(
      await rejection(storage.listFiles({ bucketId: 'docs', queries: [Query.equal('size', 1)] })),
    ).toMatchObject({ code: 400, type: 'general_query_invalid' })
  })

  it('should filter and order buckets and files on $sequence, counted per bucket', async () => {
    const storage = await storageWithBucket({ bucketId: 'first', name: 'First' })
    await storage.createBucket({ bucketId: 'second', name: 'Second' })
    for (const id of ['a', 'b', 'c']) await uploadBytes(storage, 'first', id, PNG, `${id}.png`)
    await uploadBytes(storage, 'second', 'z', PNG, 'z.png')
    const fileIds = async (bucketId: string, queries: string[]) =>
      (await storage.listFiles({ bucketId, queries })).files.map((f) => f.$id)
    expect(await fileIds('first', [Query.orderDesc('$sequence')])).toEqual(['c', 'b', 'a'])
    expect(await fileIds('first', [Query.greaterThan('$sequence', 1)])).toEqual(['b', 'c'])
    expect(await fileIds('second', [Query.equal('$sequence', 1)])).toEqual(['z'])
    const bucketIds = (await storage.listBuckets({ queries: [Query.orderDesc('$sequence')] }))
      .buckets
    expect(bucketIds.map((b) => b.$id)).toEqual(['second', 'first'])
  })

  it('should keep a file in the folder the web SDK 27 gives, as Appwrite Cloud does', async () => {
    await storageWithBucket({
      bucketId: 'albums',
      name: 'Albums',
      permissions: [Permission.create(Role.users()), Permission.read(Role.users())],
      fileSecurity: true,
    })
    const ada = userStorage('ada')
    const upload = (fileId: string, folder?: string) =>
      ada.createFile({
        bucketId: 'albums',
        fileId,
        file: new File([PNG], 'cat.png'),
        ...(folder === undefined ? {} : { folder }),
      })
    const nested = await upload('nested', 'photos/2026')
    expect(nested).toMatchObject({
      name: 'cat.png',
      folder: 'photos/2026/',
      key: 'photos/2026/cat.png',
    })
    expect(await upload('top', 'photos/')).toMatchObject({
      folder: 'photos/',
      key: 'photos/cat.png',
    })
    expect(await upload('root')).toMatchObject({ folder: '', key: 'cat.png' })

    const ids = async (queries: string[]) =>
      (await ada.listFiles({ bucketId: 'albums', queries })).files.map((f) => f.$id)
    expect(await ids([Query.equal('folder', 'photos/')])).toEqual(['top'])
    expect(await ids([Query.startsWith('folder', 'photos/')])).toEqual(['nested', 'top'])
    expect(await ids([Query.equal('folder', '')])).toEqual(['root'])

    const renamed = await ada.updateFile({ bucketId: 'albums', fileId: 'nested', name: 'dog.png' })
    expect(renamed).toMatchObject({ folder: 'photos/2026/', key: 'photos/2026/dog.png' })
    const refused = await rejection(upload('bad', 'photos/../secrets'))
    expect(refused).toMatchObject({ code: 400, type: 'general_argument_invalid' })
    expect((refused as Error).message).toContain('Invalid `folder` param')
  })

  it('should take any permission type on a file update, and a name of at most 128 chars', async () => {
    const storage = await storageWithBucket({ bucketId: 'perm', name: 'Perm' })
    await uploadBytes(storage, 'perm', 'f', PNG, 'f.png')
    // An upload refuses `create`; the update's validator takes it and the file keeps it.
    expect(
      await rejection(
        storage.createFile({
          bucketId: 'perm',
          fileId: 'g',
          file: InputFile.fromBuffer(PNG, 'g.png'),
          permissions: [Permission.create(Role.any())],
        }),
      ),
    ).toMatchObject({ code: 400, type: 'general_argument_invalid' })
    const updated = await storage.updateFile({
      bucketId: 'perm',
      fileId: 'f',
      permissions: [Permission.create(Role.any()), Permission.write(Role.users())],
    })
    expect(updated.$permissions).toEqual(['create("any")', 'update("users")', 'delete("users")'])
    expect(
      (await storage.updateFile({ bucketId: 'perm', fileId: 'f', name: 'n'.repeat(128) })).name,
    ).toHaveLength(128)
    expect(
      await rejection(storage.updateFile({ bucketId: 'perm', fileId: 'f', name: 'n'.repeat(129) })),
    ).toMatchObject({ code: 400, type: 'general_argument_invalid' })
  })

  it('should run a request that asks to impersonate as its caller, as the server does without the flag', async () => {
    await storageWithBucket({
      bucketId: 'private',
      name: 'Private',
      permissions: [Permission.create(Role.users())],
      fileSecurity: true,
    })
    await userStorage('ada').createFile({
      bucketId: 'private',
      fileId: 'note',
      file: new File(['for ada only'], 'note.txt'),
    })
    const as = (userId: string, headers: Record<string, string> = {}) => ({
      headers: { 'x-appwrite-jwt': emulator.createJWT(userId), ...headers },
    })
    const file = '/storage/buckets/private/files/note'
    expect((await projectRequest(emulator, `${file}/download`, as('ada'))).status).toBe(200)
    const byParam = await projectRequest(
      emulator,
      `${file}/download?impersonateuserid=ada`,
      as('bob'),
    )
    expect(byParam.status).toBe(404)
    for (const [header, value] of [
      ['x-appwrite-impersonate-user-id', 'ada'],
      ['x-appwrite-impersonate-user-email', 'ada@example.com'],
    ] as const) {
      const byHeader = await projectRequest(emulator, file, as('bob', { [header]: value }))
      expect(byHeader.status).toBe(404)
    }
  })

  it('should keep the bytes as sent: no compression, encryption or virus scan', async () => {
    const storage = await storageWithBucket({ bucketId: 'raw', name: 'Raw' })
    await storage.updateBucket({
      bucketId: 'raw',
      name: 'Raw',
      compression: server.Compression.Gzip,
      encryption: true,
      antivirus: true,
    })
    // The EICAR test string: a server scanning uploads refuses it (403 storage_invalid_file).
    // Joined at run time so that no scanner flags this source file.
    const eicar = Buffer.from(
      ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR', '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''),
    )
    const file = await uploadBytes(storage, 'raw', 'eicar', eicar, 'eicar.com')
    expect(file).toMatchObject({
      compression: 'gzip',
      encryption: true,
      sizeOriginal: eicar.length,
      sizeActual: eicar.length,
    })
    const bytes = await storage.getFileDownload({ bucketId: 'raw', fileId: 'eicar' })
    expect(Buffer.from(bytes).equals(eicar)).toBe(true)
  })

  it('should preview an image as it is, and refuse transformations loudly', async () => {
    const storage = await storageWithBucket({ bucketId: 'img', name: 'Img' })
    await uploadBytes(storage, 'img', 'p', PNG, 'p.png')
    const preview = await storage.getFilePreview({ bucketId: 'img', fileId: 'p' })
    expect(Buffer.from(preview).equals(PNG)).toBe(true)
    const resized = await rejection(
      storage.getFilePreview({ bucketId: 'img', fileId: 'p', width: 100 }),
    )
    expect(resized).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect((resized as Error).message).toMatch(/no image library.*width/)
  })

  it('should preview an image only where the server would not re-encode it', async () => {
    const storage = await storageWithBucket({ bucketId: 'enc', name: 'Enc' })
    const preview = (fileId: string, output?: server.ImageFormat) =>
      storage.getFilePreview({ bucketId: 'enc', fileId, ...(output ? { output } : {}) })
    await uploadBytes(storage, 'enc', 'png', PNG, 'p.png')
    expect(Buffer.from(await preview('png', server.ImageFormat.Png)).equals(PNG)).toBe(true)
    const asWebp = await rejection(preview('png', server.ImageFormat.Webp))
    expect(asWebp).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect((asWebp as Error).message).toContain('re-encodes this image/png file as webp')
    // The server names the output after the upload's extension, and keeps it through a rename.
    await storage.updateFile({ bucketId: 'enc', fileId: 'png', name: 'renamed.jpg' })
    expect(Buffer.from(await preview('png')).equals(PNG)).toBe(true)
    await uploadBytes(storage, 'enc', 'bare', PNG, 'p')
    expect(Buffer.from(await preview('bare')).equals(PNG)).toBe(true)
    for (const [fileId, name, encoded] of [
      ['named-jpg', 'p.jpg', 'jpg'],
      ['named-bin', 'p.bin', 'jpg'],
    ] as const) {
      await uploadBytes(storage, 'enc', fileId, PNG, name)
      const refused = await rejection(preview(fileId))
      expect(refused).toMatchObject({ code: 405, type: 'general_not_implemented' })
      expect((refused as Error).message).toContain(`as ${encoded} for getFilePreview`)
    }
    // AVIF is no preview input of the server's: it draws a file-type icon instead.
    const avif = Buffer.concat([Buffer.from('\0\0\0\x1cftypavif', 'latin1'), Buffer.alloc(64)])
    await uploadBytes(storage, 'enc', 'avif', avif, 'a.avif')
    const icon = await rejection(preview('avif'))
    expect(icon).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect((icon as Error).message).toContain(
      'image/avif file (the server answers a file-type icon)',
    )
    // Over _APP_STORAGE_PREVIEW_LIMIT (20 MB) the server draws an image icon too.
    const huge = Buffer.concat([PNG, Buffer.alloc(20_000_001 - PNG.length)])
    await uploadBytes(storage, 'enc', 'huge', huge, 'huge.png')
    const hugeIcon = await rejection(preview('huge'))
    expect(hugeIcon).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect((hugeIcon as Error).message).toContain('over 20,000,000 bytes')
    // `constructor` is no format either, though every object has one.
    for (const output of ['bmp', 'constructor']) {
      const unknown = await projectRequest(
        emulator,
        `/storage/buckets/enc/files/png/preview?output=${output}`,
        { headers: { 'x-appwrite-key': emulator.apiKey } },
      )
      expect(unknown.status).toBe(400)
      expect(((await unknown.json()) as { type: string }).type).toBe('general_argument_invalid')
    }
  })

  it('should view a file inline, as text unless the server lists its type, with its ranges', async () => {
    await storageWithBucket({ bucketId: 'view', name: 'View' })
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    )
    await uploadBytes(adminStorage(), 'view', 'svg', svg, 'logo.svg')
    await uploadBytes(adminStorage(), 'view', 'png', PNG, 'p.png')
    const view = (fileId: string, range?: string) =>
      projectRequest(emulator, `/storage/buckets/view/files/${fileId}/view`, {
        headers: { 'x-appwrite-key': emulator.apiKey, ...(range ? { range } : {}) },
      })
    // An SVG is no viewable type of the server's: it is sent as text, inline, scripts off.
    const asText = await view('svg')
    expect(asText.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(asText.headers.get('content-disposition')).toBe('inline; filename="logo.svg"')
    expect(asText.headers.get('content-security-policy')).toBe('script-src none;')
    expect(Buffer.from(await asText.arrayBuffer()).equals(svg)).toBe(true)
    const image = await view('png')
    expect(image.headers.get('content-type')).toBe('image/png')
    expect(image.headers.get('content-disposition')).toBe('inline; filename="p.png"')

    const part = await view('png', 'bytes=1-4')
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 1-4/${PNG.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(PNG.subarray(1, 5))).toBe(true)
    expect((await view('png', 'bytes=0-')).status).toBe(206)
    // As on download: an empty or a past-the-end range is not satisfiable.
    for (const range of ['bytes=4-4', `bytes=0-${PNG.length}`])
      expect((await view('png', range)).status).toBe(416)
  })

  it('should take a whole upload up to the server payload size of 12 MiB, 413 past it', async () => {
    await storageWithBucket({ bucketId: 'whole', name: 'Whole' })
    const send = (bytes: Buffer) => {
      const form = new FormData()
      form.append('fileId', 'unique()')
      form.append('file', new Blob([bytes]), 'whole.bin')
      return fetch(`${emulator.endpoint}/storage/buckets/whole/files`, {
        method: 'POST',
        headers: { 'x-appwrite-project': emulator.projectId, 'x-appwrite-key': emulator.apiKey },
        body: form,
      })
    }
    const eleven = await send(Buffer.alloc(11 * 1024 * 1024, 1))
    expect(eleven.status).toBe(201)
    expect(((await eleven.json()) as { sizeOriginal: number }).sizeOriginal).toBe(11 * 1024 * 1024)
    const tooLarge = await send(Buffer.alloc(12 * 1024 * 1024, 1))
    expect(tooLarge.status).toBe(413)
    expect(((await tooLarge.json()) as { message: string }).message).toContain('in chunks')
  })

  it('should answer the raw chunk protocol as the server does', async () => {
    await storageWithBucket({ bucketId: 'raw', name: 'Raw' })
    const post = (headers: Record<string, string>, part?: { bytes: Uint8Array; name: string }) => {
      const form = new FormData()
      form.append('fileId', 'chunked')
      if (part !== undefined) form.append('file', new Blob([part.bytes]), part.name)
      return fetch(`${emulator.endpoint}/storage/buckets/raw/files`, {
        method: 'POST',
        headers: {
          'x-appwrite-project': emulator.projectId,
          'x-appwrite-key': emulator.apiKey,
          ...headers,
        },
        body: form,
      })
    }
    const size = SIX_MB.length
    const first = SIX_MB.subarray(0, 5 * 1024 * 1024)
    const second = SIX_MB.subarray(5 * 1024 * 1024)
    expect(await (await post({})).json()).toMatchObject({ code: 400, type: 'storage_file_empty' })
    const bad = await post({ 'content-range': 'bytes 0-10' }, { bytes: first, name: 'c.bin' })
    expect(await bad.json()).toMatchObject({ code: 400, type: 'storage_invalid_content_range' })

    const one = await post(
      { 'content-range': `bytes 0-${first.length - 1}/${size}` },
      { bytes: first, name: 'c.bin' },
    )
    expect(one.status).toBe(201)
    expect(await one.json()).toMatchObject({ $id: 'chunked', chunksTotal: 2, chunksUploaded: 1 })
    const two = await post(
      { 'content-range': `bytes ${first.length}-${size - 1}/${size}`, 'x-appwrite-id': 'chunked' },
      { bytes: second, name: 'c.bin' },
    )
    expect(two.status).toBe(201)
    expect(await two.json()).toMatchObject({ chunksUploaded: 2, signature: md5(SIX_MB) })
    // A chunk sent again once the file is whole is answered 200 with the file, as a retry would be.
    const again = await post(
      { 'content-range': `bytes ${first.length}-${size - 1}/${size}`, 'x-appwrite-id': 'chunked' },
      { bytes: second, name: 'c.bin' },
    )
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ $id: 'chunked', chunksUploaded: 2 })

    const head = await fetch(
      `${emulator.endpoint}/storage/buckets/raw/files/chunked/download?project=${emulator.projectId}`,
      { method: 'HEAD', headers: { 'x-appwrite-key': emulator.apiKey } },
    )
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(size))
  })

  it('should serve the positional storage calls of the web SDK 15 unmodified', async () => {
    await storageWithBucket({
      bucketId: 'old',
      name: 'Old',
      permissions: [Permission.create(Role.users()), Permission.read(Role.users())],
    })
    const client = new sdk15.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(emulator.createJWT('ada'))
    const storage = new sdk15.Storage(client)
    const file = await storage.createFile('old', 'f15', new File(['hello'], 'h.txt'))
    expect(file).toMatchObject({
      $id: 'f15',
      mimeType: 'text/plain',
      signature: md5(Buffer.from('hello')),
    })
    expect((await storage.listFiles('old')).files.map((f) => f.$id)).toEqual(['f15'])
    const view = await fetch(String(storage.getFileView('old', 'f15')), {
      headers: { 'x-appwrite-jwt': emulator.createJWT('ada') },
    })
    expect(await view.text()).toBe('hello')
  })

  it('should send file events on the files channels to readers only', async () => {
    await storageWithBucket({
      bucketId: 'shared',
      name: 'Shared',
      permissions: [Permission.create(Role.users())],
      fileSecurity: true,
    })
    const listen = async (userId: string, channel: string) => {
      const realtime = new Realtime(webSdkClient(emulator, userId))
      realtimes.push(realtime)
      const events: RealtimeResponseEvent<Record<string, unknown>>[] = []
      await realtime.subscribe(channel, (event) => events.push(event))
      return events
    }
    const adaEvents = await listen('ada', 'buckets.shared.files')
    const bobEvents = await listen('bob', 'files')
    await emulator.realtime.waitForSubscriptions(2)

    await userStorage('ada').createFile({
      bucketId: 'shared',
      fileId: 'f1',
      file: new File(['hi'], 'hi.txt'),
    })
    await until(() => adaEvents.length === 1)
    expect(adaEvents[0]).toMatchObject({
      channels: [
        'files',
        'buckets.shared.files',
        'buckets.shared.files.f1',
        'files.create',
        'buckets.shared.files.create',
        'buckets.shared.files.f1.create',
      ],
      payload: { $id: 'f1', bucketId: 'shared', name: 'hi.txt' },
    })
    expect(adaEvents[0]!.events).toEqual([
      'buckets.shared.files.f1.create',
      'buckets.*.files.*.create',
      'buckets.shared.files.*.create',
      'buckets.*.files.f1.create',
      'buckets.shared.files.f1',
      'buckets.*.files.*',
      'buckets.shared.files.*',
      'buckets.*.files.f1',
      'buckets.shared',
      'buckets.*',
    ])
    await userStorage('ada').deleteFile({ bucketId: 'shared', fileId: 'f1' })
    await until(() => adaEvents.length === 2)
    expect(adaEvents[1]!.events[0]).toBe('buckets.shared.files.f1.delete')
    // A chunked upload is one create event, sent with its last chunk.
    await userStorage('ada').createFile({
      bucketId: 'shared',
      fileId: 'big',
      file: new File([SIX_MB], 'big.bin'),
    })
    await userStorage('ada').deleteFile({ bucketId: 'shared', fileId: 'big' })
    await until(() => adaEvents.length === 4)
    expect(adaEvents.slice(2).map((event) => event.events[0])).toEqual([
      'buckets.shared.files.big.create',
      'buckets.shared.files.big.delete',
    ])
    expect(adaEvents[2]!.payload).toMatchObject({ chunksTotal: 2, chunksUploaded: 2 })
    // Bob may read neither the bucket nor the file.
    expect(bobEvents).toEqual([])
  })
})

describe('emulator storage persistence', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-storage-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('should keep buckets and file bytes in the data dir across a restart', async () => {
    const first = await startAppwriteEmulator({ data: dir })
    const storage = new server.Storage(serverClient(first))
    await storage.createBucket({ bucketId: 'kept', name: 'Kept', fileSecurity: true })
    await storage.createFile({
      bucketId: 'kept',
      fileId: 'big',
      file: InputFile.fromBuffer(SIX_MB, 'big.bin'),
      permissions: [Permission.read(Role.user('ada'))],
    })
    await uploadBytes(storage, 'kept', 'gone', PNG, 'g.png')
    await storage.deleteFile({ bucketId: 'kept', fileId: 'gone' })
    await first.close()
    // Bytes a crash left behind before their record was written are dropped at start.
    await writeFile(join(dir, 'storage', 'files', Buffer.from('kept').toString('hex'), 'ff'), 'x')

    const second = await startAppwriteEmulator({ data: dir })
    try {
      const again = new server.Storage(serverClient(second))
      expect((await again.getBucket({ bucketId: 'kept' })).fileSecurity).toBe(true)
      expect((await again.listFiles({ bucketId: 'kept' })).files.map((f) => f.$id)).toEqual(['big'])
      const bytes = await again.getFileDownload({ bucketId: 'kept', fileId: 'big' })
      expect(Buffer.from(bytes).equals(SIX_MB)).toBe(true)
      const read = await userStorage2(second, 'ada').getFile({ bucketId: 'kept', fileId: 'big' })
      expect(read.$permissions).toEqual(['read("user:ada")'])
      expect(
        await readdir(join(dir, 'storage', 'files', Buffer.from('kept').toString('hex'))),
      ).toEqual([Buffer.from('big').toString('hex')])
    } finally {
      await second.close()
    }
  })
})

describe('emulator storage persistence of folders', () => {
  it('should keep a folder across a restart, and put a file kept without one at the root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-storage-folders-'))
    try {
      const first = await startAppwriteEmulator({ data: dir })
      const storage = new server.Storage(serverClient(first))
      await storage.createBucket({
        bucketId: 'kept',
        name: 'Kept',
        permissions: [Permission.create(Role.any())],
      })
      // node-appwrite 27 sends no folder; the web SDK 27 does.
      await new Storage(webSdkClient(first)).createFile({
        bucketId: 'kept',
        fileId: 'deep',
        file: new File([PNG], 'deep.png'),
        folder: 'a/b',
      })
      await uploadBytes(storage, 'kept', 'old', PNG, 'old.png')
      await first.close()
      // A record as an emulator before folders wrote it: no `folder`, no `key`.
      const path = join(dir, 'storage', 'state.json')
      const saved = JSON.parse(await readFile(path, 'utf8')) as {
        buckets: Array<{ files: Array<Record<string, unknown>> }>
      }
      for (const file of saved.buckets[0]!.files)
        if (file.$id === 'old') {
          delete file.folder
          delete file.key
        }
      await writeFile(path, JSON.stringify(saved))

      const second = await startAppwriteEmulator({ data: dir })
      try {
        // node-appwrite 27's File model has no folder yet; the web SDK 27's has.
        const files = (
          await new server.Storage(serverClient(second)).listFiles({ bucketId: 'kept' })
        ).files as Array<server.Models.File & { folder: string; key: string }>
        expect(files.map(({ $id, folder, key }) => ({ $id, folder, key }))).toEqual([
          { $id: 'deep', folder: 'a/b/', key: 'a/b/deep.png' },
          { $id: 'old', folder: '', key: 'old.png' },
        ])
      } finally {
        await second.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('emulator storage data dir damage', () => {
  it('should refuse to start on a damaged storage state, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-storage-damaged-'))
    try {
      const first = await startAppwriteEmulator({ data: dir })
      await new server.Storage(serverClient(first)).createBucket({ bucketId: 'b', name: 'B' })
      await first.close()
      await writeFile(join(dir, 'storage', 'state.json'), '{"format":"booking-guard-emulator-sto')
      await expect(startAppwriteEmulator({ data: dir })).rejects.toThrow(
        `${join(dir, 'storage', 'state.json')} is damaged`,
      )
      // The data dir was released: once the damage is gone, the emulator starts on it again.
      await rm(join(dir, 'storage'), { recursive: true })
      const again = await startAppwriteEmulator({ data: dir })
      await again.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('emulator storage through the CLI', () => {
  it('should keep storage files in --data across a restart of the CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-storage-cli-'))
    try {
      const started = async () => {
        const result = await runEmulatorCli(['--port', '0', '--data', dir], cliIo().io)
        if (!('emulator' in result)) throw new Error('expected the CLI to start')
        return result.emulator
      }
      const first = await started()
      const storage = new server.Storage(serverClient(first))
      await storage.createBucket({ bucketId: 'cli', name: 'CLI' })
      await uploadBytes(storage, 'cli', 'p', PNG, 'p.png')
      await first.close()
      const second = await started()
      try {
        const bytes = await new server.Storage(serverClient(second)).getFileDownload({
          bucketId: 'cli',
          fileId: 'p',
        })
        expect(Buffer.from(bytes).equals(PNG)).toBe(true)
      } finally {
        await second.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const userStorage2 = (target: AppwriteEmulator, userId: string) =>
  new Storage(webSdkClient(target, userId))
