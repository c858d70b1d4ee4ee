// The quick start of docs/node.md and the repository README's example, run exactly as written against the fake catalogue server.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { EDGE_CASES_CSV, PACKAGE_DIR, REPO_ROOT, startFakeCatalogue } from './helpers.mjs'

const run = promisify(execFile)

/** The ```js block that follows the `<!-- quickstart` marker in docs/node.md. */
function quickStart() {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'node.md'), 'utf8')
  const match = /<!-- quickstart[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc)
  assert.ok(match, 'docs/node.md has a ```js block after a <!-- quickstart --> marker')
  return match[1]
}

/**
 * Runs `code` as an ES module beside a copy of the edge-case export, against the fake catalogue;
 * its output, the dashboard it wrote and the server.
 */
async function runExample(t, code) {
  const server = await startFakeCatalogue(t)
  // Inside the package, so `import ... from 'bookenrich'` resolves to this package (self-reference).
  const dir = mkdtempSync(join(PACKAGE_DIR, 'test', '.tmp-example-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(EDGE_CASES_CSV, join(dir, 'goodreads_library_export.csv'))
  const script = join(dir, 'example.mjs')
  writeFileSync(script, code)

  // The code is unchanged: the catalogue URLs come from the environment, as a deployment would set them.
  const { stdout, stderr } = await run(process.execPath, [script], {
    cwd: dir,
    env: {
      ...process.env,
      BOOKENRICH_OPEN_LIBRARY_URL: server.url,
      BOOKENRICH_GOOGLE_BOOKS_URL: server.url,
      BOOKENRICH_RATE_LIMITS: 'openlibrary=100,google=100',
    },
  })
  const dashboard = JSON.parse(readFileSync(join(dir, 'dashboard.json'), 'utf8'))
  return { stdout, stderr, dashboard, server }
}

test('the quick start of docs/node.md enriches an export and writes the dashboard', { timeout: 120_000 }, async (t) => {
  const { stdout, stderr, dashboard, server } = await runExample(t, quickStart())
  const { total_books: total, genre_enriched_books: enriched } = dashboard.summary
  assert.equal(total, 11)
  assert.ok(enriched >= 9, `${enriched} books with genres`)
  assert.equal(stdout, `${enriched} of ${total} books have genres\n`)
  assert.match(stderr, /^0\/11 books, 0 requests$/m)
  assert.match(stderr, /^11\/11 books, \d+ requests$/m)
  assert.ok(dashboard.books.every((b) => b.private_notes === null))
  assert.ok((await server.stats()).total > 0)
})

test('the npm README shows the same quick start', () => {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')
  const match = /## Quick start\s*```js\n([\s\S]*?)```/.exec(readme)
  assert.ok(match, 'README.md has a quick start')
  assert.equal(match[1], quickStart())
})

test("the repository README's Node example enriches an export and writes the dashboard", { timeout: 120_000 }, async (t) => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const match = /```js\n([\s\S]*?)```/.exec(readme)
  assert.ok(match, 'README.md has a ```js block')
  const { dashboard, server } = await runExample(t, match[1])
  assert.equal(dashboard.summary.total_books, 11)
  assert.ok(dashboard.summary.genre_enriched_books > 0)
  assert.ok((await server.stats()).total > 0)
})
