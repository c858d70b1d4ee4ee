//! Cancelling work from JavaScript with an `AbortSignal`.
//!
//! An `abort` listener on the signal cancels the run's [`CancelToken`]; the run
//! then stops (no request is sent afterwards) and rejects with code `ABORTED`. The
//! listener is removed when the work settles, so a long-lived signal does not
//! collect listeners.

use bookenrich_core::engine::CancelToken;
use napi::bindgen_prelude::{
    FnArgs, Function, FunctionRef, JsObjectValue, Object, ObjectRef, Unknown,
};
use napi::{Env, JsValue};

use crate::error::{BindingError, Result};

type Listener = Function<'static, (), ()>;
type RemoveEventListener<'a> = Function<'a, FnArgs<(&'a str, Function<'a, (), ()>)>, Unknown<'a>>;

/// The JS side: the listener to remove from the signal when the work settles.
pub(crate) struct AbortListener {
    signal: ObjectRef<false>,
    listener: FunctionRef<(), ()>,
}

/// Listens for `abort` on `signal`; `Err(ABORTED)` when it has already fired.
pub(crate) fn listen(env: Env, signal: &Object<'_>) -> Result<(CancelToken, AbortListener)> {
    let not_a_signal = || BindingError::invalid_input("signal must be an AbortSignal");
    let aborted: Unknown<'_> = signal.get_named_property("aborted").map_err(|_| not_a_signal())?;
    let aborted = aborted.coerce_to_bool().map_err(|_| not_a_signal())?;
    if aborted {
        return Err(BindingError::aborted());
    }
    let add: Function<'_, FnArgs<(&str, Listener, Object<'_>)>, Unknown<'_>> =
        signal.get_named_property("addEventListener").map_err(|_| not_a_signal())?;
    let token = CancelToken::new();
    let on_abort = token.clone();
    let listener = env
        .create_function_from_closure("onAbort", move |_ctx| {
            on_abort.cancel();
            Ok(())
        })
        .map_err(|e| napi_failure(&e))?;
    let mut once = Object::new(&env).map_err(|e| napi_failure(&e))?;
    once.set("once", true).map_err(|e| napi_failure(&e))?;
    let listener_ref = listener.create_ref().map_err(|e| napi_failure(&e))?;
    add.apply(signal, FnArgs::from(("abort", listener, once))).map_err(|_| not_a_signal())?;
    let signal_ref = signal.create_ref::<false>().map_err(|e| napi_failure(&e))?;
    Ok((token, AbortListener { signal: signal_ref, listener: listener_ref }))
}

impl AbortListener {
    /// Removes the listener from the signal (on the JS thread, when the work has settled).
    pub(crate) fn remove(self, env: Env) {
        // Best effort: failing to remove only leaves a listener that does nothing.
        if let (Ok(signal), Ok(listener)) =
            (self.signal.get_value(&env), self.listener.borrow_back(&env))
        {
            let remove: napi::Result<RemoveEventListener<'_>> =
                signal.get_named_property("removeEventListener");
            if let Ok(remove) = remove {
                let _ = remove.apply(signal, FnArgs::from(("abort", listener)));
            }
        }
        let _ = self.signal.unref(&env);
    }
}

fn napi_failure(e: &napi::Error) -> BindingError {
    BindingError::new(crate::error::Code::Internal, format!("cannot listen for abort: {e}"))
}
