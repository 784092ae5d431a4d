//! The millionaires' problem over TCP: two parties learn who is richer and nothing else.
//!
//! Both parties in one process (fresh keys, a port on 127.0.0.1 chosen by the system):
//! ```text
//! cargo run --example millionaires -- --role both --alice 2000000 --bob 1500000
//! ```
//! Two processes or two machines, with keys from `gc-run keygen`:
//! ```text
//! gc-run keygen --out alice.key      # prints duet-pk:AAA…
//! gc-run keygen --out bob.key        # prints duet-pk:BBB…
//! cargo run --example millionaires -- --role garbler --value 2000000 \
//!     --listen 127.0.0.1:7000 --key alice.key --peer-key duet-pk:BBB…
//! cargo run --example millionaires -- --role evaluator --value 1500000 \
//!     --connect 127.0.0.1:7000 --key bob.key --peer-key duet-pk:AAA…
//! ```

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use duet::{
    ChannelConfig, Compiled, Inputs, Program, PublicKey, Role, SecureKeys, Session, SessionOptions,
    StaticKeyPair,
};

/// The program both parties run: Alice's and Bob's 64-bit wealth, one bool out.
fn program() -> Result<Compiled> {
    let p = Program::new();
    let alice = p.input::<u64>("alice", Role::Garbler)?;
    let bob = p.input::<u64>("bob", Role::Evaluator)?;
    p.output("alice_richer", alice.gt(&bob))?;
    Ok(p.compile()?)
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn number(args: &[String], name: &str, default: u64) -> Result<u64> {
    flag(args, name).map_or(Ok(default), |v| {
        v.parse()
            .with_context(|| format!("{name} {v}: not a number 0..2^64"))
    })
}

fn peer_key(arg: &str) -> Result<PublicKey> {
    if arg.starts_with("duet-pk:") {
        return arg.parse().map_err(|e| anyhow::anyhow!("--peer-key: {e}"));
    }
    Ok(PublicKey::load(Path::new(arg))?)
}

fn keys(args: &[String]) -> Result<SecureKeys> {
    match (flag(args, "--key"), flag(args, "--peer-key")) {
        (Some(k), Some(p)) => Ok(SecureKeys::new(
            StaticKeyPair::load(Path::new(k))?,
            peer_key(p)?,
        )),
        _ => bail!("give --key FILE and --peer-key PUBKEY|FILE (make them with `gc-run keygen`)"),
    }
}

fn say(answer: bool) -> String {
    if answer {
        "Alice is richer than Bob.".into()
    } else {
        "Alice is not richer than Bob (Bob has as much or more).".into()
    }
}

/// Runs the example with command-line `args`; returns the answer line it printed.
pub fn run(args: &[String]) -> Result<String> {
    let prog = program()?;
    let role = flag(args, "--role").unwrap_or("both");
    println!(
        "Millionaires: Alice (garbler) and Bob (evaluator) learn whether Alice is richer, \
         and nothing else about each other's wealth. The program has {} AND gates.",
        prog.stats().and
    );
    let answer = match role {
        "garbler" => {
            let addr = flag(args, "--listen").unwrap_or("127.0.0.1:7000");
            let value = number(args, "--value", 0)?;
            println!("Garbler: waiting for the evaluator on {addr} (encrypted, pinned keys).");
            let out = prog.run_tcp(
                Role::Garbler,
                addr,
                Some(&keys(args)?),
                &Inputs::new().with("alice", value),
            )?;
            out.get::<bool>("alice_richer")?
        }
        "evaluator" => {
            let addr = flag(args, "--connect").unwrap_or("127.0.0.1:7000");
            let value = number(args, "--value", 0)?;
            println!("Evaluator: connecting to the garbler at {addr} (encrypted, pinned keys).");
            let out = prog.run_tcp(
                Role::Evaluator,
                addr,
                Some(&keys(args)?),
                &Inputs::new().with("bob", value),
            )?;
            out.get::<bool>("alice_richer")?
        }
        "both" => {
            let (alice, bob) = (
                number(args, "--alice", 2_000_000)?,
                number(args, "--bob", 1_500_000)?,
            );
            println!(
                "Both parties in this process over TCP on 127.0.0.1, each with a fresh key \
                 pair pinning the other's public key."
            );
            both(&prog, alice, bob)?
        }
        r => bail!("--role {r}: expected garbler, evaluator or both"),
    };
    let line = say(answer);
    println!("{line}");
    Ok(line)
}

/// Both parties over a real TCP connection on 127.0.0.1 with the secure channel.
fn both(prog: &Compiled, alice: u64, bob: u64) -> Result<bool> {
    let (ka, kb) = (StaticKeyPair::generate()?, StaticKeyPair::generate()?);
    let (a_keys, b_keys) = (
        SecureKeys::new(ka.clone(), kb.public()),
        SecureKeys::new(kb, ka.public()),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let cfg = ChannelConfig::default();
        let wait = Duration::from_secs(10);
        let listener = duet::tcp::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        let garbler = async {
            let ch = duet::secure::accept(&listener, &cfg, wait, &a_keys).await?;
            let mut s = Session::garbler(ch, SessionOptions::default()).await?;
            let out = prog
                .run(&mut s, &Inputs::new().with("alice", alice))
                .await?;
            anyhow::Ok(out.get::<bool>("alice_richer")?)
        };
        let evaluator = async {
            let ch = duet::secure::connect(&addr, &cfg, wait, &b_keys).await?;
            let mut s = Session::evaluator(ch, SessionOptions::default()).await?;
            let out = prog.run(&mut s, &Inputs::new().with("bob", bob)).await?;
            anyhow::Ok(out.get::<bool>("alice_richer")?)
        };
        let (g, e) = tokio::join!(garbler, evaluator);
        let (g, e) = (g?, e?);
        if g != e {
            bail!("the parties disagree: garbler {g}, evaluator {e}");
        }
        Ok(g)
    })
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args).map(|_| ())
}
