"""Fine-tune a pretrained backbone with mmdetection and print box / mask AP.

    python tools/benchmarks/det_transfer.py CONFIG [--pretrained BACKBONE.pth]
        [--work-dir DIR] [--max-iters N] [--cfg-options k=v ...]

CONFIG is one of ``configs/benchmarks/mmdetection/`` (the ``*_scenes`` one
runs on the embedded data on a CPU in minutes); BACKBONE.pth comes from
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
        'det', __doc__, ('bbox_mAP', 'segm_mAP'), argv))
