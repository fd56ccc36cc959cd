import os
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))


def test_written_scenes_reload_equal_and_read_as_image_folder(tmp_path):
    from generate_scenes import write_scenes

    from densessl.datasets import ImageFolderDataset, generate_scene
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
