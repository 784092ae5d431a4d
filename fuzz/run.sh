#!/bin/sh
# Run every fuzz target for N seconds (default 60) each, one after the other, on its corpus
# from fuzz/corpus/<target>/ (the checked-in seeds; new finds go to fuzz/corpus-work/<target>/). Needs `cargo install cargo-fuzz`;
# works on stable through RUSTC_BOOTSTRAP=1. Prints libFuzzer's final exec count per target.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^duet-fuzz$')}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O >/dev/null
for t in $targets; do
    mkdir -p "corpus/$t" "corpus-work/$t" "artifacts/$t"
    log="artifacts/$t/last-run.log"
    if cargo fuzz run -O "$t" "corpus-work/$t" "corpus/$t" -- -max_total_time="$secs" -max_len=4096 \
        -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 >"$log" 2>&1; then
        status=ok
    else
        status="CRASH (see $log and fuzz/artifacts/$t/)"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    echo "$t: ${execs:-?} execs in ${secs}s: $status"
done
