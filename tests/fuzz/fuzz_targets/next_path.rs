//! `next` after sign-in: whatever it says, the browser goes to a path on this site.
#![no_main]

use badge::domain::local_path_or_root;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|next: &str| {
    let path = local_path_or_root(next);
    assert!(path.starts_with('/'), "{path:?}");
    assert!(
        !path.starts_with("//") && !path.starts_with("/\\"),
        "{path:?}"
    );
});
