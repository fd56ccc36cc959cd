"""Draw dense similarity maps of a pretrained (or random) model.

    python tools/visualize_similarity.py CONFIG [--checkpoint CKPT]
        [--images A.png [B.png]] [--mask A_OBJECTS.png] [--query X,Y ...]
        [--size 224] [--out similarity.png] [--level -1] [--device cpu]

For each query pixel of image A (in A's own pixel coordinates), the cosine
similarity of its feature with every location of A and of B, overlaid on the
images with a percentile-normalised colour map, a marker on the best match, and
a PCA-to-RGB view of both feature maps. Without ``--images`` two embedded
scenes are used (queries default to the centres of the first scene's objects);
with one image, B is A. ``--checkpoint`` takes a training checkpoint or an
exported backbone (``tools/extract_backbone.py``, ``mm`` layout); without it
the model is randomly initialised. ``--save-arrays`` also writes the raw maps
as ``.npz``. Where A's object masks are known (the embedded scenes, or
``--mask``: an instance PNG such as VOC's ``SegmentationObject``, 0
background, 255 void), a fourth column shows each query's prompt-point mask
(the map on A above its own mean, the rule of ``dense_eval --eval prompt``)
with the outline and IoU of the object under the query.
"""
import argparse
import os.path as osp
import sys

import numpy as np


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a densessl 2D pretraining config')
    parser.add_argument('--checkpoint', help='training checkpoint or exported '
                        'backbone; random init when left out')
    parser.add_argument('--images', nargs='+', metavar='IMAGE',
                        help='one or two images (default: embedded scenes)')
    parser.add_argument('--mask', metavar='PNG',
                        help="image A's object masks (instance ids, 0 "
                        'background, 255 void), e.g. VOC SegmentationObject')
    parser.add_argument('--query', action='append', metavar='X,Y',
                        help='query pixel in image A (repeatable)')
    parser.add_argument('--size', type=int, default=224,
                        help='images are resized to SIZE x SIZE')
    parser.add_argument('--level', type=int, default=-1,
                        help='which backbone output (default: the last)')
    parser.add_argument('--scene-seeds', type=int, nargs=2, default=(0, 1))
    parser.add_argument('--out', default='similarity.png')
    parser.add_argument('--save-arrays', metavar='NPZ')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load a checkpoint not written by densessl '
                        '(unpickles Python objects: only if you trust it)')
    argv = list(sys.argv[1:] if argv is None else argv)
    # "--query -5,3" would read as an option: glue such values on, so the
    # range check can say what is wrong with them
    for i in range(len(argv) - 1, 0, -1):
        if argv[i - 1] == '--query' and argv[i].startswith('-'):
            argv[i - 1:i + 1] = [f'--query={argv[i]}']
    return parser.parse_args(argv)


def parse_query(text: str):
    try:
        x, y = (float(v) for v in text.split(','))
    except ValueError:
        raise SystemExit(f'--query "{text}": write it as X,Y (pixels of '
                         'image A), e.g. --query 80,64')
    return x, y


def load_image(path: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError
    if not osp.isfile(path):
        raise SystemExit(f'Image "{path}" not found.')
    try:
        with Image.open(path) as img:
            return np.asarray(img.convert('RGB'))
    except (UnidentifiedImageError, OSError) as err:
        raise SystemExit(f'Cannot read "{path}" as an image: {err}')


def resize(image: np.ndarray, size: int, nearest: bool = False
           ) -> np.ndarray:
    from PIL import Image
    return np.asarray(Image.fromarray(image).resize(
        (size, size), Image.NEAREST if nearest else Image.BICUBIC))


def load_mask(path: str, shape) -> np.ndarray:
    """Instance ids of a (palette or grey) PNG, checked against image A."""
    from PIL import Image, UnidentifiedImageError
    if not osp.isfile(path):
        raise SystemExit(f'Mask "{path}" not found.')
    try:
        with Image.open(path) as img:
            mask = np.asarray(img if img.mode in ('P', 'L') else
                              img.convert('L'))
    except (UnidentifiedImageError, OSError) as err:
        raise SystemExit(f'Cannot read "{path}" as a mask: {err}')
    if mask.shape != tuple(shape):
        raise SystemExit(f'--mask {path} is {mask.shape[1]}x{mask.shape[0]}, '
                         f'image A {shape[1]}x{shape[0]}; give the mask of '
                         'image A')
    return mask.astype(np.uint8)


def main(argv=None):
    args = parse_args(argv)
    from densessl.visualization.similarity import (largest_object_centres,
                                                   visualize_pair)
    if args.images:
        if len(args.images) > 2:
            raise SystemExit('give one or two images')
        originals = [load_image(p) for p in args.images]
        if len(originals) == 1:
            originals.append(originals[0])
        h0, w0 = originals[0].shape[:2]
        queries = [parse_query(q) for q in args.query or []] or \
            [((w0 - 1) / 2, (h0 - 1) / 2)]
        names = [osp.basename(p) for p in args.images]
        instances = load_mask(args.mask, (h0, w0)) if args.mask else None
    else:
        if args.mask:
            raise SystemExit('--mask goes with --images (the embedded scenes '
                             'bring their own masks)')
        from densessl.datasets import generate_scene
        scenes = [generate_scene(s) for s in args.scene_seeds]
        originals = [s['img'] for s in scenes]
        h0, w0 = originals[0].shape[:2]
        queries = [parse_query(q) for q in args.query or []] or \
            largest_object_centres(scenes[0]['gt_instance_map'])
        names = [f'scene {s}' for s in args.scene_seeds]
        instances = scenes[0]['gt_instance_map'].astype(np.uint8)
    for x, y in queries:
        if not (0 <= x < w0 and 0 <= y < h0):
            raise SystemExit(f'--query {x:g},{y:g} lies outside image A '
                             f'({w0}x{h0})')
    scale = (args.size / w0, args.size / h0)
    scaled = [((x + 0.5) * scale[0] - 0.5, (y + 0.5) * scale[1] - 0.5)
              for x, y in queries]
    images = [resize(im, args.size) for im in originals]
    from densessl.apis import init_model
    try:
        model = init_model(args.config, args.checkpoint, args.device,
                           args.trust_checkpoint)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(str(err))
    weights = osp.basename(args.checkpoint) if args.checkpoint else \
        'random init'
    title = (f'{osp.splitext(osp.basename(args.config))[0]} ({weights}); '
             f'A = {names[0]}, B = {names[-1]}')
    if instances is not None:
        instances = resize(instances, args.size, nearest=True)
    results = visualize_pair(model, images[0], images[1], scaled, args.out,
                             args.level, title, instance_map=instances)
    for res in results:
        line = ('query ({:.0f}, {:.0f}) -> best on A at ({:.0f}, {:.0f}), '
                'on B at ({:.0f}, {:.0f}); max similarity on B {:.3f}'.format(
                    *res['query_xy'], *res['best_xy_a'], *res['best_xy_b'],
                    float(res['map_b'].max())))
        if res.get('prompt_iou') is not None:
            line += f'; prompt-mask IoU on A {res["prompt_iou"]:.3f}'
        print(line)
    if args.save_arrays:
        np.savez(args.save_arrays,
                 map_a=np.stack([r['map_a'].numpy() for r in results]),
                 map_b=np.stack([r['map_b'].numpy() for r in results]),
                 query_cell=np.array([r['query_cell'] for r in results]),
                 best_cell_a=np.array([r['best_cell_a'] for r in results]),
                 best_cell_b=np.array([r['best_cell_b'] for r in results]))
    print(f'Wrote {args.out}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
