//! Micro-timing of the transpose and the PRG (CPU time per OT):
//! `cargo run --release -p duet-ot --example transpose_speed`.
use duet_core::transpose::{transpose, transpose_portable};
use duet_core::{Block, Delta, Prg};
use duet_ot::iknp::{ReceiverCore, SenderCore};

/// On-CPU time of this thread (ns), robust against other load on the machine.
struct Instant(u64);
impl Instant {
    fn now() -> Self {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
        Instant(s.split_whitespace().next().unwrap().parse().unwrap())
    }
    fn elapsed(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(Instant::now().0 - self.0)
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() != Some("cores") {
        micro();
    }
    cores();
}

fn micro() {
    for cols in [8192usize, 1 << 16, 1 << 20] {
        let src = vec![7u8; 128 * cols / 8];
        let mut dst = vec![0u8; src.len()];
        let reps = (1 << 24) / cols;
        let t = Instant::now();
        for _ in 0..reps {
            transpose(&src, 128, cols, &mut dst);
            std::hint::black_box(&mut dst);
        }
        let ns = t.elapsed().as_nanos() as f64 / (reps * cols) as f64;
        let t = Instant::now();
        for _ in 0..reps.div_ceil(16) {
            transpose_portable(&src, 128, cols, &mut dst);
            std::hint::black_box(&mut dst);
        }
        let nsp = t.elapsed().as_nanos() as f64 / (reps.div_ceil(16) * cols) as f64;
        println!("transpose 128x{cols}: {ns:.2} ns/OT (portable {nsp:.2})");
    }
    let mut prg = Prg::new(Block(1));
    let mut buf = vec![Block::ZERO; 64];
    let t = Instant::now();
    for _ in 0..(1 << 18) {
        prg.fill_blocks(&mut buf);
    }
    let ns = t.elapsed().as_nanos() as f64 / (64 << 18) as f64;
    println!("PRG: {ns:.2} ns/block ({:.0} MB/s)", 16.0 / ns * 1e3);
}

fn cores() {
    let seeds: Vec<[Block; 2]> = (0..128u128).map(|i| [Block(i), Block(i + 1000)]).collect();
    let delta = Delta::from_block_any(Block(0x5555));
    let chosen: Vec<Block> = (0..128)
        .map(|j| seeds[j][delta.as_block().bit(j) as usize])
        .collect();
    let mut r = ReceiverCore::new(&seeds).unwrap();
    let mut s = SenderCore::new(&delta, &chosen).unwrap();
    let n = 1 << 16;
    let choices = vec![Block(7); n / 128];
    let mut u = vec![Block::ZERO; n];
    let mut out = vec![Block::ZERO; n];
    let reps = 64;
    let t = Instant::now();
    for _ in 0..reps {
        r.extend(&choices, &mut u, &mut out);
    }
    let nr = t.elapsed().as_nanos() as f64 / (reps * n) as f64;
    let t = Instant::now();
    for _ in 0..reps {
        s.extend(&u, &mut out);
    }
    let ns = t.elapsed().as_nanos() as f64 / (reps * n) as f64;
    println!("IKNP cores: receiver {nr:.2} ns/OT, sender {ns:.2} ns/OT (CPU time)");
}
