/**
 * One thing the emulator did, for debugging. `http` entries are requests (with the parsed
 * parameters and the status answered); `realtime.*` entries are WebSocket events and frames.
 */
export type EmulatorLogEntry =
  | {
      /** An HTTP request and its answer. */
      type: 'http'
      /** `GET`, `POST`, … */
      method: string
      /** The path and query string as received. */
      url: string
      /** The status answered; `0` when the connection was cut (an injected network fault). */
      status: number
      /** Query-string or JSON-body parameters. */
      params: Record<string, unknown>
      /** The error type, for error answers. */
      error?: string
      /** Time from request to answer, in milliseconds. */
      durationMs: number
    }
  | {
      /** A WebSocket opened. */
      type: 'realtime.open'
      /** The connection number, unique within this emulator. */
      connection: number
      /** The upgrade path and query string. */
      url: string
    }
  | {
      /** A WebSocket closed. */
      type: 'realtime.close'
      connection: number
      /** The close code. */
      code: number
    }
  | {
      /** A realtime `disconnect` fault cut the WebSocket. */
      type: 'realtime.cut'
      connection: number
    }
  | {
      /** A WebSocket upgrade was refused (a realtime `disconnect` fault is active). */
      type: 'realtime.refused'
      /** Why. */
      reason: string
    }
  | {
      /** A frame from the client. */
      type: 'realtime.in'
      connection: number
      /** The frame's text. */
      frame: string
    }
  | {
      /** A frame to the client. */
      type: 'realtime.out'
      connection: number
      /** The frame's text. */
      frame: string
    }

/** Receives every {@link EmulatorLogEntry}. @internal */
export type EmulatorLogger = (entry: EmulatorLogEntry) => void

/**
 * One line per entry, as `log: true` prints them.
 *
 * @example
 * ```ts
 * const emulator = await startAppwriteEmulator({
 *   log: (entry) => {
 *     if (entry.type === 'http' && entry.status >= 400) console.warn(formatLogEntry(entry))
 *   },
 * })
 * ```
 */
export function formatLogEntry(entry: EmulatorLogEntry): string {
  switch (entry.type) {
    case 'http':
      return `${entry.method} ${entry.url} → ${entry.status === 0 ? 'cut' : entry.status}${
        entry.error ? ` ${entry.error}` : ''
      } (${entry.durationMs} ms)`
    case 'realtime.open':
      return `ws#${entry.connection} open ${entry.url}`
    case 'realtime.close':
      return `ws#${entry.connection} closed (${entry.code})`
    case 'realtime.cut':
      return `ws#${entry.connection} cut by a realtime disconnect fault`
    case 'realtime.refused':
      return `ws refused: ${entry.reason}`
    case 'realtime.in':
      return `ws#${entry.connection} ← ${entry.frame}`
    case 'realtime.out':
      return `ws#${entry.connection} → ${entry.frame}`
  }
}
