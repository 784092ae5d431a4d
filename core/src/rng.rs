//! Where protocol randomness comes from: [`secure_rng`], the operating system's RNG — or, in
//! a test that asked for it ([`seed_this_thread`], feature `seeded-rng`, dev-dependencies
//! only), an AES-CTR PRG seeded per thread, so that a protocol's wire bytes are
//! reproducible (the golden transcript tests). Every draw of a secret in the protocol
//! crates (Δ, base-OT secrets, PRG seeds, label seeds) goes through here.

use rand_core::{Infallible, TryCryptoRng, TryRng};

/// The protocol RNG: the OS's (see the module docs). Zero-sized; cheap to create per use.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecureRng(());

/// The protocol RNG (the OS's, unless a test seeded this thread).
pub fn secure_rng() -> SecureRng {
    SecureRng(())
}

#[cfg(feature = "seeded-rng")]
std::thread_local! {
    static SEEDED: std::cell::RefCell<Option<crate::Prg>> = const { std::cell::RefCell::new(None) };
}

/// Tests only (feature `seeded-rng`): make [`secure_rng`] on this thread a PRG seeded with
/// `seed` (or the OS RNG again with `None`). Never enable the feature outside tests.
#[cfg(feature = "seeded-rng")]
pub fn seed_this_thread(seed: Option<crate::Block>) {
    SEEDED.with(|s| *s.borrow_mut() = seed.map(crate::Prg::new));
}

impl SecureRng {
    fn fill(dst: &mut [u8]) {
        #[cfg(feature = "seeded-rng")]
        {
            let done = SEEDED.with(|s| match s.borrow_mut().as_mut() {
                Some(p) => {
                    p.fill_bytes(dst);
                    true
                }
                None => false,
            });
            if done {
                return;
            }
        }
        rand::fill(dst);
    }
}

impl TryRng for SecureRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        Self::fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        Self::fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        Self::fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for SecureRng {}
