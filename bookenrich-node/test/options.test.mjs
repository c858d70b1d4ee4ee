// Idiomatic options and argument errors: `cache: false`, and messages that name the option and
// what it accepts in JavaScript's words, never a Rust type.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Enricher, GenreNormalizer, buildDashboard, normalizeGenres, readGoodreadsCsv } from 'bookenrich'

/** No message may name a Rust type or napi's internals. */
function assertJsWords(error) {
  assert.doesNotMatch(error.message, /rust|napi|`|\b(String|f64|u32|usize|bool|Vec)\b/, error.message)
}

function throwsWith(fn, code, pattern) {
  assert.throws(fn, (error) => {
    assert.equal(error.code, code, error.message)
    assert.match(error.message, pattern)
    assertJsWords(error)
    return true
  })
}

test('cache: false turns the cache off and true keeps the in-memory default', () => {
  assert.equal(new Enricher({ cache: false }).options().cache, 'off')
  assert.equal(new Enricher({ cache: true }).options().cache, 'memory')
  assert.equal(new Enricher({ cache: 'off' }).options().cache, 'off')
})

test('an option of the wrong type throws CONFIG naming the option, what it accepts and what it got', () => {
  const cases = [
    [{ cache: 0 }, 'cache', /invalid cache: expected 'memory', 'off', false, true \(in memory\) or a file path, got 0/],
    [{ sources: 'openlibrary' }, 'sources', /invalid sources: expected an array of source names \('openlibrary', 'google', 'shelves'\) and source objects, got "openlibrary"/],
    [{ sources: [1] }, 'sources[0]', /invalid sources\[0\]: expected a source name \(a string\) or a source object, got 1/],
    [{ concurrency: 'lots' }, 'concurrency', /invalid concurrency: expected a whole number of at least 1, got "lots"/],
    [{ rateLimits: [3] }, 'rateLimits', /invalid rateLimits: expected an object of requests per second by source.*, got an array/],
    [{ rateLimits: { openlibrary: 'fast' } }, 'rateLimits.openlibrary', /expected a number of requests per second, got "fast"/],
    [{ offline: 'yes' }, 'offline', /invalid offline: expected true or false, got "yes"/],
    [{ merge: 1 }, 'merge', /invalid merge: expected 'planned', 'union' or 'first_with_genres', got 1/],
    [{ requestTimeout: '30s' }, 'requestTimeout', /invalid requestTimeout: expected a number of seconds, got "30s"/],
    [{ openLibraryUrl: 3 }, 'openLibraryUrl', /invalid openLibraryUrl: expected a URL string/],
  ]
  for (const [options, field, pattern] of cases) {
    assert.throws(
      () => new Enricher(options),
      (error) => {
        assert.equal(error.code, 'CONFIG', error.message)
        assert.equal(error.field, field)
        assert.match(error.message, pattern)
        assertJsWords(error)
        return true
      },
    )
  }
  throwsWith(() => new Enricher(5), 'CONFIG', /invalid options: expected an object of options, got 5/)
  // null and undefined mean "not given", for the whole object and for each option.
  assert.equal(new Enricher(null).options().cache, undefined)
  assert.equal(new Enricher({ cache: null, sources: undefined }).options().sources, undefined)
})

test('arguments of the wrong type name what is expected in JavaScript words', async () => {
  const enricher = new Enricher({ cache: 'off', sources: ['shelves'] })
  const rejects = async (promise, pattern) => {
    await assert.rejects(promise, (error) => {
      assert.equal(error.code, 'INVALID_INPUT', error.message)
      assert.match(error.message, pattern)
      assertJsWords(error)
      return true
    })
  }
  await rejects(enricher.enrich([], { onProgress: 5 }), /EnrichOptions\.onProgress: expected a function/)
  await rejects(enricher.enrich('books'), /expected an array/)
  await rejects(enricher.enrich([{ title: 5, author: 'a' }]), /BookInfo\.title: expected a string, got number 5/)
  await rejects(readGoodreadsCsv('x.csv', { includeUnread: 'yes' }), /ReadCsvOptions\.includeUnread: expected true or false/)
  await rejects(readGoodreadsCsv(5), /expected a string or a Buffer or Uint8Array/)
  throwsWith(() => normalizeGenres(5), 'INVALID_INPUT', /expected an array/)
  throwsWith(() => buildDashboard(5), 'INVALID_INPUT', /expected an array/)
  assert.ok(new GenreNormalizer() instanceof GenreNormalizer)
})
