// The Appwrite Function entry (Node runtime). Schedule it every minute (`* * * * *`, see
// appwrite.json) and give it the `databases.read` and `databases.write` scopes: Appwrite then
// passes a dynamic API key in the `x-appwrite-key` header of every execution.
import { loadConfig, runReconciler } from './reconcile'
import type { Env } from './reconcile'

/** The parts of Appwrite's function context this entry uses. */
export interface FunctionContext {
  readonly req: { readonly headers: Readonly<Record<string, string | undefined>> }
  readonly res: { json(body: unknown, statusCode?: number): unknown }
  log(message: unknown): void
  error(message: unknown): void
}

/** `env` is for tests; Appwrite runs the default export with `process.env`. */
export async function handle(context: FunctionContext, env: Env = process.env): Promise<unknown> {
  const { req, res, log, error } = context
  try {
    const apiKey = req.headers['x-appwrite-key']
    const config = loadConfig(env, apiKey === undefined || apiKey === '' ? {} : { apiKey })
    const report = await runReconciler(config)
    const { pending, expired, push, orphans } = report.reconcile
    log(
      `reconciled: ${pending.completed.length} completed, ${pending.compensated.length} compensated, ` +
        `${expired.expired.length} expired, ${push.sent.length} pushes sent, ${orphans.removed.length} orphans removed`,
    )
    if (!report.ok) error(`reconcile pass had failures: ${JSON.stringify(report)}`)
    return res.json(report, report.ok ? 200 : 500)
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    error(`reconcile failed: ${message}`)
    return res.json({ ok: false, error: message }, 500)
  }
}

export default async (context: FunctionContext): Promise<unknown> => handle(context)
