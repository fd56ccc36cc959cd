"""Write the embedded scenes to disk.

    python tools/generate_scenes.py OUT_DIR [--num 1000] [--size 160 160]
                                    [--seed 0] [--source procedural|photos]
    # the evaluation fixture: unlabeled images + labelled mmseg splits
    python tools/generate_scenes.py OUT_DIR --splits [--source photos]
        [--num-unlabeled 1600] [--num-train 400] [--num-val 200]

``--source photos``: real-photo scenes (cut-outs of the public-domain / CC0
photographs shipped with scikit-image pasted on real textures, 9 classes;
needs ``pip install scikit-image``; provenance: docs/real_photo_fixture.md).

Default layout (mmseg's custom data set format; images also usable as an
``ImageFolderDataset``):

    OUT_DIR/images/scene_000000.png         RGB image
    OUT_DIR/annotations/scene_000000.png    class index per pixel (0 = bg)
    OUT_DIR/instances/scene_000000.png      instance index per pixel (uint16)
    OUT_DIR/instances.json                  COCO boxes + RLE masks (mmdet)
    OUT_DIR/classes.txt                     class names, one per line

``--splits`` layout (pretrain on ``unlabeled/`` only; evaluate with
``tools/benchmarks/dense_eval.py CONFIG --data-root OUT_DIR --img-suffix .png
--classes OUT_DIR/classes.txt``):

    OUT_DIR/unlabeled/scene_0000000.png     pretraining images, no labels
    OUT_DIR/img_dir/{train,val}/*.png       labelled probe / held-out splits
    OUT_DIR/ann_dir/{train,val}/*.png       class index per pixel
    OUT_DIR/classes.txt
"""
import argparse
import os.path as osp
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description='Write embedded scenes')
    parser.add_argument('out_dir')
    parser.add_argument('--num', type=int, default=1000)
    parser.add_argument('--size', type=int, nargs=2, default=(160, 160),
                        metavar=('H', 'W'))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--source', default='procedural',
                        choices=['procedural', 'photos'])
    parser.add_argument('--splits', action='store_true',
                        help='unlabeled/ + mmseg train / val splits')
    parser.add_argument('--num-unlabeled', type=int, default=1600)
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=200)
    args = parser.parse_args(argv)
    from densessl.datasets.scene_writer import (write_mmseg_fixture,
                                                write_scenes)
    try:
        if args.splits:
            write_mmseg_fixture(args.out_dir, args.source, args.num_unlabeled,
                                args.num_train, args.num_val, args.size)
            print(f'\nWrote the {args.source} fixture to {args.out_dir}')
            return
        write_scenes(args.out_dir, args.num, args.size, args.seed,
                     source=args.source)
    except ImportError as err:
        raise SystemExit(f'error: {err}')
    print(f'\nWrote {args.num} scenes to {args.out_dir}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
