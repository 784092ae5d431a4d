//! [`sanitize_peer_text`]: text that a peer sent (an abort reason, the first bytes of a
//! message that was not ours), made safe to print on a terminal.

/// The most characters of peer text shown; the rest is cut and marked `…`.
pub const MAX_PEER_TEXT: usize = 200;

/// `bytes` from the peer as one quoted line marked as the peer's words, e.g.
/// `"input 0 is 8 bits" (its words)`: invalid UTF-8 replaced, every control character
/// (newlines, escape sequences, C1 controls) and every character that reorders or hides
/// text (bidirectional overrides, zero-width marks) escaped as `\u{…}`, quotes and
/// backslashes escaped, and at most [`MAX_PEER_TEXT`] characters kept (then `…`). Every
/// protocol that reports peer text in an error passes it through here, so a peer cannot
/// write to the other party's terminal.
pub fn sanitize_peer_text(bytes: &[u8]) -> String {
    format!("\"{}\" (its words)", escape_peer_text(bytes))
}

/// The escaped, capped text of [`sanitize_peer_text`] without the quotes and the mark.
pub fn escape_peer_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX_PEER_TEXT {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Control characters and invisible or reordering format characters.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2069 | 0xfeff | 0xfff9..=0xfffb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_escaped_length_capped_and_marked() {
        assert_eq!(
            sanitize_peer_text(b"bad input"),
            "\"bad input\" (its words)"
        );
        let s = sanitize_peer_text(b"a\x1b[2J\nb\r\x07\"q\"\\ \xff \xe2\x80\xae");
        assert_eq!(
            s,
            "\"a\\u{1b}[2J\\u{a}b\\u{d}\\u{7}\\\"q\\\"\\\\ \u{fffd} \\u{202e}\" (its words)"
        );
        assert!(!s.chars().any(|c| c.is_control()));
        let long = sanitize_peer_text(&[b'x'; 1024]);
        assert_eq!(long.chars().filter(|&c| c == 'x').count(), MAX_PEER_TEXT);
        assert!(long.ends_with("…\" (its words)"), "{long}");
        // C1 controls (e.g. U+009B, a one-character CSI) too
        assert_eq!(escape_peer_text("\u{9b}31m".as_bytes()), "\\u{9b}31m");
    }
}
