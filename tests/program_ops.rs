//! The typed program API against native Rust arithmetic: every type and operation, in the
//! clear (many cases) and between two parties over the in-memory channel (a few cases).
//!
//! Semantics checked: wrapping `+ - * neg << >>` (shift amount modulo the width, `>>`
//! arithmetic for signed types), RISC-V division (`x / 0` all ones, `x % 0 = x`,
//! `MIN / -1 = MIN`, `MIN % -1 = 0`, i.e. `wrapping_div` / `wrapping_rem` otherwise),
//! signed comparisons for signed types, `as` casts.

use duet::program::{Compiled, Inputs, Outputs, Program, Role};
use proptest::prelude::*;

macro_rules! int_suite {
    ($m:ident, $t:ty) => {
        mod $m {
            use super::*;

            pub fn program() -> Compiled {
                let p = Program::new();
                let a = p.input::<$t>("a", Role::Garbler).unwrap();
                let b = p.input::<$t>("b", Role::Evaluator).unwrap();
                p.output("add", &a + &b).unwrap();
                p.output("sub", &a - &b).unwrap();
                p.output("mul", &a * &b).unwrap();
                p.output("div", &a / &b).unwrap();
                p.output("rem", &a % &b).unwrap();
                p.output("and", &a & &b).unwrap();
                p.output("or", &a | &b).unwrap();
                p.output("xor", &a ^ &b).unwrap();
                p.output("not", !&a).unwrap();
                p.output("neg", -&b).unwrap();
                p.output("shl1", &a << 1).unwrap();
                p.output("shl5", &a << 5).unwrap();
                p.output("shr3", &a >> 3).unwrap();
                p.output("shr_wrap", &b >> (<$t>::BITS + 2)).unwrap();
                p.output("lt", a.lt(&b)).unwrap();
                p.output("le", a.le(&b)).unwrap();
                p.output("gt", a.gt(&b)).unwrap();
                p.output("ge", a.ge(&b)).unwrap();
                p.output("eq", a.eq(&b)).unwrap();
                p.output("ne", a.ne(&b)).unwrap();
                p.output("min", a.min(&b)).unwrap();
                p.output("max", a.max(&b)).unwrap();
                p.output("sel", a.gt(&b).select(&(&a - &b), &(&b * 3)))
                    .unwrap();
                p.output("addk", &a + 7).unwrap();
                p.output("subk", &b - (100 as $t)).unwrap();
                p.output("cast_u64", a.cast::<u64>()).unwrap();
                p.output("cast_i8", b.cast::<i8>()).unwrap();
                p.output("cast_i64", b.cast::<i64>()).unwrap();
                p.compile().unwrap()
            }

            pub fn check(out: &Outputs, a: $t, b: $t) {
                let ones = !(0 as $t);
                let div = if b == 0 { ones } else { a.wrapping_div(b) };
                let rem = if b == 0 { a } else { a.wrapping_rem(b) };
                let g = |n: &str| out.get::<$t>(n).unwrap();
                let f = |n: &str| out.get::<bool>(n).unwrap();
                assert_eq!(g("add"), a.wrapping_add(b), "{a} + {b}");
                assert_eq!(g("sub"), a.wrapping_sub(b), "{a} - {b}");
                assert_eq!(g("mul"), a.wrapping_mul(b), "{a} * {b}");
                assert_eq!(g("div"), div, "{a} / {b}");
                assert_eq!(g("rem"), rem, "{a} % {b}");
                assert_eq!(g("and"), a & b);
                assert_eq!(g("or"), a | b);
                assert_eq!(g("xor"), a ^ b);
                assert_eq!(g("not"), !a);
                assert_eq!(g("neg"), b.wrapping_neg());
                assert_eq!(g("shl1"), a.wrapping_shl(1));
                assert_eq!(g("shl5"), a.wrapping_shl(5));
                assert_eq!(g("shr3"), a.wrapping_shr(3));
                assert_eq!(g("shr_wrap"), b.wrapping_shr(<$t>::BITS + 2));
                assert_eq!(f("lt"), a < b, "{a} < {b}");
                assert_eq!(f("le"), a <= b);
                assert_eq!(f("gt"), a > b);
                assert_eq!(f("ge"), a >= b);
                assert_eq!(f("eq"), a == b);
                assert_eq!(f("ne"), a != b);
                assert_eq!(g("min"), a.min(b));
                assert_eq!(g("max"), a.max(b));
                let sel = if a > b {
                    a.wrapping_sub(b)
                } else {
                    b.wrapping_mul(3)
                };
                assert_eq!(g("sel"), sel);
                assert_eq!(g("addk"), a.wrapping_add(7));
                assert_eq!(g("subk"), b.wrapping_sub(100));
                assert_eq!(out.get::<u64>("cast_u64").unwrap(), a as u64);
                assert_eq!(out.get::<i8>("cast_i8").unwrap(), b as i8);
                assert_eq!(out.get::<i64>("cast_i64").unwrap(), b as i64);
            }

            fn edge() -> impl Strategy<Value = $t> {
                prop_oneof![
                    any::<$t>(),
                    Just(0 as $t),
                    Just(1 as $t),
                    Just(<$t>::MAX),
                    Just(<$t>::MIN),
                    Just(!(0 as $t)),
                ]
            }

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(256))]
                #[test]
                fn clear(a in edge(), b in edge()) {
                    thread_local!(static P: Compiled = program());
                    let out = P.with(|p| p.eval(&Inputs::new().with("a", a).with("b", b)).unwrap());
                    check(&out, a, b);
                }
            }

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(3))]
                #[test]
                fn two_party(a in edge(), b in edge()) {
                    thread_local!(static P: Compiled = program());
                    let (g, e) = P.with(|p| {
                        p.run_local(&Inputs::new().with("a", a), &Inputs::new().with("b", b))
                            .unwrap()
                    });
                    check(&g, a, b);
                    check(&e, a, b);
                    prop_assert!(g.stats().and_gates > 0);
                    prop_assert!(g.stats().bytes_sent > 0);
                }
            }
        }
    };
}

int_suite!(u8_ops, u8);
int_suite!(u16_ops, u16);
int_suite!(u32_ops, u32);
int_suite!(u64_ops, u64);
int_suite!(i8_ops, i8);
int_suite!(i16_ops, i16);
int_suite!(i32_ops, i32);
int_suite!(i64_ops, i64);

mod bool_ops {
    use super::*;

    fn program() -> Compiled {
        let p = Program::new();
        let a = p.input::<bool>("a", Role::Garbler).unwrap();
        let b = p.input::<bool>("b", Role::Evaluator).unwrap();
        let x = p.input::<u16>("x", Role::Garbler).unwrap();
        let y = p.input::<u16>("y", Role::Evaluator).unwrap();
        p.output("and", &a & &b).unwrap();
        p.output("or", &a | &b).unwrap();
        p.output("xor", &a ^ &b).unwrap();
        p.output("not", !&a).unwrap();
        p.output("eq", a.eq(&b)).unwrap();
        p.output("ne", a.ne(&b)).unwrap();
        p.output("andk", &a & true).unwrap();
        p.output("sel", b.select(&x, &y)).unwrap();
        p.output("selb", a.select(&b, &!&b)).unwrap();
        p.output("to_u8", a.cast::<u8>()).unwrap();
        p.compile().unwrap()
    }

    fn check(out: &Outputs, a: bool, b: bool, x: u16, y: u16) {
        let f = |n: &str| out.get::<bool>(n).unwrap();
        assert_eq!(f("and"), a & b);
        assert_eq!(f("or"), a | b);
        assert_eq!(f("xor"), a ^ b);
        assert_eq!(f("not"), !a);
        assert_eq!(f("eq"), a == b);
        assert_eq!(f("ne"), a != b);
        assert_eq!(f("andk"), a);
        assert_eq!(out.get::<u16>("sel").unwrap(), if b { x } else { y });
        assert_eq!(f("selb"), if a { b } else { !b });
        assert_eq!(out.get::<u8>("to_u8").unwrap(), a as u8);
    }

    #[test]
    fn clear_every_combination() {
        let p = program();
        for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
            let i = Inputs::new()
                .with("a", a)
                .with("b", b)
                .with("x", 513u16)
                .with("y", 7u16);
            check(&p.eval(&i).unwrap(), a, b, 513, 7);
        }
    }

    #[test]
    fn two_party_every_combination() {
        let p = program();
        for (a, b) in [(false, true), (true, false), (true, true)] {
            let (g, e) = p
                .run_local(
                    &Inputs::new().with("a", a).with("x", 40_000u16),
                    &Inputs::new().with("b", b).with("y", 3u16),
                )
                .unwrap();
            check(&g, a, b, 40_000, 3);
            check(&e, a, b, 40_000, 3);
        }
    }
}
