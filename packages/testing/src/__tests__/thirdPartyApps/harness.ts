// What the third-party app replays share: the emulator with a request log, a page server that
// hands Chromium a given `appwrite` web SDK build, and Chromium itself (skipped, with a message,
// when it is missing; an error in CI).
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startAppwriteEmulator } from '../../emulator'
import type { AppwriteEmulator, EmulatorLogEntry } from '../../emulator'
import { createFakeAppwrite } from '../../index'
import type { FakeAppwrite } from '../../index'
import { serveSdkPage } from '../sdkPage'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && process.env.CI !== undefined)
  throw new Error(
    `third-party app replays: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )
if (!haveChromium)
  console.warn(
    `third-party app replays skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )

/** One HTTP call the page made, as the emulator answered it. */
export interface RecordedCall {
  method: string
  /** The path without the query string, `/v1` removed. */
  path: string
  status: number
  error?: string
}

export interface Harness {
  emulator: AppwriteEmulator
  /** Every log entry, in order. */
  log: EmulatorLogEntry[]
  /** The HTTP calls made since the last `takeCalls()` (CORS preflights left out), and clears them. */
  takeCalls(): RecordedCall[]
  /** A fresh browser profile (its own cookies and localStorage) on the page with the SDK loaded. */
  newUser(): Promise<Page>
  close(): Promise<void>
}

/**
 * Starts a harness (as {@link startHarness} does, over the fake `fake()` makes) before the tests
 * of the enclosing suite, and closes it after them. Returns a function that gives the running
 * harness.
 */
export function suiteHarness(sdkPackage: string, fake: () => FakeAppwrite): () => Harness {
  let harness: Harness | undefined
  beforeAll(async () => {
    harness = await startHarness(sdkPackage, fake())
  }, 60_000)
  afterAll(async () => {
    await harness?.close()
  })
  return () => {
    if (harness === undefined)
      throw new Error('the harness is not running: read it inside a test of the suite that made it')
    return harness
  }
}

/**
 * Starts the emulator over `fake`, a page server serving `sdkPackage`'s browser build (the
 * global `Appwrite`), and Chromium.
 */
export async function startHarness(sdkPackage: string, fake: FakeAppwrite): Promise<Harness> {
  const log: EmulatorLogEntry[] = []
  let taken = 0
  const emulator = await startAppwriteEmulator({ fake, log: (entry) => log.push(entry) })
  const { server: pages, url: pageUrl } = await serveSdkPage(emulator, sdkPackage)
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
  const contexts: BrowserContext[] = []
  return {
    emulator,
    log,
    takeCalls() {
      const calls = log.slice(taken).flatMap((entry) =>
        entry.type === 'http' && entry.method !== 'OPTIONS'
          ? [
              {
                method: entry.method,
                path: entry.url.split('?')[0]!.replace(/^\/v1/, ''),
                status: entry.status,
                ...(entry.error === undefined ? {} : { error: entry.error }),
              },
            ]
          : [],
      )
      taken = log.length
      return calls
    },
    async newUser() {
      const context = await browser.newContext()
      contexts.push(context)
      const page = await context.newPage()
      await page.goto(pageUrl)
      return page
    },
    async close() {
      for (const context of contexts) await context.close()
      await browser.close()
      await new Promise<void>((resolve) => pages.close(() => resolve()))
      await emulator.close()
    },
  }
}

/**
 * Runs `body` in the page with `Appwrite` (the SDK's browser build) and `sdk` — the app's
 * `client`, `account` and `databases`, made once per page as the app makes them at load — in scope.
 */
export function inPage<T>(page: Page, body: string, arg?: unknown): Promise<T> {
  return page.evaluate(
    async ([code, value]) => {
      const run = new Function(
        'arg',
        `if (!window.sdk) {
           const client = new Appwrite.Client().setEndpoint(window.endpoint).setProject(window.project)
           window.sdk = { client, account: new Appwrite.Account(client), databases: new Appwrite.Databases(client) }
         }
         const { client, account, databases } = window.sdk
         return (async () => { ${code as string} })()`,
      ) as (arg: unknown) => Promise<unknown>
      return run(value)
    },
    [body, arg] as const,
  ) as Promise<T>
}

/** The realtime messages the page collected in `window.events`. */
export function eventsIn(page: Page): Promise<{ events: string[]; id: string }[]> {
  return page.evaluate(
    () => (globalThis as unknown as { events: { events: string[]; id: string }[] }).events,
  )
}

/**
 * The schema both tutorial chat apps use, which neither repository carries; from their code: a
 * `messages` collection with string attributes `user_id`, `username`, `body` (capped at `bodySize`
 * by the app's form), document security, and collection-level read and create for signed-in users.
 */
export function chatMessagesFake(databaseId: string, bodySize: number): FakeAppwrite {
  return createFakeAppwrite({
    databases: {
      [databaseId]: {
        tables: {
          messages: {
            columns: [
              { key: 'user_id', type: 'string', size: 50, required: true },
              { key: 'username', type: 'string', size: 100 },
              { key: 'body', type: 'string', size: bodySize, required: true },
            ],
            permissions: ['read("users")', 'create("users")'],
            rowSecurity: true,
          },
        },
      },
    },
  })
}

/** Waits until the room in `page` holds one realtime event: the create of the document `id`. */
export async function expectCreateEventOnly(page: Page, id: string): Promise<void> {
  await expect
    .poll(() => eventsIn(page))
    .toEqual([
      expect.objectContaining({
        id,
        events: expect.arrayContaining(['databases.*.collections.*.documents.*.create']),
      }),
    ])
}
