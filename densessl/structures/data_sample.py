from typing import List, Sequence

import torch
from mmengine.structures import BaseDataElement


class DataSample(BaseDataElement):
    """Per-image annotations and metainfo of a (multi-view) sample.

    Multi-view fields, one row per view (set by ``PackMultiViewInputs``):

    * ``crop_boxes``: ``V x 4`` float tensor, ``(x1, y1, x2, y2)`` of each
      view's crop in original-image coordinates, normalised as PixPro does
      (``x / (W - 1)``, ``y / (H - 1)``, the centres of the first and last
      crop pixels); a horizontal flip swaps ``x1`` and ``x2``.
    * ``flips``: ``V`` bool tensor, whether each view was flipped.
    """


def stack_field(data_samples: Sequence[DataSample],
                name: str) -> torch.Tensor:
    """Stack one tensor field of every sample into a batch (``N x ...``)."""
    values: List[torch.Tensor] = []
    for i, sample in enumerate(data_samples):
        if name not in sample:
            raise KeyError(
                f'data sample {i} has no "{name}"; this algorithm needs a '
                'pipeline that records view geometry (MultiView with '
                'RandomResizedCropCoord / RandomFlipCoord, then '
                'PackMultiViewInputs).')
        values.append(torch.as_tensor(sample.get(name)))
    return torch.stack(values)
