// The TypeScript code blocks of the docs, type-checked as a user who copies them would: against
// the packed packages' types, in the fresh project pack-smoke.mjs installs them into.
//
// A block is one module. Blocks often continue the one before (a `guard` made above, the app's
// `user`), so two things are not errors here:
//  - a name the block uses but does not declare (TS2304, TS2552, TS18004): it is the reader's;
//  - an import of a relative path (`./lock`): it is the reader's own file.
// Before that, a name one of the packages' entry points exports is imported from it (the first
// entry, in `entries` order, that has it), so `createBookingGuard({ … })` in a block without its
// import line is still checked against the real options. Everything else fails: an option, method
// or entry that does not exist, a wrong argument type, JSX in a `ts` block, a fragment that is not
// TypeScript.
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Diagnostics of a name the block leaves to its reader. */
const FREE_NAME = new Set([2304, 2552, 18004])
/** "Cannot find module" and "needs an extension": the reader's own files, by a relative path. */
const OWN_MODULE = new Set([2307, 2834, 2835])

/**
 * The ```ts and ```tsx blocks of a markdown file, with the line their code starts on.
 *
 * @param {string} markdown
 * @returns {{ lang: 'ts' | 'tsx', code: string, line: number }[]}
 */
export function codeBlocks(markdown) {
  const blocks = []
  const fence = /^```(tsx?)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm
  for (const match of markdown.matchAll(fence)) {
    const line = markdown.slice(0, match.index).split('\n').length + 1
    blocks.push({ lang: /** @type {'ts' | 'tsx'} */ (match[1]), code: match[2], line })
  }
  return blocks
}

/**
 * The ```ts and ```tsx blocks of the JSDoc comments of a source file (`@example`s), with the
 * leading ` * ` of each line taken off; not those of `@internal` comments, which no user reads.
 *
 * @param {string} source
 */
export function jsdocBlocks(source) {
  const blocks = []
  for (const comment of source.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const before = source.slice(0, comment.index).split('\n').length - 1
    if (comment[0].includes('@internal')) continue
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\*(?: |$)/, ''))
    for (const block of codeBlocks(lines.join('\n'))) {
      blocks.push({ ...block, line: block.line + before })
    }
  }
  return blocks
}

/**
 * Type-checks the blocks of `docs` (paths under `root`: markdown files, or sources for their
 * JSDoc) in `dir`, a project with typescript, the packed packages and their peers installed.
 * Returns the failures, each naming the doc and line.
 *
 * @param {{ root: string, dir: string, docs: string[], entries: string[] }} options
 * @returns {{ checked: number, failures: string[] }}
 */
export function checkDocSnippets({ root, dir, docs, entries }) {
  const ts = createRequire(join(dir, 'package.json'))('typescript')
  const folder = join(dir, 'snippets')
  mkdirSync(folder, { recursive: true })
  const snippets = []
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), 'utf8')
    for (const block of doc.endsWith('.md') ? codeBlocks(text) : jsdocBlocks(text)) {
      const file = join(folder, `${doc.replace(/[^\w]+/g, '_')}_${block.line}.${block.lang}`)
      snippets.push({ ...block, doc, file })
    }
  }
  const options = {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    jsx: ts.JsxEmit.ReactJSX,
    noEmit: true,
    skipLibCheck: true,
    // A callback given to a name the block leaves to its reader (`guard.subscribe…(id, (e) => …)`)
    // has no contextual type here; with the reader's real value it has.
    noImplicitAny: false,
  }
  const check = (prefixes) => {
    for (const snippet of snippets) {
      writeFileSync(snippet.file, (prefixes.get(snippet.file) ?? '') + snippet.code)
    }
    const program = ts.createProgram(
      snippets.map((s) => s.file),
      options,
    )
    return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName.startsWith(folder))
  }

  // What each entry point exports (values and types), first entry first.
  const exporter = new Map()
  const probe = join(folder, 'entries.ts')
  writeFileSync(probe, entries.map((e, i) => `import * as m${i} from '${e}'\n`).join(''))
  const probed = ts.createProgram([probe], options)
  const checker = probed.getTypeChecker()
  const source = probed.getSourceFile(probe)
  for (const statement of source.statements) {
    const entry = statement.moduleSpecifier.text
    const symbol = checker.getSymbolAtLocation(statement.moduleSpecifier)
    if (symbol === undefined) throw new Error(`doc snippets: ${entry} has no types in ${dir}`)
    for (const exported of checker.getExportsOfModule(symbol)) {
      if (exporter.has(exported.name)) continue
      const target =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      exporter.set(exported.name, { entry, value: (target.flags & ts.SymbolFlags.Value) !== 0 })
    }
  }

  const isTypePosition = (d) => {
    const find = (node) =>
      node.getStart(d.file) <= d.start && d.start < node.end
        ? (ts.forEachChild(node, find) ?? node)
        : undefined
    const node = find(d.file)
    return node !== undefined && node.parent !== undefined && ts.isTypeReferenceNode(node.parent)
  }

  // Pass 1 finds the names each block leaves undeclared; those an entry exports are imported.
  const prefixes = new Map()
  const missing = new Map()
  for (const d of check(prefixes)) {
    if (d.code !== 2304 && d.code !== 2552) continue
    const name = d.file.text.slice(d.start, d.start + d.length)
    const exported = exporter.get(name)
    // A block's own component or type may share a name with an export of the other kind.
    if (exported === undefined || exported.value === isTypePosition(d)) continue
    const names = missing.get(d.file.fileName) ?? new Set()
    missing.set(d.file.fileName, names.add(name))
  }
  for (const [file, names] of missing) {
    const byEntry = new Map()
    for (const name of names) {
      const { entry } = exporter.get(name)
      byEntry.set(entry, [...(byEntry.get(entry) ?? []), name])
    }
    // One line, so the block's own line numbers stay as they are, one off.
    const line = [...byEntry].map(([e, n]) => `import { ${n.join(', ')} } from '${e}';`).join(' ')
    prefixes.set(file, `${line}\n`)
  }

  const isRelativeImport = (d) =>
    /^['"]\.\.?\//.test(d.file.text.slice(d.start, d.start + d.length))

  const failures = []
  for (const d of check(prefixes)) {
    if (FREE_NAME.has(d.code)) continue
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    if (OWN_MODULE.has(d.code) && isRelativeImport(d)) continue
    const snippet = snippets.find((s) => s.file === d.file.fileName)
    const { line } = d.file.getLineAndCharacterOfPosition(d.start)
    const shift = prefixes.has(d.file.fileName) ? 1 : 0
    const where = `${snippet.doc}:${snippet.line + line - shift}`
    failures.push(
      `${where}: TS${d.code} ${process.env.SNIPPETS_VERBOSE ? message : message.split('\n')[0]}`,
    )
  }
  return { checked: snippets.length, failures, folder: relative(dir, folder) }
}
