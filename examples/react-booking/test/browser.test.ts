// End to end in a real browser: the example app on the emulator (the booking Function registered
// on its Functions service, the demo users signing in through its Account API), Debian's
// Chromium driven by playwright-core, a customer and a therapist in two browser contexts, each
// signed in as itself. Screenshots of the key screens go to test-artifacts/react-booking/
// (gitignored).
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BOOKING_FUNCTION_ID, startDemo } from '../dev/launch'
import type { Demo } from '../dev/launch'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
// CI installs Chromium; a missing one there is a failure, not a skip.
if (!haveChromium && process.env.CI !== undefined) {
  throw new Error(
    `browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )
}
if (!haveChromium) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )
}

const artifacts = fileURLToPath(new URL('../../../test-artifacts/react-booking/', import.meta.url))
const source = (path: string) =>
  fileURLToPath(new URL(`../../../packages/${path}`, import.meta.url))

let stack: Demo
let browser: Browser
const contexts: BrowserContext[] = []

/** A new browser context (its own storage: its own user) signed in as `name`. */
async function signedIn(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } })
  contexts.push(context)
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${name} page error]`, error))
  await page.goto(stack.url)
  await page.getByRole('button', { name: new RegExp(`^${name} \\(`) }).click()
  await expect.poll(() => page.getByTestId('user-name').textContent()).toBe(name)
  return page
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true })

const rows = (table: string) =>
  (stack.emulator!.fake.snapshot().main?.[table] ?? []) as Array<Record<string, unknown>>

async function order(page: Page, therapist: string) {
  await page.getByRole('radio', { name: new RegExp(`^${therapist} —`) }).check()
  await page.getByRole('button', { name: 'Order now' }).click()
}

const bookingCards = (page: Page, customer: string) =>
  page.getByTestId('booking').filter({ hasText: customer })

/** The booking Function executed as `userId` (a session of that user), outside any browser. */
async function execute(userId: string, path: string, body: unknown): Promise<unknown> {
  const execution = await stack.emulator!.fake.as(`user:${userId}`).functions.createExecution({
    functionId: BOOKING_FUNCTION_ID,
    xpath: path,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  if (execution.responseStatusCode >= 300) {
    throw new Error(
      `${path} as ${userId}: ${execution.responseStatusCode} ${execution.responseBody}`,
    )
  }
  return JSON.parse(execution.responseBody)
}

/** What the browser sends to `POST /v1/functions/booking/executions` (the web SDK's JSON). */
interface ExecutionRequest {
  body: string
  path: string
  method?: string
  async?: boolean
  headers?: Record<string, string>
}

/**
 * Tampers with the page's next booking Function call to `path` (the first one whose path starts
 * with it), as a user with the browser's devtools would edit and resend it: the app then shows
 * the Function's answer. Resolves with the request as sent once it went out.
 */
async function tamperNext(
  page: Page,
  pathPrefix: string,
  edit: (request: ExecutionRequest) => ExecutionRequest,
): Promise<() => Promise<ExecutionRequest>> {
  let sent: ((request: ExecutionRequest) => void) | undefined
  const done = new Promise<ExecutionRequest>((resolve) => (sent = resolve))
  const pattern = `**/v1/functions/${BOOKING_FUNCTION_ID}/executions`
  let used = false
  const handler = async (route: Route) => {
    const original = JSON.parse(route.request().postData() ?? '{}') as ExecutionRequest
    if (used || route.request().method() !== 'POST' || !original.path.startsWith(pathPrefix)) {
      await route.continue()
      return
    }
    used = true
    const request = edit(original)
    await route.continue({ postData: JSON.stringify(request) })
    sent?.(request)
    await page.unroute(pattern, handler)
  }
  await page.route(pattern, handler)
  return () => done
}

/**
 * Every booking, room, message and notification, to compare before and after a refused request.
 * A room's read markers are left out: the user's own chat marks its room read meanwhile.
 */
const rowsSnapshot = () => ({
  bookings: rows('bookings'),
  chat_messages: rows('chat_messages'),
  notifications: rows('notifications'),
  chat_rooms: rows('chat_rooms').map((room) => {
    const copy = { ...room }
    for (const marker of ['$updatedAt', 'customerLastReadAt', 'providerLastReadAt']) {
      delete copy[marker]
    }
    return copy
  }),
})

describe.skipIf(!haveChromium)('react-booking in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    stack = await startDemo({
      port: 0,
      // The app's packages from their sources, as the rest of the suite tests them (no build needed).
      vite: {
        logLevel: 'warn',
        resolve: {
          alias: {
            // Subpaths first: an alias also matches the names below it.
            '@booking-guard/core/observers': source('core/src/observers/index.ts'),
            '@booking-guard/core/realtime': source('core/src/realtime/index.ts'),
            '@booking-guard/core': source('core/src/index.ts'),
            '@booking-guard/react': source('react/src/index.ts'),
          },
          dedupe: ['react', 'react-dom', 'zod', 'appwrite'],
        },
        // Pre-bundled up front: a dependency found late makes Vite reload the page mid-test.
        optimizeDeps: {
          include: ['react', 'react/jsx-dev-runtime', 'react-dom/client', 'appwrite', 'zod'],
        },
      },
    })
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
  }, 120_000)

  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await stack?.close()
  })

  it(
    'should take a booking from order to accepted, live on both sides',
    { timeout: 120_000 },
    async () => {
      const therapist = await signedIn('Anna')
      await expect.poll(() => therapist.getByText('No bookings yet.').isVisible()).toBe(true)
      await expect
        .poll(() => therapist.getByTestId('connection').textContent(), { timeout: 15_000 })
        .toMatch(/^Live/)
      await therapist.evaluate(() => Object.assign(window, { loadedOnce: true }))

      const customer = await signedIn('Ben')
      await shot(customer, '1-customer-form')
      await order(customer, 'Anna')

      // The chat opens with the system message, and takes the focus.
      const chat = customer.getByTestId('chat')
      await expect
        .poll(() => chat.getByTestId('system-message').first().textContent(), { timeout: 15_000 })
        .toMatch(/^Booking received: .*Waiting for Anna to respond\.$/)
      expect(
        await customer.evaluate(
          () => document.activeElement?.closest('[data-testid="chat"]') !== null,
        ),
      ).toBe(true)
      await shot(customer, '2-customer-chat-open')

      // The therapist's dashboard shows it without a reload, marked new, with its communication checked.
      const card = bookingCards(therapist, 'Ben')
      await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1)
      expect(await therapist.evaluate(() => (window as { loadedOnce?: boolean }).loadedOnce)).toBe(
        true,
      )
      expect(await card.getByText('New').isVisible()).toBe(true)
      await expect
        .poll(() => card.getByLabel('Communication status').textContent(), { timeout: 15_000 })
        .toBe('chat room: oksystem message: oknotification: okpush: ok')
      await shot(therapist, '3-therapist-new-booking')

      // Messages both ways.
      await chat.getByRole('textbox', { name: 'Message' }).fill('Hello Anna, is 7pm fine?')
      await chat.getByRole('button', { name: 'Send' }).click()
      await card.getByRole('button', { name: 'Open chat' }).click()
      const therapistChat = therapist.getByTestId('chat')
      await expect
        .poll(() => therapistChat.getByTestId('message').allTextContents(), { timeout: 15_000 })
        .toContain('Ben: Hello Anna, is 7pm fine?')
      await therapistChat.getByRole('textbox', { name: 'Message' }).fill('Yes, see you then!')
      await therapistChat.getByRole('button', { name: 'Send' }).click()
      await expect
        .poll(() => chat.getByTestId('message').allTextContents(), { timeout: 15_000 })
        .toContain('Anna: Yes, see you then!')

      // The therapist accepts; the customer sees it in the chat.
      await card.getByRole('button', { name: 'Accept' }).click()
      await expect
        .poll(() => card.getByTestId('booking-status').textContent(), { timeout: 15_000 })
        .toBe('Accepted')
      await expect
        .poll(() => chat.getByTestId('system-message').allTextContents(), { timeout: 15_000 })
        .toContain('Anna accepted the booking.')
      await shot(therapist, '4-therapist-accepted')
      await shot(customer, '5-customer-sees-accepted')

      // The health panel: the Function's synthetic booking through the whole pipeline and realtime.
      await therapist.getByRole('button', { name: 'Run health check' }).click()
      await expect
        .poll(() => therapist.getByTestId('health-status').textContent(), { timeout: 30_000 })
        .toMatch(/^passed in \d+ ms$/)
      await shot(therapist, '4b-therapist-health')

      const [booking] = rows('bookings').filter((r) => r.customerId === 'customer-ben')
      expect(booking).toMatchObject({
        providerId: 'therapist-anna',
        providerResponseStatus: 'Accepted',
        pipelineStatus: 'delivered',
      })
    },
  )

  it(
    'should show a clear error and leave no booking anywhere during a notification outage',
    { timeout: 120_000 },
    async () => {
      const therapist = await signedIn('Marco')
      await expect.poll(() => therapist.getByText('No bookings yet.').isVisible()).toBe(true)
      // Notifications fail with 500s: a saga's createRow, or the commit of a transaction that
      // carries the notification.
      const customer = await signedIn('Chloe')
      const outage = stack.emulator!.fake.faults.fail({
        operation: 'createRow',
        table: 'notifications',
        error: 'general_server_error',
      })
      try {
        await order(customer, 'Marco')
        const alert = customer.getByTestId('booking-error')
        await expect
          .poll(() => alert.textContent(), { timeout: 60_000 })
          .toMatch(/temporarily unavailable/)
        expect(await customer.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true)
        expect(await customer.getByTestId('chat').count()).toBe(0)
        await shot(customer, '6-customer-outage-error')

        // Nothing half-made: no live booking, room, message or notification for Chloe.
        const live = rows('bookings').filter(
          (r) => r.customerId === 'customer-chloe' && r.pipelineStatus !== 'failed',
        )
        expect(live).toEqual([])
        expect(rows('chat_rooms').filter((r) => r.customerId === 'customer-chloe')).toEqual([])
        expect(rows('notifications').filter((r) => r.recipientId === 'therapist-marco')).toEqual([])
        // …and the therapist, who was watching live all along, was never shown one.
        expect(await therapist.getByText('No bookings yet.').isVisible()).toBe(true)
        expect(await bookingCards(therapist, 'Chloe').count()).toBe(0)
        const fresh = await signedIn('Marco')
        await expect
          .poll(() => fresh.getByText('No bookings yet.').isVisible(), { timeout: 15_000 })
          .toBe(true)
      } finally {
        outage.remove()
      }

      // The outage is over: "Try again" (same idempotency key) books once, and it shows live.
      const chat = customer.getByTestId('chat')
      await expect
        .poll(
          async () => {
            // The Function's breaker may still be open for a few seconds: retry as a user would.
            const retry = customer.getByRole('button', { name: 'Try again' })
            if ((await chat.count()) === 0 && (await retry.isVisible())) await retry.click()
            return chat.count()
          },
          { timeout: 45_000, interval: 2_000 },
        )
        .toBe(1)
      await expect.poll(() => bookingCards(therapist, 'Chloe').count(), { timeout: 15_000 }).toBe(1)
      const chloes = rows('bookings').filter(
        (r) => r.customerId === 'customer-chloe' && r.pipelineStatus === 'delivered',
      )
      expect(chloes).toHaveLength(1)
    },
  )

  it(
    'should name invalid fields and refuse a slot that was just taken',
    { timeout: 120_000 },
    async () => {
      const customer = await signedIn('Chloe')
      await customer.getByRole('radio', { name: /^Suki —/ }).check()
      await customer.getByLabel('Duration').selectOption('0')
      await customer.getByRole('button', { name: 'Order now' }).click()
      await expect
        .poll(() => customer.getByTestId('booking-error').textContent(), { timeout: 15_000 })
        .toMatch(/^Please check these details: durationMinutes\./)
      expect(await customer.locator('#err-durationMinutes').textContent()).toMatch(/>=\s*1/)

      const book = async (page: Page) => {
        await page.getByRole('radio', { name: /^Suki —/ }).check()
        await page.getByRole('radio', { name: 'Later' }).check()
        await page.getByLabel('Start').fill('2030-01-01T10:00')
        await page.getByLabel('Duration').selectOption('60')
        await page.getByRole('button', { name: 'Order now' }).click()
      }
      const other = await signedIn('Ben')
      await book(other)
      await expect
        .poll(() => other.getByTestId('system-message').count(), { timeout: 15_000 })
        .toBe(1)
      await book(customer)
      await expect
        .poll(() => customer.getByTestId('booking-error').textContent(), { timeout: 15_000 })
        .toMatch(/^This time slot was just taken\./)
      await shot(customer, '6b-customer-slot-taken')
    },
  )

  it(
    'should list bookings even when chat cannot be read, flagging them',
    { timeout: 120_000 },
    async () => {
      const { booking } = (await execute('customer-dora', '/bookings', {
        input: {
          customerName: 'Dora',
          providerId: 'therapist-anna',
          providerType: 'therapist',
          bookingType: 'immediate',
          durationMinutes: 30,
        },
      })) as { booking: { $id: string } }
      const chatDown = stack.emulator!.fake.faults.fail({
        operation: ['getRow', 'listRows'],
        table: ['chat_rooms', 'chat_messages'],
        error: 'general_server_error',
      })
      try {
        const therapist = await signedIn('Anna')
        const card = therapist.locator(`[data-booking-id="${booking.$id}"]`)
        await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1)
        await expect
          .poll(() => card.getByLabel('Communication status').textContent(), { timeout: 15_000 })
          .toMatch(/^chat room: failedsystem message: failed/)
        expect(await therapist.getByText(/need attention/).isVisible()).toBe(true)
        await shot(therapist, '6c-therapist-chat-broken')
      } finally {
        chatDown.remove()
      }
    },
  )

  it(
    'should show reconnecting while realtime is silent and still deliver the booking by catch-up',
    { timeout: 120_000 },
    async () => {
      const therapist = await signedIn('Suki')
      await expect
        .poll(() => therapist.getByTestId('connection').textContent(), { timeout: 15_000 })
        .toMatch(/^Live/)
      const silence = stack.emulator!.fake.faults.realtime.drop()
      try {
        await expect
          .poll(() => therapist.getByTestId('connection').textContent(), { timeout: 30_000 })
          .toMatch(/^Reconnecting/)
        await shot(therapist, '7-therapist-reconnecting')

        // Counted against what the dashboard showed before: earlier tests may have booked Suki.
        const before = await bookingCards(therapist, 'Chloe').count()
        const customer = await signedIn('Chloe')
        await order(customer, 'Suki')
        await expect
          .poll(() => customer.getByTestId('system-message').count(), { timeout: 15_000 })
          .toBe(1)
        await expect
          .poll(() => bookingCards(therapist, 'Chloe').count(), { timeout: 20_000 })
          .toBe(before + 1)
        await shot(therapist, '8-therapist-caught-up')
      } finally {
        silence.remove()
      }
      await expect
        .poll(() => therapist.getByTestId('connection').textContent(), { timeout: 30_000 })
        .toMatch(/^Live/)
    },
  )
  it(
    'should refuse, on screen, booking as someone else, answering another therapist’s booking and writing in another’s room, writing nothing',
    { timeout: 120_000 },
    async () => {
      // Ben's booking with Anna, through the Function as Ben: what the others reach for.
      const { booking: bens } = (await execute('customer-ben', '/bookings', {
        input: {
          customerName: 'Ben',
          providerId: 'therapist-anna',
          providerType: 'therapist',
          bookingType: 'scheduled',
          scheduledAt: '2031-05-01T09:00:00.000Z',
          durationMinutes: 60,
        },
      })) as { booking: { $id: string } }
      const customer = await signedIn('Chloe')
      const bookingError = customer.getByTestId('booking-error')

      // Chloe books "as Ben": the request's form names Ben as the customer.
      let before = rowsSnapshot()
      const asBen = await tamperNext(customer, '/bookings', (request) => {
        const body = JSON.parse(request.body) as { input: Record<string, unknown> }
        return {
          ...request,
          body: JSON.stringify({ ...body, input: { ...body.input, customerId: 'customer-ben' } }),
        }
      })
      await order(customer, 'Marco')
      expect(JSON.parse((await asBen()).body)).toMatchObject({
        input: { customerId: 'customer-ben' },
      })
      await expect
        .poll(() => bookingError.textContent(), { timeout: 15_000 })
        .toMatch(/^Not allowed: `customer-ben` is not the signed-in user/)
      expect(rowsSnapshot()).toEqual(before)

      // …or by sending the caller header herself: Appwrite refuses the name in lower case, and
      // the Function refuses what another case turns into (`customer-ben, customer-chloe`).
      for (const [name, answer] of [
        ['x-appwrite-user-id', /^Appwrite refused the request: .*must not start with x-appwrite-/],
        ['X-Appwrite-User-Id', /^Not allowed: .*`customer-ben, customer-chloe`/],
      ] as const) {
        const forged = await tamperNext(customer, '/bookings', (request) => ({
          ...request,
          headers: { ...request.headers, [name]: 'customer-ben' },
        }))
        await customer.getByRole('button', { name: 'Try again' }).click()
        expect((await forged()).headers).toMatchObject({ [name]: 'customer-ben' })
        await expect.poll(() => bookingError.textContent(), { timeout: 15_000 }).toMatch(answer)
        expect(rowsSnapshot()).toEqual(before)
      }
      await shot(customer, '9-customer-booking-as-someone-else')

      // Chloe's own booking goes through; then she writes "in her chat", into Ben's room.
      await customer.getByRole('button', { name: 'Try again' }).click()
      const chat = customer.getByTestId('chat')
      await expect
        .poll(() => chat.getByTestId('system-message').count(), { timeout: 15_000 })
        .toBe(1)
      const known = new Set(before.bookings.map((r) => r.$id))
      const [chloes] = rows('bookings').filter((r) => !known.has(r.$id))
      expect(chloes).toMatchObject({ customerId: 'customer-chloe', providerId: 'therapist-marco' })
      before = rowsSnapshot()
      const intoBens = await tamperNext(customer, '/rooms/', (request) => ({
        ...request,
        path: `/rooms/${encodeURIComponent(bens.$id)}/messages`,
      }))
      await chat.getByRole('textbox', { name: 'Message' }).fill('Hi Anna, Chloe here')
      await chat.getByRole('button', { name: 'Send' }).click()
      await intoBens()
      await expect
        .poll(() => chat.getByTestId('message').filter({ hasText: 'Chloe here' }).textContent(), {
          timeout: 15_000,
        })
        .toMatch(
          /Not allowed: only the customer and the provider of chat room `[^`]+` may write in it\./,
        )
      expect(rowsSnapshot()).toEqual(before)
      await shot(customer, '10-customer-writes-in-another-room')

      // Marco answers Ben's booking with Anna, through the Accept of Chloe's booking.
      const therapist = await signedIn('Marco')
      const card = therapist.locator(`[data-booking-id="${String(chloes!.$id)}"]`)
      await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1)
      const accepting = await tamperNext(therapist, '/bookings/', (request) => ({
        ...request,
        path: `/bookings/${encodeURIComponent(bens.$id)}/respond`,
      }))
      await card.getByRole('button', { name: 'Accept' }).click()
      await accepting()
      await expect
        .poll(() => card.getByRole('alert').textContent(), { timeout: 15_000 })
        .toBe(`Not allowed: only the provider of booking \`${bens.$id}\` may accept or decline it.`)
      expect(rowsSnapshot()).toEqual(before)
      expect(rows('bookings').find((r) => r.$id === bens.$id)).toMatchObject({
        status: 'pending',
        providerResponseStatus: 'AwaitingResponse',
      })
      await shot(therapist, '11-therapist-answers-another-booking')
    },
  )
})
