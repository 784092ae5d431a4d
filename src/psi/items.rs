//! Items: byte strings, one per line of a file, hashed to 128 bits with keyed blake3.
//!
//! A line ends at `\n`; a trailing `\r` is removed (CRLF files); empty lines are skipped.
//! Lines are arbitrary bytes (not necessarily UTF-8) of any length.

use duet_core::Block;
use std::path::Path;
use std::sync::LazyLock;

/// The blake3 key for item hashing (derived from a fixed context string, so both parties
/// hash alike and the hashes are domain-separated from other uses of blake3).
static ITEM_KEY: LazyLock<[u8; 32]> =
    LazyLock::new(|| blake3::derive_key("duet psi v1 item hash", b""));

/// The 128-bit hash of one item: the first 16 bytes of keyed blake3.
pub fn hash_item(item: &[u8]) -> Block {
    let h = blake3::keyed_hash(&ITEM_KEY, item);
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.as_bytes()[..16]);
    Block::from_bytes(b)
}

/// [`hash_item`] of every item.
pub fn hash_items<T: AsRef<[u8]>>(items: &[T]) -> Vec<Block> {
    items.iter().map(|x| hash_item(x.as_ref())).collect()
}

/// The items of a file (one per line) with their hashes; lines stay in file order.
pub struct ItemSet {
    data: Vec<u8>,
    /// (start, end) byte offsets of each item in `data`.
    spans: Vec<(usize, usize)>,
    hashes: Vec<Block>,
}

impl ItemSet {
    /// Split `data` into items and hash them.
    pub fn from_bytes(data: Vec<u8>) -> Self {
        let mut spans = Vec::new();
        let mut start = 0;
        for (i, &c) in data.iter().enumerate() {
            if c == b'\n' {
                push_span(&data, &mut spans, start, i);
                start = i + 1;
            }
        }
        push_span(&data, &mut spans, start, data.len());
        let hashes = spans.iter().map(|&(s, e)| hash_item(&data[s..e])).collect();
        ItemSet {
            data,
            spans,
            hashes,
        }
    }

    /// Read and split a file.
    ///
    /// # Errors
    /// The I/O error of reading the file.
    pub fn from_file(path: &Path) -> std::io::Result<Self> {
        Ok(Self::from_bytes(std::fs::read(path)?))
    }

    /// Number of items (duplicates included).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True if there are no items.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The bytes of item `i` (without the line ending).
    pub fn item(&self, i: usize) -> &[u8] {
        let (s, e) = self.spans[i];
        &self.data[s..e]
    }

    /// The hashes of all items, in order.
    pub fn hashes(&self) -> &[Block] {
        &self.hashes
    }
}

fn push_span(data: &[u8], spans: &mut Vec<(usize, usize)>, start: usize, mut end: usize) {
    if end > start && data[end - 1] == b'\r' {
        end -= 1;
    }
    if end > start {
        spans.push((start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_crlf_empty_and_binary() {
        let s = ItemSet::from_bytes(b"a\r\n\nb\n\xff\xfe\nlast".to_vec());
        assert_eq!(s.len(), 4);
        assert_eq!(s.item(0), b"a");
        assert_eq!(s.item(1), b"b");
        assert_eq!(s.item(2), b"\xff\xfe");
        assert_eq!(s.item(3), b"last");
        assert_eq!(s.hashes()[0], hash_item(b"a"));
        assert_ne!(hash_item(b"a"), hash_item(b"b"));
        assert!(ItemSet::from_bytes(Vec::new()).is_empty());
        assert!(ItemSet::from_bytes(b"\n\r\n\n".to_vec()).is_empty());
    }
}
