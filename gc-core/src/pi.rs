//! The fixed-key permutation π = AES-128 under a public key: the ideal permutation of
//! every garbling hash in this crate (GKWY20's fixed-key model), shared by the schemes.
//! Plain permutation goes through [`duet_core::AesEcb`] (its own VAES loop where the CPU
//! has one, else the `aes` crate); fused kernels of a scheme read its round keys.

use duet_core::{AesEcb, Block};
use std::sync::LazyLock;

/// The fixed public AES key of the garbling hash: the first 16 bytes of the binary
/// expansion of e (nothing up the sleeve).
const KEY: [u8; 16] = [
    0xb7, 0xe1, 0x51, 0x62, 0x8a, 0xed, 0x2a, 0x6a, 0xbf, 0x71, 0x58, 0x80, 0x9c, 0xf4, 0xf3, 0xc7,
];

/// π with its key schedule and the back end chosen once per process.
pub(crate) struct Pi {
    /// the cipher; fused kernels read its round keys and back end
    pub(crate) aes: AesEcb,
}

pub(crate) static PI: LazyLock<Pi> = LazyLock::new(|| Pi {
    aes: AesEcb::new(KEY),
});

impl Pi {
    /// π applied in place to every block (any length; fastest for multiples of 16).
    #[inline]
    pub(crate) fn permute(&self, blocks: &mut [Block]) {
        self.aes.encrypt_blocks(blocks);
    }
}
