//! One spelling for a party's inputs: `--input` (and `--garbler-input` / `--evaluator-input`,
//! `--sender-input` / `--receiver-input` in `local`) on every command; the old spellings
//! (`--value`, `--set`, …) still work as hidden aliases for one release.

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
fn compare_and_psi_take_input_and_the_old_spellings() {
    for (g, e) in [
        ("--garbler-input", "--evaluator-input"),
        ("--garbler-value", "--evaluator-value"),
    ] {
        let o = gc_run(&["compare", "local", g, "17", e, "5"]);
        assert!(
            o.status.success(),
            "{g}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(stdout(&o), "greater\n");
    }
    let dir = std::env::temp_dir().join(format!("duet-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
    std::fs::write(&a, "x\ny\nz\n").unwrap();
    std::fs::write(&b, "y\nw\nz\n").unwrap();
    for (s, r) in [
        ("--sender-input", "--receiver-input"),
        ("--sender-set", "--receiver-set"),
    ] {
        let o = gc_run(&[
            "psi",
            "local",
            s,
            a.to_str().unwrap(),
            r,
            b.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{s}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(stdout(&o), "y\nz\n");
    }
    // the help shows the new spelling only
    let h = stdout(&gc_run(&["compare", "garbler", "--help"]));
    assert!(h.contains("--input") && !h.contains("--value"), "{h}");
    let h = stdout(&gc_run(&["psi", "local", "--help"]));
    assert!(
        h.contains("--sender-input") && !h.contains("--sender-set"),
        "{h}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
