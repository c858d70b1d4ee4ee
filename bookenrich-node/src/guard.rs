//! Running Rust for JavaScript: panics become `INTERNAL` errors, async work becomes a Promise.
//!
//! A panic must never unwind into Node (it would abort the process), so every
//! exported function runs its body through [`sync`] or [`promise`].

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use futures::FutureExt;
use napi::Env;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};

use crate::error::{BindingError, Result};

/// Runs a synchronous body; its error or panic becomes a JS error with a `code`.
pub(crate) fn sync<T>(env: Env, body: impl FnOnce() -> Result<T>) -> napi::Result<T> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(BindingError::from_panic(payload.as_ref())))
        .map_err(|e| e.into_napi(env))
}

/// An error that becomes a JS error on the JS thread.
pub(crate) trait Failure: Send + 'static {
    /// The failure of a panic.
    fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self;
    /// The JS error to reject with.
    fn into_napi(self, env: Env) -> napi::Error;
}

impl Failure for BindingError {
    fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        BindingError::from_panic(payload)
    }

    fn into_napi(self, env: Env) -> napi::Error {
        BindingError::into_napi(self, env)
    }
}

/// Runs `work` on the addon's tokio runtime and returns a Promise of its value.
///
/// The Promise rejects with a coded JS error when `work` fails or panics. The
/// conversion of the value to JS happens on the JS thread, after `work` is done.
pub(crate) fn promise<T, E, F>(env: &Env, work: F) -> napi::Result<PromiseRaw<'_, T>>
where
    T: ToNapiValue + Send + 'static,
    E: Failure,
    F: Future<Output = std::result::Result<T, E>> + Send + 'static,
{
    promise_then(env, work, |_| {})
}

/// Like [`promise`], running `settled` on the JS thread just before the Promise settles,
/// whatever the outcome (to release JS resources the work held).
pub(crate) fn promise_then<T, E, F, S>(
    env: &Env,
    work: F,
    settled: S,
) -> napi::Result<PromiseRaw<'_, T>>
where
    T: ToNapiValue + Send + 'static,
    E: Failure,
    F: Future<Output = std::result::Result<T, E>> + Send + 'static,
    S: FnOnce(&Env) + 'static,
{
    let guarded = async move {
        let outcome = AssertUnwindSafe(work)
            .catch_unwind()
            .await
            .unwrap_or_else(|payload| Err(E::from_panic(payload.as_ref())));
        // The error travels as a value: only the JS thread can turn it into a JS object.
        Ok::<_, napi::Error>(outcome)
    };
    env.spawn_future_with_callback(guarded, move |env, outcome| {
        settled(env);
        outcome.map_err(|e| e.into_napi(*env))
    })
}

/// Runs blocking work (file reading, parsing) on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(BindingError::from_panic(e.into_panic().as_ref())),
        Err(e) => Err(BindingError::new(
            crate::error::Code::Internal,
            format!("blocking task failed: {e}"),
        )),
    }
}
