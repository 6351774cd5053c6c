// The JSON text of a list answer (`listRows` / `listDocuments`), written from the stored rows the
// fake lists instead of from their models. It must be byte for byte what `toJson` writes for the
// answer the fake's own `listRows` gives (`{ total, rows: models }`), which
// `__tests__/listAnswer.test.ts` checks on generated tables, rows, queries and callers.
//
// Why: a list's answer costs the emulator most in `JSON.stringify` of its row models, and the
// models themselves, built again on every list of the same rows. A stored row is never mutated
// (a write replaces it) and a schema is never mutated (a change replaces it), so the text of a
// row's model is kept per stored row object, for the schema object, place and container key it
// was written for, and reused while all four are the same. The text is what `toJson` writes for
// the model (`JSON.stringify`, bigints as numbers); JSON without indentation is compositional, so
// the answer is the rows' texts joined inside `{"total":N,"rows":[…]}`.
import type { StoredListing } from '../fake/engine'
import { toModel } from '../fake/rowModels'
import type { ContainerKey, RowPlace } from '../fake/rowModels'
import type { TableSchema } from '../fake/schema'
import type { StoredRow } from '../fake/store'
import { toJson } from './http'

/** A row's model text, with what it was written for. */
interface KeptText {
  readonly schema: TableSchema | undefined
  readonly databaseId: string
  readonly tableId: string
  readonly containerKey: ContainerKey
  readonly text: string
}

// Weak: the text lives as long as the stored row it was written from, and goes when the row is
// replaced or deleted.
const kept = new WeakMap<StoredRow, KeptText>()

/**
 * The JSON text of `row`'s model, as `toJson(toModel(containerKey, place, row, schema))` writes
 * it, kept per stored row.
 *
 * @internal
 */
export function rowModelJson(
  containerKey: ContainerKey,
  place: RowPlace,
  row: StoredRow,
  schema: TableSchema | undefined,
): string {
  const found = kept.get(row)
  if (
    found !== undefined &&
    found.schema === schema &&
    found.containerKey === containerKey &&
    found.tableId === place.tableId &&
    found.databaseId === place.databaseId
  )
    return found.text
  const text = toJson(toModel(containerKey, place, row, schema))
  kept.set(row, {
    schema,
    databaseId: place.databaseId,
    tableId: place.tableId,
    containerKey,
    text,
  })
  return text
}

/**
 * The JSON text of a list answer, `{"total":N,"rows":[…]}` (`"documents"` for the Databases
 * flavour): what `toJson` writes for `{ total, rows: models }`. A listing with `select` queries
 * writes each model afresh (their texts are not kept: a select is rarer and its models smaller).
 *
 * @internal
 */
export function listAnswerJson(
  containerKey: ContainerKey,
  group: 'rows' | 'documents',
  listing: StoredListing,
): string {
  const { rows, place, schema, selects } = listing
  let items = ''
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const text =
      selects === undefined
        ? rowModelJson(containerKey, place, row, schema)
        : toJson(toModel(containerKey, place, row, schema, selects))
    items = i === 0 ? text : `${items},${text}`
  }
  return `{"total":${listing.total},"${group}":[${items}]}`
}
