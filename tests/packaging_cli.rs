//! `gc-run completions SHELL` and `gc-run man`: generated from the parser's own definitions,
//! so every subcommand and flag appears; bad shells are usage errors (exit 2).

use std::process::{Command, Output};

fn gc_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
        .args(args)
        .output()
        .expect("run gc-run")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_subcommand() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef gc-run"),
        ("fish", "complete -c gc-run"),
    ] {
        let o = gc_run(&["completions", shell]);
        assert!(
            o.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s = stdout(&o);
        assert!(s.contains(marker), "{shell}: no `{marker}`");
        for sub in [
            "local",
            "garbler",
            "evaluator",
            "psi",
            "compare",
            "arith",
            "speed",
            "keygen",
        ] {
            assert!(s.contains(sub), "{shell}: `{sub}` missing");
        }
        for flag in ["garbler-input", "scheme", "peer-key"] {
            assert!(s.contains(flag), "{shell}: `--{flag}` missing");
        }
    }
    let o = gc_run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("tcsh"));
}

#[test]
fn man_page_to_stdout_and_one_page_per_subcommand() {
    let o = gc_run(&["man"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(
        s.starts_with(".ie") || s.contains(".TH gc-run 1"),
        "{}",
        &s[..s.len().min(200)]
    );
    assert!(s.contains("garbler") && s.contains("evaluator"));

    let out = std::env::temp_dir().join(format!("duet-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = gc_run(&["man", "--out-dir", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for page in [
        "gc-run.1",
        "gc-run-local.1",
        "gc-run-psi.1",
        "gc-run-speed.1",
    ] {
        let text =
            std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Every subcommand's `--help` ends with examples.
#[test]
fn every_subcommand_help_has_examples() {
    for sub in [
        "info",
        "eval",
        "local",
        "garbler",
        "evaluator",
        "compile",
        "arith",
        "compare",
        "psi",
        "speed",
        "keygen",
        "pubkey",
        "completions",
        "man",
    ] {
        let o = gc_run(&[sub, "--help"]);
        assert!(o.status.success(), "{sub}");
        let h = stdout(&o);
        let at = h
            .rfind("Example")
            .unwrap_or_else(|| panic!("{sub}: no examples"));
        assert!(h[at..].contains("gc-run "), "{sub}: {}", &h[at..]);
    }
}
