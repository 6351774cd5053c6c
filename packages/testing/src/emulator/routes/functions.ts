import { nestedEventNames } from '../../fake/channels'
import { FakeFunctions } from '../../fake/functions'
import type { FunctionsHub } from '../../fake/functions'
import type { RealtimeHub } from '../../fake/realtime'
import type { AuthRegistry } from '../auth'
import { looseBoolean } from '../http'
import type { RouteContext, Router } from '../router'

/**
 * Functions executions (`src/Appwrite/Platform/Modules/Functions/Http/Executions/*`) over the
 * handlers registered with the emulator: create (sync 201 with the response body and headers;
 * `async` 202 with status `waiting`), get and list (`execution.read`: users and keys, not guests).
 *
 * @internal
 */
export function registerFunctionRoutes(
  router: Router,
  options: { readonly auth: AuthRegistry; readonly functions: FunctionsHub },
): void {
  const { auth, functions } = options
  const service = (ctx: RouteContext) => {
    const caller = auth.accountCaller(ctx.caller)
    return new FakeFunctions(functions, () => caller)
  }
  const base = '/v1/functions/:functionId/executions'

  router.add('POST', base, async (ctx) => {
    const { params } = ctx
    const isAsync = looseBoolean(params.async) === true
    const execution = await service(ctx).createExecution({
      functionId: ctx.path.functionId as string,
      ...(params.body === undefined ? {} : { body: params.body as string }),
      ...(params.async === undefined ? {} : { async: isAsync }),
      ...(params.path === undefined ? {} : { xpath: params.path as string }),
      ...(params.method === undefined ? {} : { method: params.method as string }),
      ...(params.headers === undefined
        ? {}
        : { headers: params.headers as Record<string, string> }),
      ...(params.scheduledAt == null ? {} : { scheduledAt: params.scheduledAt as string }),
    })
    // The server answers an async execution with 202 Accepted (the spec lists only 201).
    return { status: isAsync ? 202 : 201, body: execution }
  })
  router.add('GET', base, async (ctx) => ({
    body: await service(ctx).listExecutions({
      functionId: ctx.path.functionId as string,
      ...(Array.isArray(ctx.params.queries) ? { queries: ctx.params.queries as string[] } : {}),
      ...(ctx.params.total === undefined
        ? {}
        : { total: looseBoolean(ctx.params.total) as boolean }),
    }),
  }))
  router.add('DELETE', `${base}/:executionId`, async (ctx) => {
    await service(ctx).deleteExecution({
      functionId: ctx.path.functionId as string,
      executionId: ctx.path.executionId as string,
    })
    return { status: 204 }
  })
  router.add('GET', `${base}/:executionId`, async (ctx) => ({
    body: await service(ctx).getExecution({
      functionId: ctx.path.functionId as string,
      executionId: ctx.path.executionId as string,
    }),
  }))
}

/** The role a `read("<role>")` permission grants. */
const READ = /^read\("(.+)"\)$/

/**
 * Publishes execution events on the fake's realtime hub as `Realtime::fromPayload` gives them: to
 * the execution's readers (an execution made by a user carries `read("user:<id>")`; one with no
 * reader, made by a key or a schedule, goes nowhere), on `console`, `projects.{projectId}`,
 * `executions`, `executions.{executionId}` and `functions.{functionId}`, then the last three with
 * `.{action}` (their last or second-to-last segment is a resource name).
 *
 * @internal
 */
export function publishExecutionEvents(
  functions: FunctionsHub,
  projectId: string,
  hub: Pick<RealtimeHub, 'publishResource'>,
): () => void {
  return functions.onChange(({ action, execution }) => {
    const readers = execution.$permissions.flatMap((p) => READ.exec(p)?.[1] ?? [])
    if (readers.length === 0) return
    const { $id: executionId, functionId } = execution
    const suffixed = ['executions', `executions.${executionId}`, `functions.${functionId}`]
    hub.publishResource({
      channels: [
        'console',
        `projects.${projectId}`,
        ...suffixed,
        ...suffixed.map((channel) => `${channel}.${action}`),
      ],
      events: nestedEventNames('functions', functionId, 'executions', executionId, action),
      payload: { ...execution },
      readers,
    })
  })
}
