import { createHash } from 'node:crypto'
import { SERVER_PICKED_ID, isValidId } from '../fake/ids'
import type { IdGenerator } from '../fake/ids'
import {
  aggregatePermissions,
  assertGrantable,
  assertPermissionsParam,
  authorizationDescription,
  defaultPermissions,
  rolesFor,
} from '../fake/permissions'
import type { Actor, PermissionType } from '../fake/permissions'
import { toServerDatetime } from '../fake/validation'
import { EmulatorHttpError, httpError } from './http'

/*
 * The Storage service's state and rules, as github:appwrite/appwrite 1.9 serves them
 * (`src/Appwrite/Platform/Modules/Storage/Http/**`): buckets, files (chunked uploads included),
 * bucket permissions and file security. Bytes are kept as they were uploaded: compression,
 * encryption and antivirus are accepted and reported, never applied.
 */

/** `_APP_STORAGE_LIMIT`'s default: the largest file a bucket may take, in bytes (30 MB). @internal */
export const STORAGE_LIMIT = 30_000_000

/** `APP_LIMIT_UPLOAD_CHUNK_SIZE`: the size of every chunk of a chunked upload but the last (5 MiB). @internal */
export const CHUNK_SIZE = 5 * 1024 * 1024

/**
 * `APP_STORAGE_READ_BUFFER`: files up to this size are compressed and encrypted by the server, and
 * previewed (`_APP_STORAGE_PREVIEW_LIMIT`'s default), in bytes (20 MB). @internal
 */
export const READ_BUFFER = 20_000_000

/** The errors of the storage routes (github:appwrite/appwrite 1.9 `app/config/errors.php`). @internal */
export const STORAGE_ERRORS = {
  storage_file_already_exists: [409, 'A storage file with the requested ID already exists.'],
  storage_file_not_found: [404, 'The requested file could not be found.'],
  storage_file_empty: [400, 'Empty file passed to the endpoint.'],
  storage_file_type_unsupported: [400, 'The given file extension is not supported.'],
  storage_invalid_file_size: [
    400,
    'The file size is either not valid or exceeds the maximum allowed size. Please check the file or the value of the _APP_STORAGE_LIMIT environment variable.',
  ],
  storage_invalid_file: [403, 'The uploaded file is invalid. Please check the file and try again.'],
  storage_bucket_already_exists: [
    409,
    'A storage bucket with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.',
  ],
  storage_bucket_not_found: [404, 'Storage bucket with the requested ID could not be found.'],
  storage_invalid_content_range: [
    400,
    'The content range is invalid. Please check the value of the Content-Range header.',
  ],
  storage_invalid_range: [
    416,
    'The requested range is not satisfiable. Please check the value of the Range header.',
  ],
  storage_bucket_transformations_disabled: [
    403,
    'Image transformations are disabled for the requested bucket.',
  ],
  storage_invalid_appwrite_id: [
    400,
    'The value for x-appwrite-id header is invalid. Please check the value of the x-appwrite-id header is a valid id and not unique().',
  ],
} as const

/** @internal */
export function storageError(type: keyof typeof STORAGE_ERRORS, message?: string) {
  const [status, text] = STORAGE_ERRORS[type]
  return new EmulatorHttpError(type, status, message ?? text)
}

/** A bucket as the `bucket` response model carries it. @internal */
export interface StoredBucket {
  $id: string
  $createdAt: string
  $updatedAt: string
  $permissions: string[]
  fileSecurity: boolean
  name: string
  enabled: boolean
  maximumFileSize: number
  allowedFileExtensions: string[]
  compression: string
  encryption: boolean
  antivirus: boolean
  transformations: boolean
}

/** A file as the `file` response model carries it, plus its order of creation. @internal */
export interface StoredFile {
  $id: string
  bucketId: string
  $createdAt: string
  $updatedAt: string
  $permissions: string[]
  name: string
  /** The virtual folder, with a trailing slash (`photos/2026/`); `''` for the bucket root. */
  folder: string
  /** `folder` followed by `name`. */
  key: string
  signature: string
  mimeType: string
  sizeOriginal: number
  sizeActual: number
  chunksTotal: number
  chunksUploaded: number
  encryption: boolean
  compression: string
}

/** A file's record and bytes (`undefined` while a chunked upload is not complete). @internal */
export interface FileEntry {
  file: StoredFile
  bytes: Buffer | undefined
  /** The chunks received so far, by number (1-based), while the upload is not complete. */
  chunks: Map<number, Buffer> | undefined
  /** `$sequence`: its bucket's count of files at its creation, the default order of a list. */
  sequence: number
  /**
   * The lower-cased extension of the name the file was uploaded with, which the server's stored
   * path keeps through a rename (the current name's, for a file put back from a data dir).
   */
  extension: string
}

/** What changed, for realtime and persistence. @internal */
export type StorageChange =
  | { kind: 'bucket'; bucketId: string; deleted: boolean }
  | {
      kind: 'file'
      bucketId: string
      fileId: string
      action: 'create' | 'update' | 'delete'
      file: StoredFile
    }

/** One uploaded part of a `multipart/form-data` body. @internal */
export interface UploadPart {
  readonly name: string
  readonly bytes: Buffer
}

/** A `Content-Range: bytes start-end/size` of a chunk. @internal */
export interface ContentRange {
  readonly start: number
  readonly end: number
  readonly size: number
}

/** Who calls: `undefined` for the API key (permissions do not apply). @internal */
export type StorageActor = Actor | undefined

/** Every permission type: what a bucket takes, and what a file's update takes. */
const BUCKET_PERMISSION_TYPES: readonly PermissionType[] = [
  'create',
  'read',
  'update',
  'delete',
  'write',
]
const FILE_PERMISSION_TYPES: readonly PermissionType[] = ['read', 'update', 'delete', 'write']
const COMPRESSIONS = new Set(['none', 'gzip', 'zstd'])

const invalidParam = (param: string, description: string) =>
  httpError('general_argument_invalid', `Invalid \`${param}\` param: ${description}`)

function boolParam(param: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  if (value === true || value === 'true' || value === '1' || value === 1) return true
  if (value === false || value === 'false' || value === '0' || value === 0) return false
  throw invalidParam(param, 'Value must be a valid boolean')
}

function textParam(param: string, value: unknown, max: number, required: boolean): string {
  // utopia-php/http reads an empty required parameter as a missing one.
  if (value === undefined || value === null || (required && value === '')) {
    if (required) throw httpError('general_argument_invalid', `Param "${param}" is not optional.`)
    return ''
  }
  if (typeof value !== 'string' || value.length > max)
    throw invalidParam(param, `Value must be a valid string and at most ${max} chars`)
  return value
}

function customId(param: string, value: unknown): string {
  if (value === undefined)
    throw httpError('general_argument_invalid', `Param "${param}" is not optional.`)
  if (value !== SERVER_PICKED_ID && !isValidId(value))
    throw invalidParam(
      param,
      "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
    )
  return value as string
}

/** `Folder::MAX_LENGTH`: the longest folder, trailing slash included, in bytes. */
const FOLDER_MAX_LENGTH = 2048

/**
 * The `folder` of an upload as the server's `Folder` validator checks it and stores it: `''` (the
 * bucket root), or `/`-separated segments (none empty, `.` or `..`, no control characters, not
 * starting with `/`) stored with a trailing slash.
 */
function folderParam(value: unknown): string {
  if (value === undefined || value === null || value === '') return ''
  const invalid = invalidParam(
    'folder',
    `Folder must be \`/\`-separated segments without empty, \`.\`, or \`..\` segments, must not start with \`/\`, must not contain control characters, and must be at most ${FOLDER_MAX_LENGTH} characters long including the trailing slash.`,
  )
  if (typeof value !== 'string') throw invalid
  const folder = value.endsWith('/') ? value : `${value}/`
  // eslint-disable-next-line no-control-regex
  if (Buffer.byteLength(folder) > FOLDER_MAX_LENGTH || /[\x00-\x1f\x7f]/.test(value)) throw invalid
  const segments = folder.slice(0, -1).split('/')
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..'))
    throw invalid
  return folder
}

function permissionsParam(
  value: unknown,
  allowed: readonly PermissionType[],
  aggregateTo: readonly PermissionType[],
): string[] | undefined {
  if (value === undefined || value === null) return undefined
  try {
    assertPermissionsParam(value, allowed)
  } catch (error) {
    throw toHttp(error)
  }
  return aggregatePermissions(value as string[], aggregateTo)
}

/** An `AppwriteException` of the fake's permission helpers as an HTTP error. */
function toHttp(error: unknown): unknown {
  const e = error as { code?: unknown; type?: unknown; message?: string }
  if (typeof e?.code === 'number' && typeof e.type === 'string' && e.type !== '')
    return new EmulatorHttpError(e.type, e.code, e.message ?? '')
  return error
}

/** Whether `actor` holds one of the roles `permissions` grant for `type`; the key always does. */
function allowed(actor: StorageActor, permissions: readonly string[], type: PermissionType) {
  return actor === undefined || actor.any(rolesFor(permissions, type))
}

function unauthorized(actor: Actor, permissions: readonly string[], type: PermissionType) {
  return httpError(
    'user_unauthorized',
    authorizationDescription(actor, type, rolesFor(permissions, type)),
  )
}

/** The MIME type libmagic would give the most common uploads; anything else by its text-ness. */
export function sniffMimeType(bytes: Buffer): string {
  if (bytes.length === 0) return 'application/x-empty'
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b)
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png'
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif'
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp'
  if (bytes.toString('latin1', 4, 8) === 'ftyp') {
    const brand = bytes.toString('latin1', 8, 12)
    if (brand === 'avif') return 'image/avif'
    if (brand === 'heic' || brand === 'heix') return 'image/heic'
    return 'video/mp4'
  }
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'application/pdf'
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'application/zip'
  if (starts(0x1f, 0x8b)) return 'application/gzip'
  if (bytes.includes(0)) return 'application/octet-stream'
  const text = bytes.toString('utf8', 0, Math.min(bytes.length, 4096))
  if (/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(text)) return 'image/svg+xml'
  return 'text/plain'
}

/**
 * The image types the server's preview route reads (`app/config/storage/inputs.php`); for any
 * other, AVIF included, it draws a file-type icon. @internal
 */
export const PREVIEW_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/heic',
])

/** The preview route's outputs and their types (`app/config/storage/outputs.php`). @internal */
export const PREVIEW_OUTPUTS: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  avif: 'image/avif',
  gif: 'image/gif',
}

/**
 * The output the server's preview route encodes a file in: `output` when given; else the
 * extension its upload was named with, when that is an output (`jpg` for another extension); else
 * the output of its type (`jpg` for another). @internal
 */
export function previewOutput(entry: FileEntry, output: string): string {
  if (output !== '') return output
  if (entry.extension !== '')
    return Object.hasOwn(PREVIEW_OUTPUTS, entry.extension) ? entry.extension : 'jpg'
  return (
    Object.keys(PREVIEW_OUTPUTS).find((name) => PREVIEW_OUTPUTS[name] === entry.file.mimeType) ??
    'jpg'
  )
}

/**
 * The types the view route sends as they are (`app/config/storage/mimes.php`, typo included); any
 * other, SVG and plain text included, is sent as `text/plain`. @internal
 */
export const VIEW_MIME_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/gif',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heic-sequence',
  'image/avif',
  'video/mp4',
  'video/x-flv',
  'video/webm',
  'application/x-mpegURL',
  'video/MP2T',
  'video/3gpp',
  'video/quicktime',
  'video/x-msvideo',
  'video/x-ms-wmv',
  'audio/basic',
  'auido/L24',
  'audio/mid',
  'audio/mpeg',
  'audio/mp4',
  'audio/x-aiff',
  'audio/x-mpegurl',
  'audio/vnd.rn-realaudio',
  'audio/ogg',
  'audio/vorbis',
  'audio/vnd.wav',
  'audio/x-wav',
  'audio/aac',
  'audio/x-hx-aac-adts',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.template',
  'application/vnd.ms-word.document.macroEnabled.12',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.template',
  'application/vnd.ms-excel.sheet.macroEnabled.12',
  'application/vnd.ms-excel.template.macroEnabled.12',
  'application/vnd.ms-excel.addin.macroEnabled.12',
  'application/vnd.ms-excel.sheet.binary.macroEnabled.12',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.template',
  'application/vnd.openxmlformats-officedocument.presentationml.slideshow',
  'application/vnd.ms-powerpoint.addin.macroEnabled.12',
  'application/vnd.ms-powerpoint.presentation.macroEnabled.12',
  'application/vnd.ms-powerpoint.template.macroEnabled.12',
  'application/vnd.ms-powerpoint.slideshow.macroEnabled.12',
  'application/vnd.ms-access',
  'application/pdf',
])

/** Options of a {@link StorageState}. @internal */
export interface StorageStateOptions {
  readonly now: () => number
  readonly ids: IdGenerator
  /** Called after every change, synchronously. */
  readonly onChange?: (change: StorageChange) => void
}

/** Buckets and files of one emulator. @internal */
export class StorageState {
  readonly buckets = new Map<string, StoredBucket>()
  readonly files = new Map<string, Map<string, FileEntry>>()
  readonly #now: () => number
  readonly #ids: IdGenerator
  readonly #listeners: Array<(change: StorageChange) => void> = []
  /** Each bucket's `$sequence` (the project's count of buckets at its creation). */
  readonly bucketSequences = new Map<string, number>()
  #bucketSequence = 0
  /** Each bucket's last file `$sequence`: the server counts a bucket's files on their own. */
  readonly #fileSequences = new Map<string, number>()

  constructor(options: StorageStateOptions) {
    this.#now = options.now
    this.#ids = options.ids
    if (options.onChange) this.#listeners.push(options.onChange)
  }

  #nextFileSequence(bucketId: string): number {
    const sequence = (this.#fileSequences.get(bucketId) ?? 0) + 1
    this.#fileSequences.set(bucketId, sequence)
    return sequence
  }

  /** Adds a change listener (realtime, the data dir). */
  onChange(listener: (change: StorageChange) => void): void {
    this.#listeners.push(listener)
  }

  #emit(change: StorageChange): void {
    for (const listener of this.#listeners) listener(change)
  }

  #stamp(): string {
    return toServerDatetime(this.#now())
  }

  /**
   * Puts back a bucket and its complete files, as a data dir holds them (no change emitted). A
   * file kept before folders were served is put back at the bucket root.
   */
  restore(bucket: StoredBucket, files: ReadonlyArray<{ file: StoredFile; bytes: Buffer }>): void {
    this.buckets.set(bucket.$id, bucket)
    this.bucketSequences.set(bucket.$id, ++this.#bucketSequence)
    const entries = new Map<string, FileEntry>()
    for (const { file, bytes } of files) {
      const folder = (file as Partial<StoredFile>).folder ?? ''
      const { $id, bucketId, $createdAt, $updatedAt, $permissions, name } = file
      // In the model's order: ids and dates, the name, its folder and key, then the rest.
      const record: StoredFile = Object.assign(
        { $id, bucketId, $createdAt, $updatedAt, $permissions, name, folder, key: folder + name },
        file,
        { folder, key: folder + name },
      )
      entries.set($id, {
        file: record,
        bytes,
        chunks: undefined,
        sequence: entries.size + 1,
        extension: extensionOf(name),
      })
    }
    this.files.set(bucket.$id, entries)
    this.#fileSequences.set(bucket.$id, entries.size)
  }

  // ---- buckets (API key only: the routes check the scope first) ----

  /** `POST /v1/storage/buckets`. */
  createBucket(params: Record<string, unknown>): StoredBucket {
    let bucketId = customId('bucketId', params.bucketId)
    const name = textParam('name', params.name, 128, true)
    const { permissions, fileSecurity, ...settings } = this.#bucketSettings(params)
    if (bucketId === SERVER_PICKED_ID) bucketId = this.#ids.next()
    if (this.buckets.has(bucketId)) throw storageError('storage_bucket_already_exists')
    const at = this.#stamp()
    const bucket: StoredBucket = {
      $id: bucketId,
      $createdAt: at,
      $updatedAt: at,
      $permissions: permissions ?? [],
      fileSecurity,
      name,
      // The rest in the order of the server's model: enabled, the file limits, the features.
      ...settings,
    }
    this.buckets.set(bucketId, bucket)
    this.files.set(bucketId, new Map())
    this.bucketSequences.set(bucketId, ++this.#bucketSequence)
    this.#fileSequences.set(bucketId, 0)
    this.#emit({ kind: 'bucket', bucketId, deleted: false })
    return bucket
  }

  #bucketSettings(params: Record<string, unknown>) {
    const maximumFileSize = params.maximumFileSize ?? STORAGE_LIMIT
    const size = typeof maximumFileSize === 'string' ? Number(maximumFileSize) : maximumFileSize
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > STORAGE_LIMIT)
      throw invalidParam(
        'maximumFileSize',
        `Value must be a valid range between 1 and ${STORAGE_LIMIT.toLocaleString('en-US')}`,
      )
    const extensions = params.allowedFileExtensions ?? []
    if (
      !Array.isArray(extensions) ||
      extensions.length > 100 ||
      extensions.some((ext) => typeof ext !== 'string' || ext.length > 64)
    )
      throw invalidParam(
        'allowedFileExtensions',
        'Value must a valid array no longer than 100 items and Value must be a valid string and at most 64 chars',
      )
    const compression = params.compression ?? 'none'
    if (typeof compression !== 'string' || !COMPRESSIONS.has(compression))
      throw invalidParam('compression', 'Value must be one of (none, gzip, zstd)')
    return {
      permissions: permissionsParam(
        params.permissions,
        BUCKET_PERMISSION_TYPES,
        BUCKET_PERMISSION_TYPES,
      ),
      fileSecurity: boolParam('fileSecurity', params.fileSecurity, false),
      enabled: boolParam('enabled', params.enabled, true),
      maximumFileSize: size,
      allowedFileExtensions: extensions as string[],
      compression,
      encryption: boolParam('encryption', params.encryption, true),
      antivirus: boolParam('antivirus', params.antivirus, true),
      transformations: boolParam('transformations', params.transformations, true),
    }
  }

  /** The bucket, or `storage_bucket_not_found`. */
  bucket(bucketId: string): StoredBucket {
    const bucket = this.buckets.get(bucketId)
    if (bucket === undefined) throw storageError('storage_bucket_not_found')
    return bucket
  }

  /** `PUT /v1/storage/buckets/:bucketId`: what is not sent goes back to its default; permissions stay. */
  updateBucket(bucketId: string, params: Record<string, unknown>): StoredBucket {
    const bucket = this.bucket(bucketId)
    const name = textParam('name', params.name, 128, true)
    const { permissions, ...settings } = this.#bucketSettings(params)
    Object.assign(bucket, {
      $permissions: permissions ?? bucket.$permissions,
      name,
      ...settings,
      $updatedAt: this.#stamp(),
    })
    this.#emit({ kind: 'bucket', bucketId, deleted: false })
    return bucket
  }

  /** `DELETE /v1/storage/buckets/:bucketId`, with its files. */
  deleteBucket(bucketId: string): void {
    this.bucket(bucketId)
    this.buckets.delete(bucketId)
    this.files.delete(bucketId)
    this.bucketSequences.delete(bucketId)
    this.#fileSequences.delete(bucketId)
    this.#emit({ kind: 'bucket', bucketId, deleted: true })
  }

  /** The `bucket` model with `totalSize`. */
  bucketModel(bucket: StoredBucket): Record<string, unknown> {
    let totalSize = 0
    for (const entry of this.files.get(bucket.$id)?.values() ?? [])
      totalSize += entry.file.sizeActual
    return { ...bucket, totalSize }
  }

  // ---- files ----

  /** The bucket a non-key caller may reach: a disabled one is not found, as on the server. */
  #reachableBucket(bucketId: string, actor: StorageActor): StoredBucket {
    const bucket = this.buckets.get(bucketId)
    if (bucket === undefined || (!bucket.enabled && actor !== undefined))
      throw storageError('storage_bucket_not_found')
    return bucket
  }

  /**
   * The read check of get, list, download, view and preview: without file security the bucket's
   * `read` decides (401 otherwise); with it, a caller without the bucket's `read` sees only the
   * files whose own `read` it holds (another is not found).
   */
  readAccess(bucketId: string, actor: StorageActor) {
    const bucket = this.#reachableBucket(bucketId, actor)
    const valid = allowed(actor, bucket.$permissions, 'read')
    if (!bucket.fileSecurity && !valid) throw unauthorized(actor!, bucket.$permissions, 'read')
    const entries = this.files.get(bucketId)!
    const visible = (entry: FileEntry) => valid || allowed(actor, entry.file.$permissions, 'read')
    return { bucket, entries, visible }
  }

  /** A file the caller may read, or `storage_file_not_found`. */
  readableFile(bucketId: string, fileId: string, actor: StorageActor): FileEntry {
    const { entries, visible } = this.readAccess(bucketId, actor)
    const entry = entries.get(fileId)
    if (entry === undefined || !visible(entry)) throw storageError('storage_file_not_found')
    return entry
  }

  /** A file for the preview route: a bucket without `transformations` refuses all but the key. */
  previewableFile(bucketId: string, fileId: string, actor: StorageActor): FileEntry {
    const bucket = this.#reachableBucket(bucketId, actor)
    if (!bucket.transformations && actor !== undefined)
      throw storageError('storage_bucket_transformations_disabled')
    return this.readableFile(bucketId, fileId, actor)
  }

  /**
   * `POST /v1/storage/buckets/:bucketId/files`: one whole file, or one chunk of a chunked upload
   * (`range` from `Content-Range`, `uploadId` from `x-appwrite-id`). Answers the file and whether
   * this request completed a file that was already complete (the server's 200).
   */
  createFile(
    bucketId: string,
    params: Record<string, unknown>,
    part: UploadPart | undefined,
    range: ContentRange | undefined,
    uploadId: string | undefined,
    actor: StorageActor,
  ): { entry: FileEntry; status: 200 | 201 } {
    let fileId = customId('fileId', params.fileId)
    const requested = permissionsParam(
      params.permissions,
      FILE_PERMISSION_TYPES,
      FILE_PERMISSION_TYPES,
    )
    const folder = folderParam(params.folder)
    const bucket = this.#reachableBucket(bucketId, actor)
    if (!allowed(actor, bucket.$permissions, 'create'))
      throw unauthorized(actor!, bucket.$permissions, 'create')
    const permissions = requested ?? defaultPermissions(actor)
    if (actor !== undefined) {
      try {
        assertGrantable(actor, permissions)
      } catch (error) {
        throw toHttp(error)
      }
    }
    if (part === undefined) throw storageError('storage_file_empty')
    let size = part.bytes.length
    let chunk = 1
    let chunks = 1
    if (fileId === SERVER_PICKED_ID) fileId = this.#ids.next()
    if (range !== undefined) {
      size = range.size
      if (uploadId !== undefined && uploadId !== '') fileId = uploadId
      if (!isValidId(fileId)) throw storageError('storage_invalid_appwrite_id')
      chunks = Math.ceil(range.size / CHUNK_SIZE)
      chunk = Math.floor(range.start / CHUNK_SIZE) + 1
    }
    const extensions = bucket.allowedFileExtensions
    if (extensions.length > 0 && !extensions.includes(extensionOf(part.name)))
      throw storageError('storage_file_type_unsupported', 'File extension not allowed')
    if (size > bucket.maximumFileSize)
      throw storageError('storage_invalid_file_size', 'File size not allowed')

    const entries = this.files.get(bucketId)!
    let entry = entries.get(fileId)
    if (entry !== undefined && entry.file.chunksUploaded === entry.file.chunksTotal) {
      if (range === undefined) throw storageError('storage_file_already_exists')
      return { entry, status: 200 }
    }
    const at = this.#stamp()
    if (entry === undefined) {
      const file: StoredFile = {
        $id: fileId,
        bucketId,
        $createdAt: at,
        $updatedAt: at,
        $permissions: permissions,
        name: part.name,
        // A chunked upload keeps the folder its first chunk gave, as the server's record does.
        folder,
        key: folder + part.name,
        signature: '',
        mimeType: '',
        sizeOriginal: size,
        sizeActual: 0,
        chunksTotal: chunks,
        chunksUploaded: 0,
        encryption: false,
        compression: 'none',
      }
      entry = {
        file,
        bytes: undefined,
        chunks: new Map(),
        sequence: this.#nextFileSequence(bucketId),
        extension: extensionOf(part.name),
      }
      entries.set(fileId, entry)
    }
    entry.chunks!.set(chunk, part.bytes)
    entry.file.chunksUploaded = entry.chunks!.size
    entry.file.$updatedAt = at
    if (entry.file.chunksUploaded < entry.file.chunksTotal) return { entry, status: 201 }

    const ordered = [...entry.chunks!].sort(([a], [b]) => a - b).map(([, bytes]) => bytes)
    const bytes = ordered.length === 1 ? ordered[0]! : Buffer.concat(ordered)
    const small = bytes.length <= READ_BUFFER
    Object.assign(entry.file, {
      $permissions: permissions,
      signature: createHash('md5').update(bytes).digest('hex'),
      mimeType: sniffMimeType(bytes),
      sizeActual: bytes.length,
      encryption: bucket.encryption && small,
      compression: small ? bucket.compression : 'none',
    })
    entry.bytes = bytes
    entry.chunks = undefined
    this.#emit({ kind: 'file', bucketId, fileId, action: 'create', file: entry.file })
    return { entry, status: 201 }
  }

  /**
   * `PUT …/files/:fileId`: name (at most 128 chars) and permissions. Unlike an upload, the update
   * takes every permission type, `create` too (kept as given), as the server's validator does.
   */
  updateFile(
    bucketId: string,
    fileId: string,
    params: Record<string, unknown>,
    actor: StorageActor,
  ): StoredFile {
    const name = textParam('name', params.name, 128, false)
    const requested = permissionsParam(
      params.permissions,
      BUCKET_PERMISSION_TYPES,
      FILE_PERMISSION_TYPES,
    )
    const entry = this.#writableFile(bucketId, fileId, actor, 'update')
    if (requested !== undefined && actor !== undefined) {
      try {
        assertGrantable(actor, requested)
      } catch (error) {
        throw toHttp(error)
      }
    }
    if (requested !== undefined) entry.file.$permissions = requested
    if (name !== '') {
      entry.file.name = name
      entry.file.key = entry.file.folder + name
    }
    entry.file.$updatedAt = this.#stamp()
    this.#emit({ kind: 'file', bucketId, fileId, action: 'update', file: entry.file })
    return entry.file
  }

  /** `DELETE …/files/:fileId`. */
  deleteFile(bucketId: string, fileId: string, actor: StorageActor): void {
    const entry = this.#writableFile(bucketId, fileId, actor, 'delete')
    this.files.get(bucketId)!.delete(fileId)
    this.#emit({ kind: 'file', bucketId, fileId, action: 'delete', file: entry.file })
  }

  /**
   * The update and delete check: the bucket's permission, or with file security the file's own;
   * without either, 401 (a missing file is 404 first: the server reads it without checks).
   */
  #writableFile(
    bucketId: string,
    fileId: string,
    actor: StorageActor,
    type: 'update' | 'delete',
  ): FileEntry {
    const bucket = this.#reachableBucket(bucketId, actor)
    const valid = allowed(actor, bucket.$permissions, type)
    if (!bucket.fileSecurity && !valid) throw unauthorized(actor!, bucket.$permissions, type)
    const entry = this.files.get(bucketId)!.get(fileId)
    if (entry === undefined) throw storageError('storage_file_not_found')
    if (!valid && !allowed(actor, entry.file.$permissions, type))
      throw unauthorized(actor!, entry.file.$permissions, type)
    return entry
  }

  /**
   * The roles a file event reaches: the bucket's readers, plus the file's own with file security
   * (`Realtime::fromPayload`).
   */
  eventReaders(bucketId: string, file: StoredFile): string[] {
    const bucket = this.buckets.get(bucketId)
    if (bucket === undefined) return []
    const readers = rolesFor(bucket.$permissions, 'read')
    return bucket.fileSecurity ? [...readers, ...rolesFor(file.$permissions, 'read')] : readers
  }
}

/** `strtolower(pathinfo($name, PATHINFO_EXTENSION))`. */
function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot === -1 ? '' : base.slice(dot + 1).toLowerCase()
}
