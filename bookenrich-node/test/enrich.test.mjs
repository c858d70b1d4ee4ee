// Enricher against the project's fake catalogue server: results, progress, abort, options, errors.
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'

import { Enricher, buildDashboard, readGoodreadsCsv } from 'bookenrich'

import { EDGE_CASES_CSV, rejectsWithCode, startFakeCatalogue, tempDir, throwsWithCode } from './helpers.mjs'

/**
 * An enricher pointed at `server`, fast enough for tests (the fake server has no rate limit by default).
 * Every source is asked for every book (`union`), so tests see both catalogues at work without an API
 * key; the default request plan has tests of its own (plan.test.mjs).
 */
function enricherFor(server, options = {}) {
  return new Enricher({
    openLibraryUrl: server.url,
    googleBooksUrl: server.url,
    contact: 'node-tests@example.com',
    rateLimits: { openlibrary: 100, google: 100 },
    cache: 'off',
    merge: 'union',
    ...options,
  })
}

const allBooks = async () => (await readGoodreadsCsv(EDGE_CASES_CSV, { includeUnread: true })).books

test('enriches the edge-case library: one result per book, in order, joined by goodreadsId', async (t) => {
  const server = await startFakeCatalogue(t)
  const books = await allBooks()
  const { results, summary } = await enricherFor(server).enrichWithSummary(books)

  assert.deepEqual(
    results.map((r) => r.goodreadsId),
    books.map((b) => b.goodreadsId),
  )
  const byId = Object.fromEntries(results.map((r) => [r.goodreadsId, r]))
  const annihilation = byId['17470674']
  assert.equal(annihilation.title, 'Annihilation (Southern Reach #1)')
  assert.ok(annihilation.finalGenres.includes('Science Fiction'), annihilation.finalGenres.join(', '))
  assert.equal(annihilation.finalGenres.at(-1), 'Fiction')
  assert.deepEqual(annihilation.genreSources, ['open_library', 'google_books'])
  assert.match(annihilation.thumbnailUrl, /^https:\/\//)
  assert.ok(annihilation.genresBySource.open_library.length > 0)
  assert.ok(annihilation.identifiers.google_books.length > 0)
  assert.equal(annihilation.error, null)
  assert.equal(annihilation.fromCache, false)
  // Atomic Habits is nonfiction; The Alchemist (Coelho) is in neither catalogue.
  assert.equal(byId['40121378'].finalGenres.at(-1), 'Nonfiction')
  assert.deepEqual(byId['18144590'].finalGenres, [])
  assert.equal(byId['18144590'].error, null)
  // Ready Player One is only in Google Books.
  assert.deepEqual(byId['9969571'].genreSources, ['google_books'])

  assert.equal(summary.books, books.length)
  assert.equal(summary.withGenres, results.filter((r) => r.finalGenres.length > 0).length)
  assert.equal(summary.failed, 0)
  assert.deepEqual(
    summary.sources.map((s) => s.name),
    ['open_library', 'google_books'],
  )
  // The summary counts exactly the requests the server saw.
  const stats = await server.stats()
  assert.equal(summary.requests, stats.total)
  assert.equal(typeof summary.elapsed, 'number')

  // The results go straight into the dashboard.
  const dashboard = buildDashboard(books, results)
  assert.equal(dashboard.summary.genre_enriched_books, summary.withGenres)
  assert.equal(dashboard.metadata.validation.books_without_enrichment_result, 0)
  assert.equal(
    dashboard.metadata.validation.genre_sources_success.no_genres,
    books.length - summary.withGenres,
  )
})

test('enrich takes plain objects with just a title and an author', async (t) => {
  const server = await startFakeCatalogue(t)
  const [result] = await enricherFor(server).enrich([{ title: 'Sabriel (Abhorsen  #1)', author: 'Garth Nix' }])
  assert.equal(result.goodreadsId, null)
  assert.ok(result.finalGenres.includes('Fantasy'), result.finalGenres.join(', '))
  const none = await enricherFor(server).enrich([])
  assert.deepEqual(none, [])
})

test('onProgress sees the run from 0 to every book, and every call happens before the Promise settles', async (t) => {
  const server = await startFakeCatalogue(t)
  const books = await allBooks()
  const events = []
  let settled = false
  const results = await enricherFor(server)
    .enrich(books, {
      onProgress(progress) {
        assert.equal(settled, false, 'onProgress called after the Promise settled')
        events.push(progress)
      },
    })
    .finally(() => {
      settled = true
    })
  assert.equal(results.length, books.length)
  assert.ok(events.length >= 2, `${events.length} events`)
  assert.equal(events[0].booksDone, 0)
  assert.equal(events[0].requests, 0)
  assert.equal(events.at(-1).booksDone, books.length)
  assert.equal(events.at(-1).fractionDone, 1)
  for (const [i, e] of events.entries()) {
    assert.equal(e.booksTotal, books.length)
    if (i > 0) {
      assert.ok(e.booksDone >= events[i - 1].booksDone, 'booksDone never goes back')
      assert.ok(e.requests >= events[i - 1].requests, 'requests never go back')
    }
    assert.deepEqual(
      e.sources.map((s) => s.name),
      ['open_library', 'google_books'],
    )
  }
  const count = events.length
  await nextTurn()
  await nextTurn()
  assert.equal(events.length, count, 'no progress event after the Promise settled')
})

test('an exception thrown by onProgress stops the run and rejects the Promise with it', async (t) => {
  const server = await startFakeCatalogue(t)
  const books = await allBooks()
  const thrown = new Error('progress bar exploded')
  let calls = 0
  await assert.rejects(
    enricherFor(server).enrich(books, {
      onProgress() {
        calls += 1
        throw thrown
      },
    }),
    (error) => error === thrown,
  )
  assert.ok(calls >= 1)
  const after = calls
  await nextTurn()
  assert.equal(calls, after, 'no progress call after the Promise settled')
})

test('an AbortSignal that has already fired rejects with ABORTED before any request', async (t) => {
  const server = await startFakeCatalogue(t)
  const controller = new AbortController()
  controller.abort()
  await rejectsWithCode(
    assert,
    enricherFor(server).enrich(await allBooks(), { signal: controller.signal }),
    'ABORTED',
    /aborted/,
  )
  assert.equal((await server.stats()).total, 0)
})

test('aborting a run drops it: the Promise rejects with ABORTED and no further request is sent', { timeout: 60_000 }, async (t) => {
  // Every answer takes 10 s: the run cannot finish on its own while the test waits for the abort.
  const server = await startFakeCatalogue(t, ['--latency-ms', '10000'])
  const controller = new AbortController()
  const books = await allBooks()
  const run = enricherFor(server, { concurrency: 2 }).enrich(books, {
    signal: controller.signal,
    // The first event comes at the start of the run, before any answer.
    onProgress: () => controller.abort(),
  })
  await rejectsWithCode(assert, run, 'ABORTED')
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the abort listener is removed')
  // Only the requests in flight at the abort (at most `concurrency`) ever reach the server.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const stats = await server.stats()
  assert.ok(stats.total <= 2, `${stats.total} requests after the abort`)
})

test('a run that finishes removes its abort listener from the signal', async (t) => {
  const server = await startFakeCatalogue(t)
  const controller = new AbortController()
  const enricher = enricherFor(server)
  const books = (await allBooks()).slice(0, 2)
  await enricher.enrich(books, { signal: controller.signal })
  await enricher.enrich(books, { signal: controller.signal })
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  // Aborting afterwards does nothing to the finished runs.
  controller.abort()
})

test('a signal that is not an AbortSignal rejects with INVALID_INPUT', async (t) => {
  const server = await startFakeCatalogue(t)
  await rejectsWithCode(
    assert,
    enricherFor(server).enrich([{ title: 'Dune', author: 'Frank Herbert' }], { signal: {} }),
    'INVALID_INPUT',
    /signal must be an AbortSignal/,
  )
})

test('a catalogue that is down fails its lookups, not the run', async (t) => {
  const server = await startFakeCatalogue(t, ['--fault', '503,api=google'])
  const books = (await allBooks()).slice(0, 3)
  const { results, summary } = await enricherFor(server, { maxAttempts: 1 }).enrichWithSummary(books)
  assert.equal(results.length, 3)
  for (const r of results) {
    assert.match(r.error, /google_books/)
    assert.ok(r.genreSources.every((s) => s === 'open_library'))
    // The same, structured: a 5xx is worth retrying the book for later.
    assert.deepEqual(
      r.failures.map(({ source, kind, retryable }) => ({ source, kind, retryable })),
      [{ source: 'google_books', kind: 'server', retryable: true }],
    )
    assert.equal(r.failures[0].message, r.error)
  }
  assert.equal(summary.withErrors, 3)
  const google = summary.sources.find((s) => s.name === 'google_books')
  assert.equal(google.booksFailed, 3)
})

test('the Google API key is sent to the catalogue but never returned, logged or put in errors', async (t) => {
  const server = await startFakeCatalogue(t, ['--fault', '503,api=google'])
  const key = 'AIza-node-test-SECRET-41'
  const enricher = enricherFor(server, { googleApiKey: key, maxAttempts: 1 })
  assert.equal(enricher.options().googleApiKey, undefined)
  const { results, summary } = await enricher.enrichWithSummary((await allBooks()).slice(0, 2))
  assert.ok((await server.stats()).api_keys_seen > 0)
  const everything = JSON.stringify({ results, summary, options: enricher.options() })
  assert.ok(!everything.includes(key), 'the key leaked')
  assert.ok(results.some((r) => r.error !== null))
})

test('offline with an empty cache answers without a request, recording why in each result', async (t) => {
  const server = await startFakeCatalogue(t)
  const enricher = enricherFor(server, { offline: true, cache: 'memory' })
  assert.equal(enricher.offline, true)
  const results = await enricher.enrich((await allBooks()).slice(0, 2))
  for (const r of results) {
    assert.deepEqual(r.finalGenres, [])
    assert.match(r.error, /offline/i)
    assert.ok(r.failures.length > 0 && r.failures.every((f) => f.kind === 'offline' && !f.retryable))
  }
  assert.equal((await server.stats()).total, 0)
})

test('options map onto the enricher; explicit options win over BOOKENRICH_* variables', (t) => {
  const saved = { ...process.env }
  t.after(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  })
  const defaults = new Enricher({ cache: 'off' })
  assert.deepEqual(defaults.sources, ['open_library', 'google_books'])
  assert.equal(defaults.merge, 'planned')
  assert.equal(defaults.concurrency, 16)
  assert.equal(defaults.offline, false)

  process.env.BOOKENRICH_CONCURRENCY = '3'
  process.env.BOOKENRICH_SOURCES = 'google'
  const fromEnv = new Enricher({ cache: 'off' })
  assert.equal(fromEnv.concurrency, 3)
  assert.deepEqual(fromEnv.sources, ['google_books'])

  const explicit = new Enricher({
    cache: 'off',
    concurrency: 5,
    sources: ['openlibrary'],
    merge: 'first_with_genres',
    rateLimits: { openlibrary: 2.5 },
  })
  assert.equal(explicit.concurrency, 5)
  assert.deepEqual(explicit.sources, ['open_library'])
  assert.equal(explicit.merge, 'first_with_genres')
  assert.deepEqual(explicit.rateLimits, { open_library: 2.5 })
  assert.deepEqual(explicit.options(), {
    sources: ['open_library'],
    merge: 'first_with_genres',
    concurrency: 5,
    // Rate limits are shown by the source's name, as `sources` are.
    rateLimits: { open_library: 2.5 },
    cache: 'off',
  })

  process.env.BOOKENRICH_CONCURRENCY = 'lots'
  const error = throwsWithCode(assert, () => new Enricher(), 'CONFIG', /BOOKENRICH_CONCURRENCY/)
  assert.equal(error.field, 'BOOKENRICH_CONCURRENCY')
})

test('invalid options throw CONFIG naming the option', () => {
  const cases = [
    [{ concurrency: 0 }, 'concurrency', /must be a whole number of at least 1, got 0/],
    [{ concurrency: 2.5 }, 'concurrency', /got 2\.5/],
    [{ sources: ['amazon'] }, 'sources', /unknown source "amazon"/],
    [{ sources: ['openlibrary', 'ol'] }, 'sources', /listed twice/],
    [{ merge: 'best' }, 'merge', /"best" is not "planned", "union" or "first_with_genres"/],
    [{ openLibraryUrl: 'ftp://catalogue.example' }, 'openLibraryUrl', /https/],
    [{ googleBooksUrl: 'not a url' }, 'googleBooksUrl', /not a URL/],
    [{ rateLimits: { openlibrary: -1 } }, 'rateLimits', /openlibrary/],
    [{ rateLimits: { amazon: 1 } }, 'rateLimits', /amazon/],
    [{ maxBodyBytes: 0 }, 'maxBodyBytes', /must be a whole number of at least 1, got 0/],
    [{ googleDailyBudget: 0 }, 'googleDailyBudget', /must be a whole number of at least 1, got 0/],
    [{ requestTimeout: 0 }, 'requestTimeout', /seconds/],
    [{ cache: '' }, 'cache', /memory/],
  ]
  for (const [options, field, message] of cases) {
    const error = throwsWithCode(assert, () => new Enricher(options), 'CONFIG', message)
    assert.equal(error.field, field, JSON.stringify(options))
    assert.match(error.message, new RegExp(`^invalid ${field}: `))
  }
  // A value of the wrong type is a CONFIG error too (test/options.test.mjs has the messages).
  const error = throwsWithCode(assert, () => new Enricher({ concurrency: 'many' }), 'CONFIG')
  assert.equal(error.field, 'concurrency')
})

test('books of the wrong shape reject with INVALID_INPUT', async () => {
  const enricher = new Enricher({ offline: true, cache: 'off' })
  await rejectsWithCode(assert, enricher.enrich([{ title: 'Dune' }]), 'INVALID_INPUT', /author/)
  await rejectsWithCode(assert, enricher.enrich('Dune'), 'INVALID_INPUT')
  await rejectsWithCode(assert, enricher.enrich([], { onProgress: 'yes' }), 'INVALID_INPUT')
})

test('runs of one enricher at the same time each get their own progress events', async (t) => {
  const server = await startFakeCatalogue(t)
  const books = await allBooks()
  const enricher = enricherFor(server)
  const first = []
  const second = []
  const [a, b] = await Promise.all([
    enricher.enrich(books.slice(0, 3), { onProgress: (p) => first.push(p) }),
    enricher.enrich(books.slice(3), { onProgress: (p) => second.push(p) }),
  ])
  assert.equal(a.length, 3)
  assert.equal(b.length, books.length - 3)
  assert.ok(first.length >= 2 && second.length >= 2)
  assert.ok(first.every((p) => p.booksTotal === 3))
  assert.ok(second.every((p) => p.booksTotal === books.length - 3))
  assert.equal(first.at(-1).booksDone, 3)
  assert.equal(second.at(-1).booksDone, books.length - 3)
})

test('a persistent cache answers a later offline run without any request', async (t) => {
  const server = await startFakeCatalogue(t)
  const cache = join(tempDir(t), 'responses.sqlite')
  const books = (await allBooks()).slice(0, 4)
  const online = await enricherFor(server, { cache }).enrich(books)
  const requests = (await server.stats()).total
  assert.ok(requests > 0)

  const { results, summary } = await enricherFor(server, { cache, offline: true }).enrichWithSummary(books)
  assert.equal((await server.stats()).total, requests, 'no request from the offline run')
  assert.deepEqual(
    results.map((r) => r.finalGenres),
    online.map((r) => r.finalGenres),
  )
  assert.ok(results.every((r) => r.fromCache && r.error === null))
  assert.ok(summary.cacheHits > 0)
})

test('a cache that cannot be opened throws CACHE naming the path', (t) => {
  const file = join(tempDir(t), 'not-a-directory')
  writeFileSync(file, 'a file, not a directory')
  const error = throwsWithCode(
    assert,
    () => new Enricher({ cache: join(file, 'responses.sqlite') }),
    'CACHE',
    /cannot create directory/,
  )
  assert.equal(error.path, join(file, 'responses.sqlite'))
})

test("the shelves source turns the reader's genre shelves into genres, without a request", async (t) => {
  const server = await startFakeCatalogue(t)
  const enricher = enricherFor(server, { sources: ['shelves'] })
  assert.deepEqual(enricher.sources, ['shelves'])
  const { results, summary } = await enricher.enrichWithSummary([
    { title: 'A', author: 'B', bookshelves: ['non-fiction', 'to-read', '2023-reads', 'owned'] },
    { title: 'C', author: 'D', bookshelves: ['currently-reading', 'kindle'] },
    { title: 'E', author: 'F', bookshelves: null },
  ])
  assert.deepEqual(results[0].finalGenres, ['Nonfiction'])
  assert.deepEqual(results[0].genresBySource, { shelves: ['non-fiction'] })
  assert.deepEqual(results[0].genreSources, ['shelves'])
  assert.deepEqual(results.slice(1).map((r) => r.finalGenres), [[], []])
  assert.equal(summary.requests, 0)
  assert.equal((await server.stats()).total, 0)
})
