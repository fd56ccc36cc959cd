"""The base of every 3D model (pretraining and downstream): a backbone, a
point data preprocessor, and ``forward`` dispatching to ``tensor`` /
``loss`` / ``predict``, where ``predict`` gives one :class:`DataSample` per
cloud."""
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from densessl.registry import MODELS
from densessl.structures import DataSample


def sample_labels(data_samples, key: str, device) -> torch.Tensor:
    """``key`` of every data sample, stacked as a long tensor."""
    if not data_samples or key not in data_samples[0]:
        raise KeyError(f'the data samples carry no "{key}"; the data set must '
                       f'provide it (PackPointInputs packs "{key}")')
    return torch.stack([torch.as_tensor(s.get(key)) for s in data_samples]
                       ).to(device).long()


def split_by_offset(values: torch.Tensor, offset: torch.Tensor
                    ) -> List[torch.Tensor]:
    """The rows of a batched point tensor, cloud by cloud (Pointcept's
    cumulative ``offset``)."""
    starts = [0] + offset[:-1].tolist()
    return [values[a:b] for a, b in zip(starts, offset.tolist())]


class BasePointModel(BaseModel):
    """``forward(inputs, data_samples, mode)`` with ``mode`` one of
    ``'tensor'`` (the raw network output), ``'loss'`` (a dict of losses) or
    ``'predict'`` (a list of :class:`DataSample`, one per cloud).

    Args:
        backbone: the backbone config.
        data_preprocessor: defaults to :attr:`default_preprocessor`.
    """

    default_preprocessor = 'PointCloudDataPreprocessor'

    def __init__(self, backbone: dict,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type=self.default_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)

    def forward(self, inputs, data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            return self.tensor(inputs, data_samples)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}": use loss, tensor or '
                           'predict.')

    def tensor(self, inputs, data_samples=None):
        raise NotImplementedError

    def loss(self, inputs, data_samples=None) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def predict(self, inputs, data_samples=None) -> List[DataSample]:
        raise NotImplementedError
