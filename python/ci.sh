#!/usr/bin/env bash
# Build the Python package (`import duet`) and run its pytest suite; .ci/run calls this
# after the Rust steps, and so can anyone (`python/ci.sh`).
#
# A virtualenv in python/target/ci-venv sees the system's site-packages, so a maturin or
# pytest already installed is used; pip installs them only when missing. The package is
# built with the `ci` profile (optimised, no LTO: minutes instead of the release
# profile's fat LTO) into a wheel and installed into the virtualenv, as `pip install` would.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
VENV=target/ci-venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv --system-site-packages "$VENV"
fi
PY="$PWD/$VENV/bin/python"
missing=()
"$PY" -c "import maturin" 2>/dev/null || command -v maturin >/dev/null 2>&1 || missing+=(maturin)
"$PY" -c "import pytest" 2>/dev/null || missing+=(pytest)
if [ ${#missing[@]} -gt 0 ]; then
  echo "python/ci.sh: installing ${missing[*]} with pip"
  "$PY" -m pip install --quiet "${missing[@]}"
fi
MATURIN=maturin
[ -x "$VENV/bin/maturin" ] && MATURIN="$VENV/bin/maturin"
rm -rf target/ci-wheels
"$MATURIN" build --profile ci --interpreter "$PY" --out target/ci-wheels
"$PY" -m pip install --quiet --force-reinstall --no-deps target/ci-wheels/duet-*.whl
# Run from tests/ so that the source folder duet/ (without the native module) does not
# shadow the installed package.
cd tests
"$PY" -m pytest -q -p no:cacheprovider .
