// Shared by the tests: fixture paths, a temporary directory, and the fake catalogue server.
import { execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_ROOT = resolve(PACKAGE_DIR, '..')
export const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures')
export const EDGE_CASES_CSV = join(FIXTURES, 'goodreads_edge_cases.csv')

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'bookenrich-node-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Where the `fake-catalogue` binary is: $FAKE_CATALOGUE_BIN, else the shared cargo target directory. */
export function fakeCatalogueBinary() {
  if (process.env.FAKE_CATALOGUE_BIN) return process.env.FAKE_CATALOGUE_BIN
  const targetDir = process.env.CARGO_TARGET_DIR || join(REPO_ROOT, 'target')
  const triples = [process.env.CARGO_BUILD_TARGET, ''].filter((t) => t !== undefined)
  for (const triple of triples) {
    for (const profile of ['debug', 'ci', 'release']) {
      const candidate = join(targetDir, triple, profile, 'fake-catalogue')
      if (existsSync(candidate)) return candidate
    }
  }
  throw new Error(
    `fake-catalogue binary not found under ${targetDir}: build it with ` +
      '`cargo build -p bookenrich-fake-catalogue --bin fake-catalogue` or set FAKE_CATALOGUE_BIN',
  )
}

/**
 * Starts the fake Open Library + Google Books server for one test and stops it when the test ends.
 * Resolves to `{ url, stats(), reset(), configure(body) }`.
 */
export async function startFakeCatalogue(t, args = []) {
  const child = spawn(fakeCatalogueBinary(), args, { stdio: ['pipe', 'pipe', 'inherit'] })
  t.after(() => {
    // Closing stdin makes the server exit; the kill is for a server that hangs.
    child.stdin.end()
    child.kill()
  })
  const url = await new Promise((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`fake-catalogue exited with ${code} before listening`)))
    lines.once('line', (line) => {
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)
      if (match) resolveUrl(match[1])
      else reject(new Error(`unexpected first line from fake-catalogue: ${line}`))
    })
  })
  const control = async (path, init) => {
    const response = await fetch(`${url}${path}`, init)
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${await response.text()}`)
    return response.json()
  }
  return {
    url,
    stats: () => control('/__stats'),
    reset: () => control('/__reset', { method: 'POST' }),
    configure: (body) =>
      control('/__config', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  }
}

/** Asserts that `promise` rejects with an Error whose `code` is `code`; returns the error. */
export async function rejectsWithCode(assert, promise, code, messagePattern) {
  let error
  await assert.rejects(promise, (e) => {
    error = e
    return true
  })
  return assertCoded(assert, error, code, messagePattern)
}

/** Asserts that `fn()` throws an Error whose `code` is `code`; returns the error. */
export function throwsWithCode(assert, fn, code, messagePattern) {
  let error
  assert.throws(fn, (e) => {
    error = e
    return true
  })
  return assertCoded(assert, error, code, messagePattern)
}

/** Asserts that `error` is an Error with `code` (and a message matching `messagePattern`); returns it. */
function assertCoded(assert, error, code, messagePattern) {
  assert.ok(error instanceof Error, `expected an Error, got ${error}`)
  assert.equal(error.code, code, `code of: ${error.message}`)
  if (messagePattern) assert.match(error.message, messagePattern)
  return error
}

/**
 * Runs `code` as an ES module beside a copy of the edge-case export (and `files`, name → text),
 * against the fake catalogue; its output, the dashboard it wrote (`null` if none) and the server.
 */
export async function runExample(t, code, files = {}, env = {}) {
  const server = await startFakeCatalogue(t)
  // A temporary directory whose node_modules/bookenrich links to this package, as `npm link` would:
  // `import ... from 'bookenrich'` resolves to the package under test, and nothing is written into it.
  const dir = mkdtempSync(join(tmpdir(), 'bookenrich-example-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(PACKAGE_DIR, join(dir, 'node_modules', 'bookenrich'), 'dir')
  copyFileSync(EDGE_CASES_CSV, join(dir, 'goodreads_library_export.csv'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const script = join(dir, 'example.mjs')
  writeFileSync(script, code)

  // The code is unchanged: the catalogue URLs come from the environment, as a deployment would set them.
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], {
    cwd: dir,
    env: {
      ...process.env,
      BOOKENRICH_OPEN_LIBRARY_URL: server.url,
      BOOKENRICH_GOOGLE_BOOKS_URL: server.url,
      BOOKENRICH_RATE_LIMITS: 'openlibrary=100,google=100',
      ...env,
    },
  })
  const written = join(dir, 'dashboard.json')
  const dashboard = existsSync(written) ? JSON.parse(readFileSync(written, 'utf8')) : null
  return { stdout, stderr, dashboard, server }
}

/** An enrichment result with every field, for `goodreadsId`. */
export function minimalResult(goodreadsId) {
  return {
    goodreadsId,
    title: '',
    author: '',
    genresBySource: {},
    finalGenres: [],
    thumbnailUrl: null,
    smallThumbnailUrl: null,
    sourcesMatched: [],
    genreSources: [],
    identifiers: {},
    processingLog: [],
    error: null,
    failures: [],
    fromCache: false,
  }
}

/**
 * A service of the user's own: an HTML page of genres per ISBN, 404 for an unknown one. (A test
 * may start its own server for a source's own service: it stands for the user's, so there is no
 * real answer to record.) Resolves to `{ url, paths }`, `paths` the paths asked for.
 */
export async function startGenrePages(t, pages) {
  const paths = []
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&#39;')
  const server = createServer((request, response) => {
    paths.push(request.url)
    const genres = pages[request.url.split('/').at(-1)]
    const body = genres
      ? `<html><body><ul>${genres.map((g) => `<li class="genre">${escape(g)}</li>`).join('')}</ul></body></html>`
      : '<html><body>No such book</body></html>'
    response.writeHead(genres ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
    response.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  return { url: `http://127.0.0.1:${server.address().port}`, paths }
}
