// Shared set-up of the benchmarks (not a benchmark itself: run-all.ts runs `*.bench.ts` only).
// Types only, so a benchmark that runs the built packages (BENCH_TARGET=dist) can use it too.
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
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

/** The middle of `values` (the higher of the two middle ones for an even count). */
export const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Throughput and latency of one measured case. */
export interface CallRate {
  /** Calls completed in the measured time. */
  calls: number
  /** Calls per second of wall time. */
  perSecond: number
  /** Calls per second of this process's CPU time (user + system). */
  perCpuSecond: number
  /** Median per-call latency, ms. */
  p50: number
  /** 95th-percentile per-call latency, ms. */
  p95: number
}

/**
 * Calls `fn` for `caseMs` ms of wall time, after `warmupMs` ms of warm-up (and a GC when run with
 * `--expose-gc`), from `concurrency` callers at once (1 by default): calls/s of wall time and of
 * this process's CPU time (which stays meaningful on a machine shared with other jobs), and latency.
 */
export async function measureCalls(
  fn: () => Promise<unknown>,
  options: { caseMs: number; warmupMs: number; concurrency?: number },
): Promise<CallRate> {
  const warmupEnd = performance.now() + options.warmupMs
  while (performance.now() < warmupEnd) await fn()
  ;(globalThis as { gc?: () => void }).gc?.()
  const samples: number[] = []
  const cpu = process.cpuUsage()
  const start = performance.now()
  const end = start + options.caseMs
  await Promise.all(
    Array.from({ length: options.concurrency ?? 1 }, async () => {
      while (performance.now() < end) {
        const t = performance.now()
        await fn()
        samples.push(performance.now() - t)
      }
    }),
  )
  const elapsed = performance.now() - start
  const used = process.cpuUsage(cpu)
  samples.sort((a, b) => a - b)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return {
    calls: samples.length,
    perSecond: samples.length / (elapsed / 1000),
    perCpuSecond: samples.length / ((used.user + used.system) / 1e6),
    p50: at(0.5),
    p95: at(0.95),
  }
}

/** A free loopback port: listened on and released, so a child process can take it. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}
