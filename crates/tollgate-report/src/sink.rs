//! Writing a rendered report straight into its destination: the HTML page of a large repository
//! is tens of megabytes, and holding it whole as a string before writing it only costs memory
//! and copies.

use std::fmt;
use std::io;

/// A [`fmt::Write`] over an [`io::Write`] that keeps the first I/O error, so the renderers can
/// use `write!` as they would on a `String` and the caller still learns that writing failed.
pub(crate) struct Out<'w> {
    inner: &'w mut dyn io::Write,
    error: Option<io::Error>,
}

impl<'w> Out<'w> {
    pub(crate) fn new(inner: &'w mut dyn io::Write) -> Self {
        Out { inner, error: None }
    }

    pub(crate) fn push_str(&mut self, text: &str) {
        let _ = fmt::Write::write_str(self, text);
    }

    pub(crate) fn push(&mut self, c: char) {
        let _ = fmt::Write::write_char(self, c);
    }

    /// The first error met while writing, if any.
    pub(crate) fn finish(self) -> io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl fmt::Write for Out<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.error.is_some() {
            return Err(fmt::Error);
        }
        self.inner.write_all(text.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

/// Render into a string (tests, and callers that want the text itself).
pub(crate) fn to_string(render: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> String {
    let mut bytes = Vec::new();
    // Writing into a vector cannot fail, and the renderers write only `str`s.
    let _ = render(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails after a few bytes.
    struct Full(usize);

    impl io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.0 < buf.len() {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_write_error_is_kept() {
        let mut full = Full(4);
        let mut out = Out::new(&mut full);
        out.push_str("abc");
        out.push_str("defgh");
        out.push('i');
        let error = out.finish().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        let mut fine = Vec::new();
        let mut out = Out::new(&mut fine);
        out.push_str("abc");
        out.push('d');
        assert!(out.finish().is_ok());
        assert_eq!(fine, b"abcd");
    }
}
