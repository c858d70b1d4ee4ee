//! The one tokio runtime of the process, created lazily and again after `fork()`.
//!
//! A forked child inherits the parent's memory but none of its threads, so the parent's
//! runtime is dead there: every use checks the process id and builds a fresh runtime in a
//! child. The dead runtime is leaked on purpose (dropping it would wait for threads that do
//! not exist). [`PyRuntime`] plugs the same runtime into pyo3-async-runtimes for `enrich_async`.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use tokio::runtime::{Builder, Handle, Runtime};

use crate::error::InternalError;

/// The runtime and the process it was built in.
struct Owned {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<Owned>> = Mutex::new(None);

/// The process's runtime, built on first use (and again in a forked child).
pub(crate) fn runtime() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(owned) = slot.as_ref() {
        if owned.pid == pid {
            return Ok(Arc::clone(&owned.runtime));
        }
    }
    if let Some(stale) = slot.take() {
        // Built by the parent before fork(): its worker threads do not exist here.
        std::mem::forget(stale.runtime);
    }
    let runtime = Arc::new(
        Builder::new_multi_thread()
            .enable_all()
            .thread_name("bookenrich-worker")
            .build()
            .map_err(|e| InternalError::new_err(format!("cannot start the tokio runtime: {e}")))?,
    );
    *slot = Some(Owned { pid, runtime: Arc::clone(&runtime) });
    Ok(runtime)
}

/// Stops the process's runtime at interpreter exit (registered with `atexit`).
///
/// A runtime thread still inside Python when finalization starts (e.g. pyo3-async-runtimes
/// setting the result of an awaited `fetch` just after the lookup that awaited it returned)
/// aborts the process ("`PyGILState_Release`: thread state must be current"). With the GIL
/// released, this waits up to 10 s for the runtime's threads to leave and stop.
#[pyfunction]
pub(crate) fn shutdown_runtime(py: Python<'_>) {
    let Some(owned) = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return;
    };
    if owned.pid != std::process::id() {
        // Built by the parent before fork(): its threads do not exist here (see `runtime`).
        std::mem::forget(owned.runtime);
        return;
    }
    // Another thread still enriching holds a handle: leave the runtime to it.
    if let Ok(runtime) = Arc::try_unwrap(owned.runtime) {
        py.detach(|| runtime.shutdown_timeout(std::time::Duration::from_secs(10)));
    }
}

/// A handle to spawn on: the current runtime when called from one of its threads, else the process's.
fn spawn_handle() -> Handle {
    if let Ok(handle) = Handle::try_current() {
        return handle;
    }
    match runtime() {
        Ok(rt) => rt.handle().clone(),
        // pyo3-async-runtimes' `spawn` cannot fail; `enrich_async` calls `runtime()` first,
        // so the runtime exists by the time this runs and this branch is unreachable in practice.
        Err(e) => panic!("bookenrich: {e}"),
    }
}

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

/// The process's runtime as a pyo3-async-runtimes runtime (spawns and task-locals on it).
pub(crate) struct PyRuntime;

impl GenericRuntime for PyRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        spawn_handle().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        spawn_handle().spawn_blocking(f)
    }
}

impl ContextExt for PyRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        // A fresh cell is always empty, so `set` succeeds.
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|c| c.get().cloned()).unwrap_or_default()
    }
}
