//! A session whose COT source is Ferret (silent OT) instead of IKNP: the evaluator's input
//! labels come from Ferret's COTs under the garbler's Δ, and AES-128 gives the FIPS-197
//! ciphertext, under both garbling schemes, over several runs.

use duet_circuits::{library, values};
use duet_core::Delta;
use duet_gc::{OutputPolicy, Prepared, SchemeKind, Session, SessionOptions};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::Security;
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aes_over_a_ferret_session() {
    let aes = Prepared::new(library::load("aes_128").unwrap());
    let key = values::parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
    let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
    for scheme in SchemeKind::ALL {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        let opts = SessionOptions::default().with_scheme(scheme);
        let (p1, p2, o1, o2, k) = (aes.clone(), aes.clone(), opts.clone(), opts, key.clone());
        let pt = pt.clone();
        let g = tokio::spawn(async move {
            let delta = Delta::random(&mut rand::rng());
            let cot =
                FerretSender::setup(&mut a, delta, Security::SemiHonest, FerretParams::default())
                    .await
                    .unwrap();
            let mut s = Session::<FerretSender, FerretReceiver>::garbler_with_cot(a, o1, cot)
                .await
                .unwrap();
            let mut outs = Vec::new();
            for _ in 0..3 {
                outs.push(
                    s.run_prepared(&p1, &[(0, k.clone())], OutputPolicy::Both)
                        .await,
                );
            }
            outs
        });
        let e = tokio::spawn(async move {
            let cot = FerretReceiver::setup(&mut b, Security::SemiHonest, FerretParams::default())
                .await
                .unwrap();
            let mut s = Session::<FerretSender, FerretReceiver>::evaluator_with_cot(b, o2, cot)
                .await
                .unwrap();
            let mut outs = Vec::new();
            for _ in 0..3 {
                outs.push(
                    s.run_prepared(&p2, &[(1, pt.clone())], OutputPolicy::Both)
                        .await,
                );
            }
            outs
        });
        let (g, e) = (g.await.unwrap(), e.await.unwrap());
        for out in g.into_iter().chain(e) {
            let out = out.unwrap_or_else(|err| panic!("{scheme}: {err}"));
            assert_eq!(
                values::to_hex(&out[0]),
                "69c4e0d86a7b0430d8cdb78070b4c55a",
                "{scheme}"
            );
        }
    }
}
