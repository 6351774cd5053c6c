// The same pass as a plain Node process: one run every minute until SIGINT / SIGTERM.
// `pnpm start` with APPWRITE_ENDPOINT, APPWRITE_PROJECT and APPWRITE_API_KEY set.
import { pathToFileURL } from 'node:url'
import { loadConfig, runReconciler } from './reconcile'
import type { Env, ReconcilerRunReport } from './reconcile'

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** Pause between the end of one pass and the start of the next, in ms. Defaults to `60_000`. */
  intervalMs?: number
  /** Defaults to `process.env`. */
  env?: Env
  /** One pass; defaults to {@link runReconciler} with the config from `env`. */
  run?: (signal: AbortSignal) => Promise<ReconcilerRunReport>
  /** Receives each report or error. Defaults to `console`. */
  logger?: Pick<Console, 'log' | 'error'>
  /** Stop on SIGINT / SIGTERM. Defaults to `true`. */
  handleSignals?: boolean
  /** Where the signals come from; tests pass an `EventEmitter`. Defaults to `process`. */
  signalSource?: SignalSource
}

/** The part of `process` the worker listens on. */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
}

/** A running worker. */
export interface Worker {
  /** Stops the loop, aborts a pass in flight and resolves once it has ended. */
  stop(): Promise<void>
  /** Resolves when the worker has stopped. */
  readonly stopped: Promise<void>
}

export function startWorker(options: WorkerOptions = {}): Worker {
  const intervalMs = options.intervalMs ?? 60_000
  const logger = options.logger ?? console
  const signals = options.signalSource ?? process
  const controller = new AbortController()
  const run =
    options.run ??
    ((signal: AbortSignal) => runReconciler(loadConfig(options.env ?? process.env), { signal }))

  let wake: (() => void) | undefined
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const loop = async () => {
    while (!controller.signal.aborted) {
      try {
        logger.log(JSON.stringify(await run(controller.signal)))
      } catch (e) {
        if (!controller.signal.aborted) logger.error(e)
      }
      if (!controller.signal.aborted) await sleep(intervalMs)
    }
  }
  const stopped = loop()

  const onSignal = () => {
    void stop()
  }
  const stop = async () => {
    signals.off('SIGINT', onSignal)
    signals.off('SIGTERM', onSignal)
    controller.abort()
    wake?.()
    await stopped
  }
  if (options.handleSignals !== false) {
    signals.once('SIGINT', onSignal)
    signals.once('SIGTERM', onSignal)
  }
  return { stop, stopped }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const worker = startWorker()
  void worker.stopped.then(() => {
    console.log('reconciler stopped')
  })
}
