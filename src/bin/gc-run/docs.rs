//! `gc-run completions SHELL` and `gc-run man`: shell completion scripts (clap_complete) and
//! roff man pages (clap_mangen), generated from the same clap definitions the parser uses, so
//! they never drift from the flags.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::common::usage;

/// Print a shell completion script.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
gc-run completions bash > ~/.local/share/bash-completion/completions/gc-run\n  \
gc-run completions zsh > ~/.zfunc/_gc-run\n  \
gc-run completions fish > ~/.config/fish/completions/gc-run.fish")]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Write the man pages: gc-run(1) to stdout, or one page per subcommand into a directory.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
gc-run man > gc-run.1 && man ./gc-run.1\n  \
gc-run man --out-dir /usr/local/share/man/man1")]
pub struct ManArgs {
    /// Write gc-run.1 and gc-run-SUBCOMMAND.1 into this directory (created if missing)
    /// instead of printing gc-run(1) to stdout.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// `gc-run completions SHELL`.
pub fn run_completions(args: CompletionsArgs) -> Result<()> {
    let mut cmd = crate::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "gc-run", &mut out);
    std::io::stdout()
        .write_all(&out)
        .context("writing the completion script")
}

/// `gc-run man [--out-dir DIR]`.
pub fn run_man(args: ManArgs) -> Result<()> {
    let cmd = crate::Cli::command();
    match args.out_dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("rendering the man page")?;
            std::io::stdout()
                .write_all(&out)
                .context("writing the man page")
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| usage(format!("--out-dir {}: {e}", dir.display())))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| anyhow::anyhow!("writing man pages into {}: {e}", dir.display()))?;
            for e in std::fs::read_dir(&dir)?.flatten() {
                println!("{}", e.path().display());
            }
            Ok(())
        }
    }
}
