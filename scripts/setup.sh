#!/usr/bin/env bash
# Set up everything the benchmark needs, from the repository's own files:
# a virtual environment in .venv with the package, its test tools and the optional
# offline baselines (LAC, THULAC). Idempotent: a second run only checks.
# Usage: bash scripts/setup.sh            (PYTHON=python3.11 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PY=.venv/bin/python
# Install the venv in dependency order; quiet unless something fails.
# pip >= 26 for --build-constraint (used to build LAC in scripts/install_optional.sh).
$PY -m pip install --quiet --disable-pip-version-check --upgrade "pip>=26"
# torch is pinned to the CPU build (pyproject.toml); an unpinned torch pulls a multi-GB CUDA build.
$PY -m pip install --quiet --disable-pip-version-check -e ".[test,taggers]"
PY=$PY bash scripts/install_optional.sh
echo "setup: ok ($($PY --version), $(.venv/bin/pip --version | cut -d' ' -f1-2))"
