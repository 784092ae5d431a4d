"""duet.keygen / duet.pubkey, Ctrl-C during a run, and the package's typing files."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duet
import pytest
from conftest import free_port


def test_keygen_and_pubkey(tmp_path):
    k = tmp_path / "me.key"
    pub = duet.keygen(k)
    assert pub.startswith("duet-pk:") and len(pub) == len("duet-pk:") + 64
    assert duet.pubkey(k) == pub
    if os.name == "posix":
        assert k.stat().st_mode & 0o077 == 0
    with pytest.raises(duet.InputError, match="already exists"):
        duet.keygen(k)
    (tmp_path / "pub.txt").write_text(pub + "\n")
    assert duet.pubkey(tmp_path / "pub.txt") == pub
    (tmp_path / "junk").write_text("hello\n")
    with pytest.raises(duet.InputError):
        duet.pubkey(tmp_path / "junk")


def test_ctrl_c_interrupts_a_waiting_party():
    port = free_port()
    code = (
        "import duet\n"
        f"duet.garbler('adder64', inputs={{0: 1}}, listen='127.0.0.1:{port}', "
        "connect_timeout=60)\n"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True
    )
    try:
        time.sleep(1.5)
        t = time.monotonic()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
        assert time.monotonic() - t < 10
        assert "KeyboardInterrupt" in err
    finally:
        if p.poll() is None:
            p.kill()


def test_typing_files_are_shipped():
    pkg = Path(duet.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "__init__.pyi").exists()


def test_docstrings():
    for name in duet.__all__:
        obj = getattr(duet, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 20, name


def test_readme_examples_run(capsys):
    """The README's Python examples run and give what their comments say."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Using Duet from Python", 1)[1]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    first = blocks[0]
    assert len(first.strip().splitlines()) <= 5
    exec(compile(first, "README.md", "exec"), {})
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed == [line.split("# ")[-1].strip() for line in first.splitlines() if "# " in line]
    # the second block: each commented expression evaluates to its comment
    env = {"duet": duet}
    code = blocks[1]
    exprs = []
    for line in code.splitlines():
        if "#" in line and not line.lstrip().startswith("#"):
            e, want = line.split("#", 1)
            exprs.append((e.strip(), want.strip()))
    prelude = code.split("\n" + exprs[0][0], 1)[0] if exprs else code
    exec(compile(prelude, "README.md", "exec"), env)
    for e, want in exprs:
        assert repr(eval(e, env)) == want, e
