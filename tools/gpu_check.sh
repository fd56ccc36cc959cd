#!/usr/bin/env bash
# The accelerator check (tools/gpu_check.py) with the project's venv, from
# any directory: bash tools/gpu_check.sh [--steps 20] [--out report.json]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" "$ROOT/tools/gpu_check.py" "$@"
