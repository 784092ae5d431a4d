//! Named and typed input/output errors of the typed program API, one-party outputs, and a
//! program mismatch between the parties refused before any secret is used.

use duet::program::{
    Compiled, Inputs, OutputPolicy, Program, ProgramError, ProtocolError, Role, ValueType,
};
use duet::{ChannelConfig, Session, SessionOptions, duplex_pair, run_pair};

fn millionaires(alice: &str, ty_u64: bool) -> Compiled {
    let p = Program::new();
    if ty_u64 {
        let a = p.input::<u64>(alice, Role::Garbler).unwrap();
        let b = p.input::<u64>("bob", Role::Evaluator).unwrap();
        p.output("alice_richer", a.gt(&b)).unwrap();
    } else {
        let a = p.input::<i64>(alice, Role::Garbler).unwrap();
        let b = p.input::<i64>("bob", Role::Evaluator).unwrap();
        p.output("alice_richer", a.gt(&b)).unwrap();
    }
    p.compile().unwrap()
}

/// `a == b` on two 64-bit inputs: the same circuit whether they are u64 or i64.
fn equality(signed: bool) -> Compiled {
    let p = Program::new();
    let ty = if signed {
        ValueType::I64
    } else {
        ValueType::U64
    };
    let a = p.input_dyn("alice", ty, Role::Garbler).unwrap();
    let b = p.input_dyn("bob", ty, Role::Evaluator).unwrap();
    p.output(
        "alice_richer",
        a.binary(duet::program::BinOp::Eq, &b).unwrap(),
    )
    .unwrap();
    p.compile().unwrap()
}

#[test]
fn declaration_errors() {
    let p = Program::new();
    let a = p.input::<u8>("a", Role::Garbler).unwrap();
    assert!(matches!(
        p.input::<u16>("a", Role::Evaluator),
        Err(ProgramError::DuplicateName { what: "input", .. })
    ));
    assert!(matches!(
        p.input::<u8>("", Role::Garbler),
        Err(ProgramError::BadName { .. })
    ));
    assert!(matches!(
        p.input::<u8>("a\nb", Role::Garbler),
        Err(ProgramError::BadName { .. })
    ));
    assert!(matches!(
        p.input::<u8>(&"x".repeat(257), Role::Garbler),
        Err(ProgramError::BadName { .. })
    ));
    assert!(matches!(p.compile(), Err(ProgramError::NoOutputs)));
    p.output("a", &a).unwrap();
    assert!(matches!(
        p.output("a", &a),
        Err(ProgramError::DuplicateName { what: "output", .. })
    ));
    let other = Program::new();
    let z = other.input::<u8>("z", Role::Garbler).unwrap();
    assert!(matches!(p.output("z", &z), Err(ProgramError::Operand(_))));
    // dynamic values: type errors are errors, not panics
    let b = p.input_dyn("b", ValueType::Bool, Role::Evaluator).unwrap();
    assert!(matches!(
        a.as_dyn().binary(duet::program::BinOp::Add, &b),
        Err(ProgramError::Operand(_))
    ));
    assert!(matches!(
        b.binary(duet::program::BinOp::Lt, &b),
        Err(ProgramError::Operand(_))
    ));
    assert!(matches!(b.shl(1), Err(ProgramError::Operand(_))));
    assert!(matches!(
        a.as_dyn().cast(ValueType::Bool),
        Err(ProgramError::Operand(_))
    ));
    assert!(matches!(
        p.constant_dyn(ValueType::U8, 256),
        Err(ProgramError::OutOfRange { .. })
    ));
    assert!(b.clone().typed::<u8>().is_err());
    assert!(b.typed::<bool>().is_ok());
}

#[test]
fn input_errors_in_the_clear() {
    let p = millionaires("alice", true);
    let err = |i: Inputs| p.eval(&i).unwrap_err();
    let ok = Inputs::new().with("alice", 5u64).with("bob", 3u64);
    assert!(p.eval(&ok).unwrap().get::<bool>("alice_richer").unwrap());
    let e = err(Inputs::new().with("alice", 5u64).with("bobby", 3u64));
    assert!(
        matches!(e, ProgramError::UnknownInput { ref name } if name == "bobby"),
        "{e}"
    );
    let e = err(Inputs::new().with("alice", 5u64));
    assert!(matches!(e, ProgramError::MissingInput { ref name, .. } if name == "bob"));
    assert_eq!(
        e.to_string(),
        "input `bob` (u64, owned by the evaluator) has no value"
    );
    let e = err(Inputs::new().with("alice", 5u32).with("bob", 3u64));
    assert!(matches!(
        e,
        ProgramError::TypeMismatch {
            declared: ValueType::U64,
            given: ValueType::U32,
            ..
        }
    ));
    let e = err(Inputs::new()
        .with("alice", 5u64)
        .with("bob", 3u64)
        .with("bob", 4u64));
    assert!(matches!(e, ProgramError::DuplicateInput { .. }));
    // dynamic integers are range-checked, never truncated
    let mut i = Inputs::new();
    i.set_int("alice", 4_294_967_301).set_int("bob", 10);
    assert!(p.eval(&i).unwrap().get::<bool>("alice_richer").unwrap());
    let mut i = Inputs::new();
    i.set_int("alice", 1 << 64).set_int("bob", 10);
    let e = p.eval(&i).unwrap_err();
    assert!(matches!(e, ProgramError::OutOfRange { value, .. } if value == 1 << 64));
    assert!(e.to_string().contains("does not fit a u64"), "{e}");
    let mut i = Inputs::new();
    i.set_int("alice", -1).set_int("bob", 10);
    assert!(matches!(p.eval(&i), Err(ProgramError::OutOfRange { .. })));
    let mut i = Inputs::new();
    i.set_bool("alice", true).set_int("bob", 10);
    assert!(matches!(p.eval(&i), Err(ProgramError::TypeMismatch { .. })));
    // outputs
    let out = p.eval(&ok).unwrap();
    assert!(matches!(
        out.get::<bool>("bob_richer"),
        Err(ProgramError::UnknownOutput { .. })
    ));
    assert!(matches!(
        out.get::<u8>("alice_richer"),
        Err(ProgramError::OutputType { .. })
    ));
    assert_eq!(out.get_int("alice_richer").unwrap(), 1);
}

#[test]
fn input_errors_two_party_reach_the_peer() {
    let p = millionaires("alice", true);
    // the garbler gives the evaluator's input: refused locally, the peer is told why
    let e = p
        .run_local(
            &Inputs::new().with("alice", 5u64).with("bob", 1u64),
            &Inputs::new().with("bob", 3u64),
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            ProgramError::NotOwned {
                owner: Role::Evaluator,
                ..
            }
        ),
        "{e}"
    );
    // the evaluator's value does not fit: both fail, the garbler with the evaluator's reason
    let (ga, ea) = duplex_pair(&ChannelConfig::default());
    let (g, e) = run_pair(
        async {
            let mut s = Session::garbler(ga, SessionOptions::default()).await?;
            let r = p.run(&mut s, &Inputs::new().with("alice", 5u64)).await;
            // the session stays usable after the refused run
            let again = p.run(&mut s, &Inputs::new().with("alice", 5u64)).await?;
            Ok::<_, ProgramError>((r, again))
        },
        async {
            let mut s = Session::evaluator(ea, SessionOptions::default()).await?;
            let mut bad = Inputs::new();
            bad.set_int("bob", -3);
            let r = p.run(&mut s, &bad).await;
            let again = p.run(&mut s, &Inputs::new().with("bob", 9u64)).await?;
            Ok::<_, ProgramError>((r, again))
        },
    )
    .unwrap();
    let (g, g2) = g.unwrap();
    let (e, e2) = e.unwrap();
    assert!(matches!(e, Err(ProgramError::OutOfRange { .. })));
    match g {
        Err(ProgramError::Protocol(ProtocolError::PeerAborted(m))) => {
            assert!(m.contains("does not fit a u64"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!g2.get::<bool>("alice_richer").unwrap());
    assert!(!e2.get::<bool>("alice_richer").unwrap());
}

#[test]
fn programs_that_differ_are_refused_before_secrets() {
    // same circuit, another input name; then same circuit, another type (u64 vs i64)
    assert!(
        millionaires("alice", false)
            .eval(&Inputs::new().with("alice", -1i64).with("bob", 0i64))
            .is_ok()
    );
    for (gp, ep) in [
        (millionaires("alice", true), millionaires("alicia", true)),
        (equality(false), equality(true)),
    ] {
        assert_eq!(
            duet::gc::CircuitDigest::of(gp.circuit()),
            duet::gc::CircuitDigest::of(ep.circuit()),
            "the circuits are the same; only the interface differs"
        );
        let (ga, ea) = duplex_pair(&ChannelConfig::default());
        let (g, e) = run_pair(
            async {
                let mut s = Session::garbler(ga, SessionOptions::default())
                    .await
                    .unwrap();
                let mut i = Inputs::new();
                i.set_int("alice", 5);
                let before = s.channel().bytes_sent();
                let r = gp.run(&mut s, &i).await;
                (r, s.channel().bytes_sent() - before)
            },
            async {
                let mut s = Session::evaluator(ea, SessionOptions::default())
                    .await
                    .unwrap();
                let mut i = Inputs::new();
                i.set_int("bob", 3);
                ep.run(&mut s, &i).await
            },
        )
        .unwrap();
        let (g, sent) = g;
        for r in [g.map(|_| ()), e.map(|_| ())] {
            match r {
                Err(ProgramError::ProgramMismatch(m)) => assert!(m.contains("circuit mismatch")),
                other => panic!("expected a program mismatch, got {other:?}"),
            }
        }
        // refused at the handshake: the garbler sent its run offer (the wire negotiation's
        // named parameters, under 200 bytes) and nothing else: none of its 64 input labels
        // (1 KiB), no table
        assert!(sent < 512, "{sent} bytes sent");
    }
}

#[test]
fn one_party_outputs() {
    let p = Program::new();
    let a = p.input::<u32>("a", Role::Garbler).unwrap();
    let b = p.input::<u32>("b", Role::Evaluator).unwrap();
    p.output("sum", &a + &b).unwrap();
    p.output_to("diff_for_garbler", &a - &b, OutputPolicy::Garbler)
        .unwrap();
    p.output_to("max_for_evaluator", a.max(&b), OutputPolicy::Evaluator)
        .unwrap();
    let p = p.compile().unwrap();
    assert_eq!(p.circuit().inputs().len(), 4, "two inputs and two masks");
    for _ in 0..2 {
        let (g, e) = p
            .run_local(
                &Inputs::new().with("a", 1000u32),
                &Inputs::new().with("b", 3000u32),
            )
            .unwrap();
        assert_eq!(g.get::<u32>("sum").unwrap(), 4000);
        assert_eq!(e.get::<u32>("sum").unwrap(), 4000);
        assert_eq!(
            g.get::<u32>("diff_for_garbler").unwrap(),
            1000u32.wrapping_sub(3000)
        );
        assert!(matches!(
            e.get::<u32>("diff_for_garbler"),
            Err(ProgramError::NotRevealed { .. })
        ));
        assert_eq!(e.get::<u32>("max_for_evaluator").unwrap(), 3000);
        assert!(matches!(
            g.get::<u32>("max_for_evaluator"),
            Err(ProgramError::NotRevealed { .. })
        ));
        let seen: Vec<_> = g.iter().map(|(n, _, v)| (n.to_owned(), v)).collect();
        assert_eq!(seen[2], ("max_for_evaluator".to_owned(), None));
    }
    // in the clear every output is revealed, unmasked
    let out = p
        .eval(&Inputs::new().with("a", 7u32).with("b", 5u32))
        .unwrap();
    assert_eq!(out.get::<u32>("diff_for_garbler").unwrap(), 2);
    assert_eq!(out.get::<u32>("max_for_evaluator").unwrap(), 7);
}
