"""A procedural 2D scene generator: the embedded default data set.

Each scene has a textured background and several objects of a few classes
(shape + class colour family + per-instance texture), painted back to front
so that later objects occlude earlier ones. Per-pixel class and instance
labels and per-instance boxes come with every image. Deterministic per seed.
"""
from typing import Dict, Sequence, Tuple

import numpy as np

SCENE_CLASSES = ('background', 'disc', 'square', 'triangle', 'ellipse',
                 'cross')
# one hue family per class, so classes are recognisable by shape *and* colour
_CLASS_HUES = {1: 0.0, 2: 0.18, 3: 0.36, 4: 0.58, 5: 0.8}


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v),
           (v, p, q)][i]
    return np.array(rgb, dtype=np.float32)


def _texture(rng: np.random.Generator, xx: np.ndarray, yy: np.ndarray,
             base: np.ndarray, strength: float) -> np.ndarray:
    """A colour field: plain, stripes, checker or dots around ``base``."""
    kind = rng.integers(4)
    period = rng.uniform(4, 14)
    angle = rng.uniform(0, np.pi)
    u = xx * np.cos(angle) + yy * np.sin(angle)
    v = -xx * np.sin(angle) + yy * np.cos(angle)
    if kind == 0:
        pattern = np.zeros_like(xx)
    elif kind == 1:
        pattern = np.sin(2 * np.pi * u / period)
    elif kind == 2:
        pattern = np.sign(np.sin(2 * np.pi * u / period) *
                          np.sin(2 * np.pi * v / period))
    else:
        pattern = (np.cos(2 * np.pi * u / period) *
                   np.cos(2 * np.pi * v / period) > 0.5) * 2.0 - 1.0
    field = base[None, None, :] * (1 + strength * pattern[..., None])
    return np.clip(field, 0, 1)


def _shape_mask(cls: int, xx: np.ndarray, yy: np.ndarray, cx: float,
                cy: float, size: float, angle: float) -> np.ndarray:
    dx, dy = xx - cx, yy - cy
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    if cls == 1:  # disc
        return u**2 + v**2 <= size**2
    if cls == 2:  # square
        return (np.abs(u) <= size * 0.85) & (np.abs(v) <= size * 0.85)
    if cls == 3:  # triangle: three half-planes
        inside = np.ones_like(u, dtype=bool)
        for k in range(3):
            a = angle + 2 * np.pi * k / 3
            inside &= (dx * np.cos(a) + dy * np.sin(a)) <= size * 0.55
        return inside
    if cls == 4:  # ellipse
        return (u / size)**2 + (v / (size * 0.5))**2 <= 1
    if cls == 5:  # cross
        bar = size * 0.3
        return (((np.abs(u) <= size) & (np.abs(v) <= bar)) |
                ((np.abs(v) <= size) & (np.abs(u) <= bar)))
    raise ValueError(f'unknown class index {cls}')


def generate_scene(seed: int,
                   image_size: Tuple[int, int] = (160, 160),
                   num_objects: Tuple[int, int] = (2, 6)
                   ) -> Dict[str, np.ndarray]:
    """Generate one scene.

    Returns a dict with ``img`` (``H x W x 3`` uint8 RGB), ``gt_seg_map``
    (``H x W`` uint8 class index, 0 = background), ``gt_instance_map``
    (``H x W`` int32, 0 = background), ``gt_bboxes`` (``K x 4`` float32
    ``x1, y1, x2, y2`` in pixels, inclusive-exclusive) and ``gt_labels``
    (``K`` int64 class indices) of the instances that stay visible.
    """
    h, w = image_size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)

    bg_base = _hsv_to_rgb(rng.uniform(), rng.uniform(0.05, 0.3),
                          rng.uniform(0.35, 0.8))
    img = _texture(rng, xx, yy, bg_base, strength=rng.uniform(0.05, 0.25))
    # a smooth illumination gradient over the whole scene
    g = rng.uniform(-0.25, 0.25, size=2)
    img = img * (1 + g[0] * (xx / w - 0.5) + g[1] * (yy / h - 0.5))[..., None]

    sem = np.zeros((h, w), np.uint8)
    inst = np.zeros((h, w), np.int32)
    labels = []
    count = rng.integers(num_objects[0], num_objects[1] + 1)
    scale = min(h, w)
    for k in range(count):
        cls = int(rng.integers(1, len(SCENE_CLASSES)))
        size = rng.uniform(0.1, 0.25) * scale
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        mask = _shape_mask(cls, xx, yy, cx, cy, size, rng.uniform(0, np.pi))
        hue = (_CLASS_HUES[cls] + rng.uniform(-0.05, 0.05)) % 1.0
        base = _hsv_to_rgb(hue, rng.uniform(0.55, 1.0), rng.uniform(0.5, 1))
        tex = _texture(rng, xx, yy, base, strength=rng.uniform(0.1, 0.4))
        img[mask] = tex[mask]
        sem[mask] = cls
        inst[mask] = k + 1
        labels.append(cls)

    noise = rng.normal(0, 0.02, size=img.shape)
    img = (np.clip(img + noise, 0, 1) * 255).round().astype(np.uint8)

    boxes, kept = visible_boxes(inst, labels)
    return dict(img=img, gt_seg_map=sem, gt_instance_map=inst,
                gt_bboxes=boxes, gt_labels=kept)


def visible_boxes(inst: np.ndarray, labels: Sequence[int]
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes (``K x 4`` float32 ``x1, y1, x2, y2``) and labels of the
    instances ``1..len(labels)`` of ``inst`` that stay visible."""
    boxes, kept = [], []
    for k, cls in enumerate(labels):
        ys, xs = np.nonzero(inst == k + 1)
        if len(xs) == 0:  # fully occluded
            continue
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        kept.append(cls)
    return (np.asarray(boxes, np.float32).reshape(-1, 4),
            np.asarray(kept, np.int64))
