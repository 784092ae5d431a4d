//! Micro-timing of the transpose and the PRG (CPU time per OT):
//! `cargo run --release -p duet-ot --example transpose_speed`.
use duet_core::transpose::{transpose, transpose_portable};
use duet_core::{Block, Prg};

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
        for _ in 0..reps.div_ceil(4) {
            transpose_portable(&src, 128, cols, &mut dst);
            std::hint::black_box(&mut dst);
        }
        let nsp = t.elapsed().as_nanos() as f64 / (reps.div_ceil(4) * cols) as f64;
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
