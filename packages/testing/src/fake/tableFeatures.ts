import { fakeInternals } from './createFakeAppwrite'
import type { FakeAppwrite, FakeInternals } from './createFakeAppwrite'
import { assertInlineColumns, inlineColumnDefinition } from './admin/inlineColumns'
import { assertInlineIndexes } from './admin/inlineIndexes'
import { setInlineSchema } from './admin/inlineSchema'

/**
 * Installs the inline-definition support on the fake behind `internals` (the emulator does so
 * when it starts). Installing twice does nothing more.
 *
 * @internal
 */
export function tableFeatures(internals: FakeInternals): void {
  setInlineSchema(internals.schema, {
    assertColumns: assertInlineColumns,
    assertIndexes: assertInlineIndexes,
    column: inlineColumnDefinition,
  })
}

/**
 * Adds to a fake what its root entry leaves out of the TablesDB and Databases admin, so that a
 * browser bundle of the fake stays small: `createTable({ columns, indexes })` and
 * `createCollection({ attributes, indexes })` with their definitions inline, checked as the
 * server checks them (400 `general_argument_invalid` with the server's message for each malformed
 * definition, 405 for a `bigint` or spatial type the fake does not serve) and built `available` at
 * once. Without it, a `createTable` with inline columns or indexes rejects with an error that
 * names this function; a table created empty, then given its columns and indexes by their own
 * calls, needs nothing. The emulator installs it on its fake itself.
 *
 * @example
 * ```ts
 * import { createFakeAppwrite } from '@booking-guard/testing'
 * import { installTableFeatures } from '@booking-guard/testing/tables'
 *
 * const fake = createFakeAppwrite()
 * installTableFeatures(fake)
 * await fake.admin.create({ databaseId: 'main', name: 'Main' })
 * await fake.admin.createTable({
 *   databaseId: 'main',
 *   tableId: 'bookings',
 *   name: 'Bookings',
 *   columns: [{ key: 'status', type: 'varchar', size: 16, required: true }],
 *   indexes: [{ key: 'by_status', type: 'key', attributes: ['status'] }],
 * })
 * ```
 */
export function installTableFeatures(fake: FakeAppwrite): void {
  tableFeatures(fakeInternals(fake))
}
