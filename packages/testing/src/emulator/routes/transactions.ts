import type { DataService, ServiceMethod, FakeBridge } from '../fakeBridge'
import { httpError } from '../http'
import type { Params } from '../http'
import type { RouteContext, Router } from '../router'

function pick(params: Params, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of names) if (params[name] !== undefined) out[name] = params[name]
  return out
}

/**
 * The transaction routes of both APIs over the fake's `createTransaction`, `createOperations`,
 * `updateTransaction`, `getTransaction`, `listTransactions` and `deleteTransaction`
 * (github:appwrite/appwrite 1.9.x `.../Http/TablesDB/Transactions/*` and
 * `.../Http/Databases/Transactions/*`): create 201, operations 201, commit / rollback 200,
 * delete 204. Registered before the database routes, whose `/:databaseId` would otherwise take
 * the `transactions` segment. When the fake has no transactions, they answer 404
 * `general_route_not_found`.
 *
 * @internal
 */
export function registerTransactionRoutes(
  router: Router,
  servicesFor: FakeBridge['servicesFor'],
): void {
  for (const [prefix, service] of [
    ['/v1/tablesdb/transactions', 'tablesDB'],
    ['/v1/databases/transactions', 'databases'],
  ] as const) {
    const call = async (ctx: RouteContext, method: string, params: Record<string, unknown>) => {
      const target: DataService = servicesFor(ctx.caller)[service]
      const fn = target[method]
      if (typeof fn !== 'function') throw httpError('general_route_not_found')
      return (fn as ServiceMethod).call(target, params)
    }
    const id = (ctx: RouteContext) => ({ transactionId: ctx.path.transactionId })

    router.add(
      'GET',
      prefix,
      async (ctx) => ({
        body: await call(ctx, 'listTransactions', pick(ctx.params, ['queries'])),
      }),
      { params: ['queries'] },
    )
    router.add(
      'POST',
      prefix,
      async (ctx) => ({
        status: 201,
        body: await call(ctx, 'createTransaction', pick(ctx.params, ['ttl'])),
      }),
      { params: ['ttl'] },
    )
    router.add(
      'GET',
      `${prefix}/:transactionId`,
      async (ctx) => ({
        body: await call(ctx, 'getTransaction', id(ctx)),
      }),
      { params: [] },
    )
    router.add(
      'PATCH',
      `${prefix}/:transactionId`,
      async (ctx) => ({
        body: await call(ctx, 'updateTransaction', {
          ...pick(ctx.params, ['commit', 'rollback']),
          ...id(ctx),
        }),
      }),
      { params: ['commit', 'rollback'] },
    )
    router.add(
      'DELETE',
      `${prefix}/:transactionId`,
      async (ctx) => {
        await call(ctx, 'deleteTransaction', id(ctx))
        return { status: 204 }
      },
      { params: [] },
    )
    router.add(
      'POST',
      `${prefix}/:transactionId/operations`,
      async (ctx) => ({
        status: 201,
        body: await call(ctx, 'createOperations', {
          ...pick(ctx.params, ['operations']),
          ...id(ctx),
        }),
      }),
      { params: ['operations'] },
    )
  }
}
