"""The base of every 3D model (pretraining and downstream): a backbone, a
point data preprocessor, and ``forward`` dispatching to ``tensor`` /
``loss`` / ``predict``, where ``predict`` gives one :class:`DataSample` per
cloud."""
from typing import Optional

import torch
from mmengine.model import BaseModel

from densessl.models.mode_dispatch import ModeDispatch
from densessl.registry import MODELS


def sample_labels(data_samples, key: str, device) -> torch.Tensor:
    """``key`` of every data sample, stacked as a long tensor."""
    if not data_samples or key not in data_samples[0]:
        raise KeyError(f'the data samples carry no "{key}"; the data set must '
                       f'provide it (PackPointInputs packs "{key}")')
    return torch.stack([torch.as_tensor(s.get(key)) for s in data_samples]
                       ).to(device).long()


class BasePointModel(ModeDispatch, BaseModel):
    """The base of the 3D models: ``predict`` gives one
    :class:`DataSample` per cloud.

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
