// The quick start of docs/node.md and the repository README's example, run exactly as written against the fake catalogue server.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { PACKAGE_DIR, REPO_ROOT, runExample } from './helpers.mjs'

/** The ```js block that follows the `<!-- quickstart` marker in docs/node.md. */
function quickStart() {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'node.md'), 'utf8')
  const match = /<!-- quickstart[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc)
  assert.ok(match, 'docs/node.md has a ```js block after a <!-- quickstart --> marker')
  return match[1]
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
