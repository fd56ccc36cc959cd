"""Write the embedded scenes to disk in the formats downstream tools read:
mmseg's custom data set (images + PNG class maps) and COCO instances json
(boxes + uncompressed-RLE masks) for mmdet."""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np
from PIL import Image

from .scene_sources import scene_source


def mask_to_rle(mask: np.ndarray) -> Dict[str, list]:
    """COCO uncompressed RLE: run lengths of the column-major flattened mask,
    starting with a run of zeros."""
    flat = np.asarray(mask, dtype=np.uint8).flatten(order='F')
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0] + counts
    return dict(counts=counts, size=list(mask.shape))


def coco_annotations(scene: dict, image_id: int, first_ann_id: int
                     ) -> List[dict]:
    """One COCO annotation per visible instance of a generated scene
    (category ids = class indices; background is not a category)."""
    inst, sem = scene['gt_instance_map'], scene['gt_seg_map']
    anns = []
    for k in np.unique(inst[inst > 0]):
        mask = inst == k
        ys, xs = np.nonzero(mask)
        x1, y1 = int(xs.min()), int(ys.min())
        w, h = int(xs.max()) + 1 - x1, int(ys.max()) + 1 - y1
        anns.append(dict(
            id=first_ann_id + len(anns), image_id=image_id,
            category_id=int(sem[ys[0], xs[0]]), bbox=[x1, y1, w, h],
            area=int(mask.sum()), iscrowd=0, segmentation=mask_to_rle(mask)))
    return anns


def write_scenes(out_dir: str, num: int, size: Sequence[int] = (160, 160),
                 seed: int = 0, progress: bool = True,
                 source: str = 'procedural') -> str:
    """Scenes ``seed .. seed + num - 1`` of ``source`` (``procedural`` or
    ``photos``) as::

        OUT_DIR/images/scene_000000.png         RGB image
        OUT_DIR/annotations/scene_000000.png    class index per pixel (0 = bg)
        OUT_DIR/instances/scene_000000.png      instance index per pixel
        OUT_DIR/instances.json                  COCO boxes + masks
        OUT_DIR/classes.txt                     class names, one per line
    """
    src = scene_source(source)
    for sub in ('images', 'annotations', 'instances'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    iterator = range(num)
    if progress:
        from mmengine.utils import track_iter_progress
        iterator = track_iter_progress(list(iterator))
    images, annotations = [], []
    for i in iterator:
        scene = src.generate(seed + i, tuple(size), src.num_objects)
        name = f'scene_{seed + i:06d}.png'
        Image.fromarray(scene['img']).save(osp.join(out_dir, 'images', name))
        Image.fromarray(scene['gt_seg_map']).save(
            osp.join(out_dir, 'annotations', name))
        Image.fromarray(scene['gt_instance_map'].astype(np.uint16)).save(
            osp.join(out_dir, 'instances', name))
        image_id = seed + i
        images.append(dict(id=image_id, file_name=name, height=int(size[0]),
                           width=int(size[1])))
        annotations += coco_annotations(scene, image_id, len(annotations) + 1)
    categories = [dict(id=c, name=n) for c, n in enumerate(src.classes)
                  if c > 0]
    coco = dict(images=images, annotations=annotations, categories=categories)
    with open(osp.join(out_dir, 'instances.json'), 'w') as f:
        json.dump(coco, f)
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(src.classes) + '\n')
    return out_dir


def ensure_scene_splits(root: str, num_train: int, num_val: int,
                        size: Sequence[int] = (160, 160)) -> str:
    """``ROOT/train`` (seeds from 1,000,000) and ``ROOT/val`` (from
    2,000,000), disjoint from the pretraining scenes; written only when
    missing or of another size / length (a ``.done`` stamp records it)."""
    for split, first, num in (('train', 1_000_000, num_train),
                              ('val', 2_000_000, num_val)):
        target = osp.join(root, split)
        stamp = osp.join(target, '.done')
        want = f'{num} {size[0]} {size[1]} {first}'
        if osp.isfile(stamp) and open(stamp).read() == want:
            continue
        if osp.isdir(target):
            import shutil
            shutil.rmtree(target)
        print(f'writing {num} embedded scenes to {target} ...', flush=True)
        write_scenes(target, num, size, first, progress=False)
        with open(stamp, 'w') as f:
            f.write(want)
    return root
