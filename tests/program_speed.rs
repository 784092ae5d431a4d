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
fn typed(steps: usize) -> Compiled {
    let p = Program::new();
    let x = p.input::<u64>("x", Role::Garbler).unwrap();
    let y = p.input::<u64>("y", Role::Evaluator).unwrap();
    let mut acc = x.clone();
    for i in 0..steps {
        acc = ((&acc + &x) ^ &y) + (&acc << (i as u32 % 7 + 1));
    }
    p.output("acc", acc).unwrap();
    p.compile().unwrap()
}

#[test]
#[ignore = "a measurement: seconds of garbling"]
fn typed_program_runs_as_fast_as_bristol() {
    let steps = (1usize << 22) / 126;
    let t0 = Instant::now();
    let prog = typed(steps);
    let built = t0.elapsed().as_secs_f64();
    let ands = prog.prepared().and_gates();
    let text = duet::circuits::bristol::to_string(prog.circuit());
    let t1 = Instant::now();
    let bristol = Prepared::new(duet::circuits::bristol::parse_str(&text).unwrap());
    let parsed = t1.elapsed().as_secs_f64();
    println!(
        "{ands} AND gates; typed build + compile {built:.2} s, Bristol parse + prepare {parsed:.2} s"
    );
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let rounds = 4;
    let ((tg, tb), ()) = run_pair(
        async {
            let mut s = Session::garbler(a, SessionOptions::default())
                .await
                .unwrap();
            let (mut tt, mut tb) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                let t = Instant::now();
                let out = prog
                    .run(&mut s, &Inputs::new().with("x", 12345u64))
                    .await
                    .unwrap();
                tt.push(t.elapsed().as_secs_f64());
                let typed_acc = out.get::<u64>("acc").unwrap();
                let t = Instant::now();
                let x: Bits = duet::values::from_u64(12345, 64).unwrap();
                let o = s
                    .run_prepared(&bristol, &[(0, x)], OutputPolicy::Both)
                    .await
                    .unwrap();
                tb.push(t.elapsed().as_secs_f64());
                assert_eq!(duet::values::to_u64(&o[0]), Some(typed_acc));
            }
            (tt, tb)
        },
        async {
            let mut s = Session::evaluator(b, SessionOptions::default())
                .await
                .unwrap();
            for _ in 0..rounds {
                prog.run(&mut s, &Inputs::new().with("y", 777u64))
                    .await
                    .unwrap();
                let y = duet::values::from_u64(777, 64).unwrap();
                s.run_prepared(&bristol, &[(1, y)], OutputPolicy::Both)
                    .await
                    .unwrap();
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
