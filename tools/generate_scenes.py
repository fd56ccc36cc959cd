"""Write the embedded procedural scenes to disk.

    python tools/generate_scenes.py OUT_DIR [--num 1000] [--size 160 160]
                                    [--seed 0] [--source procedural|photos]

``--source photos``: real-photo scenes (cut-outs of the public-domain / CC0
photographs shipped with scikit-image pasted on real textures, 9 classes;
needs ``pip install scikit-image``; provenance in
``densessl/datasets/photo_scenes.py``).

Layout (mmseg's custom data set format; images also usable as an
``ImageFolderDataset``):

    OUT_DIR/images/scene_000000.png         RGB image
    OUT_DIR/annotations/scene_000000.png    class index per pixel (0 = bg)
    OUT_DIR/instances/scene_000000.png      instance index per pixel (uint16)
    OUT_DIR/instances.json                  COCO boxes + RLE masks (mmdet)
    OUT_DIR/classes.txt                     class names, one per line
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
    args = parser.parse_args(argv)
    from densessl.datasets.scene_writer import write_scenes
    try:
        write_scenes(args.out_dir, args.num, args.size, args.seed,
                     source=args.source)
    except ImportError as err:
        raise SystemExit(f'error: {err}')
    print(f'\nWrote {args.num} scenes to {args.out_dir}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    main()
