//! Small wire helpers shared by preprocessing and the online phase: ordered exchanges on one
//! channel, packed bits, and the batched MAC check of opened values.

use crate::error::{AgError, Check};
use crate::share::{Key, Mac, Party, Share};
use duet_core::Block;
use duet_net::Channel;
use subtle::ConstantTimeEq;

/// Send `mine` and receive `theirs` (lengths known to both): the garbler sends first, the
/// evaluator receives first, so neither blocks on a full buffer.
pub(crate) async fn exchange(
    ch: &mut Channel,
    me: Party,
    mine: &[u8],
    theirs: &mut [u8],
) -> Result<(), AgError> {
    match me {
        Party::Garbler => {
            ch.send(mine).await?;
            ch.flush().await?;
            ch.recv_exact(theirs).await?;
        }
        Party::Evaluator => {
            ch.recv_exact(theirs).await?;
            ch.send(mine).await?;
            ch.flush().await?;
        }
    }
    Ok(())
}

/// Send `bytes` and flush.
pub(crate) async fn send(ch: &mut Channel, bytes: &[u8]) -> Result<(), AgError> {
    ch.send(bytes).await?;
    ch.flush().await?;
    Ok(())
}

/// Receive exactly `n` bytes.
pub(crate) async fn recv(ch: &mut Channel, n: usize) -> Result<Vec<u8>, AgError> {
    let mut v = vec![0u8; n];
    ch.recv_exact(&mut v).await?;
    Ok(v)
}

/// Pack bits LSB-first into ⌈n/8⌉ bytes.
pub(crate) fn pack(bits: impl ExactSizeIterator<Item = bool>) -> Vec<u8> {
    let mut v = vec![0u8; bits.len().div_ceil(8)];
    for (i, b) in bits.enumerate() {
        v[i / 8] |= u8::from(b) << (i % 8);
    }
    v
}

/// Bit `i` of a packed vector.
#[inline(always)]
pub(crate) fn get(bytes: &[u8], i: usize) -> bool {
    bytes[i / 8] >> (i % 8) & 1 == 1
}

/// The batched MAC check of opened values (WRK17 §2, "Open", with the MACs hashed into one
/// digest per direction): each party hashes the MACs of the halves it revealed; the peer
/// hashes what those MACs must be (`key ⊕ bit·Δ`); at [`OpenLog::check`] the digests are
/// exchanged and compared in constant time.
pub(crate) struct OpenLog {
    mine: blake3::Hasher,
    expect: blake3::Hasher,
    count: u64,
}

impl OpenLog {
    pub fn new() -> OpenLog {
        OpenLog {
            mine: blake3::Hasher::new_derive_key("duet-ag opened macs v1"),
            expect: blake3::Hasher::new_derive_key("duet-ag opened macs v1"),
            count: 0,
        }
    }

    /// Log one opened share: our MAC, and the peer's revealed half `peer_bit` checked with our
    /// key under our Δ.
    #[inline]
    pub fn log(&mut self, mine: Mac, key: Key, peer_bit: bool, delta_me: Block) {
        self.mine.update(&mine.block().to_bytes());
        let e = key.block() ^ (delta_me & Block::mask(peer_bit));
        self.expect.update(&e.to_bytes());
        self.count += 1;
    }

    /// Log only our MAC of a half we revealed.
    #[inline]
    pub fn log_mine(&mut self, mine: Mac) {
        self.mine.update(&mine.block().to_bytes());
        self.count += 1;
    }

    /// Log only the expected MAC of a half the peer revealed.
    #[inline]
    pub fn log_expect(&mut self, key: Key, peer_bit: bool, delta_me: Block) {
        let e = key.block() ^ (delta_me & Block::mask(peer_bit));
        self.expect.update(&e.to_bytes());
    }

    /// Open `shares` (send our halves, receive the peer's), log every MAC, return the values
    /// packed (bit i = x_i).
    pub async fn open(
        &mut self,
        ch: &mut Channel,
        me: Party,
        delta_me: Block,
        shares: &[Share],
    ) -> Result<Vec<u8>, AgError> {
        let mine = pack(shares.iter().map(|s| s.bit()));
        let mut theirs = vec![0u8; mine.len()];
        exchange(ch, me, &mine, &mut theirs).await?;
        for (i, s) in shares.iter().enumerate() {
            self.log(s.mac(), s.key(), get(&theirs, i), delta_me);
        }
        for (t, m) in theirs.iter_mut().zip(&mine) {
            *t ^= m;
        }
        Ok(theirs)
    }

    /// Exchange the digests and compare.
    ///
    /// # Errors
    /// [`AgError::Cheat`] with `check` if the peer's MACs are wrong.
    pub async fn check(self, ch: &mut Channel, me: Party, check: Check) -> Result<(), AgError> {
        let mine = *self.mine.finalize().as_bytes();
        let expect = *self.expect.finalize().as_bytes();
        let mut theirs = [0u8; 32];
        exchange(ch, me, &mine, &mut theirs).await?;
        if bool::from(theirs.ct_eq(&expect)) {
            Ok(())
        } else {
            Err(AgError::Cheat {
                check,
                detail: format!(" ({} opened values)", self.count),
            })
        }
    }
}
