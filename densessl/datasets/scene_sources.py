"""The embedded 2D scene sources, by name: ``procedural`` (generated shapes,
no dependency) and ``photos`` (real photographs shipped with scikit-image,
see ``photo_scenes``). Both give the same per-scene dict."""
from typing import Callable, Dict, NamedTuple, Sequence, Tuple

import torch

from .photo_scenes import PHOTO_CLASSES, generate_photo_scene
from .scene_generator import SCENE_CLASSES, generate_scene


class SceneSource(NamedTuple):
    classes: Tuple[str, ...]
    generate: Callable[..., dict]  # (seed, image_size, num_objects) -> dict
    num_objects: Tuple[int, int]


SCENE_SOURCES: Dict[str, SceneSource] = {
    'procedural': SceneSource(SCENE_CLASSES, generate_scene, (2, 6)),
    'photos': SceneSource(PHOTO_CLASSES, generate_photo_scene, (1, 4)),
}


def scene_source(name: str) -> SceneSource:
    if name not in SCENE_SOURCES:
        raise ValueError(f'unknown scene source {name!r}; choose one of '
                         f'{sorted(SCENE_SOURCES)}')
    return SCENE_SOURCES[name]


def scene_arrays(seeds: Sequence[int], image_size: Tuple[int, int],
                 source: str = 'procedural', instances: bool = False
                 ) -> Tuple[torch.Tensor, ...]:
    """Embedded scenes as ``N x 3 x H x W`` uint8 images and ``N x H x W``
    class maps (and ``N x H x W`` instance ids with ``instances``)."""
    src = scene_source(source)
    scenes = [src.generate(int(s), tuple(image_size), src.num_objects)
              for s in seeds]
    images = torch.stack([torch.from_numpy(s['img']).permute(2, 0, 1)
                          for s in scenes])
    labels = torch.stack([torch.from_numpy(s['gt_seg_map']).long()
                          for s in scenes])
    if instances:
        ids = torch.stack([torch.from_numpy(
            s['gt_instance_map'].astype('int64')) for s in scenes])
        return images.contiguous(), labels, ids
    return images.contiguous(), labels
