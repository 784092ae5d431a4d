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
#[path = "gc-run/docs.rs"]
mod docs;
#[path = "gc-run/eval.rs"]
mod eval;
#[path = "gc-run/info.rs"]
mod info;
#[path = "gc-run/inputs_file.rs"]
mod inputs_file;
#[path = "gc-run/keygen.rs"]
mod keygen;
#[path = "gc-run/malicious.rs"]
mod malicious;
#[path = "gc-run/net_args.rs"]
mod net_args;
#[path = "gc-run/progress.rs"]
mod progress;
#[path = "gc-run/psi.rs"]
mod psi;
#[path = "gc-run/report.rs"]
mod report;
#[path = "gc-run/speed.rs"]
mod speed;
#[path = "gc-run/twopc.rs"]
mod twopc;

use clap::{Parser, Subcommand};

/// Two-party secure computation: run Bristol Fashion circuits in the clear or between a
/// garbler and an evaluator, and the apps built on them.
#[derive(Parser, Debug)]
#[command(name = "gc-run", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// circom-2-arithc arithmetic circuits on shares mod 2^ell (hybrid layer): local | garbler | evaluator DIR.
    #[command(
        after_help = "Examples:\n  gc-run arith local hybrid/tests/data/arith/millionaires --garbler-input 0.alice=17 --evaluator-input 0.bob=5\n  gc-run arith garbler DIR --listen 127.0.0.1:7000 --inputs mine.json --json"
    )]
    Arith(arith::ArithArgs),
    // `info` and `eval` take their help texts from `InfoArgs` / `EvalArgs`.
    Info(info::InfoArgs),
    Eval(eval::EvalArgs),
    /// Secure comparison (millionaires): local | garbler | evaluator; prints less | equal | greater.
    #[command(
        after_help = "Examples:\n  gc-run compare local --garbler-input 17 --evaluator-input 5      # greater: the garbler's value is greater\n  gc-run compare garbler --input 17 --listen 127.0.0.1:7000 --bits 32"
    )]
    Compare(compare::CompareArgs),
    /// Private set intersection (KKRT16 batched OPRF, semi-honest): local | sender | receiver.
    #[command(
        after_help = "Examples:\n  gc-run psi local --sender-input a.txt --receiver-input b.txt\n  gc-run psi receiver --input b.txt --connect 10.0.0.2:7000 --key me.key --peer-key duet-pk:…"
    )]
    Psi(psi::PsiArgs),
    /// Two-party garbled-circuit run with both parties in this process (full protocol).
    #[command(
        after_help = "Examples:\n  gc-run local aes_128 --garbler-input 0=000102030405060708090a0b0c0d0e0f --evaluator-input 1=00112233445566778899aabbccddeeff\n  gc-run local sha256 --garbler-inputs g.json --evaluator-inputs e.json --json"
    )]
    Local(twopc::LocalArgs),
    /// The garbler of a two-party run over TCP (--listen or --connect).
    #[command(
        after_help = "Examples:\n  gc-run garbler aes_128 --listen 127.0.0.1:7000 --input 0=000102030405060708090a0b0c0d0e0f\n  gc-run garbler big.duet --listen 0.0.0.0:7000 --key me.key --peer-key peer.pub --batch keys.txt"
    )]
    Garbler(twopc::PartyArgs),
    /// The evaluator of a two-party run over TCP (--connect or --listen).
    #[command(
        after_help = "Examples:\n  gc-run evaluator aes_128 --connect 127.0.0.1:7000 --input 1=00112233445566778899aabbccddeeff\n  gc-run evaluator aes_128 --connect 10.0.0.1:7000 --key me.key --peer-key duet-pk:… --inputs mine.json --json"
    )]
    Evaluator(twopc::PartyArgs),
    /// Throughput on this machine, like `openssl speed` (ot, garble, evaluate, 2pc).
    #[command(
        after_help = "Examples:\n  gc-run speed garble\n  gc-run speed ot --ot ferret --json\n  gc-run speed 2pc --link 100mbit,20ms"
    )]
    Speed(speed::SpeedArgs),
    /// Compile a Bristol file into a saved slot program (run it later as the CIRCUIT).
    #[command(
        after_help = "Examples:\n  gc-run compile big.txt --out big.duet\n  gc-run local big.duet --garbler-input 0=… --evaluator-input 1=…"
    )]
    Compile(compile::CompileArgs),
    /// Make a static key pair for the secure channel (--key / --peer-key); prints the public key.
    #[command(
        after_help = "Examples:\n  gc-run keygen --out me.key        # prints duet-pk:… to give to the peer"
    )]
    Keygen(keygen::KeygenArgs),
    /// Print the public key (duet-pk:…) of a key-pair file.
    #[command(after_help = "Examples:\n  gc-run pubkey me.key > me.pub")]
    Pubkey(keygen::PubkeyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(docs::CompletionsArgs),
    /// Write the man page gc-run(1) to stdout, or all pages into a directory.
    Man(docs::ManArgs),
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
    let json = report::json_requested();
    if json {
        progress::silence();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            if json && e.use_stderr() {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or("bad usage");
                let err = anyhow::Error::new(common::UsageError(
                    first.trim_start_matches("error: ").to_string(),
                ));
                println!("{}", report::error_json(&err, 2));
            }
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
        Command::Completions(args) => docs::run_completions(args),
        Command::Man(args) => docs::run_man(args),
    };
    std::process::exit(common::report(result, json));
}
