//! Little-endian byte encoding for the index file: a writer, a bounds-checked reader that never
//! panics on garbled input (it answers `None`), and the checksum that detects a damaged file.

/// Appends values to a byte buffer.
#[derive(Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A string of up to 4 GiB (file names, reasons).
    pub fn str32(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A short string (ids, versions): longer ones are cut at a character boundary, which the
    /// caller avoids by checking [`fits16`] first.
    pub fn str16(&mut self, s: &str) {
        self.u16(s.len() as u16);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }
}

/// Whether `s` can be written with [`Writer::str16`].
pub(crate) fn fits16(s: &str) -> bool {
    s.len() <= u16::MAX as usize
}

/// Reads values from a byte slice; every read is bounds-checked.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub fn at(bytes: &'a [u8], pos: usize) -> Self {
        Reader { bytes, pos }
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn str32(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    pub fn str16(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// A 64-bit checksum, eight bytes a step: catches truncation, flipped bytes and foreign files
/// (the index is a cache the user owns, so this guards against damage, not against forgery).
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^= h >> 32;
    h.wrapping_mul(K) ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_answers_none_past_the_end() {
        let mut w = Writer::default();
        w.u32(7);
        w.str16("abc");
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.u32(), Some(7));
        assert_eq!(r.str16(), Some("abc"));
        assert!(r.is_empty());
        assert_eq!(r.u8(), None);
        // A length that points past the end is refused, not trusted.
        let mut r = Reader::new(&[0xff, 0xff, b'a']);
        assert_eq!(r.str16(), None);
    }

    #[test]
    fn checksum_sees_one_changed_byte_and_truncation() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let base = checksum(&data);
        let mut flipped = data.clone();
        flipped[500] ^= 1;
        assert_ne!(checksum(&flipped), base);
        assert_ne!(checksum(&data[..999]), base);
        assert_eq!(checksum(&data), base);
    }
}
