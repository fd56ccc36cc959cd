"""kNN retrieval against a brute-force port, and the mmseg / VOC folder
reader on files written here (including the bad-input errors)."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from densessl.datasets.seg_folder import read_classes, read_seg_split
from densessl.evaluation.knn_segmentation import (build_memory, evaluate_knn,
                                                  knn_segment, patch_labels)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_patch_labels_take_the_majority_and_ignore_empty_cells():
    labels = torch.full((1, 4, 4), 255)
    labels[0, :2, :2] = torch.tensor([[1, 1], [1, 2]])
    labels[0, :2, 2:] = 0
    out = patch_labels(labels, (2, 2), 3)
    assert out.tolist() == [[[1, 0], [255, 255]]]


def test_knn_scores_equal_a_brute_force_vote():
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(3, 5, 2, 2, generator=g)
    labels = torch.randint(0, 3, (3, 2, 2), generator=g)
    bank, bank_labels = build_memory(feats, labels, 3)
    query = torch.randn(1, 5, 2, 2, generator=g)
    scores = knn_segment(bank, bank_labels, query, 3, k=4, temperature=0.1,
                         use_faiss=False)
    rows = F.normalize(feats, dim=1).permute(0, 2, 3, 1).reshape(-1, 5)
    cells = labels.flatten()
    for y in range(2):
        for x in range(2):
            q = F.normalize(query[0, :, y, x], dim=0)
            sims = rows @ q
            top = sims.argsort(descending=True)[:4]
            expected = torch.zeros(3)
            for i in top.tolist():
                expected[cells[i]] += float(np.exp((sims[i] - 1) / 0.1))
            assert torch.allclose(scores[0, :, y, x], expected, atol=1e-5)


def test_knn_segments_separable_features_and_not_noise():
    g = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 3, (20, 4, 4), generator=g)
    feats = F.one_hot(labels, 3).permute(0, 3, 1, 2).float()
    feats = feats + 0.05 * torch.randn(feats.shape, generator=g)
    up = labels.repeat_interleave(4, 1).repeat_interleave(4, 2)
    good = evaluate_knn(feats[:15], up[:15], feats[15:], up[15:], 3, k=5)
    assert good['aAcc'] > 95
    noise = torch.randn(feats.shape, generator=g)
    bad = evaluate_knn(noise[:15], up[:15], noise[15:], up[15:], 3, k=5)
    assert bad['aAcc'] < 60


def test_memory_bank_cap_per_image_keeps_labelled_cells_only():
    g = torch.Generator().manual_seed(2)
    feats = torch.randn(4, 3, 5, 5, generator=g)
    labels = torch.randint(0, 2, (4, 5, 5), generator=g)
    labels[0] = 255  # image 0: nothing labelled
    labels[1, :, 1:] = 255  # image 1: five labelled cells
    bank, cells = build_memory(feats, labels, 2, per_image=7, seed=3)
    rows = F.normalize(feats, dim=1).permute(0, 2, 3, 1).reshape(-1, 3)
    # every bank row is one labelled cell of one image, with its label
    owner = [int((rows == b).all(1).nonzero()[0]) for b in bank]
    assert all(labels.flatten()[i] == c for i, c in zip(owner, cells))
    per_image = np.bincount([i // 25 for i in owner], minlength=4)
    assert per_image.tolist() == [0, 5, 7, 7]
    again, _ = build_memory(feats, labels, 2, per_image=7, seed=3)
    other, _ = build_memory(feats, labels, 2, per_image=7, seed=4)
    assert torch.equal(bank, again) and not torch.equal(bank, other)
    full, _ = build_memory(feats, labels, 2)
    assert len(full) == 5 + 50


def _write_mmseg(root, split, count, size=32, label_max=2):
    rng = np.random.default_rng(0)
    (root / 'img_dir' / split).mkdir(parents=True)
    (root / 'ann_dir' / split).mkdir(parents=True)
    for i in range(count):
        img = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
        label = rng.integers(0, label_max + 1, (size, size), dtype=np.uint8)
        label[:4] = 255
        Image.fromarray(img).save(root / 'img_dir' / split / f'{i}.jpg')
        Image.fromarray(label).save(root / 'ann_dir' / split / f'{i}.png')
    return root


def test_mmseg_layout_reads_images_and_labels(tmp_path):
    root = _write_mmseg(tmp_path / 'data', 'val', 3)
    images, labels = read_seg_split(str(root), 'val', 3, (16, 16))
    assert images.shape == (3, 3, 16, 16) and images.dtype == torch.uint8
    assert labels.shape == (3, 16, 16)
    assert set(labels.unique().tolist()) <= {0, 1, 2, 255}
    reduced = read_seg_split(str(root), 'val', 2, (16, 16),
                             reduce_zero_label=True)[1]
    assert torch.equal(reduced == 255, (labels == 0) | (labels == 255))


def test_voc_layout_uses_the_split_file(tmp_path):
    root = tmp_path / 'VOC'
    for folder in ('JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation'):
        (root / folder).mkdir(parents=True)
    for name in ('a', 'b', 'c'):
        Image.new('RGB', (20, 10), (10, 20, 30)).save(
            root / 'JPEGImages' / f'{name}.jpg')
        Image.new('P', (20, 10), 1).save(
            root / 'SegmentationClass' / f'{name}.png')
    (root / 'ImageSets/Segmentation/train.txt').write_text('a\nc\n')
    images, labels = read_seg_split(str(root), 'train', 21, (8, 8), 'voc')
    assert len(images) == 2 and bool((labels == 1).all())


def _write_voc_objects(root, names, size=(32, 32)):
    for folder in ('JPEGImages', 'SegmentationClass', 'SegmentationObject',
                   'ImageSets/Segmentation'):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        Image.fromarray(np.full((*size, 3), 40 * i, np.uint8)).save(
            root / 'JPEGImages' / f'{name}.jpg')
        objects = np.zeros(size, np.uint8)
        objects[:16, :16], objects[16:, 16:] = 1, 2
        objects[16, :] = 255  # void border
        Image.fromarray(objects).save(root / 'SegmentationObject' /
                                      f'{name}.png')
        Image.fromarray((objects > 0).astype(np.uint8)).save(
            root / 'SegmentationClass' / f'{name}.png')
    (root / 'ImageSets/Segmentation/val.txt').write_text(
        '\n'.join(names) + '\n')
    (root / 'ImageSets/Segmentation/train.txt').write_text(
        '\n'.join(names) + '\n')


def test_voc_object_maps_follow_the_split_order(tmp_path):
    from densessl.datasets.seg_folder import read_instance_split
    root = tmp_path / 'VOC'
    _write_voc_objects(root, ['b', 'a'])
    objects = read_instance_split(str(root), 'val', (8, 8))
    assert objects.shape == (2, 8, 8)
    assert set(objects.unique().tolist()) <= {0, 1, 2, 255}
    assert objects[0, 0, 0] == 1 and objects[0, -1, -1] == 2


def test_dense_eval_prompt_on_a_voc_folder(tmp_path):
    import json
    root = tmp_path / 'VOC'
    _write_voc_objects(root, ['x', 'y'])
    out = tmp_path / 'p.json'
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'tests/data/densecl_tiny_deterministic.py', '--data-root',
         str(root), '--layout', 'voc', '--num-classes', '2', '--eval',
         'prompt', '--size', '32', '--out', str(out)], cwd=ROOT,
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(out.read_text())['prompt']['objects'] == 4
    mmseg = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'tests/data/densecl_tiny_deterministic.py', '--data-root',
         str(_write_mmseg(tmp_path / 'm', 'train', 2).parent / 'm'),
         '--num-classes', '3', '--eval', 'prompt', '--size', '32'],
        cwd=ROOT, capture_output=True, text=True)
    assert mmseg.returncode != 0
    assert 'SegmentationObject' in mmseg.stderr
    assert mmseg.stderr.count('\n') == 1


def test_bad_data_gives_clear_errors(tmp_path):
    root = _write_mmseg(tmp_path / 'data', 'val', 2, label_max=5)
    with pytest.raises(ValueError, match='not a class index'):
        read_seg_split(str(root), 'val', 3, (16, 16))
    (root / 'img_dir' / 'val' / '0.jpg').write_bytes(b'not an image')
    with pytest.raises(ValueError, match='cannot read .*0.jpg'):
        read_seg_split(str(root), 'val', 6, (16, 16))
    with pytest.raises(FileNotFoundError, match='img_dir/train'):
        read_seg_split(str(root), 'train', 6, (16, 16))
    (tmp_path / 'empty.txt').write_text('\n')
    with pytest.raises(ValueError, match='lists no class'):
        read_classes(str(tmp_path / 'empty.txt'))


def test_dense_eval_tool_on_an_mmseg_folder(tmp_path):
    import json
    root = tmp_path / 'data'
    _write_mmseg(root, 'train', 4)
    _write_mmseg(root, 'val', 2)
    (tmp_path / 'classes.txt').write_text('sky\ngrass\nroad\n')
    out = tmp_path / 'r.json'
    proc = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'tests/data/densecl_tiny_deterministic.py', '--data-root',
         str(root), '--classes', str(tmp_path / 'classes.txt'), '--size',
         '64', '--epochs', '1', '--out', str(out)], cwd=ROOT,
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result['classes'] == ['sky', 'grass', 'road']
    assert result['num_train'] == 4 and result['num_val'] == 2
    assert len(result['knn']['per_class_iou']) == 3
    bad = subprocess.run(
        [sys.executable, 'tools/benchmarks/dense_eval.py',
         'tests/data/densecl_tiny_deterministic.py', '--data-root',
         str(tmp_path / 'nowhere'), '--num-classes', '3'], cwd=ROOT,
        capture_output=True, text=True)
    assert bad.returncode != 0 and 'error: mmseg layout' in bad.stderr


def test_a_label_map_of_another_size_is_named(tmp_path):
    root = _write_mmseg(tmp_path / 'd', 'train', 2)
    Image.fromarray(np.zeros((40, 50), np.uint8)).save(
        root / 'ann_dir' / 'train' / '1.png')
    with pytest.raises(ValueError, match=r'1.png is 40x50 \(HxW\) but its '
                       r'image is 32x32'):
        read_seg_split(str(root), 'train', 3, (32, 32))
