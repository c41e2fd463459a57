//! What a panic prints. Parsers and policy engines run on text from the scanned repository, and
//! a panic's message can quote it (a hostile glob pattern, a template's value); Rust's default
//! hook would write it to stderr as it is, terminal escape sequences included. Most panics are
//! caught and the run goes on (`catch_unwind` around each parser and policy), so the hook only
//! says where it happened, with the message escaped and cut short.

use std::panic::PanicHookInfo;

/// How every panic's line starts, so scripts that look for panics (the fuzz crate's hostile
/// campaign) find them.
pub const PANIC_MARKER: &str = "internal error (panic)";

/// At most this many characters of a panic's message are shown.
const MAX_MESSAGE_CHARS: usize = 300;

/// Replace the default panic hook with [`describe`] on stderr.
pub fn install() {
    std::panic::set_hook(Box::new(|info| eprintln!("{}", describe(info))));
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    let place = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    format!("{PANIC_MARKER}{place}: {}", shown(&payload))
}

/// `message` on one line, unsafe characters escaped, cut at [`MAX_MESSAGE_CHARS`].
fn shown(message: &str) -> String {
    let cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let mut out = tollgate_core::display::visible_line(&cut).into_owned();
    if message.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        out.push_str(" [...]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped_on_one_line_and_cut_short() {
        assert_eq!(
            shown("bad \u{1b}[31mred\nnext"),
            "bad \\u{1b}[31mred\\nnext"
        );
        let long = "x".repeat(10_000);
        let out = shown(&long);
        assert_eq!(out, format!("{} [...]", "x".repeat(MAX_MESSAGE_CHARS)));
    }
}
