//! [`Watch`]: the `Progress` of work done with the GIL released. It lets
//! Ctrl-C interrupt the work (Python's signal handlers run only when the
//! interpreter is asked, so `cancelled` asks it, from the calling thread, at
//! most every 50 ms) and, when asked for, shows a `tqdm` bar
//! (`tqdm.auto`: a widget in notebooks, text in terminals), updated at
//! most every 100 ms.

use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use pushforward_core::Progress;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// How often the signal handlers run.
const SIGNALS_EVERY: Duration = Duration::from_millis(50);
/// How often the bar is redrawn.
const DRAW_EVERY: Duration = Duration::from_millis(100);

/// Watches long work: signals, and optionally a bar.
pub(crate) struct Watch {
    bar: Option<Py<PyAny>>,
    caller: ThreadId,
    state: Mutex<State>,
}

struct State {
    checked: Instant,
    drawn: Instant,
    /// The error a signal handler raised (`KeyboardInterrupt`).
    raised: Option<PyErr>,
    /// The last step reported, drawn when the work finishes.
    step: usize,
}

impl Watch {
    /// A watch for work started on this thread; with `bar`, a `tqdm` bar
    /// counting `unit`.
    pub(crate) fn new(py: Python<'_>, bar: bool, unit: &str) -> PyResult<Watch> {
        let bar = if bar {
            let tqdm = py.import("tqdm.auto").map_err(|_| {
                pyo3::exceptions::PyImportError::new_err("progress=True needs tqdm: pip install tqdm")
            })?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("unit", unit)?;
            kwargs.set_item("unit_scale", true)?;
            kwargs.set_item("total", 0)?;
            Some(tqdm.getattr("tqdm")?.call((), Some(&kwargs))?.unbind())
        } else {
            None
        };
        let long_ago = Instant::now()
            .checked_sub(DRAW_EVERY)
            .unwrap_or_else(Instant::now);
        Ok(Watch {
            bar,
            caller: std::thread::current().id(),
            state: Mutex::new(State {
                checked: long_ago,
                drawn: long_ago,
                raised: None,
                step: 0,
            }),
        })
    }

    /// The error a signal handler raised during the work, else `other()`.
    pub(crate) fn error_or(&self, other: impl FnOnce() -> PyErr) -> PyErr {
        let raised = self.state.lock().ok().and_then(|mut s| s.raised.take());
        raised.unwrap_or_else(other)
    }

    /// Runs `f` on the bar, if there is one, holding the GIL.
    fn on_bar(&self, f: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<()>) {
        if let Some(bar) = &self.bar {
            // A failing bar must not fail the work it shows.
            let _ = Python::attach(|py| f(bar.bind(py)));
        }
    }
}

impl Progress for Watch {
    fn start(&self, total: usize) {
        self.on_bar(|bar| {
            bar.call_method1("reset", (total,))?;
            Ok(())
        });
    }

    fn update(&self, step: usize, _: f64) {
        let due = self.state.lock().is_ok_and(|mut s| {
            s.step = step;
            let due = s.drawn.elapsed() >= DRAW_EVERY;
            if due {
                s.drawn = Instant::now();
            }
            due
        });
        if due {
            self.on_bar(|bar| {
                bar.setattr("n", step)?;
                bar.call_method0("refresh")?;
                Ok(())
            });
        }
    }

    fn finish(&self) {
        let step = self.state.lock().map(|s| s.step).unwrap_or_default();
        self.on_bar(|bar| {
            bar.setattr("n", step)?;
            bar.call_method0("close")?;
            Ok(())
        });
    }

    fn cancelled(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        if state.raised.is_some() {
            return true;
        }
        if std::thread::current().id() != self.caller || state.checked.elapsed() < SIGNALS_EVERY {
            return false;
        }
        state.checked = Instant::now();
        if let Err(e) = Python::attach(|py| py.check_signals()) {
            state.raised = Some(e);
            return true;
        }
        false
    }
}
