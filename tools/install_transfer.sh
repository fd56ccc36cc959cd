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
# Most of each op file's compile is parsing torch's headers, so the op files
# are first regrouped into 4 unity files (tools/mmcv_unity_sources.py; timings
# in docs/install.md); MMCV_UNITY=0 builds file by file, as does a fallback
# when a grouped build fails. The wheel is kept in ~/.cache/densessl/wheels
# (DENSESSL_WHEEL_CACHE), keyed by mmcv and torch versions and CPU/CUDA, so a
# later install on the same machine is instant.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
PY="$ROOT/.venv/bin/python"
if [ ! -x "$PY" ]; then
    echo "run 'bash tools/install.sh' first (no .venv found)" >&2
    exit 1
fi
MMCV_VERSION=${MMCV_VERSION:-2.1.0}

if ! "$PY" -c "import mmcv, mmcv.ops" >/dev/null 2>&1; then
    if command -v nvcc >/dev/null 2>&1 && "$PY" -c "import torch,sys; sys.exit(not torch.cuda.is_available())"; then
        force_cuda=1
    else
        force_cuda=0
    fi
    torch_version=$("$PY" -c "import torch; print(torch.__version__.replace('+', '-'))")
    cache="${DENSESSL_WHEEL_CACHE:-$HOME/.cache/densessl/wheels}/mmcv-$MMCV_VERSION-torch$torch_version-cuda$force_cuda"
    wheel=$(ls "$cache"/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -1 || true)
    if [ -z "$wheel" ]; then
        # mmengine needs pkg_resources (setuptools < 81); mmcv's build needs < 80.
        "$PY" -m pip install --quiet "setuptools<80" wheel ninja
        work=$(mktemp -d)
        trap 'rm -rf "$work"' EXIT
        printf '#!/bin/sh\nexec %s "$@" -std=c++20 -g0\n' "${CXX:-g++}" > "$work/cxx20"
        chmod +x "$work/cxx20"
        "$PY" -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation \
            "mmcv==$MMCV_VERSION" -d "$work/sdist"
        build_mmcv() {  # $1: unity or files; the wheel lands in $work/dist
            rm -rf "$work/src" && mkdir "$work/src"
            tar xzf "$work"/sdist/mmcv-$MMCV_VERSION.tar.gz -C "$work/src"
            local src="$work/src/mmcv-$MMCV_VERSION"
            if [ "$1" = unity ]; then
                "$PY" tools/mmcv_unity_sources.py "$src" || return 1
            fi
            (cd "$src" && PATH="$ROOT/.venv/bin:$PATH" CXX="$work/cxx20" MMCV_WITH_OPS=1 \
                FORCE_CUDA=$force_cuda MAX_JOBS=${MAX_JOBS:-2} \
                "$PY" -m pip wheel --no-build-isolation --no-deps . -w "$work/dist" \
                > "$work/build-$1.log" 2>&1)
        }
        echo "building mmcv==$MMCV_VERSION with compiled ops (FORCE_CUDA=$force_cuda); about 3-4 min on 2 cores the first time ..."
        if [ "${MMCV_UNITY:-1}" = 1 ] && build_mmcv unity; then
            :
        else
            if [ "${MMCV_UNITY:-1}" = 1 ]; then
                tail -20 "$work/build-unity.log" >&2 2>/dev/null || true
                echo "the grouped mmcv build failed (log above); building file by file, about 15 min ..." >&2
            fi
            build_mmcv files || { tail -40 "$work/build-files.log" >&2; echo "mmcv build failed (log above)" >&2; exit 1; }
        fi
        mkdir -p "$cache"
        # the sdist too: tests/test_tools/test_mmcv_unity_sources.py plans on its sources
        cp "$work"/dist/mmcv-*.whl "$work"/sdist/mmcv-$MMCV_VERSION.tar.gz "$cache"/
        wheel=$(ls "$cache"/mmcv-$MMCV_VERSION-*.whl | head -1)
    fi
    # first with its dependencies, then this build over whatever was there
    "$PY" -m pip install --quiet "$wheel"
    "$PY" -m pip install --quiet --no-deps --force-reinstall "$wheel"
fi
# peer: MMPretrain, timed beside densessl by tools/benchmark.py --peer
"$PY" -m pip install --quiet -e ".[seg,det,peer]"
"$PY" -c "import mmcv, mmcv.ops, mmseg, mmdet, mmpretrain; print('mmcv', mmcv.__version__, '| mmseg', mmseg.__version__, '| mmdet', mmdet.__version__, '| mmpretrain', mmpretrain.__version__)"
