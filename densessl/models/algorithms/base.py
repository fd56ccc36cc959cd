from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from densessl.models.mode_dispatch import ModeDispatch
from densessl.registry import MODELS
from densessl.structures import DataSample


class BaseSelfSupervisor(ModeDispatch, BaseModel):
    """data_preprocessor + backbone + neck + head.

    ``forward(inputs, data_samples, mode)``:

    * ``'loss'``: a dict of losses for ``inputs``, a list of views.
    * ``'tensor'``: the dense backbone features (tuple of maps) of the first
      view (``extract_feat``, which
      ``densessl.evaluation.features.dense_features`` and the similarity
      tools call directly).
    * ``'predict'``: data samples with ``dense_feats`` (L2-normalised last
      backbone map, ``C x H x W``) per image.
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiViewDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(self.with_in_channels(neck)) \
            if neck is not None else None
        self.head = MODELS.build(head) if head is not None else None

    def with_in_channels(self, cfg: dict) -> dict:
        """``cfg`` with ``in_channels`` taken from the backbone's last output
        (``backbone.out_channels[-1]``) when it is missing or None, for the
        modules that take it: configs need not write channel numbers."""
        import inspect
        cfg = dict(cfg)
        if cfg.get('in_channels') is not None:
            return cfg
        module = MODELS.get(cfg['type']) if isinstance(cfg.get('type'),
                                                       str) else cfg['type']
        if module is not None and 'in_channels' in \
                inspect.signature(module).parameters:
            cfg['in_channels'] = self.backbone.out_channels[-1]
        return cfg

    @staticmethod
    def _views(inputs: Union[torch.Tensor, List[torch.Tensor]],
               count: int) -> List[torch.Tensor]:
        views = [inputs] if isinstance(inputs, torch.Tensor) else list(inputs)
        if len(views) < count:
            raise ValueError(
                f'{count} views are needed, got {len(views)}; use a '
                f'MultiView(num_views={count}) pipeline.')
        return views

    def extract_feat(self, inputs: Union[torch.Tensor, List[torch.Tensor]]
                     ) -> Tuple[torch.Tensor, ...]:
        return self.backbone(self._views(inputs, 1)[0])

    def tensor(self, inputs, data_samples=None) -> Tuple[torch.Tensor, ...]:
        return self.extract_feat(inputs)

    def predict(self, inputs, data_samples=None) -> List[DataSample]:
        feats = F.normalize(self.extract_feat(inputs)[-1], dim=1)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(feats.shape[0])]
        for sample, feat in zip(data_samples, feats):
            sample.dense_feats = feat
        return data_samples


class MomentumSelfSupervisor(BaseSelfSupervisor):
    """A self-supervisor whose online modules have one momentum (EMA) copy.

    ``online_parts`` names the online modules (``backbone``, ``neck`` here;
    subclasses add theirs, built in :meth:`build_online_extras`), and
    ``momentum_encoder`` is their single copy, whose parts carry the same
    names (``self.momentum_encoder.backbone``). It is made equal to the online
    weights after ``init_weights`` (and at construction) and moved towards
    them by :meth:`update_momentum` with ``ema_decay``, the kept fraction of
    the momentum weights per step (constant, or set each iteration by
    ``CosineEMADecayHook``).

    ``transfer_branch``: which backbone transfers (``'online'``, or
    ``'teacher'`` for SlotCon); the export and evaluation tools read it.
    """

    transfer_branch = 'online'

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 ema_decay: float = 0.99,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, neck, head, data_preprocessor, init_cfg)
        from densessl.models.utils import MomentumCopy
        self.ema_decay = ema_decay
        self.build_online_extras()
        self.momentum_encoder = MomentumCopy(self.online_encoder,
                                             list(self.online_parts))

    def build_online_extras(self) -> None:
        """Build the online modules beyond backbone / neck / head that need a
        momentum copy (list them in :attr:`online_encoder`)."""

    @property
    def online_parts(self) -> Dict[str, nn.Module]:
        """The online modules that have a momentum copy, by name, in order
        (the backbone first)."""
        return dict(backbone=self.backbone, neck=self.neck)

    @property
    def online_encoder(self) -> nn.Sequential:
        """:attr:`online_parts` in sequence. A view, not a registered
        submodule."""
        return nn.Sequential(*self.online_parts.values())

    def update_momentum(self) -> None:
        """``momentum = ema_decay * momentum + (1 - ema_decay) * online``."""
        self.momentum_encoder.update(self.online_encoder, self.ema_decay)

    def init_weights(self) -> None:
        super().init_weights()
        self.momentum_encoder.copy_from(self.online_encoder)
