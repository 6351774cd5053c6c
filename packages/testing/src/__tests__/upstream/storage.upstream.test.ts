import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ownedBy } from './tables'
import {
  CHUNK,
  LOGO,
  PNG_SIGNATURE,
  anyoneCRUD,
  anyoneRUD,
  createBucket as createBucketOf,
  fetchBytes as fetchBytesOf,
  fixture,
  md5,
} from './storage'
import { isDatetime, must, startUpstream, uploadFile } from './upstream'
import type { Answer, SignedUpUser, Upstream } from './upstream'

// Facts from tests/e2e/Services/Storage/StorageBase.php, StorageCustomServerTest.php and
// StorageCustomClientTest.php, and the files case of tests/e2e/Services/Realtime/
// RealtimeCustomClientTest.php (github:appwrite/appwrite at 1.9.6; the folder cases at the Cloud
// release cl-1.9.6-1, whose folders the web SDK 27 sends: 1.9.6 itself has none, and ignores
// `folder`). The permission cases of StorageCustomClientTest are in
// storagePermissions.upstream.test.ts. The StorageBase cases run as
// StorageCustomClientTest runs them: signed in as a user. Each case names the method it carries
// the facts of. The server ignores parameters a route does not declare and some upstream cases
// send such ones (`bucketId` on an update, `folderId` on an upload, `limit` on a get); so does the
// emulator by default (without `strictParams`). The upstream fixtures
// (logo.png, image.webp, large-file.mp4, kitten-1.png, kitten-3.gif) are stood in for by bytes
// with the same file signatures; image transformations are left out (the emulator has no image
// library and refuses them, see its README).

let upstream: Upstream
let user: SignedUpUser

beforeAll(async () => {
  upstream = await startUpstream()
  user = await upstream.signUp('Storage User')
})

afterAll(async () => {
  await upstream.close()
})

const KITTEN_PNG = fixture(PNG_SIGNATURE, 2_100_000)
const KITTEN_GIF = fixture('GIF89a', 30_000)
const JFIF = fixture('\xff\xd8\xff\xe0\0\x10JFIF\0', 10_000)
const WEBP = (() => {
  const bytes = fixture('RIFF\0\0\0\0WEBPVP8 ', 20_000)
  bytes.writeUInt32LE(bytes.length - 8, 4)
  return bytes
})()
/** Three chunks' worth (the upstream large-file.mp4 spans at least three). */
const LARGE_MP4 = fixture('\0\0\0\x20ftypisom', 2 * CHUNK + 1_234_567)

/** {@link uploadFile} into `bucketId` as the signed-in user unless other `headers` are given. */
const upload = (
  bucketId: string,
  name: string,
  bytes: Uint8Array,
  fields: { fileId?: string; permissions?: string[]; [name: string]: unknown } = {},
  headers: Record<string, string> = user.headers,
): Promise<Answer> => uploadFile(upstream, bucketId, name, bytes, fields, headers)

/** Upstream's update step of a file: renamed `logo_updated.png` and made the user's alone. */
const updateToOwn = (bucketId: string, fileId: string) =>
  upstream.call('PUT', `/storage/buckets/${bucketId}/files/${fileId}`, user.headers, {
    name: 'logo_updated.png',
    permissions: ownedBy(user.$id),
  })

/** Expects a `status` answer with the file document of `name`: its type and the size of `bytes`. */
function expectFile(
  answer: Answer,
  status: number,
  name: string,
  mimeType: string,
  bytes: Uint8Array,
): void {
  expect(answer.status).toBe(status)
  expect(answer.body).toMatchObject({ name, mimeType, sizeOriginal: bytes.length })
}

/** {@link fetchBytes} on this file's emulator. */
const fetchBytes = (path: string, headers: Record<string, string>) =>
  fetchBytesOf(upstream, path, headers)

/** {@link createBucketOf} on this file's emulator. */
const createBucket = (name: string, params: Record<string, unknown> = {}) =>
  createBucketOf(upstream, name, params)

/** The chunked upload upstream's loops send: each chunk with its range, then the id it got. */
async function chunkedUpload(
  bucketId: string,
  headers: Record<string, string>,
  bytes: Buffer,
  name: string,
  permissions: string[],
  order?: number[],
  fields: Record<string, unknown> = {},
): Promise<Answer[]> {
  const chunks = Math.ceil(bytes.length / CHUNK)
  const answers: Answer[] = []
  let id = ''
  for (const index of order ?? [...Array(chunks).keys()]) {
    const start = index * CHUNK
    const end = Math.min(start + CHUNK, bytes.length) - 1
    const answer = await upload(
      bucketId,
      name,
      bytes.subarray(start, end + 1),
      { permissions, ...fields },
      {
        ...headers,
        'content-range': `bytes ${start}-${end}/${bytes.length}`,
        ...(id === '' ? {} : { 'x-appwrite-id': id }),
      },
    )
    answers.push(answer)
    id = answer.body.$id as string
  }
  return answers
}

describe('storage (upstream StorageCustomServerTest)', () => {
  it('testCreateBucket: 201 with the defaults, a custom id, and 400 for an empty name', async () => {
    const created = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'unique()',
      name: 'Test Bucket',
      fileSecurity: true,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'Test Bucket',
      enabled: true,
      encryption: true,
      antivirus: true,
      $permissions: [],
      allowedFileExtensions: [],
    })
    expect(created.body.$createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/)
    const custom = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'bucket1',
      name: 'Test Bucket',
      fileSecurity: true,
    })
    expect(custom.status).toBe(201)
    expect(custom.body.$id).toBe('bucket1')
    const empty = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'unique()',
      name: '',
      fileSecurity: true,
    })
    expect(empty.status).toBe(400)
  })

  it('testListBucket: totalSize, limit, offset, equal on $id and fileSecurity, cursorAfter', async () => {
    const id = await createBucket('Test Bucket', { fileSecurity: true })
    const again = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'bucket1',
      name: 'Test Bucket 1',
      fileSecurity: true,
    })
    expect([201, 409]).toContain(again.status)
    /** The bucket list filtered by one query. */
    const bucketsWith = (query: string) =>
      upstream.call('GET', '/storage/buckets', upstream.key, { queries: [query] })
    const list = await upstream.call('GET', '/storage/buckets', upstream.key)
    expect(list.status).toBe(200)
    const ours = list.body.buckets.find((bucket: { $id: string }) => bucket.$id === id)
    expect(ours.name).toBe('Test Bucket')
    for (const bucket of list.body.buckets) expect(Number.isInteger(bucket.totalSize)).toBe(true)

    const limited = await bucketsWith('{"method":"limit","values":[1]}')
    expect(limited.body.buckets).toHaveLength(1)
    const offset = await bucketsWith('{"method":"offset","values":[1]}')
    expect(offset.body.buckets.length).toBeGreaterThanOrEqual(1)
    const byId = await bucketsWith('{"method":"equal","attribute":"$id","values":["bucket1"]}')
    expect(byId.body.buckets).toHaveLength(1)
    const secured = await bucketsWith(
      '{"method":"equal","attribute":"fileSecurity","values":[true]}',
    )
    expect(secured.body.buckets.length).toBeGreaterThanOrEqual(2)
    const after = await bucketsWith(
      `{"method":"cursorAfter","values":["${secured.body.buckets[0].$id}"]}`,
    )
    expect(after.status).toBe(200)
    expect(after.body.buckets.map((bucket: { $id: string }) => bucket.$id)).toContain('bucket1')
  })

  it('testGetBucket: the bucket with totalSize, 404 for an unknown one, 400 for an id over 36 chars', async () => {
    const id = await createBucket('Test Bucket', { fileSecurity: true })
    const got = await upstream.call('GET', `/storage/buckets/${id}`, upstream.key)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ $id: id, name: 'Test Bucket', totalSize: 0 })
    expect((await upstream.call('GET', '/storage/buckets/empty', upstream.key)).status).toBe(404)
    const long = await upstream.call(
      'GET',
      '/storage/buckets/id-is-really-long-id-is-really-long-id-is-really-long-id-is-really-long',
      upstream.key,
    )
    expect(long.status).toBe(400)
  })

  it('testUpdateBucket: name and enabled change, the defaults come back; an empty name is 400', async () => {
    const id = await createBucket('Test Bucket', { fileSecurity: true })
    const updated = await upstream.call('PUT', `/storage/buckets/${id}`, upstream.key, {
      bucketId: 'unique()',
      name: 'Test Bucket Updated',
      enabled: false,
      fileSecurity: true,
    })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({
      $id: id,
      name: 'Test Bucket Updated',
      enabled: false,
      encryption: true,
      antivirus: true,
    })
    const empty = await upstream.call('PUT', `/storage/buckets/${id}`, upstream.key, {
      name: '',
      enabled: 'false',
    })
    expect(empty.status).toBe(400)
  })

  it('testDeleteBucket: 204 with no body, then 404', async () => {
    const id = await createBucket('Test Bucket Delete', { fileSecurity: true })
    const deleted = await upstream.call('DELETE', `/storage/buckets/${id}`, upstream.key)
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
    expect((await upstream.call('GET', `/storage/buckets/${id}`, upstream.key)).status).toBe(404)
  })
})

describe('storage (upstream StorageBase, as StorageCustomClientTest runs it)', () => {
  /** `setupBucketFile()` upstream: a bucket with logo.png and image.webp, and one with the large file. */
  let bucketId: string
  let fileId: string
  let largeBucketId: string
  let largeFileId: string

  beforeAll(async () => {
    bucketId = await createBucket('Test Bucket', {
      fileSecurity: true,
      maximumFileSize: 2_000_000,
      allowedFileExtensions: ['jpg', 'png', 'jfif', 'webp'],
      permissions: anyoneCRUD,
    })
    const logo = await upload(bucketId, 'logo.png', LOGO, { permissions: anyoneRUD })
    fileId = must(logo, 201, 'uploading logo.png').body.$id as string
    must(
      await upload(bucketId, 'image.webp', WEBP, { permissions: anyoneRUD }),
      201,
      'uploading image.webp',
    )
    largeBucketId = await createBucket('Test Bucket 2', {
      fileSecurity: true,
      permissions: ['create("any")'],
    })
    const answers = await chunkedUpload(largeBucketId, user.headers, LARGE_MP4, 'large-file.mp4', [
      'read("any")',
    ])
    largeFileId = must(answers.at(-1)!, 201, 'uploading large-file.mp4').body.$id as string
  })

  it('testCreateBucketFile: a file, a chunked large file, and the refusals', async () => {
    const logo = await upload(bucketId, 'logo.png', LOGO, { permissions: anyoneRUD })
    expectFile(logo, 201, 'logo.png', 'image/png', LOGO)
    expect(logo.body.signature).toBe(md5(LOGO))

    const answers = await chunkedUpload(largeBucketId, user.headers, LARGE_MP4, 'large-file.mp4', [
      'read("any")',
    ])
    const large = answers.at(-1)!
    expectFile(large, 201, 'large-file.mp4', 'video/mp4', LARGE_MP4)
    expect(large.body.signature).toBe(md5(LARGE_MP4))

    // A 12 MiB chunk is past the server's payload size (12 MiB with the multipart around it).
    const TWELVE_MIB = 12 * 1024 * 1024
    const oversized = await upload(
      largeBucketId,
      'large-file.mp4',
      fixture('\0\0\0\x20ftypisom', TWELVE_MIB),
      { permissions: anyoneRUD },
      { ...user.headers, 'content-range': `bytes 0-${TWELVE_MIB - 1}/${TWELVE_MIB + CHUNK}` },
    )
    expect(oversized.status).toBe(413)

    const unknownBucket = await upload('empty', 'logo.png', LOGO, { permissions: anyoneRUD })
    expect(unknownBucket.status).toBe(404)
    const tooLarge = await upload(bucketId, 'kitten-1.png', KITTEN_PNG, { permissions: anyoneRUD })
    expect(tooLarge.status).toBe(400)
    expect(tooLarge.body.message).toBe('File size not allowed')
    const gif = await upload(bucketId, 'kitten-3.gif', KITTEN_GIF, { permissions: anyoneRUD })
    expect(gif.status).toBe(400)
    expect(gif.body.message).toBe('File extension not allowed')

    const overLimit = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'unique()',
      name: 'Test Bucket 2',
      fileSecurity: true,
      maximumFileSize: 6_000_000_001,
      allowedFileExtensions: ['jpg', 'png'],
      permissions: anyoneCRUD,
    })
    expect(overLimit.status).toBe(400)

    const uniqueId = await upload(
      bucketId,
      'logo.png',
      LOGO,
      { permissions: anyoneRUD },
      {
        ...user.headers,
        'content-range': `bytes 0-${LARGE_MP4.length}/${LARGE_MP4.length}`,
        'x-appwrite-id': 'unique()',
      },
    )
    expect(uniqueId.status).toBe(400)
    expect(uniqueId.body.type).toBe('storage_invalid_appwrite_id')

    const webp = await upload(bucketId, 'image.webp', WEBP, { permissions: anyoneRUD })
    expect(webp.status).toBe(201)
    expect(webp.body).toMatchObject({ name: 'image.webp', mimeType: 'image/webp' })
    const view = await fetchBytes(
      `/storage/buckets/${bucketId}/files/${webp.body.$id}/view`,
      user.headers,
    )
    expect(view.status).toBe(200)
    expect(view.headers.get('content-type')).toBe('image/webp')
    expect(view.bytes.length).toBeGreaterThan(0)
  })

  it('testCreateBucketFileNoCollidingId: the same file id twice is 409', async () => {
    const id = await createBucket('Test Bucket', {
      maximumFileSize: 2_000_000,
      allowedFileExtensions: ['jpg', 'png'],
      permissions: anyoneCRUD,
    })
    const first = await upload(id, 'logo.png', LOGO, { fileId: 'same-id' })
    expect(first.status).toBe(201)
    expect(first.body.$id).toBe('same-id')
    const second = await upload(id, 'file.png', LOGO, { fileId: 'same-id' })
    expect(second.status).toBe(409)
  })

  it('testListBucketFiles: total, total=false, limit, offset, equal on mimeType, unknown bucket', async () => {
    const path = `/storage/buckets/${bucketId}/files`
    /** The file list filtered by one query. */
    const filesWith = (query: string) =>
      upstream.call('GET', path, user.headers, { queries: [query] })
    const files = await upstream.call('GET', path, user.headers)
    expect(files.status).toBe(200)
    expect(files.body.total).toBeGreaterThan(0)
    expect(files.body.files.length).toBeGreaterThan(0)
    const noTotal = await upstream.call('GET', path, user.headers, { total: false })
    expect(noTotal.body.total).toBe(0)
    expect(noTotal.body.files.length).toBeGreaterThan(0)
    const limited = await filesWith('{"method":"limit","values":[1]}')
    expect(limited.body.files).toHaveLength(1)
    const offset = await filesWith('{"method":"offset","values":[1]}')
    expect(offset.body.files.length).toBeGreaterThanOrEqual(1)
    const png = await filesWith('{"method":"equal","attribute":"mimeType","values":["image/png"]}')
    expect(png.body.files.length).toBeGreaterThanOrEqual(1)
    expect(
      png.body.files.every((file: { mimeType: string }) => file.mimeType === 'image/png'),
    ).toBe(true)
    const jpeg = await filesWith(
      '{"method":"equal","attribute":"mimeType","values":["image/jpeg"]}',
    )
    expect(jpeg.body.files).toHaveLength(0)
    expect((await upstream.call('GET', '/storage/buckets/empty/files', user.headers)).status).toBe(
      404,
    )
  })

  it('testGetBucketFile: the file, preview, download with ranges, view, the large file, unknown bucket', async () => {
    const base = `/storage/buckets/${bucketId}/files/${fileId}`
    const file = await upstream.call('GET', base, user.headers)
    expectFile(file, 200, 'logo.png', 'image/png', LOGO)
    expect(file.body.$permissions).toHaveLength(3)

    const preview = await fetchBytes(`${base}/preview`, user.headers)
    expect(preview.status).toBe(200)
    expect(preview.headers.get('content-type')).toBe('image/png')
    expect(preview.bytes.length).toBeGreaterThan(0)
    // preview-test.jfif upstream: a JPEG (JFIF) sent as image/jxl; its preview is a JPEG.
    const jfif = await upload(bucketId, 'preview-test.jfif', JFIF, { permissions: anyoneRUD })
    expect(jfif.status).toBe(201)
    const jfifPreview = await fetchBytes(
      `/storage/buckets/${bucketId}/files/${jfif.body.$id}/preview`,
      user.headers,
    )
    expect(jfifPreview.status).toBe(200)
    expect(jfifPreview.headers.get('content-type')).toBe('image/jpeg')
    expect(jfifPreview.bytes.length).toBeGreaterThan(0)

    const download = await fetchBytes(`${base}/download`, user.headers)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="logo.png"')
    expect(download.headers.get('content-type')).toBe('image/png')
    expect(download.bytes.equals(LOGO)).toBe(true)
    const ranged = await fetchBytes(`${base}/download`, { ...user.headers, range: 'bytes=0-99' })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-disposition')).toBe('attachment; filename="logo.png"')
    expect(ranged.bytes.equals(LOGO.subarray(0, 100))).toBe(true)
    expect(
      (await fetchBytes(`${base}/download`, { ...user.headers, range: 'bytes=0-' })).status,
    ).toBe(206)
    expect(
      (await fetchBytes(`${base}/download`, { ...user.headers, range: 'bytes=988' })).status,
    ).toBe(416)
    expect(
      (await fetchBytes(`${base}/download`, { ...user.headers, range: 'bytes=-988' })).status,
    ).toBe(416)

    const view = await fetchBytes(`${base}/view`, user.headers)
    expect(view.status).toBe(200)
    expect(view.headers.get('content-type')).toBe('image/png')

    const large = await fetchBytes(
      `/storage/buckets/${largeBucketId}/files/${largeFileId}/download`,
      user.headers,
    )
    expect(large.status).toBe(200)
    expect(large.headers.get('content-disposition')).toBe('attachment; filename="large-file.mp4"')
    expect(large.headers.get('content-type')).toBe('video/mp4')
    expect(md5(large.bytes)).toBe(md5(LARGE_MP4))

    const unknown = await upstream.call(
      'GET',
      `/storage/buckets/empty/files/${fileId}`,
      user.headers,
      { limit: 2 },
    )
    expect(unknown.status).toBe(404)
  })

  it('testUpdateBucketFile: name and permissions, then 404 in an unknown bucket', async () => {
    const logo = must(
      await upload(bucketId, 'logo.png', LOGO, { permissions: anyoneRUD }),
      201,
      'uploading the file to update',
    )
    const updated = await updateToOwn(bucketId, logo.body.$id)
    expectFile(updated, 200, 'logo_updated.png', 'image/png', LOGO)
    expect(updated.body.$permissions).toHaveLength(3)
    const unknown = await upstream.call(
      'PUT',
      `/storage/buckets/empty/files/${logo.body.$id}`,
      user.headers,
      { permissions: ownedBy(user.$id) },
    )
    expect(unknown.status).toBe(404)
  })

  it('testDeletePartiallyUploadedFile: a pending chunked upload is deleted like any file', async () => {
    const id = await createBucket('Test Bucket Partial Upload', {
      fileSecurity: true,
      permissions: anyoneCRUD,
    })
    const partial = await upload(
      id,
      'large-file.mp4',
      LARGE_MP4.subarray(0, CHUNK),
      { permissions: ['read("any")', 'delete("any")'] },
      { ...user.headers, 'content-range': `bytes 0-${CHUNK - 1}/${LARGE_MP4.length}` },
    )
    expect(partial.status).toBe(201)
    expect(partial.body.chunksTotal).toBeGreaterThan(partial.body.chunksUploaded)
    const deleted = await upstream.call(
      'DELETE',
      `/storage/buckets/${id}/files/${partial.body.$id}`,
      user.headers,
    )
    expect(deleted.status).toBe(204)
    expect(
      (await upstream.call('GET', `/storage/buckets/${id}/files/${partial.body.$id}`, user.headers))
        .status,
    ).toBe(404)
    expect((await upstream.call('DELETE', `/storage/buckets/${id}`, upstream.key)).status).toBe(204)
  })

  it('testCreateBucketFileChunkedUploadWithoutReadPermission: every chunk 201 with its count', async () => {
    const id = await createBucket('Test Bucket Chunked Upload No Read Permission', {
      fileSecurity: true,
      permissions: ['create("any")'],
    })
    const permissions = [`delete("user:${user.$id}")`]
    const answers = await chunkedUpload(id, user.headers, LARGE_MP4, 'large-file.mp4', permissions)
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(201)
      expect(answer.body.chunksUploaded).toBe(i + 1)
    })
    const last = answers.at(-1)!.body
    expect(last.$permissions).not.toContain(`read("user:${user.$id}")`)
    expect(last.chunksTotal).toBe(answers.length)
    expect(last.chunksUploaded).toBe(answers.length)
  })

  it('testCreateBucketFileOutOfOrder: chunks last, first, second still make the file', async () => {
    const id = await createBucket('Test Bucket Out of Order Upload', {
      fileSecurity: true,
      permissions: anyoneCRUD,
    })
    const chunks = Math.ceil(LARGE_MP4.length / CHUNK)
    expect(chunks).toBeGreaterThanOrEqual(3)
    const answers = await chunkedUpload(
      id,
      user.headers,
      LARGE_MP4,
      'large-file.mp4',
      ['read("any")'],
      [chunks - 1, 0, ...Array.from({ length: chunks - 2 }, (_, i) => i + 1)],
    )
    for (const answer of answers) expect(answer.status).toBe(201)
    const last = answers.at(-1)!.body
    expect(last.chunksTotal).toBe(chunks)
    expect(last.chunksUploaded).toBe(chunks)
    const download = await fetchBytes(
      `/storage/buckets/${id}/files/${last.$id}/download`,
      user.headers,
    )
    expect(download.status).toBe(200)
    expect(download.bytes.length).toBe(LARGE_MP4.length)
    expect(md5(download.bytes)).toBe(md5(LARGE_MP4))
  })

  it('testDeleteBucketFile: delete after an update, then 404', async () => {
    const id = await createBucket('Test Bucket Delete', {
      fileSecurity: true,
      maximumFileSize: 2_000_000,
      allowedFileExtensions: ['jpg', 'png'],
      permissions: anyoneCRUD,
    })
    const logo = must(
      await upload(id, 'logo.png', LOGO, { permissions: anyoneRUD }),
      201,
      'uploading the file to delete',
    )
    const updated = await updateToOwn(id, logo.body.$id)
    expect(updated.status).toBe(200)
    const deleted = await upstream.call(
      'DELETE',
      `/storage/buckets/${id}/files/${logo.body.$id}`,
      user.headers,
    )
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBe('')
    expect(
      (await upstream.call('GET', `/storage/buckets/${id}/files/${logo.body.$id}`, user.headers))
        .status,
    ).toBe(404)
  })

  it('testBucketTotalSize: an integer totalSize, 0 while empty', async () => {
    const id = await createBucket('Test Bucket Size', {
      permissions: ['read("any")', 'create("any")'],
    })
    const empty = await upstream.call('GET', `/storage/buckets/${id}`, upstream.key)
    expect(empty.body.totalSize).toBe(0)
    must(await upload(id, 'logo.png', LOGO), 201, 'file 1')
    must(await upload(id, 'image.webp', WEBP), 201, 'file 2')
    const bucket = await upstream.call('GET', `/storage/buckets/${id}`, upstream.key)
    expect(Number.isInteger(bucket.body.totalSize)).toBe(true)
    expect(bucket.body.totalSize).toBeGreaterThanOrEqual(0)
  })

  it('testCreateBucketFileParallelChunksLargeFile: chunks sent all at once make one file', async () => {
    // Upstream sends 20 MiB; three full chunks and a short fourth keep its four chunks with less
    // to move on a shared machine.
    const total = 3 * CHUNK + 65_536
    const chunks = Math.ceil(total / CHUNK)
    expect(chunks).toBeGreaterThanOrEqual(4)
    const id = await createBucket('Test Bucket Parallel Chunk Upload', {
      fileSecurity: true,
      maximumFileSize: total,
      permissions: ['read("any")', 'create("any")', 'delete("any")'],
    })
    const fileId = 'parallel-chunks-file'
    const block = Buffer.concat(
      Array.from({ length: 1024 }, () => createHash('sha256').update(fileId).digest()),
    )
    const bytes = Buffer.alloc(total)
    for (let at = 0; at < total; at += block.length) block.copy(bytes, at)
    const answers = await Promise.all(
      Array.from({ length: chunks }, (_, i) => {
        const start = i * CHUNK
        const end = Math.min(start + CHUNK, total) - 1
        return uploadFile(
          upstream,
          id,
          'large-parallel-upload.bin',
          bytes.subarray(start, end + 1),
          { fileId, permissions: ['read("any")', 'delete("any")'] },
          { ...upstream.key, 'content-range': `bytes ${start}-${end}/${total}` },
        )
      }),
    )
    for (const answer of answers) expect([200, 201]).toContain(answer.status)
    const file = await upstream.call('GET', `/storage/buckets/${id}/files/${fileId}`, upstream.key)
    expect(file.status).toBe(200)
    expect(file.body.chunksTotal).toBe(chunks)
    expect(file.body.chunksUploaded).toBe(chunks)
    const download = await fetchBytes(
      `/storage/buckets/${id}/files/${fileId}/download`,
      upstream.key,
    )
    expect(download.status).toBe(200)
    expect(download.bytes.length).toBe(total)
    const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')
    expect(sha256(download.bytes)).toBe(sha256(bytes))
  })

  it('testCreateBucketFileZstdCompression: a zstd bucket takes the file whole', async () => {
    const created = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'unique()',
      name: 'Test Bucket',
      fileSecurity: true,
      maximumFileSize: 2_000_000,
      allowedFileExtensions: ['jpg', 'png'],
      compression: 'zstd',
      permissions: anyoneCRUD,
    })
    expect(created.status).toBe(201)
    expect(created.body.compression).toBe('zstd')
    const file = await upload(created.body.$id as string, 'logo.png', LOGO, {
      permissions: anyoneRUD,
    })
    expectFile(file, 201, 'logo.png', 'image/png', LOGO)
    expect(isDatetime(file.body.$createdAt)).toBe(true)
    expect(file.body.signature).toBe(md5(LOGO))
  })
})

describe('storage (upstream StorageCustomClientTest)', () => {
  it('testBucketUsersPermissions: users read and write, a guest gets 401 everywhere', async () => {
    const id = await createBucket('Test Bucket', {
      permissions: ['read("users")', 'create("users")', 'update("users")', 'delete("users")'],
    })
    const file = await upload(id, 'permissions.png', LOGO)
    expectFile(file, 201, 'permissions.png', 'image/png', LOGO)
    const base = `/storage/buckets/${id}/files/${file.body.$id}`
    expect((await upstream.call('GET', base, user.headers)).status).toBe(200)
    expect((await fetchBytes(`${base}/preview`, user.headers)).status).toBe(200)
    expect((await fetchBytes(`${base}/download`, user.headers)).status).toBe(200)
    expect((await fetchBytes(`${base}/view`, user.headers)).status).toBe(200)
    expect(
      (await upstream.call('PUT', base, user.headers, { name: 'permissions.png' })).status,
    ).toBe(200)

    expect((await upstream.call('GET', base, upstream.guest)).status).toBe(401)
    const guestUpload = await upload(id, 'permissions.png', LOGO, {}, upstream.guest)
    expect(guestUpload.status).toBe(401)
    expect((await upstream.call('PUT', base, upstream.guest, { permissions: [] })).status).toBe(401)
    expect((await upstream.call('DELETE', base, upstream.guest)).status).toBe(401)
    const deleted = await upstream.call('DELETE', base, user.headers)
    expect(deleted.status).toBe(204)
  })

  it('testAllowedPermissions: write means create, update, delete on a bucket, update and delete on a file', async () => {
    const role = `user:${user.$id}`
    const created = await upstream.call('POST', '/storage/buckets', upstream.key, {
      bucketId: 'unique()',
      name: 'Test Bucket',
      permissions: [`write("${role}")`],
      fileSecurity: true,
    })
    expect(created.status).toBe(201)
    expect(created.body.$permissions).toEqual(
      expect.arrayContaining([`create("${role}")`, `update("${role}")`, `delete("${role}")`]),
    )
    const file = await upload(created.body.$id, 'permissions.png', LOGO, {
      permissions: [`write("${role}")`],
    })
    expect(file.body.$permissions).not.toContain(`create("${role}")`)
    expect(file.body.$permissions).toEqual(
      expect.arrayContaining([`update("${role}")`, `delete("${role}")`]),
    )
    const withCreate = await upload(
      created.body.$id,
      'permissions.png',
      LOGO,
      { permissions: [`create("${role}")`] },
      upstream.guest,
    )
    expect(withCreate.status).toBe(400)
  })

  it("testCreateFileDefaultPermissions: a user's file without permissions is theirs", async () => {
    const id = await createBucket('Test Bucket', { fileSecurity: true, permissions: anyoneCRUD })
    const file = await upload(id, 'permissions.png', LOGO)
    expect(file.status).toBe(201)
    expect(file.body.$permissions).toEqual(expect.arrayContaining(ownedBy(user.$id)))
    expect(file.body).toMatchObject({
      name: 'permissions.png',
      mimeType: 'image/png',
      sizeOriginal: LOGO.length,
    })
  })

  it('testCreateFileAbusePermissions / testUpdateFileAbusePermissions: roles the user lacks are 401', async () => {
    const id = await createBucket('Test Bucket', { fileSecurity: true, permissions: anyoneCRUD })
    const own = must(await upload(id, 'permissions.png', LOGO), 201, 'own file')
    const attempts = [
      ['read("user:notme")'],
      ['update("user:notme")', 'delete("user:notme")'],
      ['read("user:notme")', 'update("user:notme")', 'delete("user:notme")'],
    ]
    for (const permissions of attempts) {
      const created = await upload(id, 'permissions.png', LOGO, { folderId: 'xyz', permissions })
      const updated = await upstream.call(
        'PUT',
        `/storage/buckets/${id}/files/${own.body.$id}`,
        user.headers,
        { permissions },
      )
      for (const answer of [created, updated]) {
        expect(answer.status).toBe(401)
        expect(answer.body.message).toMatch(/^Permissions must be one of:/)
        expect(answer.body.message).toContain('any')
        expect(answer.body.message).toContain('users')
        expect(answer.body.message).toContain(`user:${user.$id}`)
      }
    }
  })
})

describe('storage compression and encryption (upstream StorageCustomClientTest)', () => {
  it("testFileEncryptionAndCompression: a file keeps the bucket's settings of its upload", async () => {
    const created = must(
      await upstream.call('POST', '/storage/buckets', upstream.key, {
        bucketId: 'unique()',
        name: 'Test Bucket',
        permissions: ['read("any")'],
        encryption: true,
        compression: 'gzip',
      }),
      201,
      'creating the gzip bucket',
    )
    const id = created.body.$id as string
    const files = `/storage/buckets/${id}/files`
    /** The file's `compression` and `encryption` as create, get and the list report them. */
    const settings = (file: { compression: string; encryption: boolean }) => [
      file.compression,
      file.encryption,
    ]
    const first = await upload(id, 'transformations.png', LOGO, {}, upstream.key)
    expect(first.status).toBe(201)
    expect(settings(first.body)).toEqual(['gzip', true])
    const got = await upstream.call('GET', `${files}/${first.body.$id}`, upstream.key)
    expect(settings(got.body)).toEqual(['gzip', true])
    const listed = await upstream.call('GET', files, upstream.key)
    expect(listed.body.total).toBe(1)
    expect(settings(listed.body.files[0])).toEqual(['gzip', true])

    must(
      await upstream.call('PUT', `/storage/buckets/${id}`, upstream.key, {
        name: 'Test Bucket',
        encryption: false,
        compression: 'none',
      }),
      200,
      'updating the bucket',
    )
    const kept = await upstream.call('GET', `${files}/${first.body.$id}`, upstream.key)
    expect(settings(kept.body)).toEqual(['gzip', true])
    const second = await upload(id, 'transformations.png', LOGO, {}, upstream.key)
    expect(second.status).toBe(201)
    expect(settings(second.body)).toEqual(['none', false])
    const both = await upstream.call('GET', files, upstream.key)
    expect(both.body.total).toBe(2)
    expect(both.body.files.map(settings)).toEqual([
      ['gzip', true],
      ['none', false],
    ])
    expect((await upstream.call('DELETE', `/storage/buckets/${id}`, upstream.key)).status).toBe(204)
  })
})

describe('storage folders (upstream StorageBase at the Cloud release cl-1.9.6-1)', () => {
  it('testCreateBucketFileWithFolder: the folder gets its slash, the key its name; bad folders are 400', async () => {
    const id = await createBucket('Test Bucket Folders', {
      fileSecurity: true,
      permissions: anyoneCRUD,
    })
    const inFolder = await upload(id, 'logo.png', LOGO, { folder: 'photos/2026' })
    expect(inFolder.status).toBe(201)
    expect(inFolder.body).toMatchObject({
      folder: 'photos/2026/',
      key: 'photos/2026/logo.png',
      name: 'logo.png',
    })
    const atRoot = await upload(id, 'logo.png', LOGO)
    expect(atRoot.status).toBe(201)
    expect(atRoot.body).toMatchObject({ folder: '', key: 'logo.png' })
    const duplicate = await upload(id, 'logo.png', LOGO, { folder: 'photos/2026' })
    expect(duplicate.status).toBe(201)
    expect(duplicate.body.key).toBe('photos/2026/logo.png')
    expect(duplicate.body.$id).not.toBe(inFolder.body.$id)

    for (const folder of ['/photos', 'photos//2026', 'photos/../2026', 'photos/\x01'])
      expect((await upload(id, 'logo.png', LOGO, { folder })).status).toBe(400)

    const answers = await chunkedUpload(
      id,
      user.headers,
      LARGE_MP4,
      'large-file.mp4',
      ['read("any")'],
      undefined,
      { folder: 'videos/2026' },
    )
    for (const answer of answers) expect(answer.body.$id).toBeTruthy()
    const last = answers.at(-1)!
    expect(last.status).toBe(201)
    expect(last.body).toMatchObject({
      folder: 'videos/2026/',
      key: 'videos/2026/large-file.mp4',
    })
    expect((await upstream.call('DELETE', `/storage/buckets/${id}`, upstream.key)).status).toBe(204)
  })

  it('testListFilesByFolder: equal on the stored folder, startsWith for a whole subtree', async () => {
    const id = await createBucket('Test Bucket Parent Filter', {
      fileSecurity: true,
      permissions: ['read("any")', 'create("any")'],
    })
    for (const folder of ['', 'photos', 'photos/2026'])
      must(
        await upload(id, 'logo.png', LOGO, { folder, permissions: ['read("any")'] }),
        201,
        `uploading into '${folder}'`,
      )
    /** The file list with `queries`: setup, so it must answer 200. */
    const list = async (queries: string[]) =>
      must(
        await upstream.call('GET', `/storage/buckets/${id}/files`, user.headers, { queries }),
        200,
        `listing with ${queries.join(', ')}`,
      ).body
    const folderIs = (value: string) =>
      `{"method":"equal","attribute":"folder","values":[${JSON.stringify(value)}]}`
    expect((await list([])).total).toBe(3)
    const exact = await list([folderIs('photos/')])
    expect(exact.total).toBe(1)
    expect(exact.files[0].folder).toBe('photos/')
    expect((await list([folderIs('photos')])).total).toBe(0)
    const root = await list([folderIs('')])
    expect(root.total).toBe(1)
    expect(root.files[0].folder).toBe('')
    const subtree = await list([
      '{"method":"startsWith","attribute":"folder","values":["photos\\/"]}',
    ])
    expect(subtree.total).toBe(2)
    expect((await upstream.call('DELETE', `/storage/buckets/${id}`, upstream.key)).status).toBe(204)
  })
})

describe('storage previews (upstream StorageCustomClientTest)', () => {
  it('testCreateBucketTransformationsDisabled: a preview is 403 once the bucket disables them', async () => {
    const id = await createBucket('Test Bucket Transformations Disabled', {
      permissions: ['read("any")'],
    })
    const file = must(
      await upload(id, 'transformations.png', LOGO, {}, upstream.key),
      201,
      'uploading the file',
    )
    const path = `/storage/buckets/${id}/files/${file.body.$id}/preview`
    expect((await fetchBytes(path, upstream.guest)).status).toBe(200)
    must(
      await upstream.call('PUT', `/storage/buckets/${id}`, upstream.key, {
        name: 'Test Bucket Transformations Disabled',
        transformations: false,
      }),
      200,
      'disabling transformations',
    )
    const refused = await upstream.call('GET', path, upstream.guest)
    expect(refused.status).toBe(403)
    expect(refused.body.message).toContain(
      'Image transformations are disabled for the requested bucket.',
    )
  })
})

describe('storage realtime (upstream RealtimeCustomClientTest)', () => {
  it('testChannelFiles: create, update and delete events on six channels each', async () => {
    const socket = await upstream.socket(['files'], { origin: 'http://localhost', ...user.headers })
    const connected = await socket.next()
    expect(connected.type).toBe('connected')
    expect(connected.data.channels).toEqual(['files'])
    expect(connected.data.user.$id).toBe(user.$id)
    const id = await createBucket('Bucket 1', { permissions: anyoneCRUD })
    const file = must(
      await upload(id, 'logo.png', LOGO, { permissions: anyoneRUD }),
      201,
      'uploading logo.png',
    )
    const fileId = file.body.$id as string

    const expectEvent = async (action: string) => {
      const event = await socket.next()
      expect(event.type).toBe('event')
      expect(event.data.timestamp).toBeDefined()
      expect(event.data.channels).toHaveLength(6)
      expect(event.data.channels).toEqual(
        expect.arrayContaining([
          'files',
          `files.${action}`,
          `buckets.${id}.files`,
          `buckets.${id}.files.${fileId}`,
          `buckets.${id}.files.${action}`,
          `buckets.${id}.files.${fileId}.${action}`,
        ]),
      )
      expect(event.data.events).toEqual(
        expect.arrayContaining([
          `buckets.${id}.files.${fileId}.${action}`,
          `buckets.${id}.files.${fileId}`,
          `buckets.${id}.files.*.${action}`,
          `buckets.${id}.files.*`,
          `buckets.${id}`,
          `buckets.*.files.${fileId}.${action}`,
          `buckets.*.files.${fileId}`,
          `buckets.*.files.*.${action}`,
          `buckets.*.files.*`,
          'buckets.*',
        ]),
      )
      expect(event.data.payload.$id).toBe(fileId)
    }
    await expectEvent('create')
    must(
      await upstream.call('PUT', `/storage/buckets/${id}/files/${fileId}`, user.headers, {
        permissions: anyoneRUD,
      }),
      200,
      'updating the file',
    )
    await expectEvent('update')
    must(
      await upstream.call('DELETE', `/storage/buckets/${id}/files/${fileId}`, user.headers),
      204,
      'deleting the file',
    )
    await expectEvent('delete')
    socket.close()
  })
})
