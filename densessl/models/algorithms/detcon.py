from typing import Dict, List, Optional, Tuple

import torch

from densessl.ops import majority_vote_masks, pool_by_masks, sample_mask_ids
from densessl.registry import MODELS
from densessl.structures import DataSample
from .base import BaseSelfSupervisor, MomentumSelfSupervisor


class RegionSampler:
    """The mask side of DetCon, shared by DetCon-B and DetCon-S: each view's
    region id map is reduced to the feature grid by majority vote and
    ``num_samples`` ids are drawn per image (with replacement, from the
    masks owning a cell); the same masks and ids then serve every network
    that sees the view."""

    def __init__(self, num_samples: int = 16, max_mask_id: int = 256) -> None:
        self.num_samples = num_samples
        self.max_mask_id = max_mask_id

    @staticmethod
    def mask_maps(data_samples: Optional[List[DataSample]]) -> torch.Tensor:
        """``N x V x H x W`` region ids of the batch's views."""
        if not data_samples or any('mask_maps' not in s
                                   for s in data_samples):
            raise KeyError(
                'DetCon needs region masks per view: put LoadRegionMasks '
                'before MultiView in the pipeline (see configs/_base_/'
                'datasets/*_detcon.py).')
        return torch.stack([s.mask_maps for s in data_samples])

    def __call__(self, mask_map: torch.Tensor, grid: Tuple[int, int]
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
        masks = majority_vote_masks(mask_map, grid, self.max_mask_id)
        return masks, sample_mask_ids(masks, self.num_samples)

    def project_views(self, backbone, neck, images, maps: torch.Tensor
                      ) -> Tuple[List[torch.Tensor], List[tuple]]:
        """For each view ``v``: its masks on the grid of the last backbone
        map, the sampled ids, and the projected pooled regions
        (``N x K x D``). Returns the projections and the ``(masks, ids)``
        pairs, for the networks that must see the same regions."""
        projections, regions = [], []
        for v, image in enumerate(images):
            feats = backbone(image)[-1]
            masks, ids = self(maps[:, v], feats.shape[-2:])
            regions.append((masks, ids))
            projections.append(neck(pool_by_masks(feats, masks, ids)))
        return projections, regions


def _regions(backbone, neck, image: torch.Tensor, masks: torch.Tensor,
             ids: torch.Tensor) -> torch.Tensor:
    """Pool the last backbone map under the sampled masks, then project:
    ``N x K x D`` (pooling comes before the projector, as official)."""
    return neck(pool_by_masks(backbone(image)[-1], masks, ids))


@MODELS.register_module()
class DetConB(MomentumSelfSupervisor):
    """DetCon-B (Hénaff et al., ICCV 2021), as the official JAX code.

    BYOL networks on regions: the last backbone map (C5) is average-pooled
    under ``num_samples`` region masks per view, projected (``neck``) and,
    online, predicted (``head.predictor``); the head contrasts predictions
    with the momentum projections at temperature 0.1 (not BYOL's
    regression). ``ema_decay`` is driven to 1 by ``CosineEMADecayHook``
    (0.996 at 1000 epochs, 0.99 at 300).

    Args:
        num_samples: masks drawn per image and view (official 16).
        max_mask_id: ids are taken modulo this (official 256: uint8 masks).
        target_init: ``'independent'`` (official: the target network gets
            its own random init) or ``'copy'`` (the usual PyTorch BYOL
            start, e.g. for a pretrained backbone).
    """

    def __init__(self, backbone: dict, neck: dict, head: dict,
                 ema_decay: float = 0.996, num_samples: int = 16,
                 max_mask_id: int = 256, target_init: str = 'independent',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if target_init not in ('independent', 'copy'):
            raise ValueError(f'target_init must be "independent" or "copy", '
                             f'got {target_init!r}')
        super().__init__(backbone, neck, head, ema_decay, data_preprocessor,
                         init_cfg)
        self.sampler = RegionSampler(num_samples, max_mask_id)
        self.target_init = target_init
        self._part_cfgs = dict(backbone=backbone,
                               neck=self.with_in_channels(neck))

    def init_weights(self) -> None:
        super().init_weights()
        if self.target_init == 'independent':
            # a fresh build draws its own random init (modules without an
            # init_cfg are initialised by their constructors)
            for name, cfg in self._part_cfgs.items():
                getattr(self.momentum_encoder, name).load_state_dict(
                    MODELS.build(cfg).state_dict())

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        maps = self.sampler.mask_maps(data_samples).to(im1.device)
        online, regions = self.sampler.project_views(
            self.backbone, self.neck, (im1, im2), maps)
        with torch.no_grad():
            self.update_momentum()
            teacher = self.momentum_encoder
            target = [_regions(teacher.backbone, teacher.neck, image, *r)
                      for image, r in zip((im1, im2), regions)]
        return self.head.loss(online1=online[0], online2=online[1],
                              target1=target[0], target2=target[1],
                              ids1=regions[0][1], ids2=regions[1][1])


@MODELS.register_module()
class DetConS(BaseSelfSupervisor):
    """DetCon-S: SimCLR networks on regions (no official code; lightly's
    ``DetConSLoss`` form): the online projections of both views are
    predictions and targets at once, gradients through both, the same
    region sampling, loss and temperature as DetCon-B."""

    def __init__(self, backbone: dict, neck: dict, head: dict,
                 num_samples: int = 16, max_mask_id: int = 256,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, neck, head, data_preprocessor, init_cfg)
        self.sampler = RegionSampler(num_samples, max_mask_id)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        maps = self.sampler.mask_maps(data_samples).to(im1.device)
        proj, regions = self.sampler.project_views(
            self.backbone, self.neck, (im1, im2), maps)
        return self.head.loss(online1=proj[0], online2=proj[1],
                              target1=proj[0], target2=proj[1],
                              ids1=regions[0][1], ids2=regions[1][1])
