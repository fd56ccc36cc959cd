"""Fine-tune a pretrained 3D backbone and print the downstream metric; the
task follows the config's model:

* ``configs/benchmarks/point_transfer/*_cls_*``: object classification
  (accuracy) with a Point-MAE / Point-CMAE encoder;
* ``configs/benchmarks/point_transfer/*_partseg_*``: part segmentation
  (instance / class mIoU) with a Point-MAE / Point-CMAE encoder;
* ``configs/benchmarks/seg3d/*``: per-point semantic segmentation with a
  sparse U-Net (e.g. PointContrast-pretrained).

    python tools/benchmarks/point_transfer.py CONFIG [--pretrained BACKBONE.pth]
        [--work-dir DIR] [--max-iters N] [--cfg-options k=v ...]

BACKBONE.pth comes from ``tools/extract_backbone.py CKPT OUT`` (layout
``mm``). Without ``--pretrained`` the backbone is randomly initialised: the
from-scratch baseline with the same budget. The ``*_objects`` / ``*_rooms``
configs run on the embedded data on a CPU in minutes.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from transfer_cli import main  # noqa: E402

TASK_OF_MODEL = {'PointTransformerClassifier': ('cls3d', ('acc', 'mAcc')),
                 'PointTransformerPartSegmentor': ('partseg3d', ('mIoU', )),
                 'SparseSegmentor': ('seg3d', ('mIoU', 'aAcc'))}


def run(argv):
    from mmengine.config import Config
    if not argv or argv[0].startswith('-'):
        raise SystemExit(__doc__)
    if not osp.isfile(argv[0]):
        raise FileNotFoundError(f'config "{argv[0]}" not found')
    model_type = Config.fromfile(argv[0]).model.type.split('.')[-1]
    if model_type not in TASK_OF_MODEL:
        raise ValueError(f'{argv[0]} builds a {model_type}; expected one of '
                         f'{sorted(TASK_OF_MODEL)}')
    task, headline = TASK_OF_MODEL[model_type]
    return main(task, __doc__, headline, argv)


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    from densessl.utils.cli import run_tool
    run_tool(run)
