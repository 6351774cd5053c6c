// End to end in a real browser: the example app on the emulator, Debian's Chromium driven by
// playwright-core, a customer and a therapist in two browser contexts, each signed in as itself.
// Screenshots of the key screens go to test-artifacts/react-booking/ (gitignored).
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack } from '../server/stack'
import type { Stack } from '../server/stack'

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

let stack: Stack
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

describe.skipIf(!haveChromium)('react-booking in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    stack = await startStack({
      port: 0,
      healthCheckIntervalMs: 0,
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

      // The health panel: the server's synthetic booking through the whole pipeline and realtime.
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
            // The server's breaker may still be open for a few seconds: retry as a user would.
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
      const { booking } = await stack.api.guard.createBooking({
        customerId: 'customer-dora',
        customerName: 'Dora',
        providerId: 'therapist-anna',
        providerType: 'therapist',
        providerName: 'Anna',
        bookingType: 'immediate',
        durationMinutes: 30,
      })
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
})
