//! libFuzzer target: `tollgate_fuzz::checks::yaml_paths_agree` on any UTF-8 input. Wherever
//! the YAML fast path returns a document, the `yaml-rust2` event path must return the same one.
//! The `yaml` target checks this too, among its other invariants; this one spends every run on
//! it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(broken) = tollgate_fuzz::checks::yaml_paths_agree(text) {
        panic!("{broken}");
    }
});
