"""Read and write point clouds and meshes: ``.npy``, ``.xyz`` / ``.txt``
(numpy), ``.ply`` / ``.pcd`` point clouds and ``.obj`` / ``.off`` / ``.ply``
meshes (open3d, the ``3d`` extra)."""
import os
import os.path as osp
from typing import Optional

import numpy as np

POINT_EXTENSIONS = ('.npy', '.xyz', '.txt', '.pts', '.ply', '.pcd')
MESH_EXTENSIONS = ('.obj', '.off', '.stl')


def check_points(points: np.ndarray, source: str = 'the point cloud'
                 ) -> np.ndarray:
    """``N x C`` (C >= 3) float array with finite coordinates and N > 0, or a
    ``ValueError`` that says what is wrong."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] < 3:
        raise ValueError(f'{source}: expected an N x 3 (or N x C, C >= 3) '
                         f'array, got shape {points.shape}')
    if len(points) == 0:
        raise ValueError(f'{source} is empty (0 points)')
    bad = ~np.isfinite(points[:, :3]).all(1)
    if bad.any():
        raise ValueError(f'{source} has {int(bad.sum())} points with NaN or '
                         'infinite coordinates; clean the file (or drop them '
                         'with points[np.isfinite(points).all(1)])')
    return points.astype(np.float32, copy=False)


def read_point_cloud(path: str, mesh_points: int = 8192,
                     seed: Optional[int] = 0) -> np.ndarray:
    """Points of a file as ``N x C`` float32 (xyz first). Meshes are sampled
    uniformly by area to ``mesh_points`` points; a ``.ply`` with faces is read
    as a mesh."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'point cloud "{path}" not found')
    ext = osp.splitext(path)[1].lower()
    try:
        if ext == '.npy':
            points = np.load(path)
        elif ext in ('.xyz', '.txt', '.pts'):
            points = np.loadtxt(path, ndmin=2,
                                delimiter=',' if _has_commas(path) else None)
        elif ext in ('.ply', '.pcd') + MESH_EXTENSIONS:
            points = _read_with_open3d(path, ext, mesh_points, seed)
        else:
            raise ValueError(f'unsupported point-cloud format "{ext}" '
                             f'(supported: {POINT_EXTENSIONS + MESH_EXTENSIONS})')
    except (OSError, EOFError) as err:
        raise ValueError(f'cannot read "{path}": {err}') from err
    return check_points(points, f'"{path}"')


def _has_commas(path: str) -> bool:
    with open(path) as f:
        return ',' in f.readline()


def _read_with_open3d(path, ext, mesh_points, seed):
    from densessl.utils.optional import require
    o3d = require('open3d', f'reading {ext} files')
    if ext in MESH_EXTENSIONS or ext == '.ply':
        mesh = o3d.io.read_triangle_mesh(path)
        if len(mesh.triangles) > 0:
            if seed is not None:
                o3d.utility.random.seed(int(seed))
            return np.asarray(
                mesh.sample_points_uniformly(mesh_points).points)
        if ext in MESH_EXTENSIONS:
            raise ValueError(f'"{path}" holds no triangles')
    cloud = o3d.io.read_point_cloud(path)
    return np.asarray(cloud.points)


def write_point_cloud(path: str, coord: np.ndarray,
                      colors: Optional[np.ndarray] = None) -> str:
    """Write ``N x 3`` points (optional ``N x 3`` colours in [0, 1]) as
    ``.ply`` / ``.pcd`` (open3d), ``.npy`` or ``.xyz``."""
    coord = check_points(coord)[:, :3]
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    ext = osp.splitext(path)[1].lower()
    if ext == '.npy':
        np.save(path, coord if colors is None else
                np.concatenate([coord, colors], 1).astype(np.float32))
    elif ext in ('.xyz', '.txt'):
        np.savetxt(path, coord if colors is None else
                   np.concatenate([coord, colors], 1), fmt='%.6f')
    elif ext in ('.ply', '.pcd'):
        from densessl.utils.optional import require
        o3d = require('open3d', f'writing {ext} files')
        cloud = o3d.geometry.PointCloud(
            o3d.utility.Vector3dVector(coord.astype(np.float64)))
        if colors is not None:
            cloud.colors = o3d.utility.Vector3dVector(
                np.clip(colors, 0, 1).astype(np.float64))
        if not o3d.io.write_point_cloud(path, cloud):
            raise OSError(f'open3d could not write "{path}"')
    else:
        raise ValueError(f'unsupported output format "{ext}"')
    return path
