//! The protocol hello of authenticated garbling: one frame each way, sent by both parties
//! before anything else and checked by both, so a mismatch is refused on both sides before
//! any secret is used.
//!
//! `MAGIC "DUET-AG\0" ‖ version u16 ‖ role u8 ‖ security u8 ‖ circuit digest (32) ‖
//! input count u32 ‖ one byte per input value (1 = the sender owns it)`, little-endian.
//! A semi-honest Duet peer opens with `"DUET-GC\0"`; that is reported as a security
//! mismatch (and the semi-honest side reports ours the same way).

use crate::error::AgError;
use crate::share::Party;
use duet_net::Channel;

/// The version of this protocol.
pub const PROTOCOL_VERSION: u16 = 1;
/// The magic that opens our hello.
pub const MAGIC: [u8; 8] = *b"DUET-AG\0";
const GC_MAGIC: [u8; 8] = *b"DUET-GC\0";
const SECURITY_MALICIOUS: u8 = 1;
const FIXED: usize = 8 + 2 + 1 + 1 + 32 + 4;
/// Most input values a hello may name.
const MAX_INPUTS: usize = 1 << 16;

fn role_code(p: Party) -> u8 {
    match p {
        Party::Garbler => 0,
        Party::Evaluator => 1,
    }
}

/// Encode our hello.
pub(crate) fn encode(me: Party, digest: &[u8; 32], owned: &[bool]) -> Vec<u8> {
    let mut v = Vec::with_capacity(FIXED + owned.len());
    v.extend_from_slice(&MAGIC);
    v.extend_from_slice(&PROTOCOL_VERSION.to_le_bytes());
    v.push(role_code(me));
    v.push(SECURITY_MALICIOUS);
    v.extend_from_slice(digest);
    v.extend_from_slice(&(owned.len() as u32).to_le_bytes());
    v.extend(owned.iter().map(|&o| u8::from(o)));
    v
}

/// Check the peer's hello against ours; the error names the first difference.
pub(crate) fn check(
    me: Party,
    digest: &[u8; 32],
    owned: &[bool],
    peer: &[u8],
) -> Result<(), String> {
    // a semi-honest Duet peer opens with the wire negotiation (`"DUET"`, kind 1 = offer)
    let wire_offer = peer.len() > 5 && peer[..4] == *b"DUET" && peer[4] == 1;
    if (peer.len() >= 8 && peer[..8] == GC_MAGIC) || wire_offer {
        return Err("security mismatch: we run malicious (authenticated garbling), the peer runs semi-honest".into());
    }
    if peer.len() < FIXED || peer[..8] != MAGIC {
        return Err("the peer is not speaking the Duet authenticated-garbling protocol".into());
    }
    let version = u16::from_le_bytes([peer[8], peer[9]]);
    if version != PROTOCOL_VERSION {
        return Err(format!(
            "protocol version mismatch: we speak {PROTOCOL_VERSION}, the peer speaks {version}"
        ));
    }
    if peer[10] == role_code(me) {
        return Err(format!("both parties are the {me}"));
    }
    if peer[10] > 1 {
        return Err(format!("unknown role {}", peer[10]));
    }
    if peer[11] != SECURITY_MALICIOUS {
        return Err(format!(
            "security mismatch: we run malicious, the peer asks for level {}",
            peer[11]
        ));
    }
    if peer[12..44] != digest[..] {
        return Err(format!(
            "circuit mismatch: we have {}…, the peer has {}…",
            hex8(digest),
            hex8(&peer[12..44])
        ));
    }
    let n = u32::from_le_bytes([peer[44], peer[45], peer[46], peer[47]]) as usize;
    if n != owned.len() || peer.len() != FIXED + n {
        return Err(format!(
            "the peer names {n} input values, we have {}",
            owned.len()
        ));
    }
    for (i, (&mine, &theirs)) in owned.iter().zip(&peer[FIXED..]).enumerate() {
        match (mine, theirs) {
            (true, 1) => return Err(format!("input {i} claimed by both parties")),
            (false, 0) => return Err(format!("input {i} supplied by neither party")),
            (_, 0 | 1) => {}
            _ => return Err(format!("bad owner byte for input {i}")),
        }
    }
    Ok(())
}

fn hex8(b: &[u8]) -> String {
    b[..4].iter().map(|x| format!("{x:02x}")).collect()
}

/// Exchange and check hellos (both send, then both read).
///
/// # Errors
/// [`AgError::Handshake`] naming the mismatch; [`AgError::Net`] on channel failure.
pub(crate) async fn handshake(
    ch: &mut Channel,
    me: Party,
    digest: &[u8; 32],
    owned: &[bool],
) -> Result<(), AgError> {
    if owned.len() > MAX_INPUTS {
        return Err(AgError::Usage(format!(
            "more than {MAX_INPUTS} input values"
        )));
    }
    ch.send_frame(&encode(me, digest, owned)).await?;
    ch.flush().await?;
    let peer = ch.recv_frame(FIXED + MAX_INPUTS).await?;
    check(me, digest, owned, &peer).map_err(AgError::Handshake)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_checks() {
        let d = [7u8; 32];
        let g = encode(Party::Garbler, &d, &[true, false]);
        assert!(check(Party::Evaluator, &d, &[false, true], &g).is_ok());
        let e = check(Party::Garbler, &d, &[true, false], &g).unwrap_err();
        assert!(e.contains("both parties are the garbler"), "{e}");
        assert!(
            check(Party::Evaluator, &[8u8; 32], &[false, true], &g)
                .unwrap_err()
                .contains("circuit mismatch")
        );
        assert!(
            check(Party::Evaluator, &d, &[true, false], &g)
                .unwrap_err()
                .contains("claimed by both")
        );
        let mut semi = b"DUET-GC\0".to_vec();
        semi.extend_from_slice(&[3, 0, 1]);
        assert!(
            check(Party::Evaluator, &d, &[false, true], &semi)
                .unwrap_err()
                .contains("security mismatch")
        );
        let mut lvl = g.clone();
        lvl[11] = 0;
        assert!(
            check(Party::Evaluator, &d, &[false, true], &lvl)
                .unwrap_err()
                .contains("security mismatch")
        );
        assert!(check(Party::Evaluator, &d, &[false, true], &g[..20]).is_err());
    }
}
