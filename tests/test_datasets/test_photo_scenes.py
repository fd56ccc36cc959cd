"""The real-photo scene fixture: real pixels, labels that follow them, and
clear errors when scikit-image (which ships the photographs) is missing."""
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from densessl.datasets import (PHOTO_CLASSES, SceneDataset,
                               generate_photo_scene, scene_arrays)
from densessl.datasets import photo_scenes


def test_every_photo_ships_with_scikit_image_and_loads():
    for name in photo_scenes.FOREGROUND_PHOTOS + photo_scenes.BACKGROUND_PHOTOS:
        path = osp.join(photo_scenes.photo_dir(), name)
        assert osp.isfile(path), path
        img = photo_scenes.load_photo(name)
        assert img.ndim == 3 and img.shape[2] == 3 and min(img.shape[:2]) > 200
        assert 0 <= img.min() and img.max() <= 1 and img.std() > 0.05
    raw = np.asarray(Image.open(osp.join(photo_scenes.photo_dir(),
                                         'chelsea.png')).convert('RGB'))
    assert np.allclose(photo_scenes.load_photo('chelsea.png'), raw / 255)
    # one foreground photo per class, background is class 0
    assert len(photo_scenes.FOREGROUND_PHOTOS) == len(PHOTO_CLASSES) - 1


def _class_patches(num_scenes, patch=8):
    """Mean RGB + RGB std of every ``patch``-square cell that one class fills
    completely, with its class."""
    feats, labels = [], []
    for seed in range(num_scenes):
        scene = generate_photo_scene(seed, (96, 96))
        img = scene['img'].astype(np.float32) / 255
        sem = scene['gt_seg_map']
        for y in range(0, 96, patch):
            for x in range(0, 96, patch):
                cell = sem[y:y + patch, x:x + patch]
                if (cell == cell[0, 0]).all():
                    pix = img[y:y + patch, x:x + patch].reshape(-1, 3)
                    feats.append(np.concatenate([pix.mean(0), pix.std(0)]))
                    labels.append(int(cell[0, 0]))
    return np.stack(feats), np.asarray(labels)


def test_the_class_is_in_the_pixels():
    """A nearest-class-mean rule on plain colour statistics, fitted on some
    scenes, names the class of cells of other scenes far above chance: the
    labels follow the photographs the pixels came from."""
    train_x, train_y = _class_patches(40)
    test_x, test_y = _class_patches(20)
    assert set(np.unique(train_y)) == set(range(len(PHOTO_CLASSES)))
    means = np.stack([train_x[train_y == c].mean(0)
                      for c in range(len(PHOTO_CLASSES))])
    pred = np.argmin(((test_x[:, None] - means[None]) ** 2).sum(-1), 1)
    per_class = [np.mean(pred[test_y == c] == c) for c in np.unique(test_y)]
    assert np.mean(per_class) > 3 / len(PHOTO_CLASSES)


def test_object_count_and_sizes_follow_the_arguments():
    scene = generate_photo_scene(1, (64, 80), num_objects=(3, 3))
    assert scene['img'].shape == (64, 80, 3)
    assert scene['gt_instance_map'].max() <= 3
    assert len(scene['gt_labels']) <= 3
    images, labels = scene_arrays([1, 2], (64, 80), 'photos')
    assert images.shape == (2, 3, 64, 80) and labels.shape == (2, 64, 80)
    assert images.dtype.is_floating_point is False


def test_scene_dataset_photo_source():
    ds = SceneDataset(num_images=3, image_size=(48, 48), seed=5,
                      source='photos')
    assert ds.metainfo['classes'] == PHOTO_CLASSES
    info = ds.get_data_info(1)
    assert np.array_equal(info['img'],
                          generate_photo_scene(6, (48, 48))['img'])
    with pytest.raises(ValueError, match='unknown scene source'):
        SceneDataset(num_images=3, source='sketches')


def test_written_photo_scenes_carry_their_classes(tmp_path):
    from densessl.datasets.scene_writer import write_scenes
    write_scenes(str(tmp_path), 2, (48, 48), seed=3, progress=False,
                 source='photos')
    assert (tmp_path / 'classes.txt').read_text().split() == list(
        PHOTO_CLASSES)
    coco = json.loads((tmp_path / 'instances.json').read_text())
    assert [c['name'] for c in coco['categories']] == list(PHOTO_CLASSES[1:])
    sem = np.asarray(Image.open(tmp_path / 'annotations' / 'scene_000004.png'))
    assert np.array_equal(sem, generate_photo_scene(4, (48, 48))['gt_seg_map'])


def test_without_scikit_image_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(photo_scenes.importlib.util, 'find_spec',
                        lambda name: None)
    photo_scenes.load_photo.cache_clear()
    try:
        with pytest.raises(ImportError, match='pip install scikit-image'):
            generate_photo_scene(0)
        import sys
        sys.path.insert(0, osp.join(osp.dirname(__file__), '..', '..',
                                    'tools'))
        from generate_scenes import main
        with pytest.raises(SystemExit, match='pip install scikit-image'):
            main(['/nonexistent-dir-never-written', '--source', 'photos',
                  '--num', '1'])
    finally:
        photo_scenes.load_photo.cache_clear()
