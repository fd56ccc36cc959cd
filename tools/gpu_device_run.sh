#!/usr/bin/env bash
# tools/gpu_check.sh on a machine that has PyTorch but no package index (the
# lent GPU machines), from wheels made here by tools/gpu_bundle.py:
#   WHEELS=.whl bash tools/gpu_device_run.sh [tools/gpu_check.py options]
# Installs the wheels into $SITE (default /tmp/site), puts it and the
# repository on PYTHONPATH, saves nvidia-smi's report and runs the check;
# gpu_check.json, gpu_check.log and nvidia-smi.txt go to $OUT (the device
# tool's folder that comes back) or else work_dirs/gpu_check.
# PYTHON: the interpreter that holds PyTorch (default python3).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHEELS="${WHEELS:-$ROOT/.whl}"
SITE="${SITE:-/tmp/site}"
DEST="${OUT:-$ROOT/work_dirs/gpu_check}"
export PYTHON="${PYTHON:-python3}" PYTHONUNBUFFERED=1
shopt -s nullglob
wheels=("$WHEELS"/*.whl)
if [ ${#wheels[@]} -eq 0 ]; then
    echo "error: no wheels in $WHEELS: run '.venv/bin/python tools/gpu_bundle.py' on a machine with PyPI and carry its .whl folder" >&2
    exit 2
fi
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "error: $PYTHON cannot import torch: set PYTHON to the interpreter that holds PyTorch" >&2
    exit 2
fi
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --root-user-action=ignore \
    --upgrade --target "$SITE" "${wheels[@]}" || {
    echo "error: the wheels in $WHEELS did not install into $SITE (pip's message above)" >&2
    exit 2
}
export PYTHONPATH="$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$DEST"
nvidia-smi > "$DEST/nvidia-smi.txt" 2>&1 || echo "no nvidia-smi here" > "$DEST/nvidia-smi.txt"
bash "$ROOT/tools/gpu_check.sh" --out "$DEST/gpu_check.json" "$@" 2>&1 | tee "$DEST/gpu_check.log"
exit "${PIPESTATUS[0]}"
