#!/usr/bin/env bash
# Build and install MinkowskiEngine 0.5.4 into ./.venv for the optional
# `backend='minkowski'` of densessl's sparse layers. Run after tools/install.sh.
#
# What it takes (found on Debian 12, Python 3.11, torch 2.14.1, numpy 2.4):
#   * a BLAS with headers: libopenblas-dev (installed here with apt when root);
#   * the sdist built *without* pip's build isolation (its setup.py imports
#     torch) and with `--blas=openblas`, since numpy 2 has no numpy.distutils
#     to find a BLAS; `--cpu_only` unless nvcc and a CUDA torch are present;
#   * a patch of its Python files for Python >= 3.10 (`from collections import
#     Sequence` -> `collections.abc`).
# The C++ build takes a few minutes on 2 cores (MAX_JOBS=2); the wheel is kept in
# ~/.cache/densessl/wheels so a second install on the same machine is instant.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "run tools/install.sh first" >&2; exit 1; }
CACHE=${DENSESSL_WHEEL_CACHE:-$HOME/.cache/densessl/wheels}
mkdir -p "$CACHE"
wheel=$(ls "$CACHE"/[Mm]inkowski[Ee]ngine-0.5.4-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
    if ! ldconfig -p 2>/dev/null | grep -q libopenblas; then
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            apt-get install -y -q libopenblas-dev >/dev/null 2>&1 || \
                { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libopenblas-dev >/dev/null; }
        else
            echo "MinkowskiEngine needs OpenBLAS headers: apt-get install libopenblas-dev" >&2
            exit 1
        fi
    fi
    "$PY" -m pip install --quiet ninja wheel setuptools
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$PY" -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation \
        MinkowskiEngine==0.5.4 -d "$work"
    tar xzf "$work"/MinkowskiEngine-0.5.4.tar.gz -C "$work"
    src="$work/MinkowskiEngine-0.5.4"
    sed -i 's/^from collections import Sequence, namedtuple$/from collections import namedtuple\nfrom collections.abc import Sequence/; s/^from collections import Sequence$/from collections.abc import Sequence/' \
        "$src"/MinkowskiEngine/*.py "$src"/MinkowskiEngine/utils/*.py
    # The CPU build's 11 op files each spend most of their compile parsing
    # torch's headers (about equal times per file); like mmcv's
    # (tools/mmcv_unity_sources.py), they are compiled in two unity files,
    # one per core, beside pybind/minkowski.cpp (timings: docs/install.md).
    # MINKOWSKI_UNITY=0 builds file by file.
    if [ "${MINKOWSKI_UNITY:-1}" = 1 ]; then
        "$PY" - "$src" <<'PYEOF'
import pathlib, re, sys
root = pathlib.Path(sys.argv[1])
setup = (root / 'setup.py').read_text()
block = re.search(r'"cpu": \[\s*CppExtension,\s*\[([^\]]*)\]', setup)
files = re.findall(r'"([\w.]+\.cpp)"', block.group(1))
groups = [files[0::2], files[1::2]]
for k, group in enumerate(groups):
    (root / 'src' / f'unity_{k}.cpp').write_text(
        ''.join(f'#include "{name}"\n' for name in group))
names = ', '.join(f'"unity_{k}.cpp"' for k in range(len(groups)))
(root / 'setup.py').write_text(
    setup[:block.start(1)] + names + setup[block.end(1):])
print(f'{len(files)} MinkowskiEngine CPU files in {len(groups)} unity files')
PYEOF
    fi
    flags="--blas=openblas"
    if ! command -v nvcc >/dev/null 2>&1 || \
       ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
        flags="$flags --cpu_only"
    fi
    # CFLAGS=-g0 lands after Python's own flags, which ask for debug info
    # (-g): torch-extension files compile 2.2x slower with it. (Not a CXX
    # wrapper: ME's setup.py copies CXX into CC, which nvcc takes as -ccbin.)
    echo "building MinkowskiEngine 0.5.4 ($flags), a few minutes on 2 cores ..."
    # ninja from the venv makes the build parallel (MAX_JOBS)
    (cd "$src" && PATH="$ROOT/.venv/bin:$PATH" MAX_JOBS=${MAX_JOBS:-2} CFLAGS="${CFLAGS:-} -g0" \
        "$PY" setup.py bdist_wheel $flags > "$work/build.log" 2>&1) || \
        { tail -40 "$work/build.log" >&2; echo "MinkowskiEngine build failed (log above)" >&2; exit 1; }
    cp "$src"/dist/*.whl "$CACHE"/
    wheel=$(ls "$CACHE"/[Mm]inkowski[Ee]ngine-0.5.4-*.whl | head -1)
fi
"$PY" -m pip install --quiet --force-reinstall --no-deps "$wheel"
"$PY" -c "import warnings; warnings.simplefilter('ignore'); import MinkowskiEngine as ME; print('MinkowskiEngine', ME.__version__)"
