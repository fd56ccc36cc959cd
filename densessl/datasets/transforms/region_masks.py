"""Unsupervised region masks for DetCon, computed once per image.

``LoadRegionMasks`` puts an ``H x W`` integer id map, ``mask_map``, beside
the full-resolution image, before any view is cut: the geometric transforms
then crop, flip and resize it with the image (nearest), and
``PackMultiViewInputs`` packs it per view (``mask_maps``).

Sources:

* ``'fh'``: Felzenszwalb-Huttenlocher (scikit-image) on the uint8 RGB image at
  its original resolution, with the official parameters (scale 1000,
  min_size 1000, skimage's sigma 0.8; ``generate_fh_masks_for_imagenet.py``).
  Results are cached on disk (``MaskCache``). An image where FH finds a
  single segment falls back to grid masks, counted in warnings.
* ``'instances'``: the embedded scenes' own instance maps
  (``gt_instance_map``), the paper's "human masks" variant.
* ``'grid'``: a ``rows x cols`` grid of rectangles over the full image.
"""
import hashlib
import io
import json
import os
import os.path as osp
import warnings
from typing import Optional, Sequence, Tuple

import numpy as np

from densessl.registry import TRANSFORMS
from densessl.utils.io import atomic_write_bytes


def default_cache_dir() -> str:
    """``$DENSESSL_CACHE`` or ``$XDG_CACHE_HOME/densessl`` (``~/.cache``)
    + ``/region_masks``."""
    root = os.environ.get('DENSESSL_CACHE') or osp.join(
        os.environ.get('XDG_CACHE_HOME', osp.expanduser('~/.cache')),
        'densessl')
    return osp.join(root, 'region_masks')


def felzenszwalb_masks(image: np.ndarray, scale: float = 1000,
                       min_size: int = 1000, sigma: float = 0.8
                       ) -> np.ndarray:
    """FH segments of an ``H x W x 3`` uint8 image as ``H x W`` int32 ids."""
    from skimage.segmentation import felzenszwalb
    return felzenszwalb(np.asarray(image, dtype=np.uint8), scale=scale,
                        sigma=sigma, min_size=min_size).astype(np.int32)


def grid_masks(height: int, width: int,
               grid: Tuple[int, int] = (4, 4)) -> np.ndarray:
    """``H x W`` int32 ids of a ``rows x cols`` grid (row-major)."""
    rows, cols = grid
    r = np.minimum(np.arange(height) * rows // max(height, 1), rows - 1)
    c = np.minimum(np.arange(width) * cols // max(width, 1), cols - 1)
    return (r[:, None] * cols + c[None, :]).astype(np.int32)


class MaskCache:
    """Masks on disk, one ``.npy`` per (image, parameters).

    The key of a file is its path, size in bytes and modification time; of
    an image without a file (the embedded scenes) its pixels. Entries are
    written atomically; an unreadable or mis-shaped entry is recomputed
    with a warning and rewritten.
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory

    @staticmethod
    def key(params: dict, image: np.ndarray,
            path: Optional[str] = None) -> str:
        digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode())
        if path is not None and osp.isfile(path):
            stat = os.stat(path)
            digest.update(json.dumps([osp.abspath(path), stat.st_size,
                                      stat.st_mtime_ns]).encode())
        else:
            digest.update(str(image.shape).encode())
            digest.update(np.ascontiguousarray(image).tobytes())
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return osp.join(self.directory, key[:2], key + '.npy')

    def load(self, key: str, shape: Tuple[int, int]) -> Optional[np.ndarray]:
        path = self._path(key)
        if not osp.exists(path):
            return None
        try:
            mask = np.load(path, allow_pickle=False)
            if mask.shape != tuple(shape) or mask.dtype.kind not in 'iu':
                raise ValueError(f'shape {mask.shape} / dtype {mask.dtype}, '
                                 f'expected {tuple(shape)} integers')
            return mask.astype(np.int32)
        except (OSError, ValueError, EOFError) as err:
            warnings.warn(f'Region-mask cache entry "{path}" is unreadable '
                          f'({err}); it is recomputed.')
            return None

    def save(self, key: str, mask: np.ndarray) -> None:
        buffer = io.BytesIO()
        np.save(buffer, mask.astype(np.int32), allow_pickle=False)
        atomic_write_bytes(buffer.getvalue(), self._path(key))


@TRANSFORMS.register_module()
class LoadRegionMasks:
    """Add ``mask_map`` (``H x W`` int32 region ids) for the full image.

    Args:
        source: ``'fh'``, ``'instances'`` or ``'grid'`` (module docstring).
        fh_scale, fh_min_size, fh_sigma: Felzenszwalb parameters (official:
            1000, 1000, 0.8).
        grid: ``(rows, cols)`` of the grid masks and of the FH fallback.
        cache_dir: where FH masks are cached (default
            :func:`default_cache_dir`); ``False``: no cache.
    """

    SOURCES = ('fh', 'instances', 'grid')

    def __init__(self, source: str = 'fh', fh_scale: float = 1000,
                 fh_min_size: int = 1000, fh_sigma: float = 0.8,
                 grid: Sequence[int] = (4, 4), cache_dir=None) -> None:
        if source not in self.SOURCES:
            raise ValueError(f'LoadRegionMasks(source={source!r}): choose '
                             f'one of {self.SOURCES}')
        self.source = source
        self.fh_params = dict(scale=float(fh_scale), min_size=int(fh_min_size),
                              sigma=float(fh_sigma))
        self.grid = (int(grid[0]), int(grid[1]))
        self.cache = None if cache_dir is False else MaskCache(
            cache_dir or default_cache_dir())
        self.single_segment = 0

    def _fh(self, image: np.ndarray, path: Optional[str]) -> np.ndarray:
        key = None
        if self.cache is not None:
            key = MaskCache.key(dict(method='felzenszwalb', **self.fh_params),
                                image, path)
            cached = self.cache.load(key, image.shape[:2])
            if cached is not None:
                return cached
        mask = felzenszwalb_masks(image, **self.fh_params)
        if self.cache is not None:
            self.cache.save(key, mask)
        return mask

    def _fallback(self, path: Optional[str], height: int,
                  width: int) -> np.ndarray:
        self.single_segment += 1
        count = self.single_segment
        if count & (count - 1) == 0:  # 1, 2, 4, 8, ...
            warnings.warn(
                f'{count} image(s) so far where Felzenszwalb found a single '
                f'segment (this one: "{path}"); they use {self.grid[0]}x'
                f'{self.grid[1]} grid masks instead.')
        return grid_masks(height, width, self.grid)

    def __call__(self, results: dict) -> dict:
        image = np.asarray(results['img'], dtype=np.uint8)
        height, width = image.shape[:2]
        path = results.get('img_path')
        if self.source == 'instances':
            if 'gt_instance_map' not in results:
                raise KeyError(
                    'LoadRegionMasks(source="instances") needs '
                    '"gt_instance_map" (the embedded SceneDataset has it); '
                    'use source="fh" for image folders.')
            mask = np.asarray(results['gt_instance_map']).astype(np.int32)
        elif self.source == 'grid':
            mask = grid_masks(height, width, self.grid)
        else:
            mask = self._fh(image, path if isinstance(path, str) else None)
            if mask.max() == mask.min():
                mask = self._fallback(path, height, width)
        results['mask_map'] = mask
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(source={self.source!r}, '
                f'fh={self.fh_params}, grid={self.grid})')
