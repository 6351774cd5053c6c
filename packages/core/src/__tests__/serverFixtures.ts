// Shared set-up of the booking server and client tests: a fake Appwrite provisioned like a real
// project (users may create rows, rows are readable by their participants only), the booking
// Function over it, and a Node-runtime-shaped context built by hand for each execution.
import { createFakeAppwrite } from '@booking-guard/testing'
import type { FakeAppwrite } from '@booking-guard/testing'
import type { ExecutionLike, FunctionsLike } from '../client/createBookingClient'
import { provisionSchema } from '../schema/provision'
import { createBookingFunction } from '../server/createBookingFunction'
import type { BookingFunctionOptions, FunctionContextLike } from '../server/createBookingFunction'
import type { BookingProvider } from '../server/bookingRoutes'

export const DB = 'main'
export const API_KEY = 'standard_test-key'

/** The app's providers: profile id → user id, name, price per hour. */
export const PROVIDERS: Record<string, BookingProvider & { hourly: number }> = {
  anna: { userId: 'user-anna', name: 'Anna', hourly: 9000, currency: 'EUR' },
  marco: { userId: 'user-marco', name: 'Marco', hourly: 11000, currency: 'EUR' },
}

export const resolveProvider = (providerId: string): BookingProvider | undefined => {
  const provider = PROVIDERS[providerId]
  return (
    provider && {
      userId: provider.userId,
      name: provider.name,
      currency: provider.currency,
      price: (form) => Math.round((provider.hourly * Number(form.durationMinutes)) / 60),
    }
  )
}

/** A booking form as a customer's browser sends it. */
export const form = {
  customerName: 'Ben',
  providerId: 'anna',
  providerType: 'therapist',
  bookingType: 'immediate',
  durationMinutes: 60,
}

export async function provisionedFake(): Promise<FakeAppwrite> {
  const fake = createFakeAppwrite({ seed: 3 })
  await provisionSchema({ admin: fake.admin, databaseId: DB })
  return fake
}

/** What Appwrite's Node runtime hands the Function for one execution, built by hand. */
export function runtimeContext(request: {
  method?: string
  path: string
  body?: string
  headers?: Record<string, string>
}): { context: FunctionContextLike<{ body: unknown; statusCode: number }>; errors: unknown[] } {
  const errors: unknown[] = []
  const bodyText = request.body ?? ''
  return {
    errors,
    context: {
      req: {
        method: request.method ?? 'POST',
        path: request.path,
        headers: { 'content-type': 'application/json', ...request.headers },
        bodyText,
        bodyRaw: bodyText,
        get body() {
          return bodyText === '' ? {} : (JSON.parse(bodyText) as unknown)
        },
      },
      res: {
        json: (body, statusCode = 200) => ({
          body: JSON.parse(JSON.stringify(body)) as unknown,
          statusCode,
        }),
      },
      log: () => {},
      error: (message) => errors.push(message),
    },
  }
}

export type BookingFunction = ReturnType<typeof createBookingFunction>

export function bookingFunction(
  fake: FakeAppwrite,
  options: Partial<BookingFunctionOptions> = {},
): BookingFunction {
  return createBookingFunction({
    databaseId: DB,
    resolveProvider,
    tablesDB: () => fake.tablesDB,
    ...options,
  })
}

/** Runs the Function once as `userId` would through Appwrite (its headers), with the execution's key. */
export async function execute(
  run: BookingFunction,
  userId: string | undefined,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { context } = runtimeContext({
    path,
    body: JSON.stringify(body),
    headers: {
      'x-appwrite-user-id': userId ?? '',
      'x-appwrite-key': API_KEY,
      'x-appwrite-trigger': 'http',
    },
  })
  const answer = await run(context)
  return { status: answer.statusCode, body: answer.body as Record<string, unknown> }
}

/**
 * `functions.createExecution` as Appwrite runs it for a signed-in user: the Function gets the
 * user's id and a key in its headers, the reply carries its status and body as text.
 */
export function functionsAs(
  run: BookingFunction,
  userId: string,
): FunctionsLike & {
  calls: { path: string; body: unknown }[]
} {
  const calls: { path: string; body: unknown }[] = []
  return {
    calls,
    async createExecution(params): Promise<ExecutionLike> {
      calls.push({ path: params.xpath ?? '/', body: JSON.parse(params.body ?? '{}') })
      const { context } = runtimeContext({
        method: params.method ?? 'POST',
        path: params.xpath ?? '/',
        body: params.body ?? '',
        headers: { 'x-appwrite-user-id': userId, 'x-appwrite-key': API_KEY },
      })
      const answer = await run(context)
      return {
        responseStatusCode: answer.statusCode,
        responseBody: JSON.stringify(answer.body),
        status: answer.statusCode >= 500 ? 'failed' : 'completed',
      }
    },
  }
}
