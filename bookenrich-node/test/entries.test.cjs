// The CommonJS entry loads and exposes exactly the native binding's API.
'use strict'
const assert = require('node:assert/strict')
const { test } = require('node:test')
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

const PACKAGE_DIR = join(__dirname, '..')
const EXPECTED = [
  'Enricher',
  'GenreNormalizer',
  'VERSION',
  'buildDashboard',
  'exportToDashboard',
  'normalizeGenres',
  'readGoodreadsCsv',
  'writeDashboard',
]

test('require("bookenrich") resolves to the CommonJS entry through package.json exports', () => {
  assert.equal(require.resolve('bookenrich'), join(PACKAGE_DIR, 'bookenrich.cjs'))
  const bookenrich = require('bookenrich')
  assert.deepEqual(Object.keys(bookenrich).sort(), EXPECTED)
  assert.equal(typeof bookenrich.readGoodreadsCsv, 'function')
  assert.equal(typeof bookenrich.Enricher, 'function')
})

test('the entry exports every function and class of the native binding', () => {
  const native = require('../index.js')
  // `Fetch` is the native side of a source's `fetch`; the entry hands sources a wrapper of it.
  const nativeNames = Object.keys(native).filter((n) => !n.startsWith('__') && n !== 'Fetch')
  assert.deepEqual(nativeNames.sort(), EXPECTED)
  assert.equal(typeof native.Fetch, 'function')
})

test('VERSION is the package version', () => {
  const { VERSION } = require('bookenrich')
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'))
  assert.equal(VERSION, pkg.version)
})

test('class instances pass instanceof through the entry', () => {
  const { GenreNormalizer } = require('bookenrich')
  const native = require('../index.js')
  const normalizer = new GenreNormalizer()
  assert.ok(normalizer instanceof GenreNormalizer)
  assert.ok(normalizer instanceof native.GenreNormalizer)
})

test('normalizeGenres works through the CommonJS entry', () => {
  const { normalizeGenres } = require('bookenrich')
  assert.deepEqual(normalizeGenres(['Fiction / Science Fiction / Space Opera', 'Large type books', 'Sci-fi.']), [
    'Science Fiction',
    'Space Opera',
    'Fiction',
  ])
})

test('the native Promise functions reject, never throw, for values they check themselves', async () => {
  const native = require('../index.js')
  const read = native.readGoodreadsCsv('')
  assert.ok(read instanceof Promise)
  await assert.rejects(read, { code: 'INVALID_INPUT', message: 'the path is empty' })
  // Dashboards cross as JSON text; the entry does the JSON.parse and JSON.stringify.
  const dashboard = JSON.parse(native.buildDashboard([]))
  dashboard.summary.reading_date_range.earliest = 'last year'
  const never = join(PACKAGE_DIR, 'never-written.json')
  const write = native.writeDashboard(JSON.stringify(dashboard), never)
  assert.ok(write instanceof Promise, 'an invalid dashboard is a rejection too')
  await assert.rejects(write, { code: 'INVALID_DASHBOARD', message: /summary\.reading_date_range\.earliest/ })
  const text = native.writeDashboard('{"export_id": ', never)
  await assert.rejects(text, { code: 'INVALID_DASHBOARD', file: '<input>', message: /^<input>: invalid dashboard JSON: EOF/ })
  // Only napi's own type checks of the arguments throw; the entries turn those into rejections.
  assert.throws(() => native.readGoodreadsCsv(42), { code: 'InvalidArg' })
})
