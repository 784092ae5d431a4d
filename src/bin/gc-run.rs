//! `gc-run`: Duet's command line. See DESIGN.md ("`gc-run` (the main job)") for the contract:
//! exit status 2 for bad usage or a bad file/input, 1 for a protocol or network failure, one
//! clear line on stderr, never a panic or a hang.

#[path = "gc-run/arith.rs"]
mod arith;
#[path = "gc-run/circuit_arg.rs"]
mod circuit_arg;
#[path = "gc-run/common.rs"]
mod common;
#[path = "gc-run/compare.rs"]
mod compare;
#[path = "gc-run/compile.rs"]
mod compile;
#[path = "gc-run/eval.rs"]
mod eval;
#[path = "gc-run/info.rs"]
mod info;
#[path = "gc-run/keygen.rs"]
mod keygen;
#[path = "gc-run/malicious.rs"]
mod malicious;
#[path = "gc-run/net_args.rs"]
mod net_args;
#[path = "gc-run/psi.rs"]
mod psi;
#[path = "gc-run/speed.rs"]
mod speed;
#[path = "gc-run/twopc.rs"]
mod twopc;

use clap::{Parser, Subcommand};

/// Two-party secure computation: run Bristol Fashion circuits in the clear or between a
/// garbler and an evaluator, and the apps built on them.
#[derive(Parser, Debug)]
#[command(name = "gc-run", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// circom-2-arithc arithmetic circuits on shares mod 2^ell (hybrid layer): local | garbler | evaluator DIR.
    Arith(arith::ArithArgs),
    // `info` and `eval` take their help texts from `InfoArgs` / `EvalArgs`.
    Info(info::InfoArgs),
    Eval(eval::EvalArgs),
    /// Secure comparison (millionaires): local | garbler | evaluator; prints less | equal | greater.
    Compare(compare::CompareArgs),
    /// Private set intersection (KKRT16 batched OPRF, semi-honest): local | sender | receiver.
    Psi(psi::PsiArgs),
    /// Two-party garbled-circuit run with both parties in this process (full protocol).
    Local(twopc::LocalArgs),
    /// The garbler of a two-party run over TCP (--listen or --connect).
    Garbler(twopc::PartyArgs),
    /// The evaluator of a two-party run over TCP (--connect or --listen).
    Evaluator(twopc::PartyArgs),
    /// Throughput on this machine, like `openssl speed` (ot, garble, evaluate, 2pc).
    Speed(speed::SpeedArgs),
    /// Compile a Bristol file into a saved slot program (run it later as the CIRCUIT).
    Compile(compile::CompileArgs),
    /// Make a static key pair for the secure channel (--key / --peer-key); prints the public key.
    Keygen(keygen::KeygenArgs),
    /// Print the public key (duet-pk:…) of a key-pair file.
    Pubkey(keygen::PubkeyArgs),
}

/// A reader that stops early (`gc-run info … | head`) closes stdout under us: `println!`
/// then panics with "failed printing to stdout: Broken pipe". Like a tool killed by SIGPIPE,
/// stop quietly instead (nothing more can be shown); every other panic keeps the default
/// report.
fn quiet_on_broken_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info)
    }));
}

fn main() {
    quiet_on_broken_stdout();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    common::init_logging(cli.verbose);
    let result: anyhow::Result<()> = match cli.command {
        Command::Arith(args) => arith::run_arith(args),
        Command::Info(args) => info::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Psi(args) => psi::run(args),
        Command::Local(args) => twopc::run_local(args),
        Command::Garbler(args) => twopc::run_party(args, true),
        Command::Evaluator(args) => twopc::run_party(args, false),
        Command::Speed(args) => speed::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Keygen(args) => keygen::run_keygen(args),
        Command::Pubkey(args) => keygen::run_pubkey(args),
    };
    std::process::exit(common::report(result));
}
