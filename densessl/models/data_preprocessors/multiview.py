from typing import List, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor

from densessl.registry import MODELS


@MODELS.register_module()
class MultiViewDataPreprocessor(BaseDataPreprocessor):
    """Stack, move and normalise multi-view images on the model's device.

    Each sample's ``inputs`` is a ``uint8`` tensor ``V x 3 x H x W`` (several
    views) or ``3 x H x W`` (one view). The output ``inputs`` is a list of
    ``V`` float tensors ``N x 3 x H x W``, normalised as
    ``(x - mean) / std`` with 0-255 statistics (ImageNet by default, i.e.
    ``ToTensor`` + ``Normalize`` of torchvision).
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1),
                             False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1),
                             False)

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs: Union[torch.Tensor, List[torch.Tensor]] = data['inputs']
        batch = torch.stack(list(inputs)) if isinstance(
            inputs, (list, tuple)) else inputs
        if batch.dim() == 4:  # N x 3 x H x W: a single view
            batch = batch.unsqueeze(1)
        if batch.dim() != 5:
            raise ValueError('expected inputs of shape N x V x 3 x H x W or '
                             f'N x 3 x H x W, got {tuple(batch.shape)}')
        batch = batch.float()
        views = [(batch[:, v] - self.mean) / self.std
                 for v in range(batch.shape[1])]
        data_samples: Optional[list] = data.get('data_samples')
        return dict(inputs=views, data_samples=data_samples)
