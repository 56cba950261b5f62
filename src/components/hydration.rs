//! Whether the page has hydrated, so controls that need WebAssembly stay disabled until they work.

use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Hydrated(ReadSignal<bool>);

/// Creates the flag (false during SSR, true once the browser has hydrated) and shares it.
pub fn provide_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    // Effects run only in the browser, after hydration: exactly the moment we want.
    Effect::new(move |_| set_hydrated.set(true));
    provide_context(Hydrated(hydrated));
    hydrated
}

/// The flag provided by the `App`; false when used outside it.
pub fn use_hydrated() -> Signal<bool> {
    match use_context::<Hydrated>() {
        Some(Hydrated(flag)) => flag.into(),
        None => Signal::stored(false),
    }
}
