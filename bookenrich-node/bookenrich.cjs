'use strict'
// The CommonJS entry of `bookenrich`: the napi-generated loader (index.js) plus one rule.
//
// Arguments of the wrong type are rejected by napi's generated glue before any
// bookenrich code runs, with napi's status as `code` (`StringExpected`,
// `InvalidArg`, ...). This entry gives those errors the package's code,
// `INVALID_INPUT` (napi's status stays in `napiStatus`), and makes the
// Promise-returning functions report them by rejecting instead of throwing.
// Everything else is the native binding, unchanged; the types are index.d.ts.

const native = require('./index.js')

// napi statuses that mean "this argument has the wrong type or shape".
const INPUT_STATUSES = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
  'ArrayBufferExpected',
  'DetachableArraybufferExpected',
])

// napi's messages name Rust types (`String`, `f64`, `Vec`); a JavaScript caller gets the
// JavaScript kind of value the argument or option accepts instead.
const JS_KINDS = [
  [/^(String|&str|str)$/, 'a string'],
  [/^(f64|f32|[iu](8|16|32|64|size))$/, 'a number'],
  [/^bool$/, 'true or false'],
  [/^(Vec|Array)(<.*>)?$/, 'an array'],
  [/^(TypedArray<u8>|Buffer|Uint8Array)$/, 'a Buffer or Uint8Array'],
  [/Function/, 'a function'],
  [/^Object$/, 'an object'],
]

function jsKind(rustType) {
  const found = JS_KINDS.find(([pattern]) => pattern.test(rustType.trim()))
  return found ? found[1] : 'a value of another type'
}

function jsMessage(message) {
  const at = / on ([A-Za-z]+\.[A-Za-z]+)$/.exec(message)
  const where = at ? `${at[1]}: ` : ''
  const body = at ? message.slice(0, at.index) : message
  let match = /^Failed to convert JavaScript value `(\w+) (.*?) ?` into rust type `(.+?)`$/.exec(body)
  if (match) return `${where}expected ${jsKind(match[3])}, got ${match[1].toLowerCase()} ${match[2]}`
  match = /^Failed to convert napi value ?(\w*) into rust type `(.+?)`$/.exec(body)
  if (match) return `${where}expected ${jsKind(match[2])}${match[1] ? `, got ${match[1].toLowerCase()}` : ''}`
  if (/^Failed to get Array length/.test(body)) return `${where}expected an array`
  if (/ThreadsafeFunction|Function/.test(body)) return `${where}expected a function`
  match = /^Value is none of these types (.*)$/.exec(body)
  if (match) {
    const kinds = [...match[1].matchAll(/`([^`]+)`/g)].map((m) => jsKind(m[1]))
    return `${where}expected ${[...new Set(kinds)].join(' or ')}`
  }
  // Whatever else napi says, without the Rust type names.
  return where + body.replace(/rust type `([^`]+)`/g, (_, t) => jsKind(t)).replace(/`/g, '')
}

function coded(error) {
  if (error instanceof Error && INPUT_STATUSES.has(error.code)) {
    error.napiStatus = error.code
    error.code = 'INVALID_INPUT'
    error.message = `invalid argument: ${jsMessage(error.message)}`
  }
  return error
}

function wrapSync(fn) {
  const wrapped = function (...args) {
    try {
      return fn.apply(this, args)
    } catch (error) {
      throw coded(error)
    }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped
}

function wrapAsync(fn) {
  const wrapped = function (...args) {
    try {
      return fn.apply(this, args)
    } catch (error) {
      return Promise.reject(coded(error))
    }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped
}

// A class whose constructor throws INVALID_INPUT for napi's argument errors; the
// methods are wrapped on the native prototype itself, so `instanceof` is unchanged.
// Genre sources written in JavaScript: the engine calls `prepared.lookup(books, fetch)` from its
// own threads and awaits it. The wrapper binds `this`, turns a throw into a rejection, gives the
// source `fetch.getJson` and `fetch.getText` over the engine's fetcher and `fetch.signal`, which
// aborts when the run is cancelled during the lookup, and normalises each result to the shape
// the native side reads ({ found, error, genres, thumbnailUrl, smallThumbnailUrl, identifiers });
// the native side prefixes a result's error with its index.
function describeError(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`
}

function lookupItem(result) {
  if (result === null || result === undefined) return { found: false }
  if (result instanceof Error) return { found: false, error: describeError(result) }
  const strings = (v) => Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (strings(result)) return { found: true, genres: result }
  if (typeof result === 'object' && !Array.isArray(result) && (result.genres === undefined || strings(result.genres))) {
    return {
      found: true,
      genres: result.genres ?? [],
      thumbnailUrl: result.thumbnailUrl ?? null,
      smallThumbnailUrl: result.smallThumbnailUrl ?? null,
      identifiers: strings(result.identifiers) ? result.identifiers : [],
    }
  }
  return {
    found: false,
    error: `expected null, an Error, an array of genre strings or { genres }, got ${Array.isArray(result) ? 'an array of other values' : typeof result}`,
  }
}

function prepareSource(source) {
  if (typeof source !== 'object' || source === null) return source
  // Without a lookup the native side reports the source as invalid, naming it.
  if (typeof source.lookup !== 'function') return { name: source.name, batchSize: source.batchSize, rateLimit: source.rateLimit }
  return {
    name: source.name,
    batchSize: source.batchSize ?? 1,
    rateLimit: source.rateLimit ?? 1,
    lookup: async (books, nativeFetch) => {
      const controller = new AbortController()
      nativeFetch.onAbort(() => controller.abort())
      const fetch = {
        signal: controller.signal,
        async getJson(url, options = {}) {
          const text = await nativeFetch.getJsonText(url, options.headers ?? null)
          return text === null ? null : JSON.parse(text)
        },
        async getText(url, options = {}) {
          return (await nativeFetch.getText(url, options.headers ?? null)) ?? null
        },
      }
      let results
      try {
        results = await source.lookup(books, fetch)
      } catch (error) {
        // A request's own error let through keeps its kind (a rate limit stays retryable).
        if (error instanceof Error && error.code === 'SOURCE_FAILED' && typeof error.kind === 'string') {
          nativeFetch.failedAs(error.kind)
          throw new Error(error.message)
        }
        throw new Error(describeError(error))
      }
      if (results === null || results === undefined) return books.map(() => ({ found: false }))
      if (!Array.isArray(results)) {
        throw new Error(`lookup must return an array with one result per book, or null; it returned ${typeof results}`)
      }
      return results.map(lookupItem)
    },
  }
}

function prepareOptions(options) {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.sources)) return options
  return { ...options, sources: options.sources.map(prepareSource) }
}

// The dashboard as JSON text for `writeDashboard`. A member set to `undefined` is absent, as in
// `JSON.stringify`; what JSON cannot hold (NaN and the infinities, `undefined` as an array item or
// as the dashboard, a BigInt, a function or symbol, a cycle) is an INVALID_DASHBOARD error naming
// the value's path, as the core's check names a value of the wrong type, instead of becoming null
// or a TypeError. The replacer only notices such a value; the slower walk that finds its path
// runs only then.
const NOT_JSON = Symbol('not JSON')

function refuseNonJson(key, value) {
  if (notJsonKind(value, Array.isArray(this)) !== null) throw NOT_JSON
  return value
}

// What is wrong with a value JSON cannot hold, or null; `inArray`: it is an array item.
function notJsonKind(value, inArray) {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? null : `${value} is not a finite number (JSON has no NaN or Infinity)`
    case 'bigint':
      return 'a BigInt is not a JSON number (give a number)'
    case 'function':
      return 'a function is not a JSON value'
    case 'symbol':
      return 'a symbol is not a JSON value'
    case 'undefined':
      return inArray ? 'undefined is not a JSON value (an array item must be one; null is)' : null
    default:
      return null
  }
}

function invalidDashboard(field, message) {
  const error = new Error(`<input>: invalid dashboard JSON: ${field ? `${field}: ` : ''}${message}`)
  error.code = 'INVALID_DASHBOARD'
  error.file = '<input>'
  if (field) error.field = field
  return error
}

// The first value `JSON.stringify` would refuse or turn into null, as [field, message], in the
// order it visits them (`toJSON` applied, as it does); null when there is none.
function findNonJson(holder, key, field, ancestors) {
  let value = holder[key]
  if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') value = value.toJSON(String(key))
  const wrong = notJsonKind(value, Array.isArray(holder))
  if (wrong !== null) return [field, wrong]
  if (value === null || typeof value !== 'object') return null
  if (ancestors.has(value)) return [field, 'a cycle: the value contains itself']
  ancestors.add(value)
  let found = null
  if (Array.isArray(value)) {
    // Every index, holes of a sparse array included: JSON.stringify makes them null too.
    for (let i = 0; i < value.length && !found; i++) found = findNonJson(value, i, `${field}[${i}]`, ancestors)
  } else {
    for (const k of Object.keys(value)) {
      found = findNonJson(value, k, field ? `${field}.${k}` : k, ancestors)
      if (found) break
    }
  }
  ancestors.delete(value)
  return found
}

function dashboardJson(dashboard) {
  if (dashboard === undefined) throw invalidDashboard('', 'the dashboard is undefined, not an object')
  try {
    return JSON.stringify(dashboard, refuseNonJson)
  } catch (error) {
    let found = null
    try {
      found = findNonJson({ '': dashboard }, '', '', new Set())
    } catch {
      // Too deep to walk, or a toJSON that throws: the original error says which.
    }
    if (found) throw invalidDashboard(...found)
    throw invalidDashboard('', `the dashboard cannot be made JSON text (${error === NOT_JSON ? 'a value JSON cannot hold' : String(error)})`)
  }
}

function wrapClass(cls, asyncMethods, prepare = (args) => args) {
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name)
    if (name === 'constructor' || typeof descriptor.value !== 'function') continue
    const wrap = asyncMethods.includes(name) ? wrapAsync : wrapSync
    Object.defineProperty(cls.prototype, name, { ...descriptor, value: wrap(descriptor.value) })
  }
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      try {
        return Reflect.construct(target, prepare(args), newTarget)
      } catch (error) {
        throw coded(error)
      }
    },
  })
}

const GenreNormalizer = wrapClass(native.GenreNormalizer, [])
const Enricher = wrapClass(native.Enricher, ['enrich', 'enrichWithSummary'], ([options, ...rest]) => [
  prepareOptions(options),
  ...rest,
])
// Dashboards cross into and out of Rust as JSON text (see src/dashboard.rs): napi's conversion of
// a whole object stops at a million values and names Rust types in its errors. `JSON.parse`
// keeps the key order of the text, the contract's.
const buildDashboard = wrapSync(function buildDashboard(...args) {
  return JSON.parse(native.buildDashboard(...args))
})
const exportToDashboard = wrapAsync(native.exportToDashboard)
const normalizeGenres = wrapSync(native.normalizeGenres)
const readGoodreadsCsv = wrapAsync(native.readGoodreadsCsv)
const writeDashboard = wrapAsync(function writeDashboard(dashboard, path) {
  return native.writeDashboard(dashboardJson(dashboard), path)
})
const VERSION = native.VERSION

module.exports = {
  Enricher,
  GenreNormalizer,
  buildDashboard,
  exportToDashboard,
  normalizeGenres,
  readGoodreadsCsv,
  writeDashboard,
  VERSION,
}
