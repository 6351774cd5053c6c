// The page server the browser tests share: a blank page that loads an `appwrite` web SDK build
// (the global `Appwrite`) and names the emulator's endpoint and project.
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { AppwriteEmulator } from '../emulator'

/**
 * Serves, on a free loopback port, a page with `sdkPackage`'s browser build (`dist/iife/sdk.js`,
 * next to its package.json: not in its `exports`) and `window.endpoint`, `window.project` and
 * `window.events = []`. Another port of the same host than the emulator: cross-origin, same-site,
 * as a dev server beside a local Appwrite.
 */
export async function serveSdkPage(
  emulator: AppwriteEmulator,
  sdkPackage = 'appwrite',
): Promise<{ server: Server; url: string }> {
  const sdkJson = createRequire(import.meta.url).resolve(`${sdkPackage}/package.json`)
  const sdk = await readFile(join(dirname(sdkJson), 'dist/iife/sdk.js'), 'utf8')
  const server = createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(sdk)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(
      `<!doctype html><script src="/sdk.js"></script><script>window.endpoint=${JSON.stringify(emulator.endpoint)};window.project=${JSON.stringify(emulator.projectId)};window.events=[]</script>`,
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}
