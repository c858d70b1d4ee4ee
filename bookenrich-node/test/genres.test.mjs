// normalizeGenres and GenreNormalizer.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { GenreNormalizer, normalizeGenres } from 'bookenrich'

import { minimalResult, throwsWithCode } from './helpers.mjs'

test('normalizeGenres turns raw catalogue subjects into the vocabulary', () => {
  assert.deepEqual(normalizeGenres(['Fiction / Science Fiction / Space Opera', 'Large type books', 'Sci-fi.']), [
    'Science Fiction',
    'Space Opera',
    'Fiction',
  ])
  assert.deepEqual(normalizeGenres([]), [])
  assert.deepEqual(normalizeGenres(['Large type books', 'nyt:business-books=2020-07-12']), [])
})

test('normalizeGenres rejects anything but an array of strings with INVALID_INPUT', () => {
  const error = throwsWithCode(assert, () => normalizeGenres(['Fantasy', 3]), 'INVALID_INPUT')
  assert.equal(error.napiStatus, 'StringExpected')
  throwsWithCode(assert, () => normalizeGenres('Fantasy'), 'INVALID_INPUT')
})

test('a default GenreNormalizer agrees with normalizeGenres', () => {
  const normalizer = new GenreNormalizer()
  const raw = ['Fantasy.', 'Juvenile fiction', 'Magic -- Fiction']
  assert.deepEqual(normalizer.normalize(raw), normalizeGenres(raw))
  assert.equal(normalizer.maxGenres, 8)
  assert.ok(normalizer.vocabulary.includes('Science Fiction'))
  assert.ok(normalizer.vocabulary.length > 50)
})

test('maxGenres caps the genres per book, the Fiction marker included', () => {
  const raw = ['Science fiction', 'Horror', 'Thriller', 'Fantasy', 'Adventure', 'Romance', 'Fiction']
  const all = new GenreNormalizer().normalize(raw)
  assert.ok(all.length > 3)
  const capped = new GenreNormalizer({ maxGenres: 3 }).normalize(raw)
  assert.equal(capped.length, 3)
  assert.equal(capped.at(-1), 'Fiction')
})

test('classify tells fiction from nonfiction, or null when the subjects do not say', () => {
  const normalizer = new GenreNormalizer()
  assert.equal(normalizer.classify(['Fiction / Fantasy / Epic']), 'Fiction')
  assert.equal(normalizer.classify(['Self-help', 'Psychology']), 'Nonfiction')
  assert.equal(normalizer.classify(['Large type books']), null)
})

test('normalizeSources ranks genres several sources agree on first', () => {
  const normalizer = new GenreNormalizer()
  const genres = normalizer.normalizeSources([
    ['Horror', 'Science fiction'],
    ['Fiction / Science Fiction / General'],
  ])
  assert.equal(genres[0], 'Science Fiction')
  assert.ok(genres.includes('Horror'))
})

test('explain says which parts of a string were dropped, and why', () => {
  const normalizer = new GenreNormalizer()
  const explanation = normalizer.explain('Large type books')
  assert.deepEqual(explanation.genres, [])
  assert.equal(explanation.dropped.length, 1)
  assert.equal(explanation.dropped[0].reason, 'noise')
  assert.equal(typeof explanation.dropped[0].noiseClass, 'string')
  const kept = normalizer.explain('Science fiction')
  assert.deepEqual(kept.genres, ['Science Fiction'])
  assert.deepEqual(kept.dropped, [])
})

test('user rules extend the vocabulary; invalid rules throw CONFIG naming the line', () => {
  const base = new GenreNormalizer()
  assert.equal(base.vocabulary.includes('Solarpunk'), false)
  const extended = new GenreNormalizer({ rulesToml: '[[genre]]\nname = "Solarpunk"\n' })
  assert.ok(extended.vocabulary.includes('Solarpunk'), extended.vocabulary.join(', '))
  assert.deepEqual(extended.normalize(['Solarpunk']), ['Solarpunk'])

  const error = throwsWithCode(assert, () => new GenreNormalizer({ rulesToml: 'x = [' }), 'CONFIG', /line 1/)
  assert.match(error.message, /^invalid genre rules/)
  throwsWithCode(assert, () => new GenreNormalizer({ maxGenres: 'three' }), 'INVALID_INPUT')
})

const result = (title, finalGenres, subjects) => ({
  ...minimalResult(null),
  title,
  author: 'A',
  genresBySource: { open_library: subjects },
  finalGenres,
})

test('audit lists books without genres and unknown strings by frequency, with the rule each needs', () => {
  const results = [
    result('Tunnels', [], ['Tunnels', 'Underground railroads', 'Large type books']),
    result('Digging', ['Science', 'Nonfiction'], ['Tunnels', 'Volcanoes']),
  ]
  const audit = new GenreNormalizer().audit(results)
  assert.equal(audit.books, 2)
  assert.equal(audit.withGenres, 1)
  assert.deepEqual(
    audit.withoutGenres.map((b) => b.title),
    ['Tunnels'],
  )
  assert.equal(audit.withoutGenres[0].raw.open_library[0], 'Tunnels')
  assert.deepEqual(
    audit.unknown.map((u) => [u.text, u.books]),
    [
      ['tunnels', 2],
      ['underground railroads', 1],
    ],
  )
  assert.equal(audit.unknown[0].rule, '[topics] "tunnels" = ["<genre>"]')
  assert.equal(new GenreNormalizer().audit(results, 1).unknown.length, 1)
  const fixed = new GenreNormalizer({ rulesToml: '[topics]\n"tunnels" = ["Technology"]\n' })
  assert.deepEqual(
    fixed.audit(results).unknown.map((u) => u.text),
    ['underground railroads'],
  )
})

test('auditDashboard reads a dashboard file and names a bad one', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = await mkdtemp(join(tmpdir(), 'bookenrich-audit-'))
  const path = join(dir, 'd.json')
  await writeFile(path, '{"books": [{"title": "A", "author": "B", "genres": []}]}')
  assert.equal(new GenreNormalizer().auditDashboard(path).withoutGenres[0].title, 'A')
  await writeFile(path, '{"books": [{"genres": "x"}]}')
  const error = throwsWithCode(assert, () => new GenreNormalizer().auditDashboard(path), 'INVALID_DASHBOARD')
  // The same kind, message and field as Python's audit_dashboard and `bookenrich genres audit`.
  assert.match(error.message, /d\.json: invalid dashboard JSON: books\[0\]\.genres: not an array/)
  assert.deepEqual([error.file, error.field], [path, 'books[0].genres'])
})
