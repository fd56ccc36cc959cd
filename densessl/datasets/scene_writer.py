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


#: first scene seed of each split: unlabeled images for pretraining, the
#: labelled probe-training split, the held-out evaluation split (for the
#: photo scenes, from the held-out part of each photograph)
SPLIT_SEEDS = dict(unlabeled=0, train=1_000_000, val=2_000_000)


def write_mmseg_fixture(root: str, source: str = 'photos',
                        num_unlabeled: int = 1600, num_train: int = 400,
                        num_val: int = 200, size: Sequence[int] = (160, 160),
                        progress: bool = True) -> str:
    """Scenes of ``source`` in mmseg's folder layout, with the unlabeled
    images pretraining may use beside it::

        ROOT/unlabeled/scene_000000.png        no labels (an image folder)
        ROOT/img_dir/{train,val}/scene_*.png   labelled splits
        ROOT/ann_dir/{train,val}/scene_*.png   class index per pixel
        ROOT/classes.txt

    The seeds of the splits are disjoint (``SPLIT_SEEDS``), so the files
    equal the embedded splits of ``dense_eval.py --scenes SOURCE``. Each
    split is written into a temporary folder and renamed when complete, so
    an interrupted call leaves no half split (the next call redoes it)."""
    import shutil
    src = scene_source(source)
    todo = [('unlabeled', osp.join(root, 'unlabeled'), None, num_unlabeled)]
    todo += [(split, osp.join(root, 'img_dir', split),
              osp.join(root, 'ann_dir', split), num)
             for split, num in (('train', num_train), ('val', num_val))]
    os.makedirs(root, exist_ok=True)
    for split, img_dir, ann_dir, num in todo:
        if osp.isdir(img_dir) and (ann_dir is None or osp.isdir(ann_dir)):
            continue
        tmp = osp.join(root, f'.tmp-{split}')
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(osp.join(tmp, 'img'))
        os.makedirs(osp.join(tmp, 'ann'))
        seeds = range(SPLIT_SEEDS[split], SPLIT_SEEDS[split] + num)
        if progress:
            from mmengine.utils import track_iter_progress
            print(f'{split}: {num} scenes', flush=True)
            seeds = track_iter_progress(list(seeds))
        for seed in seeds:
            scene = src.generate(seed, tuple(size), src.num_objects)
            name = f'scene_{seed:07d}.png'
            Image.fromarray(scene['img']).save(osp.join(tmp, 'img', name))
            if ann_dir:
                Image.fromarray(scene['gt_seg_map']).save(
                    osp.join(tmp, 'ann', name))
        for sub, target in (('img', img_dir), ('ann', ann_dir)):
            if target:
                shutil.rmtree(target, ignore_errors=True)
                os.makedirs(osp.dirname(target), exist_ok=True)
                os.replace(osp.join(tmp, sub), target)
        shutil.rmtree(tmp)
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.write('\n'.join(src.classes) + '\n')
    return root
