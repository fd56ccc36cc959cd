"""Scene-level point transforms (rotation, flip, jitter, crops, colour) and
the two-view wrapper of the point-level contrastive methods. Per-point arrays
are the keys of ``POINT_KEYS``; every transform keeps them aligned."""
import copy
from typing import Optional, Sequence

import numpy as np
import torch

from densessl.registry import TRANSFORMS
from densessl.structures import DataSample
from .compose import build_pipeline
from .point import select_points

POINT_KEYS = ('coord', 'color', 'normal', 'segment', 'instance',
              'origin_coord', 'grid_coord', 'feat', 'part')


@TRANSFORMS.register_module()
class RandomRotate:
    """Rotate about ``axis`` by a uniform angle in ``angle`` (in units of pi,
    so ``(-1, 1)`` is a free rotation as PointContrast's ``free_rot``)."""

    def __init__(self, angle: Sequence[float] = (-1, 1), axis: str = 'z',
                 p: float = 1.0) -> None:
        if axis not in 'xyz' or len(axis) != 1:
            raise ValueError(f'axis must be x, y or z, got "{axis}"')
        self.angle, self.axis, self.p = tuple(angle), axis, p

    def __call__(self, results: dict) -> dict:
        if np.random.rand() >= self.p:
            return results
        theta = np.random.uniform(*self.angle) * np.pi
        c, s = np.cos(theta), np.sin(theta)
        i, j = [k for k in range(3) if k != 'xyz'.index(self.axis)]
        rot = np.eye(3)
        rot[i, i], rot[i, j], rot[j, i], rot[j, j] = c, -s, s, c
        for key in ('coord', 'normal'):
            if key in results:
                results[key] = (results[key] @ rot.T).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class RandomScale:
    """Scale all coordinates by one factor, uniform in ``scale``."""

    def __init__(self, scale: Sequence[float] = (0.9, 1.1)) -> None:
        self.scale = tuple(scale)

    def __call__(self, results: dict) -> dict:
        results['coord'] = (results['coord'] *
                            np.random.uniform(*self.scale)).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class RandomFlip3d:
    """Mirror x and y independently, each with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, results: dict) -> dict:
        for axis in (0, 1):
            if np.random.rand() < self.p:
                for key in ('coord', 'normal'):
                    if key in results:
                        results[key][:, axis] = -results[key][:, axis]
        return results


@TRANSFORMS.register_module()
class RandomJitter:
    """Add clipped Gaussian noise (``sigma``, ``clip`` in coordinate units)."""

    def __init__(self, sigma: float = 0.01, clip: float = 0.05) -> None:
        if clip <= 0:
            raise ValueError(f'clip must be positive, got {clip}')
        self.sigma, self.clip = sigma, clip

    def __call__(self, results: dict) -> dict:
        noise = np.clip(self.sigma * np.random.randn(*results['coord'].shape),
                        -self.clip, self.clip)
        results['coord'] = (results['coord'] + noise).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class ChromaticJitter:
    """Add Gaussian noise to colours in [0, 1] (std ``std``), with
    probability ``p``."""

    def __init__(self, p: float = 0.95, std: float = 0.05) -> None:
        self.p, self.std = p, std

    def __call__(self, results: dict) -> dict:
        if 'color' in results and np.random.rand() < self.p:
            noise = np.random.randn(*results['color'].shape) * self.std
            results['color'] = np.clip(results['color'] + noise, 0,
                                       1).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class SphereCrop:
    """Keep at most ``max_points`` points nearest to a centre: a random point
    (``'random'``) or the cloud's centre (``'center'``). Clouds that are
    already small enough pass unchanged."""

    def __init__(self, max_points: int = 80000, mode: str = 'random') -> None:
        if mode not in ('random', 'center'):
            raise ValueError(f'mode must be random or center, got "{mode}"')
        self.max_points, self.mode = int(max_points), mode

    def __call__(self, results: dict) -> dict:
        coord = results['coord']
        if len(coord) <= self.max_points:
            return results
        centre = (coord[np.random.randint(len(coord))] if self.mode ==
                  'random' else (coord.min(0) + coord.max(0)) / 2)
        dist = ((coord - centre)**2).sum(1)
        keep = np.sort(np.argpartition(dist, self.max_points)[:self.max_points])
        return select_points(results, keep, POINT_KEYS)


@TRANSFORMS.register_module()
class CenterShift:
    """Move the bounding-box centre to the origin (``apply_z=False`` keeps the
    floor where it is)."""

    def __init__(self, apply_z: bool = True) -> None:
        self.apply_z = apply_z

    def __call__(self, results: dict) -> dict:
        coord = results['coord']
        shift = (coord.min(0) + coord.max(0)) / 2
        if not self.apply_z:
            shift[2] = coord[:, 2].min()
        results['coord'] = (coord - shift).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class PointFeatures:
    """``feat``: the concatenation of ``keys`` (default the colour, centred
    to [-0.5, 0.5] as PointContrast's ``normalize_color``). A missing colour
    is a clear error rather than a silent zero input."""

    def __init__(self, keys: Sequence[str] = ('color', ),
                 center_color: bool = True) -> None:
        self.keys, self.center_color = tuple(keys), center_color

    def __call__(self, results: dict) -> dict:
        parts = []
        for key in self.keys:
            if key not in results:
                raise KeyError(f'PointFeatures needs "{key}" but the sample '
                               f'has only {sorted(results)}; change keys= or '
                               'use a data set that provides it')
            value = results[key]
            if key == 'color' and self.center_color:
                value = value - 0.5
            parts.append(np.asarray(value, np.float32).reshape(len(value), -1))
        results['feat'] = np.concatenate(parts, 1)
        return results


@TRANSFORMS.register_module()
class PointMultiView:
    """Several augmented views of one cloud. ``origin_coord`` (the coordinates
    before any augmentation) is set first, so points of different views can
    be matched afterwards whatever each view's rotation, crop or voxelisation.

    Output: ``results['views']``, a list of per-view results dicts.
    """

    def __init__(self, transforms: Sequence, num_views: int = 2) -> None:
        self.pipeline = build_pipeline(transforms)
        self.num_views = int(num_views)

    def __call__(self, results: dict) -> Optional[dict]:
        results.setdefault('origin_coord', results['coord'].copy())
        views = []
        for _ in range(self.num_views):
            view = self.pipeline(copy.deepcopy(
                {k: v for k, v in results.items() if k != 'views'}))
            if view is None:
                return None
            views.append(view)
        results['views'] = views
        return results


@TRANSFORMS.register_module()
class PackSparsePointInputs:
    """``inputs``: a dict of per-point tensors (``coord``, ``grid_coord``,
    ``feat``, ``origin_coord``, and ``segment`` / ``inverse`` when present),
    or a list of such dicts when ``PointMultiView`` made views."""

    KEYS = ('coord', 'grid_coord', 'feat', 'origin_coord', 'segment',
            'inverse', 'full_segment')

    def _pack(self, results: dict) -> dict:
        for key in ('grid_coord', 'feat'):
            if key not in results:
                raise KeyError(f'"{key}" is missing: put GridSample and '
                               'PointFeatures before PackSparsePointInputs')
        return {k: torch.from_numpy(np.ascontiguousarray(results[k]))
                for k in self.KEYS if k in results}

    def __call__(self, results: dict) -> dict:
        sample = DataSample()
        if 'views' in results:
            inputs = [self._pack(v) for v in results['views']]
        else:
            inputs = self._pack(results)
        if 'segment' in results and 'views' not in results:
            sample.set_field(torch.from_numpy(results['segment']), 'segment')
        return dict(inputs=inputs, data_samples=sample)
