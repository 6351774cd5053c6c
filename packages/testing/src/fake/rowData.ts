// What every data call shares: the API flavour (TablesDB or the legacy Databases names), the
// parameters in object form, and the user data a write stores. A leaf: engine.ts and
// transactions.ts both build on it without importing each other.
import type { AppwriteErrorType } from './errors'
import { copyJson } from './json'
import { sharedString } from './rowShape'
import type { FakeApi } from './types'

type Model = Record<string, unknown>

/** The names and error types of one API: TablesDB (`TABLES_FLAVOR`) or Databases (`COLLECTIONS_FLAVOR`). @internal */
export interface Flavor {
  readonly api: FakeApi
  /** `tablesDB` or `databases`, as the server names itself in increment errors. */
  readonly namespace: string
  readonly containerKey: '$tableId' | '$collectionId'
  readonly containerParam: 'tableId' | 'collectionId'
  readonly idParam: 'rowId' | 'documentId'
  readonly bulkParam: 'rows' | 'documents'
  readonly columnParam: 'column' | 'attribute'
  readonly label: 'Row' | 'Document'
  /** `column` / `attribute`, for the cursor null-order message. */
  readonly structureWord: 'column' | 'attribute'
  readonly notFound: AppwriteErrorType
  readonly alreadyExists: AppwriteErrorType
  readonly parentNotFound: AppwriteErrorType
  readonly invalidStructure: AppwriteErrorType
  readonly missingData: AppwriteErrorType
  readonly missingPayload: AppwriteErrorType
  readonly structureNotFound: AppwriteErrorType
  readonly limitExceeded: AppwriteErrorType
}

/** @internal */
export const TABLES_FLAVOR: Flavor = {
  api: 'tablesDB',
  namespace: 'tablesDB',
  containerKey: '$tableId',
  containerParam: 'tableId',
  idParam: 'rowId',
  bulkParam: 'rows',
  columnParam: 'column',
  label: 'Row',
  structureWord: 'column',
  notFound: 'row_not_found',
  alreadyExists: 'row_already_exists',
  parentNotFound: 'table_not_found',
  invalidStructure: 'row_invalid_structure',
  missingData: 'row_missing_data',
  missingPayload: 'row_missing_payload',
  structureNotFound: 'column_not_found',
  limitExceeded: 'column_limit_exceeded',
}

/** @internal */
export const COLLECTIONS_FLAVOR: Flavor = {
  api: 'databases',
  namespace: 'databases',
  containerKey: '$collectionId',
  containerParam: 'collectionId',
  idParam: 'documentId',
  bulkParam: 'documents',
  columnParam: 'attribute',
  label: 'Document',
  structureWord: 'attribute',
  notFound: 'document_not_found',
  alreadyExists: 'document_already_exists',
  parentNotFound: 'collection_not_found',
  invalidStructure: 'document_invalid_structure',
  missingData: 'document_missing_data',
  missingPayload: 'document_missing_payload',
  structureNotFound: 'attribute_not_found',
  limitExceeded: 'attribute_limit_exceeded',
}

/** Parameters of any data call, in object form with the flavour's names mapped to these. @internal */
export interface CallParams {
  readonly databaseId?: unknown
  readonly tableId?: unknown
  readonly rowId?: unknown
  readonly data?: unknown
  readonly permissions?: unknown
  readonly transactionId?: unknown
  readonly queries?: unknown
  readonly total?: unknown
  readonly ttl?: unknown
  readonly column?: unknown
  readonly value?: unknown
  readonly limit?: unknown
  readonly rows?: unknown
  readonly commit?: unknown
  readonly rollback?: unknown
  readonly operations?: unknown
}

/**
 * Whether a `$` key of user data is one the server removes (`removeReadonlyAttributes`) or keeps
 * outside the data: `$sequence`, `$databaseId` and the container id always go; `$createdAt` /
 * `$updatedAt` go too, and an API-key write takes them as the row's dates (`presetDates` in
 * engine.ts). `$id` and `$permissions` are replaced by the call's own values.
 */
function isServerField(flavor: Flavor, key: string): boolean {
  return (
    key === '$id' ||
    key === '$permissions' ||
    key === '$sequence' ||
    key === '$databaseId' ||
    key === flavor.containerKey ||
    key === '$createdAt' ||
    key === '$updatedAt'
  )
}

/**
 * Whether an object has an own enumerable key, without listing them.
 *
 * @internal
 */
export function hasOwnKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true
  return false
}

/**
 * Copies user data with JSON semantics and drops the fields the server strips or overrides: the
 * data a write stores. `keys`: `Object.keys(data)`, when the caller just listed them.
 *
 * @example
 * ```ts
 * userData(TABLES_FLAVOR, { $id: 'b1', $permissions: [], at: new Date(0), n: NaN })
 * // { at: '1970-01-01T00:00:00.000Z', n: null }
 * ```
 *
 * @internal
 */
export function userData(
  flavor: Flavor,
  data: Model | null | undefined,
  keys?: readonly string[],
): Model {
  if (!data) return {}
  // Key by key into a fresh object, not a spread: V8 (Node 20) gives a spread copy a hidden
  // class of its own once a key is added to it (a default), which makes every later read of
  // the stored row slow; copies made key by key in the same order share one.
  const out: Model = {}
  for (const key of keys ?? Object.keys(data)) {
    const raw = data[key]
    let value: unknown
    if (typeof raw === 'string') value = sharedString(raw)
    else if (raw === null || typeof raw === 'boolean') value = raw
    else if (typeof raw === 'number') value = Number.isFinite(raw) ? raw : null
    else value = copyJson(raw)
    if (value === undefined) continue
    if (key.charCodeAt(0) === 36 /* $ */ && isServerField(flavor, key)) continue
    out[key] = value
  }
  return out
}
