"""Write the embedded procedural scenes to disk.

    python tools/generate_scenes.py OUT_DIR [--num 1000] [--size 160 160]
                                    [--seed 0]

Layout (mmseg's custom data set format; images also usable as an
``ImageFolderDataset``):

    OUT_DIR/images/scene_000000.png         RGB image
    OUT_DIR/annotations/scene_000000.png    class index per pixel (0 = bg)
    OUT_DIR/instances/scene_000000.png      instance index per pixel (uint16)
    OUT_DIR/classes.txt                     class names, one per line
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np
from PIL import Image


def write_scenes(out_dir, num, size=(160, 160), seed=0, progress=True):
    from densessl.datasets import SCENE_CLASSES, generate_scene
    for sub in ('images', 'annotations', 'instances'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    iterator = range(num)
    if progress:
        from mmengine.utils import track_iter_progress
        iterator = track_iter_progress(list(iterator))
    for i in iterator:
        scene = generate_scene(seed + i, tuple(size))
        name = f'scene_{seed + i:06d}.png'
        Image.fromarray(scene['img']).save(osp.join(out_dir, 'images', name))
        Image.fromarray(scene['gt_seg_map']).save(
            osp.join(out_dir, 'annotations', name))
        Image.fromarray(scene['gt_instance_map'].astype(np.uint16)).save(
            osp.join(out_dir, 'instances', name))
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(SCENE_CLASSES) + '\n')
    return out_dir


def main(argv=None):
    parser = argparse.ArgumentParser(description='Write embedded scenes')
    parser.add_argument('out_dir')
    parser.add_argument('--num', type=int, default=1000)
    parser.add_argument('--size', type=int, nargs=2, default=(160, 160),
                        metavar=('H', 'W'))
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    write_scenes(args.out_dir, args.num, args.size, args.seed)
    print(f'\nWrote {args.num} scenes to {args.out_dir}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    main()
