/**
 * Storage setup shared by the cases transcribed from `tests/e2e/Services/Storage/**`: the upstream
 * fixtures stood in for by bytes with the same file signatures, buckets made with the API key,
 * uploads and raw byte requests as the upstream client sends them.
 */
import { createHash } from 'node:crypto'
import { must, uploadFile } from './upstream'
import type { Answer, Upstream } from './upstream'

/** Deterministic filler bytes after a file signature. */
export function fixture(signature: number[] | string, size: number): Buffer {
  const bytes = Buffer.alloc(size)
  const head =
    typeof signature === 'string' ? Buffer.from(signature, 'latin1') : Buffer.from(signature)
  let x = size
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    bytes[i] = x >>> 24
  }
  head.copy(bytes)
  return bytes
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** `tests/resources/logo.png` upstream: a PNG of 47,218 bytes. */
export const LOGO = fixture(PNG_SIGNATURE, 47_218)
/** `APP_LIMIT_UPLOAD_CHUNK_SIZE`: every chunk of a chunked upload but the last (5 MiB). */
export const CHUNK = 5 * 1024 * 1024

export const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

export const anyoneRUD = ['read("any")', 'update("any")', 'delete("any")']
export const anyoneCRUD = ['read("any")', 'create("any")', 'update("any")', 'delete("any")']

/** A raw answer with its body as bytes. */
export interface BytesAnswer {
  status: number
  headers: Headers
  bytes: Buffer
}

/** A raw GET of a file URL with extra headers (`Range`), the body as bytes. */
export async function fetchBytes(
  up: Upstream,
  path: string,
  headers: Record<string, string>,
): Promise<BytesAnswer> {
  const response = await fetch(`${up.emulator.endpoint}${path}`, { headers })
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  }
}

/** Creates a bucket with the API key (`bucketId` `unique()`, `params` added); its id. */
export async function createBucket(
  up: Upstream,
  name: string,
  params: Record<string, unknown> = {},
): Promise<string> {
  const answer = await up.call('POST', '/storage/buckets', up.key, {
    bucketId: 'unique()',
    name,
    ...params,
  })
  return must(answer, 201, `creating the bucket ${name}`).body.$id as string
}

/**
 * The requests upstream's permission cases make on one file as `headers`: get, preview, download
 * and view; their statuses in that order.
 */
export async function readStatuses(
  up: Upstream,
  bucketId: string,
  fileId: string,
  headers: Record<string, string>,
): Promise<number[]> {
  const base = `/storage/buckets/${bucketId}/files/${fileId}`
  const statuses = [(await up.call('GET', base, headers)).status]
  for (const route of ['preview', 'download', 'view'])
    statuses.push((await fetchBytes(up, `${base}/${route}`, headers)).status)
  return statuses
}

/** Uploads `LOGO` as `permissions.png` into `bucketId` with `headers` (upstream's permission file). */
export const uploadLogo = (
  up: Upstream,
  bucketId: string,
  headers: Record<string, string>,
  fields: { fileId?: string; permissions?: string[]; [name: string]: unknown } = {},
): Promise<Answer> => uploadFile(up, bucketId, 'permissions.png', LOGO, fields, headers)
