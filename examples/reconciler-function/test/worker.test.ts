import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ReconcilerRunReport } from '../src/reconcile'
import { startWorker } from '../src/worker'
import type { Worker } from '../src/worker'

let worker: Worker | undefined

afterEach(async () => {
  await worker?.stop()
  worker = undefined
})

describe('worker', () => {
  it('should run a pass, then stop on SIGTERM without running another', async () => {
    const run = vi.fn(async () => ({}) as ReconcilerRunReport)
    const logger = { log: vi.fn(), error: vi.fn() }
    const signals = new EventEmitter()
    worker = startWorker({ intervalMs: 60_000, run, logger, signalSource: signals })
    await vi.waitFor(() => {
      expect(logger.log).toHaveBeenCalledTimes(1)
    })
    signals.emit('SIGTERM')
    await worker.stopped
    expect(run).toHaveBeenCalledTimes(1)
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0)
  })

  it('should abort a pass in flight when stopped', async () => {
    let seen: AbortSignal | undefined
    const run = vi.fn(
      (signal: AbortSignal) =>
        new Promise<ReconcilerRunReport>((_, reject) => {
          seen = signal
          signal.addEventListener('abort', () => reject(signal.reason as Error))
        }),
    )
    const logger = { log: vi.fn(), error: vi.fn() }
    worker = startWorker({ intervalMs: 10, run, logger, handleSignals: false })
    await worker.stop()
    expect(seen?.aborted).toBe(true)
    expect(run).toHaveBeenCalledTimes(1)
    expect(logger.error).not.toHaveBeenCalled()
  })
})
