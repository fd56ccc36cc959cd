"""Region masks for DetCon: the masks follow each view's crop and flip
exactly, the FH cache reuses / invalidates / repairs entries, the fallbacks
and packing."""
import os

import numpy as np
import pytest
import torch

import densessl.datasets.transforms.region_masks as region_masks
from densessl.datasets.transforms import (LoadRegionMasks, MultiView,
                                          PackMultiViewInputs,
                                          RandomFlipCoord,
                                          RandomResizedCropCoord)
from densessl.datasets.transforms.region_masks import MaskCache, grid_masks


def _coded_image(height=40, width=50):
    """An image whose pixel (y, x) has colour (y, x, 0) and a mask whose id
    is y * width + x: after any crop / flip / nearest resize, the colour of
    a pixel must decode to its mask id."""
    ys, xs = np.mgrid[:height, :width]
    img = np.stack([ys, xs, np.zeros_like(ys)], axis=-1).astype(np.uint8)
    return img, (ys * width + xs).astype(np.int32)


@pytest.mark.parametrize('sampling', ['torchvision', 'clamped'])
def test_mask_follows_crop_and_flip(sampling):
    img, ids = _coded_image()
    view = [RandomResizedCropCoord(size=24, scale=(0.1, 0.6),
                                   interpolation='nearest',
                                   sampling=sampling),
            RandomFlipCoord(prob=0.5)]
    results = MultiView([view], num_views=4)(dict(img=img, mask_map=ids))
    flipped = set()
    for v in results['views']:
        colour = np.asarray(v['img']).astype(np.int64)
        assert v['mask_map'].shape == (24, 24)
        assert np.array_equal(colour[..., 0] * 50 + colour[..., 1],
                              v['mask_map'])
        flipped.add(v['flipped'])
        # the corner pixels sit at the recorded crop box corners
        x1, y1, x2, y2 = v['crop_box']
        assert v['mask_map'][0, 0] % 50 == round(x1 * 49)
        assert v['mask_map'][-1, -1] // 50 == round(y2 * 39)
    packed = PackMultiViewInputs()(results)['data_samples']
    assert packed.mask_maps.shape == (4, 24, 24)
    assert packed.mask_maps.dtype == torch.int64


def test_clamped_crop_is_one_draw_inside_the_image():
    import random
    from densessl.datasets.transforms.geometric import clamped_crop_params
    random.seed(0)
    for _ in range(200):
        i, j, h, w = clamped_crop_params(30, 70, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and i + h <= 30 and 0 <= j and j + w <= 70
        assert h >= 1 and w >= 1


def test_grid_masks():
    grid = grid_masks(10, 9, (2, 3))
    assert grid.shape == (10, 9)
    assert np.array_equal(np.unique(grid), np.arange(6))
    assert grid[0, 0] == 0 and grid[0, 8] == 2 and grid[9, 0] == 3


def _count_fh(monkeypatch):
    calls = []
    original = region_masks.felzenszwalb_masks

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(region_masks, 'felzenszwalb_masks', counting)
    return calls


def _photo(tmp_path, name='a.png', seed=0):
    from PIL import Image
    rng = np.random.default_rng(seed)
    img = np.zeros((60, 80, 3), np.uint8)
    img[:, 40:] = 200
    img += rng.integers(0, 20, img.shape, dtype=np.uint8)
    path = tmp_path / name
    Image.fromarray(img).save(path)
    return str(path), img


def test_fh_cache_reuse_and_invalidation(tmp_path, monkeypatch):
    calls = _count_fh(monkeypatch)
    path, img = _photo(tmp_path)
    load = LoadRegionMasks(fh_scale=100, fh_min_size=50,
                           cache_dir=str(tmp_path / 'cache'))
    first = load(dict(img=img, img_path=path))['mask_map']
    assert first.shape == (60, 80) and len(np.unique(first)) >= 2
    again = load(dict(img=img, img_path=path))['mask_map']
    assert np.array_equal(first, again) and len(calls) == 1  # reused
    # other parameters: another entry
    LoadRegionMasks(fh_scale=300, fh_min_size=50,
                    cache_dir=str(tmp_path / 'cache'))(
                        dict(img=img, img_path=path))
    assert len(calls) == 2
    # the file changes (new mtime): recomputed
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10 ** 9))
    load(dict(img=img, img_path=path))
    assert len(calls) == 3
    # an image without a file is keyed by its pixels
    load(dict(img=img, img_path='scene://0'))
    load(dict(img=img, img_path='scene://0'))
    assert len(calls) == 4
    assert not list((tmp_path / 'cache').rglob('.tmp-*'))


def test_corrupt_cache_entry_is_recomputed_with_a_warning(tmp_path,
                                                          monkeypatch):
    calls = _count_fh(monkeypatch)
    path, img = _photo(tmp_path)
    load = LoadRegionMasks(fh_scale=100, fh_min_size=50,
                           cache_dir=str(tmp_path / 'cache'))
    good = load(dict(img=img, img_path=path))['mask_map']
    entry, = list((tmp_path / 'cache').rglob('*.npy'))
    entry.write_bytes(b'not a numpy file')
    with pytest.warns(UserWarning, match='recomputed'):
        repaired = load(dict(img=img, img_path=path))['mask_map']
    assert np.array_equal(good, repaired) and len(calls) == 2
    assert np.array_equal(np.load(entry), good)  # rewritten whole
    np.save(entry, np.zeros((3, 3), np.int32))  # wrong shape
    with pytest.warns(UserWarning, match='expected'):
        load(dict(img=img, img_path=path))


def test_single_segment_falls_back_to_grid_and_is_counted():
    load = LoadRegionMasks(grid=(2, 2), cache_dir=False)
    flat = np.full((32, 32, 3), 90, np.uint8)
    with pytest.warns(UserWarning, match='1 image'):
        out = load(dict(img=flat, img_path='x.png'))['mask_map']
    assert np.array_equal(out, grid_masks(32, 32, (2, 2)))
    with pytest.warns(UserWarning, match='2 image'):
        load(dict(img=flat, img_path='y.png'))
    load(dict(img=flat, img_path='z.png'))  # 3: not a power of two
    assert load.single_segment == 3


def test_instance_masks_and_clear_errors():
    instances = np.arange(16, dtype=np.int64).reshape(4, 4) // 8
    out = LoadRegionMasks(source='instances')(
        dict(img=np.zeros((4, 4, 3), np.uint8), gt_instance_map=instances))
    assert np.array_equal(out['mask_map'], instances)
    with pytest.raises(KeyError, match='source="fh"'):
        LoadRegionMasks(source='instances')(
            dict(img=np.zeros((4, 4, 3), np.uint8)))
    with pytest.raises(ValueError, match='choose one of'):
        LoadRegionMasks(source='mcg')


def test_scene_pipeline_gives_masks_per_view(tmp_path):
    from densessl.datasets import SceneDataset
    from densessl.datasets.transforms import RandomResizedCropCoord as Crop
    view = [Crop(size=48, sampling='clamped'), RandomFlipCoord()]
    dataset = SceneDataset(num_images=2, image_size=(160, 160), pipeline=[
        LoadRegionMasks(cache_dir=str(tmp_path)),
        MultiView([view], num_views=2), PackMultiViewInputs()])
    sample = dataset[0]['data_samples']
    assert sample.mask_maps.shape == (2, 48, 48)
