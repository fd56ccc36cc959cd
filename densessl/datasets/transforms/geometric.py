"""Geometric view transforms that record the view's geometry.

Each view carries ``crop_box = [x1, y1, x2, y2]`` in original-image
coordinates normalised as the official PixPro code: the centres of the first
and last kept pixels divided by ``W - 1`` / ``H - 1``. The full image is
``[0, 0, 1, 1]``. A horizontal flip swaps ``x1`` and ``x2`` (so ``x1 > x2``);
the box is not re-sorted. Boxes compose, so crops of crops stay exact.
Geometric transforms must come before photometric ones (they are in every
densessl pipeline). A region id map ``mask_map`` (``LoadRegionMasks``), if
present, is cropped, resized (nearest) and flipped with the image.
"""
import math
import random
from typing import Sequence, Tuple

import numpy as np
from PIL import Image

from densessl.registry import TRANSFORMS
from .loading import to_pil

_RESAMPLE = dict(bilinear=Image.BILINEAR, bicubic=Image.BICUBIC,
                 nearest=Image.NEAREST)


def init_geometry(results: dict) -> dict:
    """Start a view: the full image, not flipped."""
    results['img'] = to_pil(results['img'])
    results.setdefault('ori_shape', (results['img'].height,
                                     results['img'].width))
    results.setdefault('crop_box', [0.0, 0.0, 1.0, 1.0])
    results.setdefault('flipped', False)
    return results


def _mask_image(mask: np.ndarray) -> Image.Image:
    return Image.fromarray(np.asarray(mask, dtype=np.int32))


def compose_box(box: Sequence[float], x0: float, y0: float, x1: float,
                y1: float) -> list:
    """Map ``(x0, y0, x1, y1)``, fractions of the *current* image, into the
    coordinates of ``box``, the current image's box in the original."""
    bx1, by1, bx2, by2 = box
    return [bx1 + x0 * (bx2 - bx1), by1 + y0 * (by2 - by1),
            bx1 + x1 * (bx2 - bx1), by1 + y1 * (by2 - by1)]


def random_resized_crop_params(height: int, width: int,
                               scale: Tuple[float, float],
                               ratio: Tuple[float, float]
                               ) -> Tuple[int, int, int, int]:
    """torchvision's ``RandomResizedCrop.get_params``: 10 tries with
    log-uniform aspect ratio, then a centre crop. Returns ``i, j, h, w``."""
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target_area = area * random.uniform(scale[0], scale[1])
        aspect = math.exp(random.uniform(*log_ratio))
        w = int(round(math.sqrt(target_area * aspect)))
        h = int(round(math.sqrt(target_area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            i = random.randint(0, height - h)
            j = random.randint(0, width - w)
            return i, j, h, w
    in_ratio = width / height
    if in_ratio < min(ratio):
        w, h = width, int(round(width / min(ratio)))
    elif in_ratio > max(ratio):
        h, w = height, int(round(height * max(ratio)))
    else:
        w, h = width, height
    return (height - h) // 2, (width - w) // 2, h, w


def clamped_crop_params(height: int, width: int,
                        scale: Tuple[float, float],
                        ratio: Tuple[float, float]
                        ) -> Tuple[int, int, int, int]:
    """The official DetCon / BYOL crop: one draw of area and log-uniform
    aspect ratio, width and height clamped to the image, uniform offset."""
    area = height * width
    target_area = area * random.uniform(scale[0], scale[1])
    aspect = math.exp(random.uniform(math.log(ratio[0]), math.log(ratio[1])))
    w = max(1, min(int(round(math.sqrt(target_area * aspect))), width))
    h = max(1, min(int(round(math.sqrt(target_area / aspect))), height))
    return random.randint(0, height - h), random.randint(0, width - w), h, w


def _intersection_area(a, b) -> float:
    """Area of the intersection of two ``(left, top, right, bottom)``."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def conditioned_crop_params(height: int, width: int, scale, ratio,
                            reference, min_overlap: float
                            ) -> Tuple[int, int, int, int]:
    """SlotCon's second crop: up to 10 draws, accepting one whose
    intersection with ``reference`` (pixel edges) is at least
    ``min_overlap`` of its own area; otherwise an unconstrained draw (so a
    pair without overlap stays possible, as in the official code)."""
    for _ in range(10):
        i, j, h, w = random_resized_crop_params(height, width, scale, ratio)
        if _intersection_area((j, i, j + w, i + h),
                              reference) >= min_overlap * h * w:
            return i, j, h, w
    return random_resized_crop_params(height, width, scale, ratio)


@TRANSFORMS.register_module()
class RandomResizedCropCoord:
    """Random resized crop (torchvision semantics) that records the box.

    Args:
        min_overlap: for views after the first in a ``MultiView``, draw the
            crop so that it overlaps the first view's crop by at least this
            fraction of its area (SlotCon: 0.01); None: independent crops.
            Must be the first geometric transform of the view.
        sampling: ``'torchvision'`` (10 draws, then a centre crop; default)
            or ``'clamped'`` (one draw clamped to the image: the official
            DetCon / BYOL TF code).
    """

    def __init__(self,
                 size,
                 scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3 / 4, 4 / 3),
                 interpolation: str = 'bilinear',
                 min_overlap=None,
                 sampling: str = 'torchvision') -> None:
        if sampling not in ('torchvision', 'clamped'):
            raise ValueError(f'sampling must be "torchvision" or "clamped", '
                             f'got {sampling!r}')
        if sampling == 'clamped' and min_overlap is not None:
            raise ValueError('min_overlap is drawn with torchvision sampling '
                             'only; leave sampling="torchvision"')
        self.sampling = sampling
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation
        self.min_overlap = min_overlap

    def _params(self, results: dict, height: int, width: int):
        reference = results.get('reference_box')
        if self.sampling == 'clamped':
            return clamped_crop_params(height, width, self.scale, self.ratio)
        if self.min_overlap is None or reference is None:
            return random_resized_crop_params(height, width, self.scale,
                                              self.ratio)
        if list(results['crop_box']) != [0.0, 0.0, 1.0, 1.0]:
            raise ValueError('RandomResizedCropCoord(min_overlap=...) must '
                             'be the first geometric transform of a view.')
        x1, y1, x2, y2 = reference
        ref = (min(x1, x2) * (width - 1), y1 * (height - 1),
               max(x1, x2) * (width - 1) + 1, y2 * (height - 1) + 1)
        return conditioned_crop_params(height, width, self.scale, self.ratio,
                                       ref, self.min_overlap)

    def __call__(self, results: dict) -> dict:
        results = init_geometry(results)
        img = results['img']
        width, height = img.size
        i, j, h, w = self._params(results, height, width)
        out_h, out_w = self.size
        results['img'] = img.resize((out_w, out_h),
                                    _RESAMPLE[self.interpolation],
                                    box=(j, i, j + w, i + h))
        if 'mask_map' in results:
            results['mask_map'] = np.asarray(_mask_image(
                results['mask_map']).resize((out_w, out_h), Image.NEAREST,
                                            box=(j, i, j + w, i + h)))
        # centres of the first and last crop pixels, normalised by W-1, H-1
        results['crop_box'] = compose_box(
            results['crop_box'], j / max(width - 1, 1), i / max(height - 1, 1),
            (j + w - 1) / max(width - 1, 1), (i + h - 1) / max(height - 1, 1))
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, scale={self.scale}'
                f', ratio={self.ratio}, min_overlap={self.min_overlap}, '
                f'sampling={self.sampling!r})')


@TRANSFORMS.register_module()
class RandomFlipCoord:
    """Horizontal flip with probability ``prob``; swaps ``x1`` and ``x2``."""

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def __call__(self, results: dict) -> dict:
        results = init_geometry(results)
        if random.random() < self.prob:
            results['img'] = results['img'].transpose(Image.FLIP_LEFT_RIGHT)
            if 'mask_map' in results:
                results['mask_map'] = np.ascontiguousarray(
                    np.asarray(results['mask_map'])[:, ::-1])
            x1, y1, x2, y2 = results['crop_box']
            results['crop_box'] = [x2, y1, x1, y2]
            results['flipped'] = not results['flipped']
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'
