//! The typed API adds no per-gate cost: a program of about 2^22 AND gates built with the
//! typed API runs as fast as the same circuit loaded from a Bristol file, runs alternated.
//! `#[ignore]`d (seconds of work); run with
//! `cargo test -p duet --test program_speed -- --ignored --nocapture`.

use std::time::Instant;

use duet::program::{Compiled, Inputs, Program, Role};
use duet::{
    Bits, ChannelConfig, OutputPolicy, Prepared, Session, SessionOptions, duplex_pair, run_pair,
};

/// `acc = ((acc + x) ^ y) + step` repeated: 2 · 63 ANDs per step on u64.
fn typed(steps: usize) -> Program {
    let p = Program::new();
    let x = p.input::<u64>("x", Role::Garbler).unwrap();
    let y = p.input::<u64>("y", Role::Evaluator).unwrap();
    let mut acc = x.clone();
    for i in 0..steps {
        acc = ((&acc + &x) ^ &y) + (&acc << (i as u32 % 7 + 1));
    }
    p.output("acc", acc).unwrap();
    p
}

async fn typed_run(s: &mut Session, prog: &Compiled, name: &str, v: u64) -> u64 {
    let out = prog.run(s, &Inputs::new().with(name, v)).await.unwrap();
    out.get::<u64>("acc").unwrap()
}

async fn bristol_run(s: &mut Session, p: &Prepared, index: usize, v: u64) -> u64 {
    let x: Bits = duet::values::from_u64(v, 64).unwrap();
    let o = s
        .run_prepared(p, &[(index, x)], OutputPolicy::Both)
        .await
        .unwrap();
    duet::values::to_u64(&o[0]).unwrap()
}

#[test]
#[ignore = "a measurement: seconds of garbling"]
fn typed_program_runs_as_fast_as_bristol() {
    let steps = (1usize << 22) / 126;
    let t0 = Instant::now();
    let program = typed(steps);
    let built = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let prog = program.compile().unwrap();
    drop(program);
    let compiled = t0.elapsed().as_secs_f64();
    let ands = prog.prepared().and_gates();
    let text = duet::circuits::bristol::to_string(prog.circuit());
    let t1 = Instant::now();
    let bristol = Prepared::new(duet::circuits::bristol::parse_str(&text).unwrap());
    let parsed = t1.elapsed().as_secs_f64();
    println!(
        "{ands} AND gates; typed: recording {built:.2} s, compile {compiled:.2} s; \
         Bristol: parse + prepare {parsed:.2} s"
    );
    assert_eq!(
        duet::gc::CircuitDigest::of(prog.circuit()),
        duet::gc::CircuitDigest::of(bristol.circuit().unwrap()),
        "the same circuit both ways"
    );
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let rounds = 6;
    let ((tg, tb), ()) = run_pair(
        async {
            let mut s = Session::garbler(a, SessionOptions::default())
                .await
                .unwrap();
            let (mut tt, mut tb) = (Vec::new(), Vec::new());
            for r in 0..rounds {
                // alternate which goes first, so drift in the machine's load hits both
                let (typed_acc, bristol_acc);
                if r % 2 == 0 {
                    let t = Instant::now();
                    typed_acc = typed_run(&mut s, &prog, "x", 12345).await;
                    tt.push(t.elapsed().as_secs_f64());
                    let t = Instant::now();
                    bristol_acc = bristol_run(&mut s, &bristol, 0, 12345).await;
                    tb.push(t.elapsed().as_secs_f64());
                } else {
                    let t = Instant::now();
                    bristol_acc = bristol_run(&mut s, &bristol, 0, 12345).await;
                    tb.push(t.elapsed().as_secs_f64());
                    let t = Instant::now();
                    typed_acc = typed_run(&mut s, &prog, "x", 12345).await;
                    tt.push(t.elapsed().as_secs_f64());
                }
                assert_eq!(typed_acc, bristol_acc);
            }
            (tt, tb)
        },
        async {
            let mut s = Session::evaluator(b, SessionOptions::default())
                .await
                .unwrap();
            for r in 0..rounds {
                if r % 2 == 0 {
                    typed_run(&mut s, &prog, "y", 777).await;
                    bristol_run(&mut s, &bristol, 1, 777).await;
                } else {
                    bristol_run(&mut s, &bristol, 1, 777).await;
                    typed_run(&mut s, &prog, "y", 777).await;
                }
            }
        },
    )
    .unwrap();
    let best = |v: &[f64]| v.iter().copied().fold(f64::MAX, f64::min);
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("typed runs   (s): {tg:.3?}");
    println!("bristol runs (s): {tb:.3?}");
    println!(
        "best typed / best Bristol = {:.3}, median ratio = {:.3}",
        best(&tg) / best(&tb),
        median(&tg) / median(&tb)
    );
    assert!(
        best(&tg) / best(&tb) < 1.10,
        "typed runs more than 10 % slower"
    );
}
