import type { Clock } from '../clock'
import type { PipelineMode } from '../errors'
import type { Backend } from '../backend/appwriteBackend'
import type { BookingGuardEvent, ModeState } from './types'

/** Decides, once, whether a guard writes with transactions or as a saga. @internal */
export class ModeSelector implements ModeState {
  readonly #configured: 'auto' | PipelineMode
  readonly #emit: (event: BookingGuardEvent) => void
  readonly #clock: Clock
  #resolved: PipelineMode | undefined

  constructor(
    configured: 'auto' | PipelineMode,
    backend: Backend,
    clock: Clock,
    emit: (event: BookingGuardEvent) => void,
  ) {
    this.#configured = configured
    this.#emit = emit
    this.#clock = clock
    if (configured !== 'auto') this.#resolved = configured
    else if (backend.transactions === undefined) this.#resolved = 'saga'
  }

  /** The mode to use now; `'probe'` while `auto` has not decided yet (try a transaction). */
  current(): PipelineMode | 'probe' {
    return this.#resolved ?? 'probe'
  }

  /** Whether the guard may fall back to saga when a transaction cannot start. */
  get auto(): boolean {
    return this.#configured === 'auto'
  }

  /** `auto`: a transaction started, so the server supports them. */
  supported(): void {
    if (this.#resolved !== undefined) return
    this.#resolved = 'transaction'
    this.#emit({
      type: 'modeResolved',
      at: this.#clock.now(),
      mode: 'transaction',
      reason: 'the server accepted a transaction',
    })
  }

  /** `auto`: the server refused transactions; every later call runs as a saga. */
  unsupported(reason: string): void {
    if (this.#resolved !== undefined) return
    this.#resolved = 'saga'
    this.#emit({ type: 'modeResolved', at: this.#clock.now(), mode: 'saga', reason })
  }
}
