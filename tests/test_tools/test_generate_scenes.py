import os
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))


def test_written_scenes_reload_equal_and_read_as_image_folder(tmp_path):
    from densessl.datasets import ImageFolderDataset, generate_scene
    from densessl.datasets.scene_writer import write_scenes
    write_scenes(str(tmp_path), 3, (48, 64), seed=5, progress=False)
    scene = generate_scene(6, (48, 64))
    img = np.asarray(Image.open(tmp_path / 'images' / 'scene_000006.png'))
    sem = np.asarray(Image.open(tmp_path / 'annotations' /
                                'scene_000006.png'))
    inst = np.asarray(Image.open(tmp_path / 'instances' /
                                 'scene_000006.png'))
    assert np.array_equal(img, scene['img'])
    assert np.array_equal(sem, scene['gt_seg_map'])
    assert np.array_equal(inst, scene['gt_instance_map'])
    assert (tmp_path / 'classes.txt').read_text().split()[0] == 'background'
    ds = ImageFolderDataset(data_root=str(tmp_path / 'images'),
                            pipeline=[dict(type='LoadImageFromFile'),
                                      dict(type='PackMultiViewInputs')])
    assert len(ds) == 3
    assert ds[0]['inputs'].shape == (3, 48, 64)


def test_coco_json_matches_the_generated_instances(tmp_path):
    import json

    from densessl.datasets import generate_scene
    from densessl.datasets.scene_writer import mask_to_rle, write_scenes
    write_scenes(str(tmp_path), 2, (40, 50), seed=11, progress=False)
    coco = json.loads((tmp_path / 'instances.json').read_text())
    assert [c['id'] for c in coco['categories']] == [1, 2, 3, 4, 5]
    assert [im['file_name'] for im in coco['images']] == [
        'scene_000011.png', 'scene_000012.png']
    scene = generate_scene(11, (40, 50))
    anns = [a for a in coco['annotations'] if a['image_id'] == 11]
    assert sorted(a['category_id'] for a in anns) == sorted(
        scene['gt_labels'].tolist())
    boxes = sorted(tuple(a['bbox']) for a in anns)
    expected = sorted(
        (x1, y1, x2 - x1, y2 - y1)
        for x1, y1, x2, y2 in scene['gt_bboxes'].astype(int).tolist())
    assert boxes == expected
    assert len({a['id'] for a in coco['annotations']}) == len(
        coco['annotations'])
    # RLE decodes back to the mask (column-major runs, zeros first)
    for ann in anns:
        rle = ann['segmentation']
        flat = np.concatenate([np.full(n, i % 2, np.uint8)
                               for i, n in enumerate(rle['counts'])])
        mask = flat.reshape(rle['size'][::-1]).T
        assert mask.sum() == ann['area']
        x, y, w, h = ann['bbox']
        assert mask[y:y + h, x:x + w].sum() == ann['area']
    edge = np.zeros((3, 2), np.uint8)
    edge[0, 0] = 1
    assert mask_to_rle(edge)['counts'] == [0, 1, 5]
