"""Shared helpers: the repository's test data, free ports, and a peer process running a
few lines of Python with `duet` (a real second party over TCP on 127.0.0.1)."""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARITH = REPO / "hybrid" / "tests" / "data" / "arith"

# FIPS-197 appendix C.1
AES_KEY = 0x000102030405060708090A0B0C0D0E0F
AES_PT = 0x00112233445566778899AABBCCDDEEFF
AES_CT = 0x69C4E0D86A7B0430D8CDB78070B4C55A


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """A second process that runs `code` (with `duet` imported) and prints the JSON of the
    variable `result`."""

    def __init__(self, code: str, **env):
        script = "import duet, json, sys\n" + textwrap.dedent(code) + (
            "\nprint(json.dumps(result))\n"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **{k: str(v) for k, v in env.items()}},
        )

    def result(self, timeout: float = 60):
        """The peer's `result`; fails the test with its stderr if it failed."""
        out, err = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode == 0, f"peer failed ({self.proc.returncode}): {err}"
        return json.loads(out)

    def error(self, timeout: float = 60) -> str:
        """The peer's stderr, asserting that it failed."""
        out, err = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode != 0, f"peer unexpectedly succeeded: {out}"
        return err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def peer():
    """Start peers with `peer(code)`; they are killed at the end of the test."""
    started = []

    def start(code: str, **env) -> Peer:
        p = Peer(code, **env)
        started.append(p)
        return p

    yield start
    for p in started:
        p.kill()


@pytest.fixture
def keys(tmp_path):
    """Two key pairs: (garbler key file, garbler public key, evaluator key file, evaluator
    public key)."""
    import duet

    g, e = tmp_path / "garbler.key", tmp_path / "evaluator.key"
    return str(g), duet.keygen(g), str(e), duet.keygen(e)
