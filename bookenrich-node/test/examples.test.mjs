// The examples of docs/node.md (marked `<!-- example: NAME`), run exactly as written against the fake catalogue.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { readGoodreadsCsv } from 'bookenrich'

import { EDGE_CASES_CSV, REPO_ROOT, runExample, startGenrePages } from './helpers.mjs'

/** The ```js block that follows the `<!-- example: NAME` marker in docs/node.md. */
function docExample(name) {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'node.md'), 'utf8')
  const marker = `<!-- example: ${name}`
  const at = doc.indexOf(marker)
  assert.ok(at >= 0, `docs/node.md has a ${marker} marker`)
  const match = /-->\s*```js\n([\s\S]*?)```/.exec(doc.slice(at))
  assert.ok(match, `a js block follows ${marker}`)
  return match[1]
}

test("the shelves example prints the reader's genre shelves", { timeout: 120_000 }, async (t) => {
  const { stdout } = await runExample(t, docExample('shelves'))
  const lines = stdout.trim().split('\n')
  const annihilation = lines.find((l) => l.startsWith('Annihilation'))
  assert.ok(annihilation, stdout)
  assert.match(annihilation, /shelves sci-fi, weird -> .*Science Fiction/)
  assert.ok(lines.some((l) => l.startsWith('The Way of Kings') && l.includes('shelves fantasy ->')), stdout)
  // Books on reading-status shelves only (to-read, currently-reading) have no shelf genres.
  assert.ok(!lines.some((l) => l.startsWith('Atomic Habits') || l.startsWith('Project Hail Mary')), stdout)
})

test('the JSON API source example fetches through the engine', { timeout: 120_000 }, async (t) => {
  const { stdout, server } = await runExample(t, docExample('source-json-api'))
  assert.match(stdout, /^Fantastic Mr\. Fox: \["Juvenile Fiction"\]$/m)
  assert.ok((await server.stats()).total > 0)
})

test('the local file source example answers first, the catalogues only for the rest', { timeout: 120_000 }, async (t) => {
  const files = { 'my_genres.csv': 'title,genre\nThe Alchemist,Philosophy\nThe Alchemist,Fiction\n' }
  const { stdout } = await runExample(t, docExample('source-local-file'), files)
  assert.match(stdout, /^1 books from my_genres\.csv, \d+ catalogue requests\n$/)
})

test('the HTML page source example reads pages of its own service through fetch.getText', { timeout: 120_000 }, async (t) => {
  const pages = await startGenrePages(t, { '9780140328721': ["Children's", 'Fantasy & Magic'] })
  const { stdout } = await runExample(t, docExample('source-html-page'), {}, { MY_GENRE_PAGES: pages.url })
  assert.match(stdout, /^Fantastic Mr\. Fox: \["Children's","Fantasy & Magic"\] -> \[.*"Fantasy".*\]\n$/)
  // One page asked for per book with an ISBN, each once.
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const withIsbn = books.filter((b) => b.isbn13).map((b) => `/isbn/${b.isbn13}`)
  assert.deepEqual([...pages.paths].sort(), withIsbn.sort())
})
