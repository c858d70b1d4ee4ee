// readGoodreadsCsv: paths, bytes, options, row problems and error codes.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { readGoodreadsCsv } from 'bookenrich'

import { EDGE_CASES_CSV, rejectsWithCode, tempDir } from './helpers.mjs'

const HEADER =
  'Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,' +
  'Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,' +
  'Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies'

test('reads the edge-case export from a path: read books only by default', async () => {
  const exported = await readGoodreadsCsv(EDGE_CASES_CSV)
  assert.equal(exported.rowsRead, 15)
  assert.equal(exported.books.length, 11)
  assert.equal(exported.unreadSkipped, 4)
  assert.deepEqual(exported.problems, [])
  const annihilation = exported.books[0]
  assert.deepEqual(annihilation, {
    goodreadsId: '17470674',
    title: 'Annihilation (Southern Reach #1)',
    author: 'Jeff VanderMeer',
    authorLf: 'VanderMeer, Jeff',
    additionalAuthors: null,
    isbn: '0374104093',
    isbn13: '9780374104092',
    myRating: 4,
    averageRating: 3.7,
    publisher: 'Farrar, Straus and Giroux',
    binding: 'Paperback',
    numPages: 195,
    yearPublished: 2014,
    originalPublicationYear: 2014,
    dateRead: '2023-03-14',
    dateAdded: '2023-01-02',
    bookshelves: ['sci-fi', 'weird', 'favorites'],
    bookshelvesWithPositions: 'sci-fi (#12), weird (#3), favorites (#40)',
    readingStatus: 'read',
    myReview:
      'Strange and <b>beautiful</b>.<br/><br/>The "Shimmer" before it was cool, really.\nSecond line of the review.',
    hasSpoilers: false,
    privateNotes: 'Borrowed from a friend',
    readCount: 1,
    ownedCopies: 0,
  })
  // Partial dates: "2008/09" is the 1st of the month, "2007" the 1st of January.
  const byId = Object.fromEntries(exported.books.map((b) => [b.goodreadsId, b]))
  assert.equal(byId['1885'].dateRead, '2008-09-01')
  assert.equal(byId['5107'].dateRead, '2007-01-01')
  // A book without an ISBN has nulls, not empty strings.
  assert.equal(byId['36373481'].isbn13, null)
})

test('includeUnread keeps every row; limit stops after that many books', async () => {
  const all = await readGoodreadsCsv(EDGE_CASES_CSV, { includeUnread: true })
  assert.equal(all.books.length, 15)
  assert.equal(all.unreadSkipped, 0)
  const statuses = new Set(all.books.map((b) => b.readingStatus))
  assert.deepEqual([...statuses].sort(), ['currently-reading', 'dnf', 'read', 'to-read'])

  const limited = await readGoodreadsCsv(EDGE_CASES_CSV, { includeUnread: true, limit: 3 })
  assert.deepEqual(
    limited.books.map((b) => b.goodreadsId),
    all.books.slice(0, 3).map((b) => b.goodreadsId),
  )
})

test('reads the same export from a Buffer and from a Uint8Array', async () => {
  const fromPath = await readGoodreadsCsv(EDGE_CASES_CSV)
  const bytes = readFileSync(EDGE_CASES_CSV)
  assert.deepEqual(await readGoodreadsCsv(bytes), fromPath)
  assert.deepEqual(await readGoodreadsCsv(new Uint8Array(bytes)), fromPath)
})

test('unusable rows are reported with line, id, kind and message; never dropped silently', async () => {
  const csv = [
    HEADER,
    '1,Dune,Frank Herbert,,,,,5,4.3,,,412,1965,1965,2020/01/02,,,,read,,,,1,0',
    '2,,Nobody,,,,,,,,,,,,2020/01/02,,,,read,,,,1,0',
    '1,Dune again,Frank Herbert,,,,,,,,,,,,2020/01/02,,,,read,,,,1,0',
    '3,Too few fields',
  ].join('\n')
  const exported = await readGoodreadsCsv(Buffer.from(csv))
  assert.equal(exported.rowsRead, 4)
  assert.deepEqual(
    exported.books.map((b) => b.title),
    ['Dune'],
  )
  assert.deepEqual(
    exported.problems.map(({ line, goodreadsId, kind }) => ({ line, goodreadsId, kind })),
    [
      { line: 3, goodreadsId: '2', kind: 'blank_title' },
      { line: 4, goodreadsId: '1', kind: 'duplicate_book_id' },
      { line: 5, goodreadsId: null, kind: 'field_count' },
    ],
  )
  assert.match(exported.problems[0].message, /"Title" is blank/)
  assert.match(exported.problems[2].message, /row has 2 fields, the header has 24/)
})

test('a missing file rejects with IO and names the path', async () => {
  const error = await rejectsWithCode(assert, readGoodreadsCsv('/no/such/export.csv'), 'IO', /No such file/)
  assert.equal(error.path, '/no/such/export.csv')
  assert.match(error.message, /^\/no\/such\/export\.csv: /)
})

test('a CSV without the required columns rejects with MISSING_COLUMNS and lists them', async (t) => {
  const path = join(tempDir(t), 'partial.csv')
  writeFileSync(path, 'Book Id,Author,Date Read\n1,Frank Herbert,2020/01/02\n')
  const error = await rejectsWithCode(assert, readGoodreadsCsv(path), 'MISSING_COLUMNS')
  assert.equal(error.message, `${path}: missing required column(s): Title`)
  assert.deepEqual(error.columns, ['Title'])
  assert.equal(error.file, path)
})

test('something that is not a Goodreads export rejects with NOT_AN_EXPORT', async () => {
  await rejectsWithCode(
    assert,
    readGoodreadsCsv(Buffer.from('name,price\napple,3\n')),
    'NOT_AN_EXPORT',
    /^<input>: not a Goodreads library export: none of the Goodreads columns/,
  )
  await rejectsWithCode(assert, readGoodreadsCsv(Buffer.alloc(0)), 'NOT_AN_EXPORT', /the file is empty/)
  await rejectsWithCode(
    assert,
    readGoodreadsCsv(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0a, 0x1a, 0x0a])),
    'NOT_AN_EXPORT',
    /binary/,
  )
})

test('arguments of the wrong type reject with INVALID_INPUT instead of throwing', async () => {
  const promise = readGoodreadsCsv(42)
  assert.ok(promise instanceof Promise)
  const error = await rejectsWithCode(assert, promise, 'INVALID_INPUT', /^invalid argument: /)
  assert.equal(error.napiStatus, 'InvalidArg')
  await rejectsWithCode(assert, readGoodreadsCsv(''), 'INVALID_INPUT', /the path is empty/)
  await rejectsWithCode(assert, readGoodreadsCsv(EDGE_CASES_CSV, { limit: 'ten' }), 'INVALID_INPUT')
})

test('an export that cannot be read past a point rejects with INVALID_CSV naming the file', async (t) => {
  // A directory opens like a file on Linux and fails on the first read.
  const dir = tempDir(t)
  const error = await rejectsWithCode(assert, readGoodreadsCsv(dir), 'INVALID_CSV', /Is a directory/)
  assert.equal(error.file, dir)
  assert.equal(typeof error.line, 'number')
})
