import type { SchemaRegistry } from '../fake/schema'
import type { Caller } from './auth'
import { identityOf } from './fakeBridge'
import type { RouteResult } from './http'

/** The most seconds a list answer may be cached (`ttl` is a `Range(0, 86400)` on the server). */
const MAX_TTL = 86_400

/** A list answer of the fake: the total and the rows or documents under `group`. */
type ListAnswer = Readonly<Record<string, unknown>> & { readonly total: number }

interface Entry {
  /** Whole seconds on the fake's clock when the entry was written (PHP's `time()`). */
  readonly savedAt: number
  readonly value: unknown
}

/**
 * The server's list cache (`ttl` on `listRows` / `listDocuments`, github:appwrite/appwrite 1.9.x
 * `Databases/Http/Databases/Action.php` and `…/Documents/XList.php`): an answer is kept per table,
 * keyed by the table's schema (columns and indexes), the caller's roles and the exact queries, and
 * served again while `savedAt + ttl` is later than now (whole seconds, as `utopia-php/cache` checks
 * it). Row writes do not invalidate it, so a cached list can be stale; a schema change makes new
 * keys; `updateTable` with `purge: true` empties a table's cache. The rows and the total are kept
 * apart, as on the server, so a `total=false` call can be served by a cached list.
 *
 * @internal
 */
export class ListCache {
  readonly #now: () => number
  readonly #schema: SchemaRegistry
  /** Per table (`<service>:<databaseId>:<tableId>`), the entries by field. */
  readonly #tables = new Map<string, Map<string, Entry>>()

  /** `now` is the fake's clock, in milliseconds; `schema` its tables (the key of a cached answer). */
  constructor(now: () => number, schema: SchemaRegistry) {
    this.#now = now
    this.#schema = schema
  }

  /**
   * Answers a list route: through the cache when `params.ttl` is a whole number of seconds from 1
   * to 86,400 and no `transactionId` is given (with `X-Appwrite-Cache: hit` or `miss`), else
   * straight from `list`, which also refuses a bad `ttl` as the server does. `group` names the
   * answer's records (`rows` or `documents`).
   */
  async serve(
    service: string,
    group: string,
    caller: Caller,
    params: Readonly<Record<string, unknown>>,
    list: () => Promise<unknown>,
  ): Promise<RouteResult> {
    const { ttl, transactionId, queries } = params
    // Most lists carry no ttl: they go straight to the fake, without a table lookup.
    if (
      typeof ttl !== 'number' ||
      !Number.isInteger(ttl) ||
      ttl <= 0 ||
      ttl > MAX_TTL ||
      (transactionId !== undefined && transactionId !== null)
    )
      return { status: 200, body: await list() }
    const databaseId = String(params.databaseId)
    const tableId = String(params.tableId ?? params.collectionId)
    const table = this.#schema.table(databaseId, tableId)
    if (table === undefined) return { status: 200, body: await list() }
    // The server hashes the collection's attribute and index documents: any schema change,
    // a column's status included, makes new fields.
    const schema = JSON.stringify(
      [[...(table.columns?.values() ?? [])], table.indexes],
      // Integer bounds are kept as bigints.
      (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    )
    const key = ListCache.key(service, databaseId, tableId)
    const rowsField = ListCache.field(schema, caller, queries, 'rows')
    const totalField = ListCache.field(schema, caller, queries, 'total')
    const withTotal = params.total !== false
    let records = this.load(key, rowsField, ttl)
    const hit = records !== undefined
    let fresh: ListAnswer | undefined
    if (!hit) {
      fresh = (await list()) as ListAnswer
      records = fresh[group]
      this.save(key, rowsField, records)
    }
    let total = 0
    if (withTotal) {
      const kept = this.load(key, totalField, ttl)
      if (typeof kept === 'number') total = kept
      else {
        fresh ??= (await list()) as ListAnswer
        total = fresh.total
        this.save(key, totalField, total)
      }
    }
    return {
      status: 200,
      body: { total, [group]: records },
      headers: { 'X-Appwrite-Cache': hit ? 'hit' : 'miss' },
    }
  }

  /** Empties the cache (`fake.reset()`). */
  clear(): void {
    this.#tables.clear()
  }

  /** The table's key for `service` (`tablesDB` and `databases` answer different shapes). */
  static key(service: string, databaseId: string, tableId: string): string {
    return `${service}:${databaseId}:${tableId}`
  }

  /**
   * The field of one cached value: the schema, the caller's roles (the API key, a guest, or a user
   * with its teams and labels) and the queries, then `rows` or `total`.
   */
  static field(schema: string, caller: Caller, queries: unknown, part: 'rows' | 'total'): string {
    return JSON.stringify([schema, identityOf(caller) ?? 'key', queries ?? [], part])
  }

  /** A copy of the value kept under `key` / `field`, or `undefined` when none is fresh within `ttl` seconds. */
  load(key: string, field: string, ttl: number): unknown {
    const entry = this.#tables.get(key)?.get(field)
    if (entry === undefined || entry.savedAt + ttl <= this.#seconds()) return undefined
    return structuredClone(entry.value)
  }

  /** Keeps a copy of `value` under `key` / `field`, stamped now. */
  save(key: string, field: string, value: unknown): void {
    let table = this.#tables.get(key)
    if (table === undefined) this.#tables.set(key, (table = new Map()))
    table.set(field, { savedAt: this.#seconds(), value: structuredClone(value) })
  }

  /** Drops every cached answer of a table, from both APIs. */
  purge(databaseId: string, tableId: string): void {
    for (const service of ['tablesDB', 'databases'])
      this.#tables.delete(ListCache.key(service, databaseId, tableId))
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000)
  }
}
