// Runs every benchmark file in this folder (each `*.bench.ts` is also runnable alone with tsx).
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv[2]
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()) {
  if (only && !file.includes(only)) continue
  console.log(`\n# ${file}`)
  await import(pathToFileURL(`${dir}/${file}`).href)
}
