"""The Python package against the `gc-run` CLI on the same work, measured alternately
(wall-clock seconds, median of N runs each):

- a two-party `aes_128` batch of 1,000 blocks in one session, both parties in one process
  (`gc-run local aes_128 --garbler-batch G --evaluator-batch E` vs `duet.run_local` with two
  lists of 1,000 dicts), circuit parsed by each run;
- PSI of 2^16 x 2^16 items, both parties in one process (`gc-run psi local` on two files vs
  `duet.psi_local` on two lists of str).

The CLI's time includes starting its process (a few ms); the package's includes converting
the Python values. Usage: python bench/vs_cli.py PATH/TO/gc-run [N]
"""

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duet


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main():
    gc_run = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rng = random.Random(7)
    tmp = Path(tempfile.mkdtemp())
    blocks = 1000
    keys = [rng.getrandbits(128) for _ in range(blocks)]
    pts = [rng.getrandbits(128) for _ in range(blocks)]
    (tmp / "g.txt").write_text("".join(f"0={k:032x}\n" for k in keys))
    (tmp / "e.txt").write_text("".join(f"1={p:032x}\n" for p in pts))
    size = 1 << 16
    universe = [f"item-{i:08d}@example.org" for i in range(2 * size)]
    s_items = rng.sample(universe, size)
    r_items = rng.sample(universe, size)
    (tmp / "s.txt").write_text("\n".join(s_items) + "\n")
    (tmp / "r.txt").write_text("\n".join(r_items) + "\n")

    aes_cli = [gc_run, "local", "aes_128", "--garbler-batch", str(tmp / "g.txt"),
               "--evaluator-batch", str(tmp / "e.txt")]
    psi_cli = [gc_run, "psi", "local", "--sender-set", str(tmp / "s.txt"),
               "--receiver-set", str(tmp / "r.txt")]
    g_in = [{0: k} for k in keys]
    e_in = [{1: p} for p in pts]

    # the answers agree
    cli_out = subprocess.run(aes_cli, check=True, capture_output=True, text=True).stdout.split()
    py_out = duet.run_local("aes_128", g_in, e_in)
    assert [int(x, 16) for x in cli_out] == [o[0] for o in py_out]
    cli_psi = subprocess.run(psi_cli, check=True, capture_output=True, text=True).stdout.split()
    assert cli_psi == duet.psi_local(s_items, r_items)

    def run(cmd):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    rows = {}
    for name, cli, py in [
        ("2pc aes_128 x 1000 blocks", aes_cli, lambda: duet.run_local("aes_128", g_in, e_in)),
        ("psi 2^16 x 2^16", psi_cli, lambda: duet.psi_local(s_items, r_items)),
    ]:
        c, p = [], []
        for _ in range(n):  # alternate
            c.append(timed(lambda: run(cli)))
            p.append(timed(py))
        rows[name] = (statistics.median(c), statistics.median(p))
    print(f"{'work':<28} {'CLI s':>8} {'Python s':>9} {'Python/CLI':>11}")
    for name, (c, p) in rows.items():
        print(f"{name:<28} {c:8.3f} {p:9.3f} {p / c:11.3f}")


if __name__ == "__main__":
    main()
