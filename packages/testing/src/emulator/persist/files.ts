import { open, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'

/*
 * The file primitives the data dir and its storage part share: a durable whole-file replace and
 * the reads around it.
 */

/** Whether `error` is a Node file-system error with `code` (`ENOENT`, `EPERM`, …). @internal */
export const isCode = (error: unknown, code: string): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === code

/** Reads a file, or `undefined` when it does not exist. @internal */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined
    throw error
  }
}

/** Makes a directory's entries (a created or renamed file) durable. @internal */
export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals its metadata itself.
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes `bytes` to `path` so a crash leaves either the old file or the new one, never a mix: a
 * temp file beside it, fsynced, renamed over it, and the directory fsynced. @internal
 */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`
  const handle = await open(temp, 'w')
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
  await syncDir(dirname(path))
}
