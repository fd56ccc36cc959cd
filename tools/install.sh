#!/usr/bin/env bash
# Install densessl and its dependencies into ./.venv (idempotent; fast when
# already installed: pip's wheel cache is reused).
#   bash tools/install.sh            # core + tests
#   EXTRAS=tests,3d bash tools/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRAS=${EXTRAS:-tests}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch + torchvision first, as a matching pair (a CUDA build that also runs
# on CPU); the rest resolves against them.
.venv/bin/python -m pip install --quiet "torch>=2.1" torchvision
.venv/bin/python -m pip install --quiet -e ".[${EXTRAS}]"
.venv/bin/python -c "import densessl, torch, timm, mmengine; print('densessl', densessl.__version__, '| torch', torch.__version__, '| timm', timm.__version__, '| mmengine', mmengine.__version__)"
