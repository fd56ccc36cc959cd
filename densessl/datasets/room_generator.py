"""Procedural indoor-like scenes (no download): a floor, some walls and
furniture built from the embedded objects, with a colour, a semantic label
and an instance id per point; deterministic per seed."""
from typing import Dict

import numpy as np

from .point_generator import OBJECT_CLASSES, generate_object

# semantic classes of the rooms (ScanNet-like: structure + furniture)
ROOM_CLASSES = ('floor', 'wall', 'cabinet') + OBJECT_CLASSES

_BASE_COLOURS = {
    'floor': (0.55, 0.45, 0.35), 'wall': (0.85, 0.85, 0.8),
    'cabinet': (0.4, 0.25, 0.15), 'table': (0.6, 0.4, 0.2),
    'lamp': (0.9, 0.8, 0.3), 'mug': (0.2, 0.4, 0.8), 'rocket': (0.8, 0.2, 0.2)
}


def _plane(rng, n, origin, u, v):
    """``n`` points on the parallelogram ``origin + [0,1] u + [0,1] v``."""
    a, b = rng.uniform(0, 1, (2, n, 1))
    return np.asarray(origin) + a * np.asarray(u) + b * np.asarray(v)


def _cabinet(rng, n):
    w, d, h = rng.uniform(0.4, 1.0), rng.uniform(0.3, 0.6), rng.uniform(0.6, 1.6)
    size = np.array([w, d, h])
    areas = np.array([d * h, w * h, w * d])
    axis = rng.choice(3, size=n, p=areas / areas.sum())
    pts = rng.uniform(-0.5, 0.5, (n, 3))
    pts[np.arange(n), axis] = rng.choice([-0.5, 0.5], size=n)
    return pts * size + np.array([0, 0, h / 2])


def generate_room(seed: int, num_points: int = 20000,
                  num_objects=(3, 6)) -> Dict[str, np.ndarray]:
    """One room: ``coord`` (``N x 3`` float32, metres, floor at z = 0),
    ``color`` (``N x 3`` float32 in [0, 1]), ``segment`` (``N`` int64 index in
    ``ROOM_CLASSES``) and ``instance`` (``N`` int64; 0 floor, 1.. walls and
    objects).

    Points are split over surfaces by area-like weights; objects are scaled
    to 0.4-1.3 m, stand on the floor and never overlap in their footprint.
    """
    if num_points < 100:
        raise ValueError(f'num_points must be at least 100, got {num_points}')
    rng = np.random.default_rng(seed)
    length, width, height = rng.uniform(3, 6), rng.uniform(3, 6), 2.5
    parts = []  # (class, sampler, weight)
    parts.append(('floor', lambda k: _plane(
        rng, k, (0, 0, 0), (length, 0, 0), (0, width, 0)), length * width))
    walls = [((0, 0, 0), (length, 0, 0)), ((0, width, 0), (length, 0, 0)),
             ((0, 0, 0), (0, width, 0)), ((length, 0, 0), (0, width, 0))]
    keep = rng.permutation(4)[:rng.integers(2, 5)]  # open rooms, like scans
    for i in sorted(keep):
        origin, u = walls[i]
        parts.append(('wall', lambda k, o=origin, u=u: _plane(
            rng, k, o, u, (0, 0, height)), np.linalg.norm(u) * height))

    footprints = []
    for _ in range(int(rng.integers(num_objects[0], num_objects[1] + 1))):
        if rng.uniform() < 0.3:
            name, shape = 'cabinet', _cabinet(rng, 4096)
        else:
            obj = generate_object(int(rng.integers(1 << 31)), 4096)
            name = OBJECT_CLASSES[obj['label']]
            # the objects stand on their z axis; scale to furniture size
            shape = obj['coord'] * rng.uniform(0.4, 1.3) / 2
            shape[:, 2] -= shape[:, 2].min()
        radius = np.linalg.norm(shape[:, :2], axis=1).max()
        for _try in range(20):
            centre = rng.uniform([radius + 0.1] * 2,
                                 [length - radius - 0.1, width - radius - 0.1])
            if all(np.linalg.norm(centre - c) > radius + r
                   for c, r in footprints):
                break
        else:
            continue  # the room is full
        footprints.append((centre, radius))
        placed = shape + np.array([centre[0], centre[1], 0])
        parts.append((name, lambda k, p=placed: p[rng.integers(0, len(p), k)],
                      max(25 * radius**2, 2.0)))

    weights = np.array([w for _, _, w in parts], float)
    counts = rng.multinomial(num_points, weights / weights.sum())
    coord, color, segment, instance = [], [], [], []
    for inst, ((name, sampler, _), n) in enumerate(zip(parts, counts)):
        if n == 0:
            continue
        coord.append(sampler(n))
        # furniture colour is mostly arbitrary (as in real rooms), so the
        # class has to come from the shape, not from a colour code
        base = np.array(_BASE_COLOURS[name])
        if name not in ('floor', 'wall'):
            base = 0.3 * base + 0.7 * rng.uniform(0.05, 0.95, 3)
        tint = np.clip(base + rng.normal(0, 0.08, 3), 0, 1)
        color.append(np.clip(tint + rng.normal(0, 0.03, (n, 3)), 0, 1))
        segment.append(np.full(n, ROOM_CLASSES.index(name)))
        instance.append(np.full(n, inst))
    coord = np.concatenate(coord) + rng.normal(0, 0.005, (num_points, 3))
    order = rng.permutation(num_points)
    return dict(coord=coord[order].astype(np.float32),
                color=np.concatenate(color)[order].astype(np.float32),
                segment=np.concatenate(segment)[order].astype(np.int64),
                instance=np.concatenate(instance)[order].astype(np.int64))
