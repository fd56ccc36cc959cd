"""Labelled segmentation data in mmsegmentation's folder layouts, read into
memory as tensors for the dense evaluations (linear probe, kNN retrieval).

* ``mmseg``: ``data_root/img_dir/<split>/*<img_suffix>`` and
  ``data_root/ann_dir/<split>/*<seg_map_suffix>``, paired by name;
* ``voc``: ``JPEGImages/*.jpg``, ``SegmentationClass/*.png`` and the split's
  names in ``ImageSets/Segmentation/<split>.txt`` (Pascal VOC, as mmseg's
  ``PascalVOCDataset``); object maps for prompt-point segmentation in
  ``SegmentationObject/*.png`` (:func:`read_instance_split`).

Label maps hold class indices (``255`` = ignore; ``reduce_zero_label``
maps 0 to 255 and shifts the rest down, as mmseg's option). Classes come
from a text file (one name per line) or are numbered.
"""
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
import torch

from .image_folder import find_images

LAYOUTS = ('mmseg', 'voc')


def read_classes(path: Optional[str], num_classes: Optional[int] = None
                 ) -> List[str]:
    if path:
        with open(path) as f:
            names = [line.strip() for line in f if line.strip()]
        if not names:
            raise ValueError(f'the classes file "{path}" lists no class')
        return names
    if not num_classes:
        raise ValueError('give a classes file (one name per line) or the '
                         'number of classes')
    return [str(i) for i in range(num_classes)]


def _pairs(data_root: str, split: str, layout: str, img_suffix: str,
           seg_map_suffix: str, voc_maps: str = 'SegmentationClass'
           ) -> List[Tuple[str, str]]:
    if layout == 'voc':
        names_file = osp.join(data_root, 'ImageSets', 'Segmentation',
                              f'{split}.txt')
        if not osp.isfile(names_file):
            raise FileNotFoundError(f'VOC layout: no split file {names_file}')
        with open(names_file) as f:
            names = [line.strip() for line in f if line.strip()]
        return [(osp.join(data_root, 'JPEGImages', n + img_suffix),
                 osp.join(data_root, voc_maps, n + seg_map_suffix))
                for n in names]
    img_dir = osp.join(data_root, 'img_dir', split)
    ann_dir = osp.join(data_root, 'ann_dir', split)
    for folder in (img_dir, ann_dir):
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'mmseg layout: no folder {folder} (expected '
                'DATA_ROOT/img_dir/SPLIT and DATA_ROOT/ann_dir/SPLIT)')
    pairs = []
    for path in find_images(img_dir, (img_suffix, )):
        rel = osp.relpath(path, img_dir)[:-len(img_suffix)]
        pairs.append((path, osp.join(ann_dir, rel + seg_map_suffix)))
    return pairs


def _hw(path: str) -> Tuple[int, int]:
    from PIL import Image
    with Image.open(path) as img:
        return img.height, img.width


def _open(path: str, mode: str, size: Tuple[int, int],
          expect_hw: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """The file resized to ``size``; ``expect_hw``: its own size must be
    this (a label map must cover its image pixel for pixel)."""
    from PIL import Image, UnidentifiedImageError
    if not osp.isfile(path):
        raise FileNotFoundError(f'missing file: {path}')
    try:
        with Image.open(path) as img:
            img.load()
            if expect_hw and (img.height, img.width) != tuple(expect_hw):
                raise ValueError(
                    f'{path} is {img.height}x{img.width} (HxW) but its image '
                    f'is {expect_hw[0]}x{expect_hw[1]}: a label map must '
                    'have its image\'s size')
            if mode == 'RGB':
                img = img.convert('RGB').resize(size[::-1], Image.BILINEAR)
            else:  # labels: keep the indices (palette PNGs hold them)
                if img.mode not in ('L', 'P', 'I', 'I;16'):
                    raise ValueError(f'{path}: a label map must be a '
                                     f'single-channel PNG, got mode '
                                     f'{img.mode}')
                img = img.resize(size[::-1], Image.NEAREST)
            return np.asarray(img)
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f'cannot read {path}: {err}') from None


def read_seg_split(data_root: str, split: str, num_classes: int,
                   size: Tuple[int, int] = (224, 224), layout: str = 'mmseg',
                   img_suffix: Optional[str] = None,
                   seg_map_suffix: str = '.png',
                   reduce_zero_label: bool = False,
                   max_images: Optional[int] = None,
                   ignore_index: int = 255
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
    """``N x 3 x H x W`` uint8 images and ``N x H x W`` class maps of a
    split, resized to ``size`` (bilinear / nearest)."""
    if layout not in LAYOUTS:
        raise ValueError(f'layout must be one of {LAYOUTS}, got "{layout}"')
    img_suffix = img_suffix or '.jpg'
    pairs = _pairs(data_root, split, layout, img_suffix, seg_map_suffix)
    if max_images:
        pairs = pairs[:max_images]
    if not pairs:
        raise FileNotFoundError(f'no "{img_suffix}" images for split '
                                f'"{split}" under {data_root} ({layout} '
                                'layout)')
    images, labels = [], []
    for img_path, ann_path in pairs:
        images.append(torch.from_numpy(_open(img_path, 'RGB', size).copy()))
        label = torch.from_numpy(_open(ann_path, 'L', size, _hw(
            img_path)).astype(np.int64))
        if reduce_zero_label:
            label = torch.where(label == 0, ignore_index, label - 1)
            label[label == ignore_index - 1] = ignore_index
        bad = (label != ignore_index) & (label >= num_classes)
        if bool(bad.any()):
            raise ValueError(
                f'{ann_path}: label {int(label[bad].max())} is not a class '
                f'index (0..{num_classes - 1}) nor {ignore_index} (ignore); '
                'check the classes file or --reduce-zero-label')
        labels.append(label)
    return (torch.stack(images).permute(0, 3, 1, 2).contiguous(),
            torch.stack(labels))


def read_instance_split(data_root: str, split: str,
                        size: Tuple[int, int] = (224, 224),
                        img_suffix: Optional[str] = None,
                        seg_map_suffix: str = '.png',
                        max_images: Optional[int] = None) -> torch.Tensor:
    """``N x H x W`` object maps of a VOC-layout split
    (``SegmentationObject``: 0 background, 1..K the objects, 255 the void
    border), resized to ``size`` (nearest), in the order of
    :func:`read_seg_split`'s images."""
    pairs = _pairs(data_root, split, 'voc', img_suffix or '.jpg',
                   seg_map_suffix, voc_maps='SegmentationObject')
    if max_images:
        pairs = pairs[:max_images]
    if not pairs:
        raise FileNotFoundError(f'no images for split "{split}" under '
                                f'{data_root} (voc layout)')
    return torch.stack([torch.from_numpy(_open(
        ann_path, 'L', size, _hw(img_path)).astype(np.int64))
        for img_path, ann_path in pairs])
