import { readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// What the root entry's module graph pulls into a bundle: the modules reachable from it through
// value imports and re-exports (`import type` / `export type` are erased, so they pull nothing;
// with `verbatimModuleSyntax` every other import stays in the output). The emulator's Users and
// Account extras must stay behind `@booking-guard/testing/accounts` and the emulator entry.

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const parsed = new Map<string, string[]>()

/** The specifiers a module loads at run time. */
function valueImports(file: string): string[] {
  const known = parsed.get(file)
  if (known !== undefined) return known
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly)
      found.push((node.moduleSpecifier as ts.StringLiteral).text)
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier)
      found.push((node.moduleSpecifier as ts.StringLiteral).text)
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text)
    ts.forEachChild(node, visit)
  }
  visit(source)
  parsed.set(file, found)
  return found
}

/** The source file a relative specifier names (`./x` → `x.ts` or `x/index.ts`). */
function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier)
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    try {
      readFileSync(candidate)
      return candidate
    } catch {
      // Not this candidate: try the next one.
    }
  }
  throw new Error(`${relative(src, from)} imports ${specifier}, which resolves to no source file`)
}

/** Every module reachable from `entry` (paths relative to `src/`) and the packages it imports. */
function moduleGraph(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>()
  const packages = new Set<string>()
  const pending = [resolve(src, entry)]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const name = relative(src, file)
    if (modules.has(name)) continue
    modules.add(name)
    for (const specifier of valueImports(file)) {
      if (specifier.startsWith('.')) pending.push(resolveRelative(file, specifier))
      else packages.add(specifier)
    }
  }
  return { modules, packages }
}

/** The modules only the emulator and `installAccountFeatures` need (the Users service is one). */
const ACCOUNT_EXTRAS = [
  'fake/users.ts',
  'fake/accountFeatures.ts',
  'fake/accountEmails.ts',
  'fake/tokens.ts',
  'fake/importedUsers.ts',
  'fake/importedHashes.ts',
  'fake/bcrypt.ts',
  'fake/argon2.ts',
  'fake/userQueries.ts',
  'fake/jwts.ts',
  'fake/teams.ts',
]

/** The modules only the emulator and `installTableFeatures` need: inline table definitions. */
const TABLE_EXTRAS = [
  'fake/tableFeatures.ts',
  'fake/admin/inlineColumns.ts',
  'fake/admin/inlineIndexes.ts',
]

describe('index', () => {
  it('should keep the Users service, the Account extras, inline table definitions, Teams and the emulator out of the root entry', () => {
    const { modules, packages } = moduleGraph('index.ts')
    // The walk does reach the services whose methods the extras complete.
    expect(modules).toContain('fake/account.ts')
    expect(ACCOUNT_EXTRAS.filter((module) => modules.has(module))).toEqual([])
    expect(modules).toContain('fake/admin/tables.ts')
    expect(TABLE_EXTRAS.filter((module) => modules.has(module))).toEqual([])
    expect([...modules].filter((module) => module.startsWith('emulator/'))).toEqual([])
    // Browser-safe: no Node built-in or WebSocket server (the package's other imports are core's).
    expect([...packages].filter((name) => name.startsWith('node:') || name === 'ws')).toEqual([])
  })

  it('should reach every account extra from the accounts entry, which stays browser-safe too', () => {
    const { modules, packages } = moduleGraph('accounts/index.ts')
    const extras = ACCOUNT_EXTRAS.filter(
      (module) => module !== 'fake/jwts.ts' && module !== 'fake/teams.ts',
    )
    expect(extras.filter((module) => !modules.has(module))).toEqual([])
    expect([...modules].filter((module) => module.startsWith('emulator/'))).toEqual([])
    expect([...packages].filter((name) => name.startsWith('node:') || name === 'ws')).toEqual([])
  })

  it('should reach every table extra from the tables entry, which stays browser-safe too', () => {
    const { modules, packages } = moduleGraph('tables/index.ts')
    expect(TABLE_EXTRAS.filter((module) => !modules.has(module))).toEqual([])
    expect([...modules].filter((module) => module.startsWith('emulator/'))).toEqual([])
    expect([...packages].filter((name) => name.startsWith('node:') || name === 'ws')).toEqual([])
  })

  it('should keep every account and table extra reachable from the emulator entry, which installs them', () => {
    const { modules } = moduleGraph('emulator/index.ts')
    expect(ACCOUNT_EXTRAS.filter((module) => !modules.has(module))).toEqual([])
    expect(TABLE_EXTRAS.filter((module) => !modules.has(module))).toEqual([])
  })
})
