#!/usr/bin/env node
// The packages as a user meets them: packs @booking-guard/core, /react and /testing (built first),
// installs the tarballs with npm into a fresh project outside the workspace, and there
//  - imports every entry point as ESM and as CommonJS,
//  - books on the fake (the README's complete form), retries with the same key, gets the typed error,
//  - starts the emulator from its bin, provisions it with the CLI's bin, books through node-appwrite,
//  - type-checks a file against the packed types (`nodenext`, `skipLibCheck: false`), including the
//    mistakes the types must catch,
//  - type-checks every TypeScript block of the READMEs, the guides and the JSDoc @examples against
//    them (doc-snippets.mjs).
// Run: `node scripts/pack-smoke.mjs` after `pnpm build` (`KEEP=1` keeps the project folder).
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkDocSnippets } from './doc-snippets.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'booking-guard-pack-'))
const tarballs = join(dir, 'tgz')
mkdirSync(tarballs)
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe', ...options })

/** The version the workspace itself resolved, so the smoke test installs what the tests ran on. */
const workspaceVersion = (name) => {
  for (const from of ['packages/core', 'packages/react', 'packages/testing', '.']) {
    try {
      const file = join(root, from, 'node_modules', name, 'package.json')
      return JSON.parse(readFileSync(file, 'utf8')).version
    } catch {
      // not installed under this folder: try the next one
      continue
    }
  }
  throw new Error(`${name} is not installed in the workspace: run the install first`)
}

const step = (name) => console.log(`\n--- ${name}`)
let emulator
try {
  step('pack')
  // pnpm pack, as publishing does: it rewrites react's `workspace:^` peer range of core.
  for (const name of ['core', 'react', 'testing']) {
    execFileSync('npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', tarballs], {
      cwd: join(root, 'packages', name),
      stdio: 'pipe',
    })
  }
  const packed = readdirSync(tarballs).map((file) => join(tarballs, file))
  console.log(packed.map((file) => file.replace(`${tarballs}/`, '')).join('\n'))

  step('install into a fresh project')
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'smoke', private: true, type: 'module' }),
  )
  const peers = [
    'appwrite',
    'node-appwrite',
    'react',
    'react-dom',
    'zod',
    'typescript',
    '@types/react',
  ]
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...packed,
    ...peers.map((name) => `${name}@${workspaceVersion(name)}`),
  ])

  step('every entry point, ESM and CommonJS')
  const entries = [
    '@booking-guard/core',
    ...['server', 'admin', 'schema', 'realtime', 'resilience', 'observers'].map(
      (entry) => `@booking-guard/core/${entry}`,
    ),
    '@booking-guard/react',
    '@booking-guard/testing',
    '@booking-guard/testing/accounts',
    '@booking-guard/testing/tables',
  ]
  writeFileSync(
    join(dir, 'entries.mjs'),
    `for (const name of ${JSON.stringify(entries)}) {
       const esm = Object.keys(await import(name)).length
       const cjs = Object.keys(require(name)).length
       if (esm === 0 || esm !== cjs) throw new Error(name + ': ' + esm + ' ESM exports, ' + cjs + ' CommonJS')
       console.log(name, esm)
     }`.replace(
      /^/,
      "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n",
    ),
  )
  console.log(run('node', ['entries.mjs']).trim())

  const form = `{
    customerId: 'cust-1', customerName: 'Ana Putri', providerId: 'therapist-42',
    providerType: 'therapist', providerName: 'Budi Santoso', bookingType: 'scheduled',
    scheduledAt: '2027-01-02T09:30:00.000+08:00', durationMinutes: 90,
  }`

  step('a booking on the fake')
  writeFileSync(
    join(dir, 'fake.mjs'),
    `import { createBookingGuard, describeBookingError } from '@booking-guard/core'
     import { createFakeAppwrite } from '@booking-guard/testing'
     const fake = createFakeAppwrite()
     const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main' })
     const form = ${form}
     const first = await guard.createBooking(form, { idempotencyKey: 'form-1' })
     const again = await guard.createBooking(form, { idempotencyKey: 'form-1' })
     const counts = Object.values(fake.snapshot().main).map((rows) => rows.length)
     if (again.booking.$id !== first.booking.$id || counts.join() !== '1,1,1,1') {
       throw new Error('a retry made a second booking: ' + JSON.stringify(fake.snapshot().main))
     }
     const refused = await guard.createBooking({ ...form, providerID: 'x' }).catch((error) => error)
     if (refused?.name !== 'SchemaLockError') throw new Error('an unknown key was not refused: ' + refused)
     console.log(first.booking.pipelineStatus, describeBookingError(refused).kind)`,
  )
  console.log(run('node', ['fake.mjs']).trim())

  step('the emulator and the CLI from their bins, a booking through node-appwrite')
  emulator = spawn(join(dir, 'node_modules/.bin/booking-guard-emulator'), ['--port', '0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const endpoint = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 20_000)
    emulator.stdout.on('data', (chunk) => {
      out += chunk
      const found = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out)
      if (found) {
        clearTimeout(timer)
        resolve(found[1])
      }
    })
    emulator.on('exit', (code) => reject(new Error(`the emulator exited (${code}): ${out}`)))
  })
  const env = {
    ...process.env,
    APPWRITE_ENDPOINT: endpoint,
    APPWRITE_PROJECT: 'booking-guard',
    APPWRITE_API_KEY: 'emulator-api-key',
  }
  console.log(run('node_modules/.bin/booking-guard', ['--version'], { env }).trim())
  run('node_modules/.bin/booking-guard', ['provision', '--database', 'main'], { env })
  writeFileSync(
    join(dir, 'emulator.mjs'),
    `import { Client, TablesDB } from 'node-appwrite'
     import { createBookingGuard } from '@booking-guard/core'
     const client = new Client().setEndpoint(process.env.APPWRITE_ENDPOINT)
       .setProject(process.env.APPWRITE_PROJECT).setKey(process.env.APPWRITE_API_KEY)
     const guard = createBookingGuard({ tablesDB: new TablesDB(client), databaseId: 'main' })
     const { booking, chatRoom } = await guard.createBooking(${form}, { idempotencyKey: 'form-1' })
     const tables = new TablesDB(client)
     for (const tableId of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
       const { total } = await tables.listRows({ databaseId: 'main', tableId })
       if (total !== 1) throw new Error(tableId + ' has ' + total + ' rows')
     }
     console.log(booking.pipelineStatus, chatRoom.bookingId === booking.$id)`,
  )
  console.log(run('node', ['emulator.mjs'], { env }).trim())
  run('node_modules/.bin/booking-guard', ['doctor', '--database', 'main'], { env })

  step('the packed types (nodenext, skipLibCheck off)')
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        jsx: 'react-jsx',
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['types.tsx'],
    }),
  )
  writeFileSync(
    join(dir, 'types.tsx'),
    `import { createBookingGuard, createBookingClient, type CreateBookingInput } from '@booking-guard/core'
     import { createBookingFunction } from '@booking-guard/core/server'
     import { BookingGuardProvider, useBookingSubmit } from '@booking-guard/react'
     import { createFakeAppwrite } from '@booking-guard/testing'
     const fake = createFakeAppwrite()
     const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main' })
     const form = ${form} satisfies CreateBookingInput
     // @ts-expect-error an unknown key does not compile
     export const typo = { ...form, providerID: 'x' } satisfies CreateBookingInput
     // @ts-expect-error a guard needs tablesDB or databases
     createBookingGuard({ databaseId: 'main' })
     export const browser = createBookingClient({ tablesDB: fake.tablesDB, databaseId: 'main', functions: { createExecution: async () => ({ responseStatusCode: 200, responseBody: '{}' }) } as never, functionId: 'booking' })
     export default createBookingFunction({ databaseId: 'main', resolveProvider: async () => ({ userId: 'u', name: 'n' }) })
     function Book() {
       const submit = useBookingSubmit()
       const error: Error | undefined = submit.error
       return <button onClick={() => void submit.submit(form)}>{error?.message ?? (submit.isPending ? '…' : 'Book')}</button>
     }
     export const App = () => <BookingGuardProvider guard={guard}><Book /></BookingGuardProvider>`,
  )
  run('node_modules/.bin/tsc', ['-p', '.'])
  console.log('types: ok')

  step('the TypeScript blocks of the docs and of the JSDoc @examples, against the packed types')
  const sources = ['core', 'react', 'testing'].flatMap((name) =>
    readdirSync(join(root, 'packages', name, 'src'), { recursive: true })
      .filter((file) => /\.tsx?$/.test(file) && !file.includes('__tests__'))
      .map((file) => join('packages', name, 'src', file)),
  )
  const docs = [
    'packages/core/README.md',
    'packages/react/README.md',
    'packages/testing/README.md',
    'docs/adopting.md',
    'examples/booking-function/README.md',
    ...sources,
  ]
  const snippets = checkDocSnippets({
    root,
    dir,
    docs,
    entries: [...entries, '@booking-guard/testing/fixtures', '@booking-guard/testing/emulator'],
  })
  if (snippets.failures.length > 0) {
    throw new Error(
      `${snippets.failures.length} doc block(s) do not compile (${snippets.folder} in the project):\n${snippets.failures.join('\n')}`,
    )
  }
  console.log(`doc and @example blocks: ${snippets.checked} compile`)
  console.log(`\npack smoke test passed (${dir})`)
} catch (error) {
  console.error(error.stdout ?? '', error.stderr ?? '')
  console.error(`pack smoke test failed in ${dir}:`, error.message)
  process.exitCode = 1
} finally {
  emulator?.kill()
  if (!process.env.KEEP && process.exitCode !== 1) rmSync(dir, { recursive: true, force: true })
}
