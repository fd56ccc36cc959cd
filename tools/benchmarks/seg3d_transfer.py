"""Fine-tune a pretrained sparse backbone for 3D semantic segmentation and
print the per-point mIoU.

    python tools/benchmarks/seg3d_transfer.py CONFIG [--pretrained BACKBONE.pth]
        [--work-dir DIR] [--max-iters N] [--cfg-options k=v ...]

CONFIG is one of ``configs/benchmarks/seg3d/`` (the ``*_rooms`` one runs on
the embedded rooms on a CPU in minutes); BACKBONE.pth comes from
``tools/extract_backbone.py CKPT OUT --layout mm`` on a PointContrast
checkpoint. Without ``--pretrained`` the backbone is randomly initialised
(the scratch baseline with the same budget). Needs no extra package.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from transfer_cli import main  # noqa: E402

if __name__ == '__main__':
    main('seg3d', __doc__, ('mIoU', 'aAcc'))
