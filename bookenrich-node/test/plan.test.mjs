// The default request plan through Node: `enricher.plan(books)` before a run, and the run it describes.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'

import { Enricher, readGoodreadsCsv } from 'bookenrich'

import { EDGE_CASES_CSV, startFakeCatalogue, tempDir } from './helpers.mjs'

const allBooks = async () => (await readGoodreadsCsv(EDGE_CASES_CSV, { includeUnread: true })).books

test('plan before a run: nothing sent, Google left out without a key, the run within the plan, then all cached', async (t) => {
  const server = await startFakeCatalogue(t)
  const books = await allBooks()
  const enricher = new Enricher({
    openLibraryUrl: server.url,
    googleBooksUrl: server.url,
    contact: 'node-tests@example.com',
    rateLimits: { openlibrary: 100, google: 100 },
    cache: join(tempDir(t), 'cache.sqlite3'),
  })
  assert.equal(enricher.merge, 'planned')
  const plan = enricher.plan(books)
  assert.equal((await server.stats()).total, 0, 'planning sends nothing')
  assert.equal(plan.books, books.length)
  assert.equal(plan.fromCache, 0)
  const google = plan.sources.find((s) => s.name === 'google_books')
  assert.match(google.skipped, /API key/)
  assert.equal(google.requestsMax, 0)

  const { summary } = await enricher.enrichWithSummary(books)
  assert.ok(plan.requestsExpected <= summary.requests && summary.requests <= plan.requestsMax, JSON.stringify({ plan, made: summary.requests }))
  assert.equal((await server.stats()).requests_by_api.google ?? 0, 0)

  const again = enricher.plan(books)
  assert.equal(again.fromCache, books.length)
  assert.equal(again.requestsExpected, 0)
  assert.equal((await enricher.enrichWithSummary(books)).summary.requests, 0)
})
