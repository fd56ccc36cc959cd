"""Convert a published checkpoint (DenseCL, OpenSelfSup, MMSelfSup /
MMPretrain, PixPro, SlotCon, DetCon / BYOL JAX, DINO, iBOT, DINOv2, MAE,
Point-MAE, Point-CMAE, PointContrast) or a densessl one into another layout.

    python tools/convert_checkpoint.py SRC DST [--from FORMAT] \
        [--to densessl|timm|torchvision|mm-resnet|detectron2|mmseg-vit] \
        [--branch auto|online|teacher] [--img-size N] [--trust-checkpoint]

``--from`` is detected from the keys when omitted. ``--to densessl``
(default) writes the exported-backbone file the densessl tools take
(``tools/visualize_similarity.py --checkpoint``, the linear probe, the
``--pretrained`` of the transfer tools); ``detectron2`` writes the pickle
detectron2 loads with ``MODEL.WEIGHTS`` (torchvision-style RGB weights: set
its pixel mean/std accordingly). ``--branch auto`` exports the network each
method transfers: the momentum teacher for SlotCon, the online network
otherwise. Files are read with ``weights_only=True``; a file that pickles
more than tensors (e.g. PixPro's saved argparse options) needs
``--trust-checkpoint``.
"""
import argparse
import os.path as osp
import sys


def parse_args(argv=None):
    from densessl.converters import FORMATS, TARGETS, formats_help
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='formats:\n' + '\n'.join(
            '  ' + line for line in formats_help()))
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('dst', help='where to write the converted file')
    parser.add_argument('--from', dest='source_format', default='auto',
                        choices=['auto', *FORMATS])
    parser.add_argument('--to', dest='target', default='densessl',
                        choices=TARGETS)
    parser.add_argument('--branch', default='auto',
                        choices=['auto', 'online', 'teacher'])
    parser.add_argument('--img-size', type=int, default=None,
                        help='ViTs: resample the position embedding to this '
                        'input size (default: the checkpoint\'s own grid)')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load with weights_only=False (only for files '
                        'you trust)')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    from densessl.converters import convert_checkpoint
    args = parse_args(argv)
    try:
        report = convert_checkpoint(args.src, args.dst, args.source_format,
                                    args.target, args.branch,
                                    args.trust_checkpoint, args.img_size)
    except (FileNotFoundError, ValueError, KeyError) as err:
        raise SystemExit(f'error: {err}')
    print(report.summary())
    print(f'wrote {args.dst}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
