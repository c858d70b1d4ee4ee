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
