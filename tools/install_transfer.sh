#!/usr/bin/env bash
# Install the OpenMMLab downstream stack for transfer (mmcv with compiled ops,
# mmsegmentation 1.2.2, mmdetection 3.3.0; MMPretrain 1.2.0 as the speed peer)
# into ./.venv, after tools/install.sh.
#
# mmcv 2.x is sdist-only on PyPI, so it is built here: CPU ops always, CUDA ops
# too when nvcc and a GPU build of torch are present. torch >= 2.9 headers need
# C++20 while mmcv's setup.py forces -std=c++17, so the compiler is wrapped to
# append -std=c++20 last, and -g0: Python's build flags ask for debug info
# (-g), which makes each torch-extension file compile 2.2x slower (about 50 s vs
# 23 s for nms.cpp, idle) for a library nobody debugs here; same code.
# pip keeps the wheel in its cache, so later installs on the same machine are
# instant.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
    echo "run 'bash tools/install.sh' first (no .venv found)" >&2
    exit 1
fi
MMCV_VERSION=${MMCV_VERSION:-2.1.0}

if ! "$PY" -c "import mmcv, mmcv.ops" >/dev/null 2>&1; then
    # mmengine needs pkg_resources (setuptools < 81); mmcv's build needs < 80.
    "$PY" -m pip install --quiet "setuptools<80" wheel ninja
    wrapper_dir=$(mktemp -d)
    trap 'rm -rf "$wrapper_dir"' EXIT
    printf '#!/bin/sh\nexec %s "$@" -std=c++20 -g0\n' "${CXX:-g++}" > "$wrapper_dir/cxx20"
    chmod +x "$wrapper_dir/cxx20"
    if command -v nvcc >/dev/null 2>&1 && "$PY" -c "import torch,sys; sys.exit(not torch.cuda.is_available())"; then
        force_cuda=1
    else
        force_cuda=0
    fi
    echo "building mmcv==$MMCV_VERSION with compiled ops (FORCE_CUDA=$force_cuda); this takes about 15 min on 2 cores the first time ..."
    CXX="$wrapper_dir/cxx20" MMCV_WITH_OPS=1 FORCE_CUDA=$force_cuda MAX_JOBS=${MAX_JOBS:-2} \
        "$PY" -m pip install --no-build-isolation "mmcv==$MMCV_VERSION"
fi
# peer: MMPretrain, timed beside densessl by tools/benchmark.py --peer
"$PY" -m pip install --quiet -e ".[seg,det,peer]"
"$PY" -c "import mmcv, mmcv.ops, mmseg, mmdet, mmpretrain; print('mmcv', mmcv.__version__, '| mmseg', mmseg.__version__, '| mmdet', mmdet.__version__, '| mmpretrain', mmpretrain.__version__)"
