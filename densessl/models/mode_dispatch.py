from typing import Dict, List, Optional

import torch

from densessl.structures import DataSample


class ModeDispatch:
    """MMEngine's ``forward(inputs, data_samples, mode)`` for every densessl
    model: ``'tensor'`` (the raw network output), ``'loss'`` (a dict of
    losses) or ``'predict'`` (a list of :class:`DataSample`)."""

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
