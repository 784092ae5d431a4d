#!/usr/bin/env python3
"""Time `gc-run arith` as two processes on 127.0.0.1 (garbler + evaluator), per circuit,
plan and simulated link; prints one Markdown row per run (wall seconds of the evaluator
process, its reported rounds, bytes both ways).

usage: measure_arith.py GC_RUN PLAN LINK DIR [DIR ...]   (LINK: none | RATE,RTT)
Inputs: the circuit's second vector in vectors.jsonl (or, without one, i-dependent values),
owned alternately by the garbler and the evaluator; ArgMax-style a/b inputs go to G/E.
"""
import json
import os
import subprocess
import sys
import time


def inputs_of(d):
    path = os.path.join(d, "vectors.jsonl")
    if os.path.exists(path):
        lines = [l for l in open(path) if l.strip()]
        v = json.loads(lines[min(1, len(lines) - 1)])
        return sorted(v["inputs"].items())
    info = json.load(open(os.path.join(d, "circuit_info.json")))
    return sorted((n, str((w * 37) % 101 - 50)) for n, w in info["input_name_to_wire_index"].items())


def main():
    gc, plan, link, dirs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    port = 17400
    for d in dirs:
        ins = inputs_of(d)
        g_in, e_in = [], []
        for i, (n, v) in enumerate(ins):
            if n.startswith("0.a["):
                g_in.append(f"{n}={v}")
            elif n.startswith("0.b["):
                e_in.append(f"{n}={v}")
            else:
                (g_in if i % 2 == 0 else e_in).append(f"{n}={v}")
        extra = ["--plan", plan] + ([] if link == "none" else ["--link", link])
        port += 1
        addr = f"127.0.0.1:{port}"
        ga = [gc, "arith", "garbler", d, "--listen", addr, "--json"] + extra
        for x in g_in:
            ga += ["--input", x]
        ea = [gc, "arith", "evaluator", d, "--connect", addr, "--json"] + extra
        for x in e_in:
            ea += ["--input", x]
        gp = subprocess.Popen(ga, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.3)
        t0 = time.time()
        ep = subprocess.run(ea, capture_output=True, text=True)
        gout, gerr = gp.communicate()
        wall = time.time() - t0
        if ep.returncode != 0:
            print(f"| {os.path.basename(d)} | {plan} | {link} | FAILED {ep.stderr.strip()} {gerr.decode().strip()} |")
            continue
        j = json.loads(ep.stdout.strip().splitlines()[-1])
        s = j["stats"]
        mb = (s["bytes_sent"] + s["bytes_received"]) / 1e6
        print(f"| {os.path.basename(d)} | {plan} | {link} | {wall:.3f} s | {s['seconds']:.3f} s | "
              f"{mb:.3f} MB | {s['rounds']} | est {j['plan']['estimated_seconds']:.3f} s, "
              f"{j['plan']['estimated_rounds']} rounds |", flush=True)


if __name__ == "__main__":
    main()
