//! Test hooks, compiled only with the `test-hooks` feature (the CI build of the test suite).
//!
//! They make the binding panic on purpose, so the tests can show that a Rust panic
//! becomes an `INTERNAL` error instead of aborting Node. They are not in index.d.ts.

use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;

use crate::error::BindingError;
use crate::guard;

/// Panics inside a synchronous call; the caller gets an `INTERNAL` error.
///
/// # Panics
///
/// Always, on purpose, inside the guard that turns the panic into the error.
#[napi(js_name = "__panicForTests", skip_typescript)]
pub fn panic_for_tests(env: Env, message: String) -> napi::Result<()> {
    guard::sync(env, move || -> Result<(), BindingError> { panic!("{message}") })
}

/// Panics inside async work; the Promise rejects with an `INTERNAL` error.
///
/// # Panics
///
/// On purpose (for a non-empty message), inside the guard that turns the panic into the rejection.
#[napi(js_name = "__panicInPromiseForTests", skip_typescript)]
pub fn panic_in_promise_for_tests(env: &Env, message: String) -> napi::Result<PromiseRaw<'_, ()>> {
    guard::promise(env, async move {
        tokio::task::yield_now().await;
        if message.is_empty() {
            return Err(BindingError::invalid_input("give a panic message"));
        }
        panic!("{message}")
    })
}
