// How the pipeline reports: events (built only when someone listens) and the error monitor.
import type { PipelineStep } from '../errors'
import type { ErrorCategory } from '../monitor/errorMonitor'
import type { BookingGuardEvent, PipelineRuntime } from './types'

/** Emits only when someone listens, so the hot path builds no event objects. @internal */
export function emit(rt: PipelineRuntime, build: () => BookingGuardEvent): void {
  if (rt.events.size > 0) rt.events.emit(build())
}

/** Captures an error in the monitor, if any; never throws. @internal */
export function capture(
  rt: PipelineRuntime,
  error: unknown,
  category: ErrorCategory,
  severity: 'critical' | 'error' | 'warning',
  operation: string,
  context: Record<string, unknown>,
): void {
  rt.monitor?.capture(error, { category, severity, operation, context })
}

/** The monitor category of a step's failure. @internal */
export function categoryOf(step: PipelineStep): ErrorCategory {
  if (step === 'chatRoom' || step === 'systemMessage') return 'chat'
  if (step === 'notification') return 'notification'
  return 'booking'
}
