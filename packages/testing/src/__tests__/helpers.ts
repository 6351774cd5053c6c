// Helpers the fake's and the emulator's tests share.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect } from 'vitest'
import type WebSocket from 'ws'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwrite, FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import type { AppwriteException } from '../fake/errors'
import type { DatabaseDefinition, TableDefinition } from '../fake/types'

/**
 * The error `promise` rejects with, checked to be an `Error`; fails the test when the promise
 * resolves instead. `E` is the shape the test reads: the fake's `AppwriteException` by default.
 * (`T` lets the call's own type parameters be inferred from its arguments.)
 */
export async function rejection<E = AppwriteException, T = unknown>(
  promise: Promise<T>,
): Promise<E> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to reject')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return error as E
}

/** Work to undo after a test (emulators to close, folders to remove). */
export type Cleanups = Array<() => Promise<unknown>>

/**
 * The calling file's {@link Cleanups}, run after each of its tests, the last registered first.
 * Call once, at the top level of a test file.
 */
export function cleanupAfterEach(): Cleanups {
  const cleanups: Cleanups = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  return cleanups
}

/** A new folder in the system's temporary folder, its name starting `prefix`, removed by `cleanups`. */
export async function tempDir(cleanups: Cleanups, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/**
 * What the server answers for a missing `kind` with id `id` (code, type and message, as appwrite
 * 1.9.6 words them), to match an error against.
 */
/**
 * A fake (manual clock at its default start, 2026-01-01, id seed 1, then `options`) with database
 * `main` and the table `table` created through its admin, as the admin-driven tests start.
 */
export async function fakeWithTable(
  table: { tableId: string; name: string; permissions?: string[]; rowSecurity?: boolean },
  options: FakeAppwriteOptions = {},
) {
  const clock = createManualClock()
  const fake = createFakeAppwrite({ clock, seed: 1, ...options })
  await fake.admin.create({ databaseId: 'main', name: 'Main' })
  await fake.admin.createTable({ databaseId: 'main', ...table })
  return { fake, admin: fake.admin, tablesDB: fake.tablesDB, clock }
}

/**
 * Creates row `rowId` of `main.bookings` with `data` and `permissions` through the fake's own
 * (API key) client, as the permission tests set up the row a user then reads or writes.
 */
export const bookingRow = (
  fake: FakeAppwrite,
  rowId: string,
  data: Record<string, unknown>,
  permissions: string[],
) => fake.tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId, data, permissions })

/** The `databases` option of a fake that declares one database, `main`, with `tables`. */
export function mainDatabase(
  tables: Record<string, TableDefinition>,
): Record<string, DatabaseDefinition> {
  return { main: { tables } }
}

/**
 * The fields of an Appwrite error as a test matches them (`toMatchObject`): its HTTP `code`, its
 * `type`, and, when given, its exact `message`.
 */
export function appwriteError(
  code: number,
  type: string,
  message?: string,
): { code: number; type: string; message?: string } {
  return message === undefined ? { code, type } : { code, type, message }
}

export function notFound(
  kind: 'database' | 'table' | 'row' | 'collection' | 'document' | 'transaction',
  id: string,
) {
  const noun = `${kind[0]!.toUpperCase()}${kind.slice(1)}`
  return {
    code: 404,
    type: `${kind}_not_found`,
    message: `${noun} with the requested ID '${id}' could not be found.`,
  }
}

/** Lets queued microtasks (realtime delivery, lifecycle callbacks) run: ten turns of the queue. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

/**
 * Sets globals the web SDK reads in Node (`WebSocket`, `window`, `localStorage`), and returns a
 * function that puts back what was there before (or removes what was not).
 */
export function setGlobals(values: Record<string, unknown>): () => void {
  const saved = Object.keys(values).map(
    (name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const,
  )
  Object.assign(globalThis, values)
  return () => {
    for (const [name, descriptor] of saved) {
      if (descriptor === undefined) delete (globalThis as Record<string, unknown>)[name]
      else Object.defineProperty(globalThis, name, descriptor)
    }
  }
}

/** A `localStorage` kept in memory, for the web SDK's cookie fallback. */
export function memoryStorage(items = new Map<string, string>()) {
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  }
}

/** Collects values and waits for them, failing after a bounded time (3 s unless told). */
export function collector<T>() {
  const items: T[] = []
  let wake: (() => void) | undefined
  return {
    items,
    push(item: T) {
      items.push(item)
      wake?.()
    },
    async atLeast(count: number, timeoutMs = 3_000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs
      while (items.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} item(s) within ${timeoutMs} ms, got ${items.length}`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 20)
        })
      }
      return items
    },
  }
}

/** Waits until `condition` holds, failing after a bounded time (3 s unless told). */
export async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Opens `ws` with a queue of the JSON frames it receives: `next()` takes the oldest, or waits for
 * the next to arrive. Rejects when the socket fails to open.
 */
export async function openFrameQueue<Frame>(ws: WebSocket): Promise<() => Promise<Frame>> {
  const frames: Frame[] = []
  const waiting: Array<(frame: Frame) => void> = []
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as Frame
    const waiter = waiting.shift()
    if (waiter) waiter(frame)
    else frames.push(frame)
  })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return () =>
    new Promise<Frame>((resolve) => {
      const frame = frames.shift()
      if (frame) resolve(frame)
      else waiting.push(resolve)
    })
}
