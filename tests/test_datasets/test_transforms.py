import random

import numpy as np
import pytest
import torch

from densessl.datasets.transforms import (MultiView, PackMultiViewInputs,
                                          RandomFlipCoord,
                                          RandomResizedCropCoord)
from densessl.datasets.transforms import geometric


def coordinate_image(h=40, w=60):
    """R = x, G = y: every pixel says where it came from."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([xx, yy, np.zeros_like(xx)], axis=2).astype(np.uint8)
    return img


def test_crop_box_is_pixel_centre_normalised(monkeypatch):
    h, w = 40, 60
    i, j, ch, cw = 5, 7, 20, 30
    monkeypatch.setattr(geometric, 'random_resized_crop_params',
                        lambda *a: (i, j, ch, cw))
    out = RandomResizedCropCoord(size=(ch, cw), interpolation='nearest')(
        dict(img=coordinate_image(h, w)))
    x1, y1, x2, y2 = out['crop_box']
    # the PixPro formula, written out
    assert x1 == pytest.approx(j / (w - 1))
    assert y1 == pytest.approx(i / (h - 1))
    assert x2 == pytest.approx((j + cw - 1) / (w - 1))
    assert y2 == pytest.approx((i + ch - 1) / (h - 1))
    # and the content agrees: first/last pixels come from those places
    arr = np.asarray(out['img'])
    assert arr[0, 0, 0] == round(x1 * (w - 1))
    assert arr[0, 0, 1] == round(y1 * (h - 1))
    assert arr[-1, -1, 0] == round(x2 * (w - 1))
    assert arr[-1, -1, 1] == round(y2 * (h - 1))


def test_flip_swaps_x_and_matches_content(monkeypatch):
    h, w = 40, 60
    monkeypatch.setattr(geometric, 'random_resized_crop_params',
                        lambda *a: (3, 4, 16, 24))
    results = RandomResizedCropCoord(size=(16, 24),
                                     interpolation='nearest')(
                                         dict(img=coordinate_image(h, w)))
    before = list(results['crop_box'])
    results = RandomFlipCoord(prob=1.0)(results)
    x1, y1, x2, y2 = results['crop_box']
    assert (x1, y1, x2, y2) == (before[2], before[1], before[0], before[3])
    assert x1 > x2 and results['flipped']
    arr = np.asarray(results['img'])
    assert arr[0, 0, 0] == round(x1 * (w - 1))  # first column = old last
    assert arr[0, -1, 0] == round(x2 * (w - 1))


def test_crop_of_flipped_crop_composes_exactly(monkeypatch):
    h, w = 40, 60
    params = iter([(2, 6, 30, 40), (5, 10, 10, 20)])
    monkeypatch.setattr(geometric, 'random_resized_crop_params',
                        lambda *a: next(params))
    r = dict(img=coordinate_image(h, w))
    r = RandomResizedCropCoord(size=(30, 40), interpolation='nearest')(r)
    r = RandomFlipCoord(prob=1.0)(r)
    r = RandomResizedCropCoord(size=(10, 20), interpolation='nearest')(r)
    arr = np.asarray(r['img'])
    x1, y1, x2, y2 = r['crop_box']
    assert arr[0, 0, 0] == pytest.approx(x1 * (w - 1))
    assert arr[0, -1, 0] == pytest.approx(x2 * (w - 1))
    assert arr[0, 0, 1] == pytest.approx(y1 * (h - 1))
    assert arr[-1, 0, 1] == pytest.approx(y2 * (h - 1))


def test_full_image_box_and_fallback_centre_crop():
    box = RandomResizedCropCoord(size=8, scale=(1.0, 1.0), ratio=(1.5, 1.5))(
        dict(img=coordinate_image(40, 60)))['crop_box']
    assert box == pytest.approx([0, 0, 1, 1])
    # an impossible ratio falls back to torchvision's centre crop
    i, j, h, w = geometric.random_resized_crop_params(40, 60, (1.0, 1.0),
                                                      (10.0, 10.0))
    assert (i, j, h, w) == ((40 - 6) // 2, 0, 6, 60)


def test_multiview_pack_shapes_and_independence():
    random.seed(0)
    torch.manual_seed(0)
    view = [dict(type='RandomResizedCropCoord', size=32, scale=(0.2, 1.0)),
            dict(type='ColorJitter', prob=0.8),
            dict(type='RandomGrayscale', prob=0.2),
            dict(type='RandomGaussianBlur', prob=0.5),
            dict(type='RandomFlipCoord', prob=0.5)]
    results = MultiView(view, num_views=2)(
        dict(img=coordinate_image(64, 64), img_path='x.png'))
    packed = PackMultiViewInputs()(results)
    assert packed['inputs'].shape == (2, 3, 32, 32)
    assert packed['inputs'].dtype == torch.uint8
    sample = packed['data_samples']
    assert sample.crop_boxes.shape == (2, 4)
    assert sample.flips.shape == (2, )
    assert not torch.equal(sample.crop_boxes[0], sample.crop_boxes[1])
    assert sample.img_path == 'x.png'


def test_asymmetric_views_use_their_own_pipeline():
    always_solarize = [dict(type='RandomSolarize', threshold=0, prob=1.0)]
    never = [dict(type='RandomSolarize', threshold=0, prob=0.0)]
    img = np.full((8, 8, 3), 10, np.uint8)
    results = MultiView([always_solarize, never], num_views=[1, 1])(
        dict(img=img))
    first, second = (np.asarray(v['img']) for v in results['views'])
    assert (first == 245).all() and (second == 10).all()
    with pytest.raises(ValueError, match='one count per pipeline'):
        MultiView([always_solarize, never], num_views=2)


def test_image_smaller_than_crop_is_upsampled_with_valid_box():
    out = RandomResizedCropCoord(size=64)(dict(img=coordinate_image(20, 24)))
    assert out['img'].size == (64, 64)
    x1, y1, x2, y2 = out['crop_box']
    assert 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1
