#!/usr/bin/env python3
"""Write an ArgMax-over-N circuit in circom-2-arithc's format (circuit.txt +
circuit_info.json) with the structure circom's ArgMax template compiles to (a Switcher per
element: gt = x > max; max' = (x - max)*gt + max; the index the same way), every value
secret-shared as 0.a[i] + 0.b[i] (give the a's to one party and the b's to the other).

usage: gen_argmax.py N DIR
"""
import json
import os
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    inputs = {}
    wire = 0
    for i in range(n):
        inputs[f"0.a[{i}]"] = wire
        inputs[f"0.b[{i}]"] = wire + 1
        wire += 2
    consts = {}
    for i in range(n):
        consts[f"0.const_signal_{i}"] = {"value": str(i), "wire_index": wire}
        wire += 1
    gates = []

    def gate(op, a, b):
        nonlocal wire
        gates.append(f"2 1 {a} {b} {wire} {op}")
        wire += 1
        return wire - 1

    xs = [gate("AAdd", inputs[f"0.a[{i}]"], inputs[f"0.b[{i}]"]) for i in range(n)]
    mx, amax = xs[0], consts["0.const_signal_0"]["wire_index"]
    for i in range(1, n):
        gt = gate("AGt", xs[i], mx)
        d = gate("ASub", xs[i], mx)
        aux = gate("AMul", d, gt)
        mx = gate("AAdd", aux, mx)
        di = gate("ASub", consts[f"0.const_signal_{i}"]["wire_index"], amax)
        auxi = gate("AMul", di, gt)
        amax = gate("AAdd", auxi, amax)
    with open(os.path.join(out, "circuit.txt"), "w") as f:
        f.write(f"{len(gates)} {wire}\n")
        f.write(f"{2 * n} " + " ".join(["1"] * (2 * n)) + "\n")
        f.write("1 1\n\n")
        f.write("\n".join(gates) + "\n")
    with open(os.path.join(out, "circuit_info.json"), "w") as f:
        json.dump(
            {
                "input_name_to_wire_index": inputs,
                "constants": consts,
                "output_name_to_wire_index": {"0.out": amax},
            },
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
