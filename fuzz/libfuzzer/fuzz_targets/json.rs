//! libFuzzer target: `tollgate_fuzz::checks::json_matches_serde_json` on any UTF-8 input (the files tollgate
//! reads are text; it reports a file that is not UTF-8 without parsing it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(broken) = tollgate_fuzz::checks::json_matches_serde_json(text) {
        panic!("{broken}");
    }
});
