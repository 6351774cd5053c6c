// The hook between the admin's `createTable({ columns, indexes })` and the module that checks and
// resolves inline definitions as the server does (`inlineColumns.ts`, `inlineIndexes.ts`). That
// module carries the server's wording for every malformed definition, which a browser bundle of
// the fake need not carry: `installTableFeatures(fake)` (`@booking-guard/testing/tables`) plugs it
// in, and the emulator does so itself.
import type { ColumnDefinition } from '../types'
import type { SchemaRegistry } from '../schema'
import type { Params } from './params'

/** What `createTable` needs for inline definitions. @internal */
export interface InlineSchema {
  /** Throws the server's 400 (or 405 for a type the fake does not serve) for any bad column. */
  assertColumns(definitions: readonly Params[]): void
  /** Throws the server's 400 for any bad index. */
  assertIndexes(definitions: readonly Params[]): void
  /** A checked column definition as the column the server stores. */
  column(definition: Params): ColumnDefinition & { encrypt: boolean }
}

const installed = new WeakMap<SchemaRegistry, InlineSchema>()

/** Plugs `inline` into the admin working on `schema`. @internal */
export function setInlineSchema(schema: SchemaRegistry, inline: InlineSchema): void {
  installed.set(schema, inline)
}

/**
 * The inline-definition support of the admin working on `schema`, or an error saying that
 * `createTable` with `columns` or `indexes` needs it and how to add it.
 *
 * @internal
 */
export function inlineSchemaOf(schema: SchemaRegistry): InlineSchema {
  const inline = installed.get(schema)
  if (inline === undefined)
    throw new Error(
      "createTable / createCollection with inline `columns` / `attributes` or `indexes` needs the fake's table features: call installTableFeatures(fake) from '@booking-guard/testing/tables' once after createFakeAppwrite() (the emulator installs them itself), or create the table first and its columns and indexes with their own calls",
    )
  return inline
}
