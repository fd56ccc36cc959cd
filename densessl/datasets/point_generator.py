"""Procedural 3D objects (no download): shapes assembled from primitives with
an object class and a part label per point, deterministic per seed."""
from typing import Dict, List, Tuple

import numpy as np

# class -> its part names (part ids are global, ShapeNetPart style)
OBJECT_PARTS = {
    'table': ('top', 'leg'),
    'lamp': ('shade', 'pole', 'base'),
    'mug': ('body', 'handle'),
    'rocket': ('body', 'nose', 'fin'),
}
OBJECT_CLASSES = tuple(OBJECT_PARTS)
PART_NAMES = tuple(f'{c}/{p}' for c in OBJECT_CLASSES for p in OBJECT_PARTS[c])


def _part_id(cls: str, part: str) -> int:
    return PART_NAMES.index(f'{cls}/{part}')


def _box(rng, n, size, center):
    """Points on the surface of an axis-aligned box (area-weighted faces)."""
    size = np.asarray(size, float)
    areas = np.array([size[1] * size[2], size[0] * size[2], size[0] * size[1]])
    axis = rng.choice(3, size=n, p=np.repeat(areas, 1) / areas.sum())
    pts = rng.uniform(-0.5, 0.5, size=(n, 3))
    pts[np.arange(n), axis] = rng.choice([-0.5, 0.5], size=n)
    return pts * size + center


def _cylinder(rng, n, radius, height, center, radius_top=None):
    """Side of a (truncated) cone / cylinder along z, plus its caps."""
    radius_top = radius if radius_top is None else radius_top
    t = rng.uniform(0, 1, n)
    theta = rng.uniform(0, 2 * np.pi, n)
    r = radius + (radius_top - radius) * t
    cap = rng.uniform(0, 1, n) < 0.15
    r = np.where(cap, np.sqrt(rng.uniform(0, 1, n)) * np.where(
        t < 0.5, radius, radius_top), r)
    t = np.where(cap, np.round(t), t)
    pts = np.stack([r * np.cos(theta), r * np.sin(theta),
                    (t - 0.5) * height], 1)
    return pts + center


def _torus_arc(rng, n, major, minor, center):
    """Half torus in the xz plane (a mug handle)."""
    u = rng.uniform(-np.pi / 2, np.pi / 2, n)
    v = rng.uniform(0, 2 * np.pi, n)
    pts = np.stack([(major + minor * np.cos(v)) * np.cos(u),
                    minor * np.sin(v), (major + minor * np.cos(v)) * np.sin(u)],
                   1)
    return pts + center


def _assemble(rng, num_points, parts: List[Tuple[str, float, callable]]):
    """Sample each part in proportion to its weight."""
    weights = np.array([w for _, w, _ in parts], float)
    counts = rng.multinomial(num_points, weights / weights.sum())
    points, labels = [], []
    for (part, _, sampler), n in zip(parts, counts):
        points.append(sampler(n))
        labels.append(np.full(n, part))
    return np.concatenate(points), np.concatenate(labels)


def _table(rng, n):
    w, d, h = rng.uniform(0.8, 1.4), rng.uniform(0.5, 1.0), rng.uniform(0.5, 0.9)
    leg = rng.uniform(0.03, 0.07)
    corners = [(sx * (w / 2 - leg), sy * (d / 2 - leg))
               for sx in (-1, 1) for sy in (-1, 1)]

    def legs(k):
        which = rng.integers(0, 4, k)
        out = np.empty((k, 3))
        for i, (x, y) in enumerate(corners):
            sel = which == i
            out[sel] = _cylinder(rng, sel.sum(), leg, h, (x, y, h / 2))
        return out
    return [('top', 0.6, lambda k: _box(rng, k, (w, d, 0.05), (0, 0, h))),
            ('leg', 0.4, legs)]


def _lamp(rng, n):
    h = rng.uniform(0.8, 1.2)
    shade_r = rng.uniform(0.25, 0.4)
    return [('shade', 0.5, lambda k: _cylinder(
                rng, k, shade_r, 0.3, (0, 0, h), radius_top=shade_r * 0.5)),
            ('pole', 0.2, lambda k: _cylinder(rng, k, 0.03, h, (0, 0, h / 2))),
            ('base', 0.3, lambda k: _cylinder(
                rng, k, rng.uniform(0.2, 0.3), 0.05, (0, 0, 0)))]


def _mug(rng, n):
    r, h = rng.uniform(0.3, 0.45), rng.uniform(0.6, 1.0)
    return [('body', 0.75, lambda k: _cylinder(rng, k, r, h, (0, 0, h / 2))),
            ('handle', 0.25, lambda k: _torus_arc(
                rng, k, h * 0.25, 0.05, (r, 0, h / 2)))]


def _rocket(rng, n):
    r, h = rng.uniform(0.12, 0.2), rng.uniform(1.0, 1.5)

    def fins(k):
        angle = rng.integers(0, 3, k) * 2 * np.pi / 3
        radial = rng.uniform(r, r + 0.25, k)
        z = rng.uniform(0, 0.3, k) * (1 - (radial - r) / 0.25)
        return np.stack([radial * np.cos(angle), radial * np.sin(angle), z], 1)
    return [('body', 0.6, lambda k: _cylinder(rng, k, r, h, (0, 0, h / 2))),
            ('nose', 0.2, lambda k: _cylinder(
                rng, k, r, 0.35, (0, 0, h + 0.175), radius_top=0.0)),
            ('fin', 0.2, fins)]


_BUILDERS = dict(table=_table, lamp=_lamp, mug=_mug, rocket=_rocket)


def generate_object(seed: int, num_points: int = 2048) -> Dict[str, np.ndarray]:
    """One object: ``coord`` (``N x 3`` float32, unit sphere), ``part``
    (``N`` int64 global part ids, see ``PART_NAMES``) and ``label`` (the
    object class index in ``OBJECT_CLASSES``). Random proportions and a random
    rotation about the up axis."""
    if num_points <= 0:
        raise ValueError(f'num_points must be positive, got {num_points}')
    rng = np.random.default_rng(seed)
    label = int(rng.integers(len(OBJECT_CLASSES)))
    cls = OBJECT_CLASSES[label]
    parts = [(_part_id(cls, name), w, f)
             for name, w, f in _BUILDERS[cls](rng, num_points)]
    coord, part = _assemble(rng, num_points, parts)
    angle = rng.uniform(0, 2 * np.pi)
    c, s = np.cos(angle), np.sin(angle)
    coord = coord @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]).T
    coord -= coord.mean(0)
    coord /= np.linalg.norm(coord, axis=1).max()
    order = rng.permutation(num_points)
    return dict(coord=coord[order].astype(np.float32),
                part=part[order].astype(np.int64), label=label)
