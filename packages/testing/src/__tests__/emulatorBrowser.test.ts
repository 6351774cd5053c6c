// The real `appwrite` web SDK in Debian's Chromium (driven by playwright-core) against the emulator:
// sign-up, sign-in carried by the session cookie alone, realtime authenticated by that cookie on
// the upgrade, a Function run as the signed-in user, and sign-out.
import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import * as server from 'node-appwrite'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, FunctionContext } from '../emulator'
import { createFakeAppwrite } from '../index'
import { serverClient } from './emulatorHelpers'
import { serveSdkPage } from './sdkPage'
import { mainDatabase } from './helpers'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && process.env.CI !== undefined)
  throw new Error(
    `browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )
if (!haveChromium)
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )

const password = 'correct horse battery'
let emulator: AppwriteEmulator
let pages: Server
let pageUrl: string
let browser: Browser
let context: BrowserContext

/** Runs `body` in the page with `Appwrite` (the SDK's browser build) and `client` in scope. */
function inPage<T>(page: Page, body: string, arg?: unknown): Promise<T> {
  return page.evaluate(
    async ([code, value]) => {
      const run = new Function(
        'arg',
        `const client = new Appwrite.Client().setEndpoint(window.endpoint).setProject(window.project); return (async () => { ${code as string} })()`,
      ) as (arg: unknown) => Promise<unknown>
      return run(value)
    },
    [body, arg] as const,
  ) as Promise<T>
}

describe.skipIf(!haveChromium)('emulator in Chromium', () => {
  beforeAll(async () => {
    emulator = await startAppwriteEmulator({
      fake: createFakeAppwrite({
        databases: mainDatabase({ notes: { permissions: ['create("users")'], rowSecurity: true } }),
      }),
      functions: {
        whoami: ({ req, res }: FunctionContext) =>
          res.json({
            userId: req.headers['x-appwrite-user-id'],
            hasJwt: (req.headers['x-appwrite-user-jwt'] ?? '') !== '',
          }),
      },
    })
    ;({ server: pages, url: pageUrl } = await serveSdkPage(emulator))
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    context = await browser.newContext()
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()))
    await emulator?.close()
  })

  it('should sign in with cookies, receive only permitted events, run a function and sign out', async () => {
    const page = await context.newPage()
    await page.goto(pageUrl)

    const userId = await inPage<string>(
      page,
      `const account = new Appwrite.Account(client)
       const user = await account.create({ userId: 'ada', email: 'ada@example.com', password: arg })
       await account.createEmailPasswordSession({ email: 'ada@example.com', password: arg })
       // Drop the localStorage fallback: from here on only the cookie carries the session.
       window.localStorage.removeItem('cookieFallback')
       return (await account.get()).$id`,
      password,
    )
    expect(userId).toBe('ada')
    const cookies = await context.cookies(emulator.endpoint)
    expect(cookies.map((c) => c.name)).toContain(
      `a_session_${emulator.projectId.toLowerCase()}_legacy`,
    )
    expect(cookies.every((c) => c.httpOnly)).toBe(true)

    // Realtime: the socket is signed in by the cookie sent with its upgrade.
    await inPage(
      page,
      `const realtime = new Appwrite.Realtime(client)
       window.realtime = realtime
       await realtime.subscribe('databases.main.tables.notes.rows', (event) => window.events.push(event.payload.$id))`,
    )
    await emulator.realtime.waitForSubscriptions(1)
    const admin = new server.TablesDB(serverClient(emulator))
    for (const [rowId, owner] of [
      ['for-bob', 'bob'],
      ['for-ada', 'ada'],
    ] as const)
      await admin.createRow({
        databaseId: 'main',
        tableId: 'notes',
        rowId,
        data: { text: rowId },
        permissions: [server.Permission.read(server.Role.user(owner))],
      })
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as { events: string[] }).events))
      .toEqual(['for-ada'])

    const execution = await inPage<{ responseBody: string }>(
      page,
      `return new Appwrite.Functions(client).createExecution({ functionId: 'whoami' })`,
    )
    expect(JSON.parse(execution.responseBody)).toEqual({ userId: 'ada', hasJwt: true })

    const afterLogout = await inPage<{ code: number; type: string }>(
      page,
      `const account = new Appwrite.Account(client)
       await window.realtime.disconnect()
       await account.deleteSession({ sessionId: 'current' })
       try { await account.get(); return { code: 0, type: '' } } catch (e) { return { code: e.code, type: e.type } }`,
    )
    expect(afterLogout).toEqual({ code: 401, type: 'general_unauthorized_scope' })
    expect(await context.cookies(emulator.endpoint)).toEqual([])
  }, 60_000)
})
