//! `--security malicious` for `gc-run local | garbler | evaluator` and `speed 2pc`: the
//! authenticated-garbling protocol of `duet_ag` (WRK17 / KRRW18), KOS15 COT in both
//! directions. One instance per run: `--batch` and `--stream` are refused (the preprocessing
//! holds O(gates) authenticated shares), `--reveal` must be `both` and `--scheme` does not
//! apply (the tables are WRK17's authenticated four-row tables).

use std::time::Instant;

use anyhow::{Context, Result};
use clap::ValueEnum;
use duet_ag::{AgError, AgOutput, AgStats};
use duet_circuits::{Bits, Circuit, values};
use duet_net::{Channel, ChannelConfig, Link};

use crate::common::usage;
use crate::speed::Row;

/// The adversary the protocol resists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum SecurityArg {
    /// A party that follows the protocol learns only the output (half-gates, IKNP).
    #[default]
    SemiHonest,
    /// A party that deviates is caught: the run aborts, outputs are correct or absent
    /// (authenticated garbling, KOS15).
    Malicious,
}

/// Refuse the options the malicious protocol does not support, naming them.
pub fn refuse_unsupported(
    batch: bool,
    stream: bool,
    reveal_both: bool,
    half_gates: bool,
) -> Result<()> {
    let given = [
        (batch, "--batch"),
        (stream, "--stream"),
        (!reveal_both, "--reveal other than both"),
        (!half_gates, "--scheme"),
    ];
    if let Some((_, flag)) = given.iter().find(|(on, _)| *on) {
        return Err(usage(format!(
            "{flag} is not supported with --security malicious (one in-memory instance, \
             outputs to both parties, authenticated four-row tables)"
        )));
    }
    Ok(())
}

fn slots(c: &Circuit, mine: &[(usize, Bits)]) -> Vec<Option<Bits>> {
    let mut v = vec![None; c.inputs().len()];
    for (i, b) in mine {
        v[*i] = Some(b.clone());
    }
    v
}

fn map_err(e: AgError) -> anyhow::Error {
    match e {
        AgError::Usage(m) => usage(m),
        e => anyhow::Error::new(e),
    }
}

async fn party(
    mut ch: Channel,
    garbler: bool,
    c: &Circuit,
    mine: &[(usize, Bits)],
) -> Result<AgOutput> {
    let inputs = slots(c, mine);
    let who = if garbler { "garbler" } else { "evaluator" };
    let r = if garbler {
        duet_ag::garbler(&mut ch, c, &inputs).await
    } else {
        duet_ag::evaluator(&mut ch, c, &inputs).await
    };
    let out = r.map_err(map_err).context(who)?;
    let _ = ch.close().await;
    Ok(out)
}

fn print(c: &Circuit, out: &AgOutput, json: bool, seconds: f64) {
    let hex: Vec<String> = out.outputs.iter().map(values::to_hex).collect();
    if json {
        let s: &AgStats = &out.stats;
        let v = serde_json::json!({
            "outputs": hex,
            "stats": {
                "security": "malicious",
                "scheme": "wrk17-authenticated",
                "and_gates": c.and_count(),
                "bucket_size": s.bucket_size,
                "bytes_sent": s.prepro_bytes_sent + s.online_bytes_sent,
                "bytes_received": s.prepro_bytes_received + s.online_bytes_received,
                "preprocessing": {
                    "bytes_sent": s.prepro_bytes_sent,
                    "bytes_received": s.prepro_bytes_received,
                    "seconds": s.prepro_seconds,
                },
                "online": {
                    "bytes_sent": s.online_bytes_sent,
                    "bytes_received": s.online_bytes_received,
                    "seconds": s.online_seconds,
                },
                "total_bytes_per_and": (s.total_bytes_per_and() * 1000.0).round() / 1000.0,
                "seconds": seconds,
            }
        });
        println!("{v}");
    } else {
        for h in hex {
            println!("{h}");
        }
    }
}

/// `gc-run local --security malicious`.
pub fn run_local(
    c: Circuit,
    g_in: Vec<(usize, Bits)>,
    e_in: Vec<(usize, Bits)>,
    link: Option<Link>,
    json: bool,
) -> Result<()> {
    let rt = crate::common::runtime()?;
    let t = Instant::now();
    let (g, e) = rt.block_on(async {
        let (a, b) = duet_net::duplex_pair(&ChannelConfig::default().with_link(link));
        let (c1, c2) = (c.clone(), c.clone());
        let g = tokio::spawn(async move { party(a, true, &c1, &g_in).await });
        let e = tokio::spawn(async move { party(b, false, &c2, &e_in).await });
        let (g, e) = tokio::join!(g, e);
        let g = g.map_err(|e| anyhow::anyhow!("garbler task: {e}"))?;
        let e = e.map_err(|e| anyhow::anyhow!("evaluator task: {e}"))?;
        match (g, e) {
            (Ok(g), Ok(e)) => anyhow::Ok((g, e)),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(x),
            (Err(x), Err(y)) => Err(crate::common::first_cause(y, x)),
        }
    })?;
    let _ = g;
    print(&c, &e, json, t.elapsed().as_secs_f64());
    Ok(())
}

/// `gc-run garbler|evaluator --security malicious` over an open channel.
pub fn run_party(
    c: Circuit,
    mine: Vec<(usize, Bits)>,
    garbler: bool,
    open: impl std::future::Future<Output = Result<Channel>>,
    json: bool,
) -> Result<()> {
    let rt = crate::common::runtime()?;
    let t = Instant::now();
    let out = rt.block_on(async {
        let ch = open.await?;
        party(ch, garbler, &c, &mine).await
    })?;
    print(&c, &out, json, t.elapsed().as_secs_f64());
    Ok(())
}

/// Both parties in this process: seconds and bytes (both ways) of one malicious run,
/// including base OT, KOS set-up and preprocessing.
async fn local_timed(c: &Circuit, link: Option<Link>) -> Result<(f64, u64)> {
    let (a, b) = duet_net::duplex_pair(&ChannelConfig::default().with_link(link));
    let w = c.inputs().to_vec();
    let g_in = vec![(0usize, Bits::repeat(true, w[0] as usize))];
    let e_in: Vec<(usize, Bits)> = (1..w.len())
        .map(|i| (i, Bits::repeat(false, w[i] as usize)))
        .collect();
    let (c1, c2) = (c.clone(), c.clone());
    let t = Instant::now();
    let g = tokio::spawn(async move { party(a, true, &c1, &g_in).await });
    let e = tokio::spawn(async move { party(b, false, &c2, &e_in).await });
    let (g, e) = tokio::join!(g, e);
    e.map_err(|e| anyhow::anyhow!("evaluator task: {e}"))??;
    let g = g.map_err(|e| anyhow::anyhow!("garbler task: {e}"))??;
    let s = g.stats;
    let bytes = s.prepro_bytes_sent
        + s.prepro_bytes_received
        + s.online_bytes_sent
        + s.online_bytes_received;
    Ok((t.elapsed().as_secs_f64(), bytes))
}

/// `gc-run speed 2pc --security malicious`: `aes_128` (base OT, KOS, preprocessing and the
/// block) and a layered circuit of about `n_and` AND gates.
pub async fn speed_2pc(n_and: usize, link: Option<Link>) -> Result<Vec<Row>> {
    let aes = crate::circuit_arg::load_circuit("aes_128")?;
    let (s, bytes) = local_timed(&aes, link).await?;
    let mut rows = vec![Row {
        name: "2pc-aes_128-first-malicious",
        items: 1,
        unit: "block",
        seconds: s,
        bytes,
    }];
    let big = duet_circuits::library::layered(n_and)?;
    let (s, bytes) = local_timed(&big, link).await?;
    rows.push(Row {
        name: "2pc-layered-malicious",
        items: big.and_count() as usize,
        unit: "AND",
        seconds: s,
        bytes,
    });
    Ok(rows)
}
