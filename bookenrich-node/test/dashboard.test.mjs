// buildDashboard and writeDashboard: the contract fixtures, options, files, and error codes.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { buildDashboard, exportToDashboard, readGoodreadsCsv, writeDashboard } from 'bookenrich'

import { EDGE_CASES_CSV, FIXTURES, minimalResult, rejectsWithCode, tempDir, throwsWithCode } from './helpers.mjs'

const expected = (name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'))

/** deepStrictEqual that also checks the order of every object's keys, as the contract fixes it. */
function assertSameJson(actual, wanted, where = '') {
  if (wanted !== null && typeof wanted === 'object' && !Array.isArray(wanted)) {
    assert.deepEqual(Object.keys(actual), Object.keys(wanted), `keys of ${where || 'the document'}`)
    for (const key of Object.keys(wanted)) assertSameJson(actual[key], wanted[key], `${where}.${key}`)
  } else if (Array.isArray(wanted)) {
    assert.ok(Array.isArray(actual), `${where} is an array`)
    assert.equal(actual.length, wanted.length, `length of ${where}`)
    wanted.forEach((item, i) => assertSameJson(actual[i], item, `${where}[${i}]`))
  } else {
    assert.strictEqual(actual, wanted, where)
  }
}

for (const [name, includeUnread] of [
  ['expected_dashboard_default.json', false],
  ['expected_dashboard_all_shelves.json', true],
]) {
  test(`the edge-case export gives ${name} value for value`, async () => {
    const { books } = await readGoodreadsCsv(EDGE_CASES_CSV, { includeUnread })
    // The Python pipeline always included private notes; the fixtures were made that way.
    const dashboard = buildDashboard(books, [], { includePrivateNotes: true })
    assert.deepEqual(Object.keys(dashboard), ['export_id', 'books', 'summary', 'metadata'])
    const wanted = expected(name)
    assertSameJson(dashboard.books, wanted.books, 'books')
    assertSameJson(dashboard.summary, wanted.summary, 'summary')
    // The export id is a fresh UUID, repeated in the metadata.
    assert.match(dashboard.export_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(dashboard.metadata.export_id, dashboard.export_id)
    assert.equal(dashboard.metadata.data_schema_version, '1.0.0')
    assert.equal(dashboard.metadata.validation.genre_sources_success.no_genres, books.length)
    assert.equal(dashboard.metadata.validation.books_without_enrichment_result, books.length)
  })
}

test('private notes stay out unless asked for, and the metadata says so', async () => {
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const dashboard = buildDashboard(books)
  assert.ok(books.some((b) => b.privateNotes !== null))
  assert.ok(dashboard.books.every((b) => b.private_notes === null))
  assert.ok(dashboard.metadata.processing_notes.includes('private notes omitted'))
})

test('exportId, timestamp and processingNotes options are written into the metadata', async () => {
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const dashboard = buildDashboard(books, null, {
    exportId: 'run-42',
    timestamp: '2024-05-06T07:08:09+02:00',
    processingNotes: ['built by the tests'],
  })
  assert.equal(dashboard.export_id, 'run-42')
  assert.equal(dashboard.metadata.export_id, 'run-42')
  assert.equal(dashboard.metadata.export_timestamp, '2024-05-06T05:08:09.000000Z')
  assert.equal(dashboard.metadata.processing_notes[0], 'built by the tests')
  assert.match(dashboard.metadata.exporter_version, /^bookenrich \d+\.\d+\.\d+/)
})

test('enrichment results are joined by goodreadsId; a failed lookup is counted', async () => {
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const result = (goodreadsId, finalGenres, genreSources, error = null) => ({
    goodreadsId,
    title: '',
    author: '',
    genresBySource: {},
    finalGenres,
    thumbnailUrl: finalGenres.length ? `https://covers.example/${goodreadsId}-M.jpg` : null,
    smallThumbnailUrl: null,
    sourcesMatched: genreSources,
    genreSources,
    identifiers: {},
    processingLog: [],
    error,
    failures: error ? [{ source: 'open_library', kind: 'server', retryable: true, message: error }] : [],
    fromCache: false,
  })
  const results = [
    // In reverse order on purpose: the join is by id, not by position.
    result('6310', ['Childrens', 'Fantasy', 'Fiction'], ['open_library']),
    result('17470674', ['Science Fiction', 'Horror', 'Fiction'], ['open_library', 'google_books']),
    result('518848', [], [], 'open_library: HTTP 503 (http://127.0.0.1:1/api/books)'),
  ]
  const dashboard = buildDashboard(books, results)
  const byId = Object.fromEntries(dashboard.books.map((b) => [b.goodreads_id, b]))
  assert.deepEqual(byId['17470674'].genres, ['Science Fiction', 'Horror', 'Fiction'])
  assert.equal(byId['17470674'].genre_enriched, true)
  assert.equal(byId['17470674'].thumbnail_url, 'https://covers.example/17470674-M.jpg')
  assert.deepEqual(byId['518848'].genres, [])
  const { summary, metadata } = dashboard
  assert.equal(summary.genre_enriched_books, 2)
  assert.equal(summary.unique_genres, 5)
  assert.deepEqual(summary.most_common_genres[0], { genre: 'Fiction', count: 2, percentage: (2 / 6) * 100 })
  assert.deepEqual(metadata.validation.genre_sources_success, {
    google_books: 1,
    open_library: 2,
    both_sources: 1,
    no_genres: books.length - 2,
  })
  assert.equal(metadata.validation.books_with_failed_lookup, 1)
  assert.equal(metadata.validation.books_without_enrichment_result, books.length - 3)
})

test('writeDashboard writes the JSON the dashboard reads, atomically', async (t) => {
  const dir = tempDir(t)
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const dashboard = buildDashboard(books, [], { includePrivateNotes: true, exportId: 'fixed' })
  const path = join(dir, 'dashboard.json')
  assert.equal(await writeDashboard(dashboard, path), undefined)
  const text = readFileSync(path, 'utf8')
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(dashboard)))
  // Indented by 2, keys in the contract's order, non-ASCII kept as is.
  assert.ok(text.startsWith('{\n  "export_id": "fixed",\n  "books": [\n    {\n      "goodreads_id": '))
  assert.deepEqual(readdirSync(dir), ['dashboard.json'])
  // Writing again replaces the file.
  await writeDashboard({ ...dashboard, export_id: 'second' }, path)
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).export_id, 'second')
})

test('writeDashboard rejects a malformed dashboard with INVALID_DASHBOARD and an unwritable path with IO', async (t) => {
  const dir = tempDir(t)
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const dashboard = buildDashboard(books)
  const path = join(dir, 'dashboard.json')
  // The cases the core's and Python's tests give too: the same kind, field and message in each.
  const { cases } = expected('invalid_dashboards.json')
  assert.ok(cases.length >= 5)
  for (const c of cases) {
    const broken = structuredClone(dashboard)
    let node = broken
    for (const step of c.at.slice(0, -1)) node = node[step]
    const key = c.at.at(-1)
    if (c.delete) {
      assert.ok(key in node, `${key} exists`)
      delete node[key]
    } else {
      node[key] = c.set
    }
    const error = await rejectsWithCode(assert, writeDashboard(broken, path), c.kind.toUpperCase())
    assert.equal(error.message, c.message)
    assert.equal(error.field, c.field)
    assert.equal(error.file, '<input>')
  }
  assert.equal(existsSync(path), false)

  // A file where a folder should be (missing folders are made).
  writeFileSync(join(dir, 'blocker'), 'x')
  const error = await rejectsWithCode(assert, writeDashboard(dashboard, join(dir, 'blocker', 'dashboard.json')), 'IO')
  assert.match(error.path, /blocker$/)
})

/** How many JSON values (objects, arrays and scalars) `value` holds. */
function countValues(value) {
  if (value === null || typeof value !== 'object') return 1
  return 1 + Object.values(value).reduce((n, v) => n + countValues(v), 0)
}

test('a dashboard of 50,000 books, over a million JSON values, is built and written', async (t) => {
  const dir = tempDir(t)
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const many = Array.from({ length: 50_000 }, (_, i) => ({ ...books[i % books.length], goodreadsId: `g${i}` }))
  const results = [{ ...minimalResult('g7'), finalGenres: ['Fantasy'], genreSources: ['open_library'] }]
  const dashboard = buildDashboard(many, results, { exportId: 'big' })
  // napi's conversion of a value stops at 1,000,000 values per call: this dashboard is past it.
  assert.ok(countValues(dashboard) > 1_000_000, `${countValues(dashboard)} values`)
  assert.equal(dashboard.books.length, 50_000)
  assert.equal(dashboard.books[49_999].goodreads_id, 'g49999')
  assert.deepEqual(dashboard.books[7].genres, ['Fantasy'])
  assert.equal(dashboard.summary.total_books, 50_000)
  const path = join(dir, 'dashboard.json')
  await writeDashboard(dashboard, path)
  const written = JSON.parse(readFileSync(path, 'utf8'))
  assert.deepEqual(written, dashboard)
  assertSameJson(written.metadata, dashboard.metadata, 'metadata')
})

test('a count above u32::MAX survives buildDashboard and writeDashboard', async (t) => {
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const huge = [0, 1].map((i) => ({ ...books[i], numPages: 3_000_000_000 }))
  const dashboard = buildDashboard(huge)
  assert.equal(dashboard.summary.total_pages, 6_000_000_000)
  assert.equal(dashboard.books[0].num_pages, 3_000_000_000)
  const path = join(tempDir(t), 'dashboard.json')
  await writeDashboard(dashboard, path)
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).summary.total_pages, 6_000_000_000)
})

test('writeDashboard rejects what JSON cannot hold by its path, in JavaScript words', async (t) => {
  const dir = tempDir(t)
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const dashboard = buildDashboard(books)
  const path = join(dir, 'dashboard.json')
  const cycle = structuredClone(dashboard)
  cycle.metadata.validation.loop = cycle.metadata
  const cases = [
    [['books', 0, 'average_rating'], NaN, 'books[0].average_rating', 'NaN is not a finite number (JSON has no NaN or Infinity)'],
    [['summary', 'genre_enrichment_rate'], -Infinity, 'summary.genre_enrichment_rate', '-Infinity is not a finite number (JSON has no NaN or Infinity)'],
    [['books', 1, 'genres'], ['Fantasy', undefined], 'books[1].genres[1]', 'undefined is not a JSON value (an array item must be one; null is)'],
    [['books', 2, 'bookshelves'], new Array(2), 'books[2].bookshelves[0]', 'undefined is not a JSON value (an array item must be one; null is)'],
    [['summary', 'total_pages'], 6_000_000_000n, 'summary.total_pages', 'a BigInt is not a JSON number (give a number)'],
    [['books', 0, 'title'], () => 'Dune', 'books[0].title', 'a function is not a JSON value'],
  ]
  const broken = cases.map(([at, value, field, message]) => {
    const copy = structuredClone(dashboard)
    at.slice(0, -1).reduce((node, step) => node[step], copy)[at.at(-1)] = value
    return [copy, field, message]
  })
  broken.push([cycle, 'metadata.validation.loop', 'a cycle: the value contains itself'])
  for (const [value, field, message] of broken) {
    const error = await rejectsWithCode(assert, writeDashboard(value, path), 'INVALID_DASHBOARD')
    assert.equal(error.message, `<input>: invalid dashboard JSON: ${field}: ${message}`)
    assert.equal(error.field, field)
    assert.equal(error.file, '<input>')
    assert.doesNotMatch(error.message, /serde|rust|napi|u64|js number/i)
  }
  const missing = await rejectsWithCode(assert, writeDashboard(undefined, path), 'INVALID_DASHBOARD')
  assert.equal(missing.message, '<input>: invalid dashboard JSON: the dashboard is undefined, not an object')
  assert.equal(missing.field, undefined)
  assert.equal(existsSync(path), false)

  // A member set to undefined is absent, as in JSON.stringify: an unknown key so set is no error.
  await writeDashboard({ ...dashboard, extra: undefined }, path)
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), dashboard)
})

test('buildDashboard throws INVALID_INPUT for malformed books and options', async () => {
  const { books } = await readGoodreadsCsv(EDGE_CASES_CSV)
  const gremlins = { ...minimalResult(books[0].goodreadsId), failures: [{ source: 'x', kind: 'gremlins', retryable: true, message: 'x' }] }
  throwsWithCode(assert, () => buildDashboard(books, [gremlins]), 'INVALID_INPUT', /failures\[\]\.kind: unknown variant `gremlins`/)
  const badDate = { ...books[0], dateRead: 'yesterday' }
  throwsWithCode(
    assert,
    () => buildDashboard([badDate]),
    'INVALID_INPUT',
    /book "17470674": dateRead must be a YYYY-MM-DD date, got "yesterday"/,
  )
  throwsWithCode(assert, () => buildDashboard([{ ...books[0], readCount: 0 }]), 'INVALID_INPUT', /readCount/)
  throwsWithCode(assert, () => buildDashboard(books, [], { timestamp: 'now' }), 'INVALID_INPUT', /RFC 3339/)
  const missing = throwsWithCode(assert, () => buildDashboard([{ title: 'Dune' }]), 'INVALID_INPUT', /goodreadsId/)
  assert.equal(missing.napiStatus, 'InvalidArg')
  throwsWithCode(assert, () => buildDashboard('books'), 'INVALID_INPUT')
})

// ---- exportToDashboard: the same file, without JS objects per book ------------------------------

for (const includeUnread of [false, true]) {
  test(`exportToDashboard writes the same bytes as read + build + write (includeUnread: ${includeUnread})`, async (t) => {
    const dir = tempDir(t)
    const { books, rowsRead, unreadSkipped, problems } = await readGoodreadsCsv(EDGE_CASES_CSV, { includeUnread })
    const results = [
      { ...minimalResult(books[1].goodreadsId), finalGenres: ['Fantasy'], genreSources: ['open_library'] },
      { ...minimalResult('no-such-book'), finalGenres: ['Horror'] },
    ]
    const options = {
      includePrivateNotes: true,
      exportId: 'fixed',
      timestamp: '2024-05-06T07:08:09Z',
      processingNotes: ['from the test'],
    }
    await writeDashboard(buildDashboard(books, results, options), join(dir, 'objects.json'))
    const report = await exportToDashboard(EDGE_CASES_CSV, join(dir, 'fast.json'), results, { ...options, includeUnread })
    assert.ok(readFileSync(join(dir, 'fast.json')).equals(readFileSync(join(dir, 'objects.json'))))
    assert.deepEqual(report, { path: join(dir, 'fast.json'), books: books.length, problems, rowsRead, unreadSkipped })
    assert.deepEqual(readdirSync(dir).sort(), ['fast.json', 'objects.json'])
  })
}

test('exportToDashboard reports the rows it could not use, from bytes, into new folders', async (t) => {
  const dir = tempDir(t)
  const csv = [
    'Book Id,Title,Author,Exclusive Shelf,Date Read',
    '1,Dune,Frank Herbert,read,2020/01/02',
    '2,,Someone,read,2020/01/03',
    '3,Emma,Jane Austen,to-read,',
  ].join('\n')
  const path = join(dir, 'nested', 'dashboard.json')
  const report = await exportToDashboard(Buffer.from(csv), path)
  assert.equal(report.books, 1)
  assert.equal(report.rowsRead, 3)
  assert.equal(report.unreadSkipped, 1)
  assert.deepEqual(
    report.problems.map((p) => [p.line, p.kind]),
    [[3, 'blank_title']],
  )
  const dashboard = JSON.parse(readFileSync(path, 'utf8'))
  assert.deepEqual(
    dashboard.books.map((b) => b.title),
    ['Dune'],
  )
  // As the CLI does, the dashboard says rows were left out.
  assert.ok(dashboard.metadata.processing_notes.includes('1 rows of the export could not be used'))
})

test('exportToDashboard rejects with a code that names what is at fault', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'dashboard.json')
  const missing = await rejectsWithCode(assert, exportToDashboard(join(dir, 'missing.csv'), out), 'IO')
  assert.match(missing.path, /missing\.csv$/)
  await rejectsWithCode(assert, exportToDashboard(Buffer.from('Book Id,Title\n1,Dune\n'), out), 'MISSING_COLUMNS')
  await rejectsWithCode(assert, exportToDashboard(EDGE_CASES_CSV, out, [], { timestamp: 'now' }), 'INVALID_INPUT', /RFC 3339/)
  await rejectsWithCode(assert, exportToDashboard(EDGE_CASES_CSV, ''), 'INVALID_INPUT', /output path is empty/)
  await rejectsWithCode(assert, exportToDashboard(42, out), 'INVALID_INPUT')
  writeFileSync(join(dir, 'blocker'), 'x')
  const blocked = await rejectsWithCode(assert, exportToDashboard(EDGE_CASES_CSV, join(dir, 'blocker', 'd.json')), 'IO')
  assert.match(blocked.path, /blocker$/)
  assert.deepEqual(readdirSync(dir), ['blocker'])
})
