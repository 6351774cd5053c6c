// Shared set-up of the benchmarks (not a benchmark itself: run-all.ts runs `*.bench.ts` only).
// Types only, so a benchmark that runs the built packages (BENCH_TARGET=dist) can use it too.
import type { SchemaLock } from '@booking-guard/core'
import type { ColumnDefinition, TableDefinition } from '@booking-guard/testing'

/** The lock's tables as the fake's declared tables, so every write is validated like the server. */
export function declaredTables(schema: SchemaLock): Record<string, TableDefinition> {
  const tables: Record<string, TableDefinition> = {}
  for (const spec of Object.values(schema.tables)) {
    tables[spec.tableId] = {
      columns: spec.columns.map((c) => {
        const column: ColumnDefinition = {
          key: c.key,
          type: c.type === 'float' ? 'double' : c.type,
          required: c.required,
        }
        if (c.type === 'string') column.size = c.size
        if (c.type === 'enum') column.elements = [...c.elements]
        if ((c.type === 'integer' || c.type === 'float') && c.min !== null) column.min = c.min
        if ((c.type === 'integer' || c.type === 'float') && c.max !== null) column.max = c.max
        if (c.default !== null) column.default = c.default
        return column
      }),
      indexes: spec.indexes.map((i) => ({ key: i.key, type: i.type, columns: [...i.columns] })),
    }
  }
  return tables
}

/**
 * A source of valid booking inputs: an immediate 60-minute booking, its provider cycling
 * through 100 ids so no provider's list grows without bound.
 */
export function bookingInputs() {
  let n = 0
  return () => ({
    customerId: 'customer-1',
    customerName: 'Ana',
    providerId: `provider-${n++ % 100}`,
    providerType: 'therapist' as const,
    providerName: 'Budi',
    bookingType: 'immediate' as const,
    durationMinutes: 60,
    price: 350_000,
    currency: 'IDR',
  })
}
