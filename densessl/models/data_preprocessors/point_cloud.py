from typing import Optional

import torch
from mmengine.model import BaseDataPreprocessor

from densessl.registry import MODELS


@MODELS.register_module()
class PointCloudDataPreprocessor(BaseDataPreprocessor):
    """Stack per-sample ``N x C`` point tensors into ``B x N x C`` float on the
    model's device (clouds of a batch must have the same number of points,
    which the sampling transforms guarantee)."""

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            sizes = {tuple(p.shape) for p in inputs}
            if len(sizes) != 1:
                raise ValueError(
                    f'clouds of a batch differ in shape {sorted(sizes)}; add '
                    'a RandomPointSubsample(num_points=N) transform')
            inputs = torch.stack(list(inputs))
        if inputs.dim() != 3:
            raise ValueError('expected B x N x C points, got shape '
                             f'{tuple(inputs.shape)}')
        samples: Optional[list] = data.get('data_samples')
        return dict(inputs=inputs.float(), data_samples=samples)
