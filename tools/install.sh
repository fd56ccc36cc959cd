#!/usr/bin/env bash
# Install densessl and its dependencies into ./.venv (idempotent; fast when
# already installed: pip's wheel cache is reused).
#   bash tools/install.sh            # core + tests + 3d (open3d)
#   bash tools/install.sh --transfer # + mmcv (built), mmseg, mmdet
#   bash tools/install.sh --minkowski # + MinkowskiEngine (built; optional:
#                                     #   a failed build only warns)
#   EXTRAS=tests,3d bash tools/install.sh
set -euo pipefail
TRANSFER=0
MINKOWSKI=0
for arg in "$@"; do
    case "$arg" in
        --transfer) TRANSFER=1 ;;
        --minkowski) MINKOWSKI=1 ;;
        *) echo "unknown option $arg (use --transfer, --minkowski)" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRAS=${EXTRAS:-tests,3d}
# open3d (the 3d extra) loads libusb-1.0 at import; Debian minimal images lack it
if [[ ",$EXTRAS," == *",3d,"* ]] && ! ldconfig -p 2>/dev/null | grep -q libusb-1.0; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get install -y -q libusb-1.0-0 >/dev/null 2>&1 || \
            { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libusb-1.0-0 >/dev/null; }
    else
        echo "warning: open3d needs libusb-1.0 (Debian/Ubuntu: apt-get install libusb-1.0-0)" >&2
    fi
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch + torchvision first, as a matching pair (a CUDA build that also runs
# on CPU); the rest resolves against them.
.venv/bin/python -m pip install --quiet "torch>=2.1" torchvision
.venv/bin/python -m pip install --quiet -e ".[${EXTRAS}]"
.venv/bin/python -c "import densessl, torch, timm, mmengine; print('densessl', densessl.__version__, '| torch', torch.__version__, '| timm', timm.__version__, '| mmengine', mmengine.__version__)"
if [ "$TRANSFER" = 1 ]; then
    bash tools/install_transfer.sh
fi
if [ "$MINKOWSKI" = 1 ]; then
    # optional backend: without it only its own tests are skipped
    bash tools/install_minkowski.sh || \
        echo "warning: MinkowskiEngine was not built; backend='minkowski' and its tests are unavailable" >&2
fi
