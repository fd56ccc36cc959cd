"""Point-cloud transforms on ``results['coord']`` (``N x 3``, numpy)."""
from typing import Sequence

import numpy as np
import torch

from densessl.registry import TRANSFORMS
from densessl.structures import DataSample


def select_points(results: dict, index: np.ndarray,
                  keys: Sequence[str]) -> dict:
    """Index each per-point array named in ``keys`` that ``results`` holds,
    so that subsampling / cropping keeps them aligned."""
    for key in keys:
        if key in results:
            results[key] = results[key][index]
    return results


@TRANSFORMS.register_module()
class LoadPointCloud:
    """Read ``results['pc_path']`` into ``coord`` (xyz; extra columns go to
    ``feat``). With ``results['has_part']`` (ShapeNetPart) the last column is
    the per-point ``part`` label."""

    def __init__(self, mesh_points: int = 8192) -> None:
        self.mesh_points = mesh_points

    def __call__(self, results: dict) -> dict:
        from densessl.datasets.point_io import read_point_cloud
        points = read_point_cloud(results['pc_path'], self.mesh_points)
        if results.get('has_part'):
            if points.shape[1] < 4:
                raise ValueError(f'"{results["pc_path"]}" has no part column')
            results['part'] = points[:, -1].astype(np.int64)
            points = points[:, :-1]
        results['coord'] = points[:, :3]
        if points.shape[1] > 3:
            results['feat'] = points[:, 3:]
        return results


@TRANSFORMS.register_module()
class RandomPointSubsample:
    """A random subset of ``num_points`` points (a shuffled permutation, as
    Point-MAE's ShapeNet loader; not FPS). A cloud with fewer points raises a
    ``ValueError`` unless ``allow_repeat``: then points are drawn with
    replacement (the ShapeNetPart rule)."""

    def __init__(self, num_points: int = 1024, allow_repeat: bool = False,
                 keys: Sequence[str] = ('coord', 'feat', 'part')) -> None:
        self.num_points = num_points
        self.allow_repeat = allow_repeat
        self.keys = tuple(keys)

    def __call__(self, results: dict) -> dict:
        n = len(results['coord'])
        if n == 0:
            raise ValueError('empty point cloud')
        if n < self.num_points and not self.allow_repeat:
            raise ValueError(
                f'the cloud has {n} points, fewer than the {self.num_points} '
                'requested; set allow_repeat=True to draw with replacement')
        index = np.random.choice(n, self.num_points,
                                 replace=n < self.num_points)
        return select_points(results, index, self.keys)


@TRANSFORMS.register_module()
class FarthestPointSubsample:
    """``num_points`` points by farthest point sampling (Point-MAE's FPS,
    start index 0, so deterministic for a given point order): the ModelNet40
    test sampling, and the first step of its training sampling (FPS 1200,
    then ``RandomPointSubsample(1024)``)."""

    def __init__(self, num_points: int = 1024,
                 keys: Sequence[str] = ('coord', 'feat', 'part')) -> None:
        self.num_points, self.keys = num_points, tuple(keys)

    def __call__(self, results: dict) -> dict:
        from densessl.ops import farthest_point_sample
        coord = results['coord']
        if len(coord) < self.num_points:
            raise ValueError(f'the cloud has {len(coord)} points, fewer than '
                             f'the {self.num_points} requested by FPS')
        index = farthest_point_sample(
            torch.from_numpy(np.ascontiguousarray(coord[None, :, :3])),
            self.num_points)[0].numpy()
        return select_points(results, index, self.keys)


@TRANSFORMS.register_module()
class NormalizeToUnitSphere:
    """Subtract the centroid, divide by the largest radius (``pc_norm``)."""

    def __call__(self, results: dict) -> dict:
        coord = results['coord'] - results['coord'].mean(0)
        radius = np.linalg.norm(coord, axis=1).max()
        results['coord'] = coord / max(radius, 1e-12)
        return results


@TRANSFORMS.register_module()
class PointScaleAndTranslate:
    """Anisotropic scale U(lo, hi)^3 and translation U(-t, t)^3 per cloud
    (Point-MAE's ``PointcloudScaleAndTranslate``: 2/3..3/2, 0.2)."""

    def __init__(self, scale: Sequence[float] = (2 / 3, 3 / 2),
                 translate: float = 0.2) -> None:
        self.scale = tuple(scale)
        self.translate = translate

    def __call__(self, results: dict) -> dict:
        scale = np.random.uniform(*self.scale, size=3)
        shift = np.random.uniform(-self.translate, self.translate, size=3)
        results['coord'] = (results['coord'] * scale + shift).astype(
            np.float32)
        return results


@TRANSFORMS.register_module()
class GridSample:
    """Voxelise with cell ``grid_size``: one point per occupied voxel (a random
    one in ``'train'`` mode, the first in ``'test'`` mode), its integer
    ``grid_coord``, and ``origin_coord`` (the coordinates before any later
    augmentation, kept for matching points across views). Per-point arrays in
    ``keys`` are subsampled alike; ``inverse`` maps every original point to
    its voxel's kept point and ``full_segment`` keeps every point's label, so
    predictions are scored per point, not per voxel."""

    def __init__(self, grid_size: float = 0.02, mode: str = 'train',
                 keys: Sequence[str] = ('coord', 'color', 'normal', 'feat',
                                        'part', 'segment', 'instance',
                                        'origin_coord')) -> None:
        if mode not in ('train', 'test'):
            raise ValueError(f'mode must be train or test, got "{mode}"')
        if grid_size <= 0:
            raise ValueError(f'grid_size must be positive, got {grid_size}')
        self.grid_size = grid_size
        self.mode = mode
        self.keys = tuple(keys)

    def __call__(self, results: dict) -> dict:
        coord = results['coord']
        if len(coord) == 0:
            raise ValueError('empty point cloud: nothing to voxelise')
        results.setdefault('origin_coord', coord.copy())
        grid = np.floor((coord - coord.min(0)) / self.grid_size).astype(
            np.int64)
        _, first, inverse = np.unique(grid, axis=0, return_index=True,
                                      return_inverse=True)
        inverse = inverse.reshape(-1)
        if self.mode == 'train':  # a random point per voxel
            order = np.random.permutation(len(coord))
            _, pick = np.unique(inverse[order], return_index=True)
            keep = order[pick]
        else:
            keep = first
        if 'segment' in results:  # labels of every point, for evaluation
            results['full_segment'] = results['segment']
        select_points(results, keep, self.keys)
        results['grid_coord'] = grid[keep]
        results['inverse'] = inverse
        return results


@TRANSFORMS.register_module()
class PackPointInputs:
    """``inputs``: ``N x 3`` float tensor; the data sample carries the object
    ``label`` and per-point ``part`` labels when present."""

    def __call__(self, results: dict) -> dict:
        sample = DataSample()
        for key in ('label', 'part'):
            if key in results:
                sample.set_field(torch.as_tensor(np.asarray(results[key])),
                                 key)
        return dict(inputs=torch.from_numpy(
            np.ascontiguousarray(results['coord'], dtype=np.float32)),
                    data_samples=sample)
