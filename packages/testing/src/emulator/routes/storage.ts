import { nestedEventNames } from '../../fake/channels'
import { assertUid } from '../../fake/ids'
import type { RealtimeHub } from '../../fake/realtime'
import { resolveIdentity } from '../../fake/permissions'
import { requireScopes } from '../auth'
import { identityOf } from '../fakeBridge'
import { httpError, looseBoolean } from '../http'
import type { RouteResult } from '../http'
import type { RouteContext, Router } from '../router'
import {
  PREVIEW_IMAGE_TYPES,
  PREVIEW_OUTPUTS,
  READ_BUFFER,
  VIEW_MIME_TYPES,
  previewOutput,
  storageError,
} from '../storageState'
import type {
  ContentRange,
  FileEntry,
  StorageActor,
  StorageState,
  StoredBucket,
  StoredFile,
} from '../storageState'
import { runStorageList } from '../storageQueries'

const BUCKET_ATTRIBUTES = new Set([
  '$id',
  '$createdAt',
  '$updatedAt',
  '$sequence',
  'enabled',
  'name',
  'fileSecurity',
  'maximumFileSize',
  'encryption',
  'antivirus',
  'transformations',
])
const FILE_ATTRIBUTES = new Set([
  '$id',
  '$createdAt',
  '$updatedAt',
  '$sequence',
  'name',
  'folder',
  'signature',
  'mimeType',
  'sizeOriginal',
  'chunksTotal',
  'chunksUploaded',
])
const BUCKET_PARAMS = [
  'name',
  'permissions',
  'fileSecurity',
  'enabled',
  'maximumFileSize',
  'allowedFileExtensions',
  'compression',
  'encryption',
  'antivirus',
  'transformations',
]

/** The preview route's transformation parameters and the value that means "leave as is". */
const PREVIEW_DEFAULTS: Readonly<Record<string, string>> = {
  width: '0',
  height: '0',
  gravity: 'center',
  quality: '-1',
  borderWidth: '0',
  borderColor: '',
  borderRadius: '0',
  opacity: '1',
  rotation: '0',
  background: '',
  output: '',
}

/**
 * The parameters of the file URLs the web SDK builds (`getFileDownload`, `getFileView`,
 * `getFilePreview`): `token`, and `impersonateuserid`, which the server reads on any request as it
 * reads `project`.
 */
const LOCATION_PARAMS = ['token', 'impersonateuserid']

/** `MAX_OUTPUT_CHUNK_SIZE`: the most a ranged download answers when no end is given. */
const MAX_OUTPUT_CHUNK = 10 * 1024 * 1024

/** The `UID` validation of the path's ids (a longer id is a 400 before anything is looked up). */
function checkPath(ctx: RouteContext): void {
  for (const name of ['bucketId', 'fileId'] as const) {
    const value = ctx.path[name]
    if (value !== undefined) assertUid(name, value)
  }
}

const header = (ctx: RouteContext, name: string): string | undefined => {
  const value = ctx.headers?.[name]
  return Array.isArray(value) ? value[0] : value
}

/** The API key acts as the server (no permission checks); anyone else with their roles. */
const actorOf = (ctx: RouteContext): StorageActor => {
  const identity = identityOf(ctx.caller)
  return identity === undefined ? undefined : resolveIdentity(identity)
}

/** `Content-Range: bytes start-end/size` as the server's request reads it; `undefined` when absent. */
function contentRange(ctx: RouteContext): ContentRange | undefined {
  const value = header(ctx, 'content-range')
  if (value === undefined || value === '') return undefined
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim())
  if (match === null) throw storageError('storage_invalid_content_range')
  const [start, end, size] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (end > size || start > end) throw storageError('storage_invalid_content_range')
  return { start, end, size }
}

/** A `Range: bytes=start-end` of a download or view, clamped as each route does. */
function rangeOf(
  ctx: RouteContext,
  size: number,
  route: 'download' | 'view',
): { start: number; end: number } | undefined {
  const value = header(ctx, 'range')
  if (value === undefined || value === '') return undefined
  const match = /^(\w+)=(\d+)-(\d*)$/.exec(value.trim())
  if (match === null || match[1] !== 'bytes') throw storageError('storage_invalid_range')
  const start = Number(match[2])
  let end = match[3] === '' ? undefined : Number(match[3])
  // Without an end, or over READ_BUFFER long, each route answers at most its own length.
  if (end === undefined || end - start > READ_BUFFER)
    end = Math.min(start + (route === 'download' ? MAX_OUTPUT_CHUNK : READ_BUFFER) - 1, size - 1)
  if (start >= end || end >= size) throw storageError('storage_invalid_range')
  return { start, end }
}

/** The file's bytes (a chunked upload not complete yet has none: not found, as its path). */
function bytesOf(entry: FileEntry): Buffer {
  if (entry.bytes === undefined)
    throw storageError(
      'storage_file_not_found',
      `File not found: the chunked upload of ${entry.file.$id} has ${entry.file.chunksUploaded} of its ${entry.file.chunksTotal} chunks.`,
    )
  return entry.bytes
}

/** Bytes as the download and view routes send them: whole, or the requested range (206). */
function sendBytes(
  ctx: RouteContext,
  entry: FileEntry,
  route: 'download' | 'view',
  headers: Record<string, string>,
): RouteResult {
  const bytes = bytesOf(entry)
  const range = rangeOf(ctx, bytes.length, route)
  if (range === undefined) return { bytes, headers }
  return {
    status: 206,
    bytes: bytes.subarray(range.start, range.end + 1),
    headers: {
      ...headers,
      'Accept-Ranges': 'bytes',
      'Content-Range': `bytes ${range.start}-${range.end}/${bytes.length}`,
    },
  }
}

/** A file's name in a `Content-Disposition`, as the server writes it (quoted, unescaped). */
const disposition = (kind: 'attachment' | 'inline', file: StoredFile) =>
  `${kind}; filename="${file.name.replace(/["\r\n]/g, '_')}"`

/**
 * The Storage service (`src/Appwrite/Platform/Modules/Storage/Http/**` of the server 1.9): buckets
 * (API key only), files with single and chunked uploads, get, list (queries and search), update,
 * delete, download, view and preview (original bytes of an image without transformations only).
 *
 * @internal
 */
export function registerStorageRoutes(target: Router, state: StorageState): void {
  const keyOnly = (ctx: RouteContext, scope: 'buckets.read' | 'buckets.write') =>
    requireScopes(ctx.caller, [scope])
  const router = {
    add: (...[method, pattern, handler, declaration]: Parameters<Router['add']>) =>
      target.add(
        method,
        pattern,
        (ctx) => {
          checkPath(ctx)
          return handler(ctx)
        },
        declaration,
      ),
  }
  const bucketPath = '/v1/storage/buckets/:bucketId'
  const filePath = `${bucketPath}/files/:fileId`

  router.add(
    'POST',
    '/v1/storage/buckets',
    (ctx) => ({ status: 201, body: state.bucketModel(state.createBucket(ctx.params)) }),
    { params: ['bucketId', ...BUCKET_PARAMS], guard: (ctx) => keyOnly(ctx, 'buckets.write') },
  )
  router.add(
    'GET',
    '/v1/storage/buckets',
    (ctx) => {
      const { total, page } = runStorageList<StoredBucket>(
        [...state.buckets.values()],
        ctx.params.queries,
        ctx.params.search,
        {
          attributes: BUCKET_ATTRIBUTES,
          view: (bucket) => ({ ...bucket, $sequence: state.bucketSequences.get(bucket.$id) }),
          searchText: (bucket) => `${bucket.$id} ${bucket.name}`,
          cursorNotFound: (id) =>
            httpError(
              'general_cursor_not_found',
              `Bucket '${id}' for the 'cursor' value not found.`,
            ),
        },
      )
      return {
        body: {
          total: looseBoolean(ctx.params.total) === false ? 0 : total,
          buckets: page.map((bucket) => state.bucketModel(bucket)),
        },
      }
    },
    { params: ['queries', 'search', 'total'], guard: (ctx) => keyOnly(ctx, 'buckets.read') },
  )
  router.add(
    'GET',
    bucketPath,
    (ctx) => ({ body: state.bucketModel(state.bucket(ctx.path.bucketId!)) }),
    { params: [], guard: (ctx) => keyOnly(ctx, 'buckets.read') },
  )
  router.add(
    'PUT',
    bucketPath,
    (ctx) => ({ body: state.bucketModel(state.updateBucket(ctx.path.bucketId!, ctx.params)) }),
    { params: BUCKET_PARAMS, guard: (ctx) => keyOnly(ctx, 'buckets.write') },
  )
  router.add(
    'DELETE',
    bucketPath,
    (ctx) => {
      state.deleteBucket(ctx.path.bucketId!)
      return { status: 204 }
    },
    { params: [], guard: (ctx) => keyOnly(ctx, 'buckets.write') },
  )

  router.add(
    'POST',
    `${bucketPath}/files`,
    (ctx) => {
      const part = ctx.files?.get('file') ?? ctx.files?.get('0')
      const { entry, status } = state.createFile(
        ctx.path.bucketId!,
        ctx.params,
        part,
        contentRange(ctx),
        header(ctx, 'x-appwrite-id'),
        actorOf(ctx),
      )
      return { status, body: { ...entry.file } }
    },
    { params: ['fileId', 'file', 'permissions', 'folder'] },
  )
  router.add(
    'GET',
    `${bucketPath}/files`,
    (ctx) => {
      const { entries, visible } = state.readAccess(ctx.path.bucketId!, actorOf(ctx))
      const readable = [...entries.values()].filter(visible)
      const { total, page } = runStorageList<FileEntry>(
        readable,
        ctx.params.queries,
        ctx.params.search,
        {
          attributes: FILE_ATTRIBUTES,
          view: (entry) => ({ ...entry.file, $sequence: entry.sequence }),
          searchText: (entry) => `${entry.file.$id} ${entry.file.name}`,
          cursorNotFound: (id) =>
            httpError('general_cursor_not_found', `File '${id}' for the 'cursor' value not found.`),
        },
      )
      return {
        body: {
          total: looseBoolean(ctx.params.total) === false ? 0 : total,
          files: page.map((entry) => ({ ...entry.file })),
        },
      }
    },
    { params: ['queries', 'search', 'total'] },
  )
  router.add(
    'GET',
    filePath,
    (ctx) => ({
      body: { ...state.readableFile(ctx.path.bucketId!, ctx.path.fileId!, actorOf(ctx)).file },
    }),
    { params: [] },
  )
  router.add(
    'PUT',
    filePath,
    (ctx) => ({
      body: { ...state.updateFile(ctx.path.bucketId!, ctx.path.fileId!, ctx.params, actorOf(ctx)) },
    }),
    { params: ['name', 'permissions'] },
  )
  router.add(
    'DELETE',
    filePath,
    (ctx) => {
      state.deleteFile(ctx.path.bucketId!, ctx.path.fileId!, actorOf(ctx))
      return { status: 204 }
    },
    { params: [] },
  )
  // The file's bytes (a `Range` honoured) with each route's headers.
  const byteRoutes: Record<'download' | 'view', (file: StoredFile) => Record<string, string>> = {
    download: (file) => ({
      'Content-Type': file.mimeType,
      'Content-Disposition': disposition('attachment', file),
      'Cache-Control': 'private, max-age=3888000',
    }),
    view: (file) => ({
      'Content-Type': VIEW_MIME_TYPES.has(file.mimeType) ? file.mimeType : 'text/plain',
      'Content-Disposition': disposition('inline', file),
      // Written as the server writes it (unquoted `none`).
      'Content-Security-Policy': 'script-src none;',
      'Cache-Control': 'private, max-age=3888000',
    }),
  }
  for (const route of ['download', 'view'] as const) {
    router.add(
      'GET',
      `${filePath}/${route}`,
      (ctx) => {
        const entry = state.readableFile(ctx.path.bucketId!, ctx.path.fileId!, actorOf(ctx))
        return sendBytes(ctx, entry, route, byteRoutes[route](entry.file))
      },
      { params: LOCATION_PARAMS },
    )
  }
  router.add(
    'GET',
    `${filePath}/preview`,
    (ctx) => {
      const output = ctx.params.output === undefined ? '' : String(ctx.params.output)
      if (output !== '' && !Object.hasOwn(PREVIEW_OUTPUTS, output))
        throw httpError(
          'general_argument_invalid',
          `Invalid \`output\` param: Value must be one of (${Object.keys(PREVIEW_OUTPUTS).join(', ')})`,
        )
      const entry = state.previewableFile(ctx.path.bucketId!, ctx.path.fileId!, actorOf(ctx))
      const transformations = Object.keys(PREVIEW_DEFAULTS).filter(
        (name) =>
          name !== 'output' &&
          ctx.params[name] !== undefined &&
          String(ctx.params[name]) !== PREVIEW_DEFAULTS[name],
      )
      if (transformations.length > 0)
        throw httpError(
          'general_not_implemented',
          `The emulator has no image library: getFilePreview answers only the original bytes of an image (no ${transformations.join(', ')}). Call it without transformation parameters, or use getFileView.`,
        )
      if (!PREVIEW_IMAGE_TYPES.has(entry.file.mimeType))
        throw httpError(
          'general_not_implemented',
          `The emulator has no image library: getFilePreview of a ${entry.file.mimeType || 'non-image'} file (the server answers a file-type icon) is not served. Use getFileView or getFileDownload.`,
        )
      if (entry.file.sizeActual > READ_BUFFER)
        throw httpError(
          'general_not_implemented',
          `The emulator has no image library: getFilePreview of an image over ${READ_BUFFER.toLocaleString('en-US')} bytes (the server answers an image icon) is not served. Use getFileView or getFileDownload.`,
        )
      const encoded = previewOutput(entry, output)
      if (PREVIEW_OUTPUTS[encoded] !== entry.file.mimeType) {
        const reason =
          output !== ''
            ? 'the output asked for'
            : Object.hasOwn(PREVIEW_OUTPUTS, entry.extension)
              ? `the extension .${entry.extension} of the name it was uploaded with`
              : `the fallback for the extension .${entry.extension} of the name it was uploaded with, which is no output format`
        const own = Object.keys(PREVIEW_OUTPUTS).find(
          (name) => PREVIEW_OUTPUTS[name] === entry.file.mimeType,
        )
        throw httpError(
          'general_not_implemented',
          `The emulator has no image library: the server re-encodes this ${entry.file.mimeType} file as ${encoded} for getFilePreview (${reason}), which the emulator cannot do. Ask for output ${own ?? ''} or use getFileView.`,
        )
      }
      return {
        bytes: bytesOf(entry),
        headers: {
          'Content-Type': entry.file.mimeType,
          'Cache-Control': 'private, max-age=2592000',
        },
      }
    },
    { params: [...LOCATION_PARAMS, ...Object.keys(PREVIEW_DEFAULTS)] },
  )
}

/**
 * The `events` of a file event (`buckets.[bucketId].files.[fileId].<action>`), as the server's
 * `Event::generateEvents` lists them: every wildcard combination of the two ids, with and without
 * the action, then the bucket alone.
 *
 * @internal
 */
export function fileEventNames(bucketId: string, fileId: string, action: string): string[] {
  return nestedEventNames('buckets', bucketId, 'files', fileId, action)
}

/**
 * Publishes the file events of `state` on the fake's realtime hub, on the channels the server's
 * `Realtime::fromPayload` gives them (`files`, `buckets.{bucketId}.files`,
 * `buckets.{bucketId}.files.{fileId}`, then each with `.{action}`), to the bucket's readers (plus
 * the file's own with file security). An unfinished chunked upload publishes nothing until its
 * last chunk.
 *
 * @internal
 */
export function publishStorageEvents(
  state: StorageState,
  hub: Pick<RealtimeHub, 'publishResource'>,
): void {
  state.onChange((change) => {
    if (change.kind !== 'file') return
    const { bucketId, fileId, action, file } = change
    const base = ['files', `buckets.${bucketId}.files`, `buckets.${bucketId}.files.${fileId}`]
    hub.publishResource({
      // Each channel again with the action: its last or second-to-last segment is `files`.
      channels: [...base, ...base.map((channel) => `${channel}.${action}`)],
      events: fileEventNames(bucketId, fileId, action),
      payload: { ...file },
      readers: state.eventReaders(bucketId, file),
    })
  })
}
