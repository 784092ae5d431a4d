//! `gc-run keygen --out FILE` and `gc-run pubkey FILE`: static key pairs for the secure
//! channel (`--key FILE --peer-key PUBKEY` on every networked command).

use crate::common::usage;
use clap::Args;
use duet_net::{KeyError, PublicKey, StaticKeyPair};
use std::path::PathBuf;

/// Arguments of `gc-run keygen`.
#[derive(Args, Debug)]
#[command(
    long_about = "Make a static X25519 key pair for the secure channel. The file (created \
with mode 0600, never overwritten) is this party's --key; the printed public key \
(duet-pk:…) is what the other party gives as --peer-key.\n\n\
Two machines:\n  alice$ gc-run keygen --out alice.key     # prints duet-pk:AAA…\n  \
bob$   gc-run keygen --out bob.key       # prints duet-pk:BBB…\n  \
alice$ gc-run garbler aes_128 --listen 0.0.0.0:7000 --key alice.key --peer-key duet-pk:BBB… --input 0=…\n  \
bob$   gc-run evaluator aes_128 --connect alice:7000 --key bob.key --peer-key duet-pk:AAA… --input 1=…"
)]
pub struct KeygenArgs {
    /// Where to write the key pair (must not exist yet).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Arguments of `gc-run pubkey`.
#[derive(Args, Debug)]
pub struct PubkeyArgs {
    /// A key-pair file from `gc-run keygen`.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Run `gc-run keygen`: write the pair, print the public key on stdout.
pub fn run_keygen(args: KeygenArgs) -> anyhow::Result<()> {
    let kp = StaticKeyPair::generate()?;
    kp.save(&args.out).map_err(|e| match &e {
        KeyError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
            usage(format!(
                "{}: already exists; not overwriting a key (remove it first)",
                args.out.display()
            ))
        }
        _ => usage(e.to_string()),
    })?;
    println!("{}", kp.public());
    Ok(())
}

/// Run `gc-run pubkey`: print the public key of a key-pair file (or of a public key file).
pub fn run_pubkey(args: PubkeyArgs) -> anyhow::Result<()> {
    let first = std::fs::read(&args.file)
        .ok()
        .and_then(|b| b.split(|&c| c == b'\n').next().map(<[u8]>::to_vec));
    let public: PublicKey =
        if first.as_deref().map(<[u8]>::trim_ascii) == Some(duet_net::KEY_FILE_HEADER.as_bytes()) {
            StaticKeyPair::load(&args.file)
                .map_err(|e| usage(e.to_string()))?
                .public()
        } else {
            PublicKey::load(&args.file).map_err(|e| usage(e.to_string()))?
        };
    println!("{public}");
    Ok(())
}
