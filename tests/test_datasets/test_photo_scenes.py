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


def test_held_out_scenes_see_only_the_held_out_part_of_each_photo(
        monkeypatch):
    """Evaluation scenes (seeds from HELD_OUT_SEED on) take every pixel from
    the right part of each photograph, all other scenes from the left part:
    with photos whose two parts have different grey levels, the two kinds of
    scene share no pixel value."""
    def two_part_photo(name):
        photo = np.full((300, 400, 3), 0.2, np.float32)
        photo[:, int(400 * photo_scenes._SPLIT_AT):] = 0.8
        return photo
    monkeypatch.setattr(photo_scenes, 'load_photo', two_part_photo)
    seen = [generate_photo_scene(s, (64, 64))['img'] for s in range(5)]
    held = [generate_photo_scene(photo_scenes.HELD_OUT_SEED + s, (64, 64))[
        'img'] for s in range(5)]
    # brightest seen pixel: 0.2 * tint 1.15 * exposure 1.15; darkest held
    # out: 0.8 * 0.55 * 0.85
    assert max(img.max() for img in seen) <= round(0.2 * 1.15 ** 2 * 255)
    assert min(img.min() for img in held) >= round(0.8 * 0.55 * 0.85 * 255)
    left = photo_scenes.photo_part(two_part_photo(''), held_out=False)
    right = photo_scenes.photo_part(two_part_photo(''), held_out=True)
    assert left.shape[1] + right.shape[1] == 400


def test_the_mmseg_fixture_equals_the_embedded_splits(tmp_path):
    """The written fixture (unlabeled/ + mmseg train / val) holds exactly
    the embedded scenes of the same seeds, and dense_eval scores the folder
    as it scores the embedded photos."""
    import subprocess
    import sys

    from densessl.datasets.scene_writer import (SPLIT_SEEDS,
                                                write_mmseg_fixture)
    root = tmp_path / 'fixture'
    write_mmseg_fixture(str(root), 'photos', num_unlabeled=3, num_train=4,
                        num_val=2, size=(48, 48), progress=False)
    assert sorted(p.name for p in (root / 'unlabeled').iterdir()) == [
        f'scene_{s:07d}.png' for s in range(3)]
    assert not (root / 'ann_dir' / 'unlabeled').exists()
    assert not [p for p in root.iterdir() if p.name.startswith('.tmp')]
    first_val = SPLIT_SEEDS['val']
    img = np.asarray(Image.open(root / 'img_dir' / 'val' /
                                f'scene_{first_val:07d}.png'))
    ann = np.asarray(Image.open(root / 'ann_dir' / 'val' /
                                f'scene_{first_val:07d}.png'))
    scene = generate_photo_scene(first_val, (48, 48))
    assert np.array_equal(img, scene['img'])
    assert np.array_equal(ann, scene['gt_seg_map'])
    assert (root / 'classes.txt').read_text().split() == list(PHOTO_CLASSES)
    root_dir = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    common = [sys.executable, 'tools/benchmarks/dense_eval.py',
              'tests/data/densecl_tiny_deterministic.py', '--size', '48',
              '--epochs', '2', '--levels', '-1']
    results = []
    for extra in (['--scenes', 'photos', '--num-train', '4', '--num-val',
                   '2'],
                  ['--data-root', str(root), '--img-suffix', '.png',
                   '--classes', str(root / 'classes.txt')]):
        out = tmp_path / f'{len(results)}.json'
        proc = subprocess.run(common + extra + ['--out', str(out)],
                              cwd=root_dir, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        results.append(json.loads(out.read_text()))
    for metric in ('probe', 'knn'):
        assert results[0][metric]['mIoU'] == pytest.approx(
            results[1][metric]['mIoU'], abs=1e-4)
