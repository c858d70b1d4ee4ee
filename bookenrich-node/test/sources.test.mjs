// Genre sources written in JavaScript, run by the engine beside the built-in ones.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Enricher, buildDashboard, readGoodreadsCsv } from 'bookenrich'

import { EDGE_CASES_CSV, startFakeCatalogue, startGenrePages } from './helpers.mjs'

// Books the fake catalogue knows (recorded answers): Google Books answers `volumes?q=isbn:...`.
const FOX = { title: 'Fantastic Mr. Fox', author: 'Roald Dahl', isbn13: '9780140328721', goodreadsId: '6310' }
const ANNIHILATION = { title: 'Annihilation', author: 'Jeff VanderMeer', isbn13: '9780374104092', goodreadsId: '17470674' }
const BOOKS = [FOX, ANNIHILATION]

/** Seven valid ISBN-13s, so the engine batches the books. */
const ISBNS = Array.from({ length: 7 }, (_, n) => {
  const body = `978000000${String(n).padStart(3, '0')}`
  const sum = [...body].reduce((s, d, i) => s + (i % 2 ? 3 : 1) * Number(d), 0)
  return body + ((10 - (sum % 10)) % 10)
})

/** A source answering every book with `genres`, without a request; records its batches. */
function fixed(name = 'mine', genres = ['Horror'], batchSize = 1) {
  const calls = []
  return {
    name,
    batchSize,
    calls,
    lookup(books) {
      calls.push(books.map((b) => b.title))
      return books.map(() => [...genres])
    },
  }
}

/** An async source calling a JSON API (the fake catalogue's Google Books) through `fetch`. */
class VolumeCategories {
  name = 'categories'
  rateLimit = 1000
  constructor(baseUrl) {
    this.baseUrl = baseUrl
  }
  async lookup(books, fetch) {
    const out = []
    for (const book of books) {
      const answer = await fetch.getJson(`${this.baseUrl}/books/v1/volumes?q=isbn:${book.isbn13}`)
      out.push((answer?.items ?? []).flatMap((item) => item.volumeInfo.categories ?? []))
    }
    return out
  }
}

const only = (...sources) => new Enricher({ sources, cache: 'off' })

test('a plain object source gives genres under its own name', async () => {
  const source = fixed()
  const { results, summary } = await only(source).enrichWithSummary(BOOKS)
  assert.deepEqual(results[0].genresBySource, { mine: ['Horror'] })
  assert.deepEqual(results[0].genreSources, ['mine'])
  assert.ok(results.every((r) => r.finalGenres.includes('Horror')))
  assert.deepEqual(summary.sources.map((s) => s.name), ['mine'])
  assert.equal(summary.sources[0].booksWithGenres, 2)
})

test('batches follow batchSize, and null means none found', async () => {
  const sizes = []
  const source = { name: 'plain', batchSize: 3, lookup: (books) => (sizes.push(books.length), null) }
  const results = await only(source).enrich(ISBNS.map((isbn13, i) => ({ title: `Book ${i}`, author: 'A', isbn13 })))
  assert.deepEqual(sizes.sort().reverse(), [3, 3, 1])
  assert.ok(results.every((r) => r.finalGenres.length === 0 && r.error === null))
})

test("an async class source fetches through the engine: counted at the catalogue, and cached", async (t) => {
  const server = await startFakeCatalogue(t)
  // An http:// catalogue URL lets the engine's client use the fake catalogue's plain http.
  const enricher = new Enricher({ sources: [new VolumeCategories(server.url)], cache: 'memory', googleBooksUrl: server.url })
  const first = await enricher.enrichWithSummary(BOOKS)
  assert.deepEqual(first.results[0].genresBySource.categories, ['Juvenile Fiction'])
  assert.equal((await server.stats()).total, 2)
  assert.equal(first.summary.sources[0].requests, 2)
  const again = await enricher.enrichWithSummary(BOOKS)
  assert.equal((await server.stats()).total, 2, 'the second run is answered by the cache')
  assert.equal(again.summary.sources[0].cacheHits, 2)
})

test("the source's rateLimit applies to its fetch", async (t) => {
  const server = await startFakeCatalogue(t)
  // The fake answers 429 above 4 Google requests a second; the engine keeps the source at 2.
  await server.configure({ rate_limits: { openlibrary: null, google: { per_second: 4, burst: 2, retry_after: 1 } } })
  const source = new VolumeCategories(server.url)
  source.rateLimit = 2
  const enricher = new Enricher({ sources: [source], cache: 'off', googleBooksUrl: server.url })
  assert.deepEqual(enricher.rateLimits, { categories: 2 })
  const books = [...BOOKS, ...BOOKS, ...BOOKS].map(({ title, author, isbn13 }) => ({ title, author, isbn13 }))
  const { summary } = await enricher.enrichWithSummary(books)
  assert.equal(summary.rateLimited, 0)
  assert.equal(summary.requests, 6)
  assert.equal((await server.stats()).total, 6)
})

test("a throw, a rejection, a wrong count or a bad result fails only that source's answers", async () => {
  const thrower = { name: 'thrower', lookup: () => { throw new TypeError('no catalogue') } }
  const rejecter = { name: 'rejecter', lookup: async () => { throw new RangeError('too far') } }
  const short = { name: 'short', batchSize: 2, lookup: () => [['Fantasy']] }
  const perBook = { name: 'per_book', batchSize: 2, lookup: () => [new Error('not this one'), 42] }
  const isbnBooks = BOOKS.map(({ title, author, isbn13 }) => ({ title, author, isbn13 }))
  // union: every source sees both books at once, as one batch of two
  const results = await new Enricher({ sources: [thrower, rejecter, short, perBook, fixed()], cache: 'off', merge: 'union' }).enrich(isbnBooks)
  const first = Object.fromEntries(results[0].failures.map((f) => [f.source, f]))
  assert.match(first.thrower.message, /TypeError: no catalogue/)
  assert.equal(first.thrower.kind, 'rejected')
  assert.match(first.rejecter.message, /RangeError: too far/)
  assert.match(first.short.message, /returned 1 results for 2 books/)
  assert.match(first.per_book.message, /result 0: Error: not this one/)
  const second = Object.fromEntries(results[1].failures.map((f) => [f.source, f]))
  assert.match(second.per_book.message, /result 1: expected null, an Error, an array of genre strings/)
  assert.ok(results.every((r) => r.finalGenres.includes('Horror')), 'the other source still answered')
})

test('an invalid source object throws CONFIG naming sources', () => {
  assert.throws(() => new Enricher({ sources: [{ lookup() {} }] }), (e) => e.code === 'CONFIG' && /needs a `name`/.test(e.message))
  assert.throws(() => new Enricher({ sources: [{ name: 'x' }] }), (e) => e.code === 'CONFIG' && /lookup/.test(e.message))
  assert.throws(() => new Enricher({ sources: [{ ...fixed(), batchSize: 0 }] }), (e) => e.code === 'CONFIG' && /batchSize/.test(e.message))
  assert.throws(() => new Enricher({ sources: [fixed(), fixed()] }), (e) => e.code === 'CONFIG' && /twice/.test(e.message))
})

for (const merge of ['union', 'first_with_genres']) {
  for (const first of [true, false]) {
    test(`mixed with a built-in source (${first ? 'before' : 'after'} it), merge ${merge}`, async (t) => {
      const server = await startFakeCatalogue(t)
      const mine = fixed()
      const sources = first ? [mine, 'openlibrary'] : ['openlibrary', mine]
      const enricher = new Enricher({
        sources,
        merge,
        openLibraryUrl: server.url,
        googleBooksUrl: server.url,
        rateLimits: { openlibrary: 100 },
        cache: 'off',
      })
      assert.deepEqual(enricher.sources, first ? ['mine', 'open_library'] : ['open_library', 'mine'])
      const events = []
      const { results, summary } = await enricher.enrichWithSummary(BOOKS, { onProgress: (p) => events.push(p) })
      assert.deepEqual(summary.sources.map((s) => s.name), enricher.sources)
      const fox = results[0]
      if (merge === 'first_with_genres' && first) {
        assert.equal((await server.stats()).total, 0, 'Open Library was never asked')
        assert.deepEqual(fox.genreSources, ['mine'])
      } else {
        assert.ok(fox.genreSources.includes('open_library'), JSON.stringify(fox))
      }
      if (merge === 'union') assert.deepEqual(new Set(fox.genreSources), new Set(['mine', 'open_library']))
      const last = events.at(-1)
      assert.deepEqual(last.sources.map((s) => s.name), enricher.sources)
      assert.equal(last.booksDone, 2)
    })
  }
}

test("aborting the run during a source's lookup rejects with ABORTED, and its later requests are not sent", async () => {
  let started
  const running = new Promise((resolve) => (started = resolve))
  let release
  const held = new Promise((resolve) => (release = resolve))
  let later
  const slow = {
    name: 'slow',
    async lookup(books, fetch) {
      started()
      await held
      later = await fetch.getJson('http://127.0.0.1:9/never').then(
        () => 'sent',
        (e) => e.code,
      )
      return books.map(() => null)
    },
  }
  const controller = new AbortController()
  const run = only(slow).enrich(BOOKS.slice(0, 1), { signal: controller.signal })
  await running
  controller.abort()
  await assert.rejects(run, (e) => e.code === 'ABORTED')
  release()
  for (let i = 0; i < 1200 && later === undefined; i++) await new Promise((r) => setTimeout(r, 50))
  assert.equal(later, 'ABORTED')
})

test('the dashboard counts the books each source of your own gave genres to', async () => {
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const dashboard = buildDashboard(books, await only(fixed()).enrich(books))
  const success = dashboard.metadata.validation.genre_sources_success
  assert.deepEqual(success.other_sources, { mine: books.length })
  assert.equal(success.open_library, 0)
  assert.ok(!('other_sources' in buildDashboard(books).metadata.validation.genre_sources_success))
})

const unescape = (s) => s.replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&amp;/g, '&')

/** Reads the genres of an HTML page per book through `fetch.getText`. */
function pageGenres(baseUrl) {
  return {
    name: 'pages',
    rateLimit: 1000,
    async lookup(books, fetch) {
      const out = []
      for (const book of books) {
        const page = await fetch.getText(`${baseUrl}/isbn/${book.isbn13}`)
        out.push(page === null ? null : [...page.matchAll(/<li class="genre">(.*?)<\/li>/g)].map((m) => unescape(m[1])))
      }
      return out
    },
  }
}

test('fetch.getText reads HTML pages through the engine and its cache', async (t) => {
  const pages = await startGenrePages(t, { [FOX.isbn13]: ["Children's", 'Fantasy & Magic'] })
  // The engine's client refuses plain http unless a base URL is an http:// one (a local server).
  const enricher = new Enricher({ sources: [pageGenres(pages.url)], cache: 'memory', openLibraryUrl: pages.url })
  const first = await enricher.enrichWithSummary(BOOKS)
  assert.deepEqual(first.results[0].genresBySource.pages, ["Children's", 'Fantasy & Magic'])
  assert.ok(!('pages' in first.results[1].genresBySource), 'a 404 is "not found"')
  assert.deepEqual(first.results[1].failures, [])
  assert.deepEqual([...pages.paths].sort(), BOOKS.map((b) => `/isbn/${b.isbn13}`).sort())
  assert.equal(first.summary.sources[0].requests, 2)
  const again = await enricher.enrichWithSummary(BOOKS)
  assert.equal(pages.paths.length, 2, 'the page and the "not found" come from the cache')
  assert.equal(again.summary.sources[0].cacheHits, 2)
})

test('fetch.getText is retried like getJson', async (t) => {
  const server = await startFakeCatalogue(t)
  // Open Library's Books API answers JavaScript without `format=json` (a documented shape the fake
  // catalogue serves); the first request of each URL gets Open Library's HTML 503.
  await server.configure({ faults: ['503,api=openlibrary,first-per-url=1'] })
  const seen = []
  const script = {
    name: 'ol_script',
    rateLimit: 1000,
    async lookup(books, fetch) {
      return Promise.all(
        books.map(async (book) => {
          const page = await fetch.getText(`${server.url}/api/books?bibkeys=ISBN:${book.isbn13}&jscmd=data`)
          seen.push(page)
          const record = JSON.parse(page.replace(/^var _OLBookInfo = /, '').replace(/;$/, ''))
          return Object.values(record).flatMap((r) => (r.subjects ?? []).map((s) => s.name))
        }),
      )
    },
  }
  const enricher = new Enricher({ sources: [script], cache: 'off', openLibraryUrl: server.url })
  const { results, summary } = await enricher.enrichWithSummary([{ title: 'Sabriel', author: 'Garth Nix', isbn13: '9780064471831' }])
  assert.match(seen[0], /^var _OLBookInfo = \{/)
  assert.ok(results[0].finalGenres.includes('Fantasy'), JSON.stringify(results[0]))
  assert.equal((await server.stats()).total, 2)
  assert.equal(summary.sources[0].retries, 1)
})

test('getText and getJson reject what is not a URL with INVALID_INPUT naming the call', async () => {
  const errors = []
  const source = {
    name: 'bad_url',
    async lookup(books, fetch) {
      for (const call of [fetch.getText, fetch.getJson]) errors.push(await call('no url').catch((e) => e))
      return books.map(() => null)
    },
  }
  await only(source).enrich(BOOKS.slice(0, 1))
  assert.deepEqual(errors.map((e) => e.code), ['INVALID_INPUT', 'INVALID_INPUT'])
  assert.deepEqual(errors.map((e) => e.message.split(':')[0]), ['getText', 'getJson'])
})

test("aborting the run aborts the source's fetch.signal, so its own work stops", async () => {
  let started
  const running = new Promise((resolve) => (started = resolve))
  let reason
  const ownWork = {
    name: 'own_work',
    lookup(books, { signal }) {
      started()
      // Work of the source's own (a timer here; a global fetch() would take the signal the same way).
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(books.map(() => null)), 3_600_000)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          reason = signal.reason
          reject(signal.reason)
        })
      })
    },
  }
  const controller = new AbortController()
  const run = only(ownWork).enrich(BOOKS.slice(0, 1), { signal: controller.signal })
  await running
  controller.abort()
  await assert.rejects(run, (e) => e.code === 'ABORTED')
  for (let i = 0; i < 1200 && reason === undefined; i++) await new Promise((r) => setTimeout(r, 50))
  assert.equal(reason?.name, 'AbortError')
})

test("a lookup that finishes keeps its signal unaborted", async () => {
  const signals = []
  const source = { name: 'done', lookup: (books, fetch) => (signals.push(fetch.signal), books.map(() => ['Horror'])) }
  const results = await only(source).enrich(BOOKS)
  assert.ok(results.every((r) => r.finalGenres.includes('Horror')))
  assert.equal(signals.length, 2)
  await new Promise((r) => setTimeout(r, 50))
  assert.ok(signals.every((s) => s instanceof AbortSignal && !s.aborted))
})
