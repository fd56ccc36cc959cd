import copy
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dataset import Compose

from densessl.registry import TRANSFORMS
from densessl.structures import DataSample
from .compose import build_pipeline
from .geometric import init_geometry

_GEOMETRY_KEYS = ('crop_box', 'flipped')


@TRANSFORMS.register_module()
class MultiView:
    """Make several augmented views of one image, each keeping its geometry.

    Args:
        transforms: one pipeline (a list of transform configs) used for every
            view, or one pipeline per view group (a list of lists), e.g. the
            asymmetric BYOL views.
        num_views: the number of views (an int), or per group (a list).

    Output: ``results['views']``, a list of per-view results dicts, each
    with ``img``, ``crop_box`` and ``flipped``.
    """

    def __init__(self, transforms: Sequence,
                 num_views: Union[int, Sequence[int]] = 2) -> None:
        transforms = list(transforms)
        groups = (transforms if transforms and isinstance(
            transforms[0], (list, tuple)) else [transforms])
        counts = ([num_views] if isinstance(num_views, int) else
                  list(num_views))
        if len(counts) != len(groups):
            raise ValueError(
                f'MultiView got {len(groups)} pipelines but num_views='
                f'{num_views}; give one count per pipeline.')
        self.pipelines: List[Compose] = []
        for group, count in zip(groups, counts):
            self.pipelines += [build_pipeline(group)] * int(count)

    def __call__(self, results: dict) -> Optional[dict]:
        base = {k: v for k, v in results.items()
                if k not in ('views', 'reference_box') + _GEOMETRY_KEYS}
        views = []
        for pipeline in self.pipelines:
            view = init_geometry(copy.copy(base))
            if views:  # lets a later view condition its crop on the first
                view['reference_box'] = list(views[0]['crop_box'])
            view = pipeline(view)
            if view is None:
                return None
            views.append(view)
        results['views'] = views
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_views={len(self.pipelines)})'


def _to_chw_uint8(img) -> torch.Tensor:
    array = np.asarray(img, dtype=np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


@TRANSFORMS.register_module()
class PackMultiViewInputs:
    """Pack the views into ``inputs`` (``V x 3 x H x W`` uint8) and a
    :class:`DataSample` with ``crop_boxes`` (``V x 4``) and ``flips``, and
    ``mask_maps`` (``V x H x W`` int64) when the views carry region masks.

    Without ``views`` the single ``img`` is packed as ``3 x H x W``.
    """

    META_KEYS = ('img_path', 'ori_shape', 'sample_idx', 'seed')

    def __call__(self, results: dict) -> dict:
        sample = DataSample(metainfo={k: results[k] for k in self.META_KEYS
                                      if k in results})
        if 'views' in results:
            views = results['views']
            shapes = {tuple(np.asarray(v['img']).shape) for v in views}
            if len(shapes) != 1:
                raise ValueError(f'all views must have one size to be '
                                 f'stacked, got {sorted(shapes)}')
            inputs = torch.stack([_to_chw_uint8(v['img']) for v in views])
            sample.crop_boxes = torch.tensor(
                [v['crop_box'] for v in views], dtype=torch.float32)
            sample.flips = torch.tensor([v['flipped'] for v in views])
            if 'mask_map' in views[0]:
                sample.mask_maps = torch.stack([torch.from_numpy(
                    np.asarray(v['mask_map'], dtype=np.int64))
                    for v in views])
        else:
            inputs = _to_chw_uint8(results['img'])
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}()'
