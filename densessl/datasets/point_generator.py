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
# the harder set adds a look-alike of each class (chair ~ table, bottle ~
# rocket, bowl ~ mug, shelf ~ lamp-free boxes); its part ids continue
HARD_OBJECT_PARTS = dict(OBJECT_PARTS, chair=('seat', 'leg', 'back'),
                         bottle=('body', 'neck'), bowl=('body', ),
                         shelf=('board', 'side'))
HARD_OBJECT_CLASSES = tuple(HARD_OBJECT_PARTS)
HARD_PART_NAMES = tuple(f'{c}/{p}' for c in HARD_OBJECT_CLASSES
                        for p in HARD_OBJECT_PARTS[c])


def _part_id(cls: str, part: str, names=PART_NAMES) -> int:
    return names.index(f'{cls}/{part}')


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


def _legs(rng, w, d, h, leg):
    """A sampler of four legs of radius ``leg`` and height ``h`` under the
    corners of a ``w x d`` top."""
    corners = [(sx * (w / 2 - leg), sy * (d / 2 - leg))
               for sx in (-1, 1) for sy in (-1, 1)]

    def legs(k):
        which = rng.integers(0, 4, k)
        out = np.empty((k, 3))
        for i, (x, y) in enumerate(corners):
            sel = which == i
            out[sel] = _cylinder(rng, sel.sum(), leg, h, (x, y, h / 2))
        return out
    return legs


def _table(rng, n):
    w, d, h = rng.uniform(0.8, 1.4), rng.uniform(0.5, 1.0), rng.uniform(0.5, 0.9)
    leg = rng.uniform(0.03, 0.07)
    return [('top', 0.6, lambda k: _box(rng, k, (w, d, 0.05), (0, 0, h))),
            ('leg', 0.4, _legs(rng, w, d, h, leg))]


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


def _chair(rng, n):
    w, h = rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.5)
    back = rng.uniform(0.4, 0.7)
    return [('seat', 0.4, lambda k: _box(rng, k, (w, w, 0.05), (0, 0, h))),
            ('leg', 0.25, _legs(rng, w, w, h, 0.03)),
            ('back', 0.35, lambda k: _box(rng, k, (w, 0.04, back),
                                          (0, -w / 2, h + back / 2)))]


def _bottle(rng, n):
    r, h = rng.uniform(0.15, 0.25), rng.uniform(0.7, 1.1)
    neck = rng.uniform(0.2, 0.35)
    return [('body', 0.75, lambda k: _cylinder(rng, k, r, h, (0, 0, h / 2))),
            ('neck', 0.25, lambda k: _cylinder(
                rng, k, r, neck, (0, 0, h + neck / 2), radius_top=r * 0.35))]


def _bowl(rng, n):
    r, h = rng.uniform(0.35, 0.5), rng.uniform(0.2, 0.35)
    return [('body', 1.0, lambda k: _cylinder(
        rng, k, r * 0.55, h, (0, 0, h / 2), radius_top=r))]


def _shelf(rng, n):
    w, d, h = rng.uniform(0.6, 1.0), rng.uniform(0.25, 0.4), rng.uniform(0.8, 1.5)
    boards = int(rng.integers(3, 6))

    def board(k):
        z = rng.integers(0, boards, k) * h / (boards - 1)
        return _box(rng, k, (w, d, 0.03), (0, 0, 0)) + np.stack(
            [np.zeros(k), np.zeros(k), z], 1)

    def side(k):
        x = rng.choice([-w / 2, w / 2], k)
        return _box(rng, k, (0.03, d, h), (0, 0, h / 2)) + np.stack(
            [x, np.zeros(k), np.zeros(k)], 1)
    return [('board', 0.6, board), ('side', 0.4, side)]


_BUILDERS = dict(table=_table, lamp=_lamp, mug=_mug, rocket=_rocket,
                 chair=_chair, bottle=_bottle, bowl=_bowl, shelf=_shelf)


VARIANTS = ('easy', 'hard')


def generate_object(seed: int, num_points: int = 2048,
                    variant: str = 'easy') -> Dict[str, np.ndarray]:
    """One object: ``coord`` (``N x 3`` float32, unit sphere), ``part``
    (``N`` int64 global part ids, see ``PART_NAMES``) and ``label`` (the
    object class index in ``OBJECT_CLASSES``). Random proportions and a random
    rotation about the up axis.

    ``variant='hard'``: 8 classes (``HARD_OBJECT_CLASSES``: each easy class
    and a look-alike), as a partial scan (the points beyond a random plane
    through the object, seen from a random side, removed: 45-85 % kept),
    tilted up to 20 degrees, stretched per axis (0.8-1.25), jittered
    (sigma 0.02) and with 5 % background clutter (uniform in the unit
    ball, part 255): ScanObjectNN's difficulties, so that training from
    scratch does not solve it. Part ids index ``HARD_PART_NAMES``."""
    if num_points <= 0:
        raise ValueError(f'num_points must be positive, got {num_points}')
    if variant not in VARIANTS:
        raise ValueError(f'variant must be one of {VARIANTS}, got '
                         f'"{variant}"')
    hard = variant == 'hard'
    classes = HARD_OBJECT_CLASSES if hard else OBJECT_CLASSES
    names = HARD_PART_NAMES if hard else PART_NAMES
    rng = np.random.default_rng(seed)
    label = int(rng.integers(len(classes)))
    cls = classes[label]
    parts = [(_part_id(cls, name, names), w, f)
             for name, w, f in _BUILDERS[cls](rng, num_points)]
    if not hard:
        coord, part = _assemble(rng, num_points, parts)
    else:  # over-sample, cut the unseen side, then keep num_points
        coord, part = _assemble(rng, 3 * num_points, parts)
        coord = coord - coord.mean(0)
        view = rng.normal(size=3)
        view /= np.linalg.norm(view)
        depth = coord @ view
        cut = np.quantile(depth, rng.uniform(0.15, 0.55))
        seen = np.nonzero(depth >= cut)[0]
        clutter = int(0.05 * num_points)
        pick = rng.choice(seen, num_points - clutter,
                          replace=len(seen) < num_points - clutter)
        coord, part = coord[pick], part[pick]
        coord = coord * rng.uniform(0.8, 1.25, 3)
        tilt, axis = np.deg2rad(rng.uniform(-20, 20)), rng.integers(2)
        c, s = np.cos(tilt), np.sin(tilt)
        rot = np.array([[1, 0, 0], [0, c, -s], [0, s, c]]) if axis == 0 \
            else np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
        coord = coord @ rot.T + rng.normal(0, 0.02, coord.shape)
        radius = np.linalg.norm(coord, axis=1).max()
        ball = rng.normal(size=(clutter, 3))
        ball *= (radius * rng.uniform(0, 1, (clutter, 1)) ** (1 / 3)
                 / np.linalg.norm(ball, axis=1, keepdims=True))
        coord = np.concatenate([coord, ball])
        part = np.concatenate([part, np.full(clutter, 255)])
    angle = rng.uniform(0, 2 * np.pi)
    c, s = np.cos(angle), np.sin(angle)
    coord = coord @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]).T
    coord -= coord.mean(0)
    coord /= np.linalg.norm(coord, axis=1).max()
    order = rng.permutation(num_points)
    return dict(coord=coord[order].astype(np.float32),
                part=part[order].astype(np.int64), label=label)
