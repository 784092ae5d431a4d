//! The hybrid layer's garbled ops under both garbling schemes: every corpus circuit (first
//! vector, inputs split between the parties) with three-halves gives the known answers, and
//! parties that name different schemes are refused on both sides.

mod common;

use duet_gc::SchemeKind;
use duet_hybrid::{ArithCircuit, Error, Reveal, Ring, Role, run_scheme};
use duet_net::{ChannelConfig, duplex_pair};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn corpus_under_three_halves() {
    let rt = rt();
    let mut runs = 0;
    for (name, dir) in common::corpus() {
        let vecs = common::vectors(&dir);
        let Some(v) = vecs.iter().find(|v| v.outputs.is_some()) else {
            continue;
        };
        let c = ArithCircuit::load(&dir).unwrap();
        let x = common::input_values(&c, v.ring, &v.inputs);
        let want = common::expected(&c, v.ring, v.outputs.as_ref().unwrap());
        let gi: Vec<(usize, u64)> = x.iter().copied().enumerate().step_by(2).collect();
        let ei: Vec<(usize, u64)> = x.iter().copied().enumerate().skip(1).step_by(2).collect();
        let reveal = vec![Reveal::BOTH; c.outputs().len()];
        let (g, e) = rt.block_on(async {
            let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
            let th = SchemeKind::ThreeHalves;
            tokio::join!(
                run_scheme(&mut cg, &c, Role::Garbler, v.ring, th, &gi, &reveal),
                run_scheme(&mut ce, &c, Role::Evaluator, v.ring, th, &ei, &reveal)
            )
        });
        let (g, e) = (
            g.unwrap_or_else(|err| panic!("{name}: {err}")),
            e.unwrap_or_else(|err| panic!("{name}: {err}")),
        );
        let got: Vec<u64> = g.outputs.iter().map(|o| o.unwrap()).collect();
        assert_eq!(got, want, "{name} garbler");
        let got: Vec<u64> = e.outputs.iter().map(|o| o.unwrap()).collect();
        assert_eq!(got, want, "{name} evaluator");
        runs += 1;
    }
    assert!(runs >= 20, "only {runs} corpus circuits ran");
}

#[test]
fn scheme_mismatch_is_refused_on_both_sides() {
    let rt = rt();
    let c = ArithCircuit::load(common::corpus_dir().join("millionaires")).unwrap();
    let reveal = vec![Reveal::BOTH; c.outputs().len()];
    let ring = Ring::default();
    let (g, e) = rt.block_on(async {
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        tokio::join!(
            run_scheme(
                &mut cg,
                &c,
                Role::Garbler,
                ring,
                SchemeKind::ThreeHalves,
                &[(0, 1)],
                &reveal
            ),
            run_scheme(
                &mut ce,
                &c,
                Role::Evaluator,
                ring,
                SchemeKind::HalfGates,
                &[(1, 2)],
                &reveal
            )
        )
    });
    let want = "garbling scheme mismatch: garbler has three-halves, evaluator has half-gates";
    for r in [g, e] {
        match r {
            Err(Error::Mismatch(m)) => assert!(m.mentions(want), "{m}"),
            other => panic!("expected a mismatch, got {:?}", other.map(|o| o.outputs)),
        }
    }
}
