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

function coded(error) {
  if (error instanceof Error && INPUT_STATUSES.has(error.code)) {
    error.napiStatus = error.code
    error.code = 'INVALID_INPUT'
    error.message = `invalid argument: ${error.message}`
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
function wrapClass(cls, asyncMethods) {
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name)
    if (name === 'constructor' || typeof descriptor.value !== 'function') continue
    const wrap = asyncMethods.includes(name) ? wrapAsync : wrapSync
    Object.defineProperty(cls.prototype, name, { ...descriptor, value: wrap(descriptor.value) })
  }
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      try {
        return Reflect.construct(target, args, newTarget)
      } catch (error) {
        throw coded(error)
      }
    },
  })
}

const GenreNormalizer = wrapClass(native.GenreNormalizer, [])
const Enricher = wrapClass(native.Enricher, ['enrich', 'enrichWithSummary'])
const buildDashboard = wrapSync(native.buildDashboard)
const exportToDashboard = wrapAsync(native.exportToDashboard)
const normalizeGenres = wrapSync(native.normalizeGenres)
const readGoodreadsCsv = wrapAsync(native.readGoodreadsCsv)
const writeDashboard = wrapAsync(native.writeDashboard)
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
