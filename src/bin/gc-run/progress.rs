//! Progress bars on stderr (indicatif): only when stderr is a terminal and `--json` is not
//! given, so scripts and pipes never see them. Rates are humanised (`4.1 M/s`).

use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// Set once at start-up when `--json` is given.
static QUIET: AtomicBool = AtomicBool::new(false);

/// No bars for this process (`--json`).
pub fn silence() {
    QUIET.store(true, Ordering::Relaxed);
}

/// Whether bars may be drawn: stderr is a terminal and `--json` was not given.
pub fn enabled() -> bool {
    !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// `x` items per second with an SI prefix and one decimal: `950/s`, `4.1 k/s`, `4.1 M/s`,
/// `2.3 G/s`.
pub fn human_rate(x: f64) -> String {
    let (v, p) = if !x.is_finite() || x < 0.0 {
        (0.0, "")
    } else if x >= 1e9 {
        (x / 1e9, " G")
    } else if x >= 1e6 {
        (x / 1e6, " M")
    } else if x >= 1e3 {
        (x / 1e3, " k")
    } else {
        return format!("{x:.0}/s");
    };
    format!("{v:.1}{p}/s")
}

/// A style from `template`, with `{rate}` as the humanised items per second.
pub fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human_rate(s.per_sec()));
        })
}

/// A reader that advances a byte bar as it is read (compiling a large Bristol file).
pub struct ReadProgress<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> ReadProgress<R> {
    /// Wrap `inner` of `len` bytes; `what` names the step ("compiling big.txt"). No bar
    /// unless [`enabled`] and the input is at least 16 MiB.
    pub fn new(inner: R, len: u64, what: &str) -> ReadProgress<R> {
        let bar = (enabled() && len >= 16 << 20).then(|| {
            let b = ProgressBar::new(len);
            b.set_style(style(&format!(
                "{what} {{bar:40}} {{binary_bytes}}/{{binary_total_bytes}} {{binary_bytes_per_sec}} eta {{eta}}"
            )));
            b
        });
        ReadProgress { inner, bar }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl<R: Read> Read for ReadProgress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_humanised() {
        assert_eq!(human_rate(4_121_213.808_2), "4.1 M/s");
        assert_eq!(human_rate(950.4), "950/s");
        assert_eq!(human_rate(12_500.0), "12.5 k/s");
        assert_eq!(human_rate(2.34e9), "2.3 G/s");
        assert_eq!(human_rate(f64::NAN), "0.0/s");
    }

    #[test]
    fn read_progress_passes_bytes_through() {
        let data = vec![7u8; 100_000];
        let mut r = ReadProgress::new(&data[..], data.len() as u64, "test");
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        r.finish();
        assert_eq!(out, data);
    }
}
