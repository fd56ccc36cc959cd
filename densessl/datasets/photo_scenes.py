"""Real-photo scenes: cut-outs of real photographs pasted on real textures.

The photographs are the sample images that ship inside the scikit-image
wheel (``skimage/data``, installed with ``pip install scikit-image``; the
tests extra has it), so the scenes need no download and are identical on
every machine. Every image used is public domain or CC0 according to
scikit-image's own notes (``skimage.data`` docstrings):

=================  ===========================  ==============================
class / role       file                         provenance, licence
=================  ===========================  ==============================
astronaut          astronaut.png                NASA, public domain
cat                chelsea.png                  Stefan van der Walt, CC0
coffee             coffee.png                   Rachel Michetti, CC0
rocket             rocket.jpg                   SpaceX, public domain
coins              coins.png                    Brooklyn Museum, no known
                                                copyright restrictions
galaxy             hubble_deep_field.jpg        NASA / HubbleSite, public
                                                domain
tissue             ihc.png                      CMMI, no known copyright
                                                restrictions
retina             retina.jpg                   M. Haggstrom, CC0 (Wikimedia)
background         grass.png, gravel.png,       CC0 (DeviantArt, CC0Textures)
                   brick.png, camera.png        camera: Lav Varshney, CC0
=================  ===========================  ==============================

A scene is a random crop of one background texture (tinted, since the
textures are grey) with 1-4 objects pasted back to front: each object is a
random window of its class's photograph seen through a random smooth blob
mask. Class = which photograph the pixels came from, so a dense feature has to
recognise real appearance (fur, porcelain, metal, stars, tissue) at pixel
level. Deterministic per seed; the same dict as ``generate_scene``.

Held out: every photograph is cut in two at 70 % of its width. Scenes with
seeds below ``HELD_OUT_SEED`` (pretraining images, probe training images)
only see the left part; seeds from ``HELD_OUT_SEED`` on (the evaluation
split of ``tools/benchmarks/dense_eval.py``) only the right part, so no
evaluated pixel was ever seen in pretraining or by the probe.
"""
import functools
import importlib.util
import os.path as osp
from typing import Dict, Tuple

import numpy as np
from PIL import Image

from .scene_generator import visible_boxes

PHOTO_CLASSES = ('background', 'astronaut', 'cat', 'coffee', 'rocket',
                 'coins', 'galaxy', 'tissue', 'retina')
FOREGROUND_PHOTOS = ('astronaut.png', 'chelsea.png', 'coffee.png',
                     'rocket.jpg', 'coins.png', 'hubble_deep_field.jpg',
                     'ihc.png', 'retina.jpg')
BACKGROUND_PHOTOS = ('grass.png', 'gravel.png', 'brick.png', 'camera.png')
# the retina photo is a disc on black: keep its central square
_CENTRAL_CROP = {'retina.jpg': 0.6}
HELD_OUT_SEED = 2_000_000
_SPLIT_AT = 0.7  # of each photograph's width: left = seen, right = held out


def photo_dir() -> str:
    """``skimage/data`` of the installed scikit-image (not imported: only
    its files are read)."""
    spec = importlib.util.find_spec('skimage')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            'the real-photo scenes read the sample photographs shipped with '
            'scikit-image, which is not installed: pip install scikit-image '
            '(bash tools/install.sh installs it with the tests extra)')
    return osp.join(list(spec.submodule_search_locations)[0], 'data')


@functools.lru_cache(maxsize=None)
def load_photo(name: str) -> np.ndarray:
    """One sample photograph as ``H x W x 3`` float32 in [0, 1]."""
    path = osp.join(photo_dir(), name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} is missing from the installed scikit-image; reinstall '
            'it (pip install --force-reinstall scikit-image)')
    img = np.asarray(Image.open(path).convert('RGB'), np.float32) / 255
    keep = _CENTRAL_CROP.get(name)
    if keep:
        h, w = img.shape[:2]
        dh, dw = int(h * (1 - keep) / 2), int(w * (1 - keep) / 2)
        img = img[dh:h - dh, dw:w - dw]
    img.setflags(write=False)
    return img


def photo_part(photo: np.ndarray, held_out: bool) -> np.ndarray:
    """The part of a photograph that a split may use (see module doc)."""
    cut = int(photo.shape[1] * _SPLIT_AT)
    return photo[:, cut:] if held_out else photo[:, :cut]


def _resized_window(rng: np.random.Generator, photo: np.ndarray,
                    out_hw: Tuple[int, int], min_frac: float) -> np.ndarray:
    """A random window (side ``min_frac``..1 of the photo's short side, the
    output's aspect ratio) resized to ``out_hw``."""
    ph, pw = photo.shape[:2]
    oh, ow = out_hw
    side = rng.uniform(min_frac, 1.0) * min(ph, pw)
    wh = min(ph, side * min(1.0, oh / ow)), min(pw, side * min(1.0, ow / oh))
    y0 = rng.uniform(0, ph - wh[0])
    x0 = rng.uniform(0, pw - wh[1])
    window = photo[int(y0):int(y0 + wh[0]), int(x0):int(x0 + wh[1])]
    pil = Image.fromarray((window * 255).astype(np.uint8))
    out = pil.resize((ow, oh), Image.BILINEAR)
    return np.asarray(out, np.float32) / 255


def _blob_mask(rng: np.random.Generator, hw: Tuple[int, int]) -> np.ndarray:
    """A smooth star-shaped blob filling most of an ``hw`` box: a radius
    that varies with angle by a few random low harmonics."""
    h, w = hw
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx + 0.5) / w * 2 - 1, (yy + 0.5) / h * 2 - 1
    theta, rho = np.arctan2(v, u), np.hypot(u, v)
    radius = np.full_like(theta, 0.75)
    for k in range(2, 5):
        radius += rng.uniform(0, 0.12) * np.cos(k * theta +
                                                rng.uniform(0, 2 * np.pi))
    return rho <= np.minimum(radius, 1.0)


def generate_photo_scene(seed: int,
                         image_size: Tuple[int, int] = (160, 160),
                         num_objects: Tuple[int, int] = (1, 4)
                         ) -> Dict[str, np.ndarray]:
    """One real-photo scene; the same keys as ``generate_scene``
    (``img``, ``gt_seg_map``, ``gt_instance_map``, ``gt_bboxes``,
    ``gt_labels``)."""
    h, w = image_size
    rng = np.random.default_rng(seed)
    held_out = seed >= HELD_OUT_SEED

    def photo(name):
        return photo_part(load_photo(name), held_out)

    background = BACKGROUND_PHOTOS[rng.integers(len(BACKGROUND_PHOTOS))]
    img = _resized_window(rng, photo(background), (h, w), 0.3)
    img = img * rng.uniform(0.55, 1.15, size=3)[None, None]  # a colour tint
    sem = np.zeros((h, w), np.uint8)
    inst = np.zeros((h, w), np.int32)
    labels = []
    count = rng.integers(num_objects[0], num_objects[1] + 1)
    for k in range(count):
        cls = int(rng.integers(1, len(PHOTO_CLASSES)))
        side = rng.uniform(0.3, 0.6) * min(h, w)
        aspect = np.exp(rng.uniform(-0.4, 0.4))
        oh = max(4, min(h, int(side * aspect)))
        ow = max(4, min(w, int(side / aspect)))
        y0, x0 = rng.integers(0, h - oh + 1), rng.integers(0, w - ow + 1)
        cut = _resized_window(rng, photo(FOREGROUND_PHOTOS[cls - 1]),
                              (oh, ow), 0.35)
        cut = cut * rng.uniform(0.85, 1.15)  # exposure
        mask = _blob_mask(rng, (oh, ow))
        region = (slice(y0, y0 + oh), slice(x0, x0 + ow))
        img[region][mask] = cut[mask]
        sem[region][mask] = cls
        inst[region][mask] = k + 1
        labels.append(cls)
    img = (np.clip(img, 0, 1) * 255).round().astype(np.uint8)
    boxes, kept = visible_boxes(inst, labels)
    return dict(img=img, gt_seg_map=sem, gt_instance_map=inst,
                gt_bboxes=boxes, gt_labels=kept)
