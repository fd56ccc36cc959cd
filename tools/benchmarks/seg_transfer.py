"""Fine-tune a pretrained backbone with mmsegmentation and print mIoU.

    python tools/benchmarks/seg_transfer.py CONFIG [--pretrained BACKBONE.pth]
        [--work-dir DIR] [--max-iters N] [--cfg-options k=v ...]

CONFIG is one of ``configs/benchmarks/mmsegmentation/`` (the ``*_scenes``
one runs on the embedded data on a CPU in minutes); BACKBONE.pth comes from
``tools/extract_backbone.py`` (``--layout mm`` for ``densessl.TimmBackbone``).
Without ``--pretrained`` the backbone is randomly initialised (the scratch
baseline). Needs the transfer extras: ``bash tools/install_transfer.sh``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from transfer_cli import main  # noqa: E402

if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    from densessl.utils.cli import run_tool
    run_tool(lambda argv: main(
        'seg', __doc__, ('mIoU', 'aAcc', 'mAcc'), argv))
