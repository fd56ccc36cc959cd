"""PointContrast (Xie et al., ECCV 2020) on a sparse U-Net: two augmented
views of a scene, points matched through ``origin_coord``, PointInfoNCE over
sampled matches."""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F

from densessl.models.losses import match_by_origin, point_info_nce, sample_pairs
from densessl.models.point_model import BasePointModel
from densessl.registry import MODELS
from densessl.structures import DataSample, split_by_offset, to_sparse_tensor


@MODELS.register_module()
class PointContrast(BasePointModel):
    """Defaults follow the official ``PointNCELossTrainer`` run
    (``scripts/ddp_local.sh``): ``nceT=0.4``, ``npos=4096``, output features
    L2-normalised (``normalize_feature``), one loss direction (view-0
    queries against view-1 keys). The official positives come from
    registering two scan frames; here both views are augmentations of one
    scene (as Pointcept and MSC do), matched by nearest ``origin_coord``
    within ``match_radius`` (default 1.5 voxels, the official
    ``positive_pair_search_voxel_size_multiplier``).

    ``forward(mode='tensor')`` gives per-voxel features of one point batch,
    ``mode='predict'`` one data sample per cloud with L2-normalised
    ``point_feats`` (voxels x C) and their ``coords``.
    """

    default_preprocessor = 'SparsePointDataPreprocessor'

    def __init__(self, backbone: dict, temperature: float = 0.4,
                 num_pairs: int = 4096, match_radius: float = 0.0375,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if temperature <= 0 or num_pairs < 2 or match_radius <= 0:
            raise ValueError('temperature and match_radius must be positive '
                             'and num_pairs >= 2')
        super().__init__(backbone, data_preprocessor, init_cfg)
        self.temperature = temperature
        self.num_pairs = num_pairs
        self.match_radius = match_radius

    def extract_feat(self, points: Dict[str, torch.Tensor]) -> torch.Tensor:
        return self.backbone(to_sparse_tensor(points)).feats

    def loss(self, views: List[Dict[str, torch.Tensor]], data_samples=None
             ) -> Dict[str, torch.Tensor]:
        if not isinstance(views, (list, tuple)) or len(views) < 2:
            raise ValueError('PointContrast needs two views per scene; use a '
                             'PointMultiView(num_views=2) pipeline')
        view0, view1 = views[:2]
        pairs = match_by_origin(view0['origin_coord'], view0['offset'],
                                view1['origin_coord'], view1['offset'],
                                self.match_radius)
        if len(pairs) < 2:
            raise ValueError(
                f'only {len(pairs)} points of the two views match within '
                f'{self.match_radius}: the views do not overlap (crops too '
                'small?) or match_radius is below the voxel size')
        pairs = sample_pairs(pairs, self.num_pairs)
        feat0 = F.normalize(self.extract_feat(view0), dim=1)
        feat1 = F.normalize(self.extract_feat(view1), dim=1)
        loss = point_info_nce(feat0[pairs[:, 0]], feat1[pairs[:, 1]],
                              self.temperature)
        return dict(loss=loss,
                    num_matches=torch.tensor(float(len(pairs)),
                                             device=loss.device))

    @staticmethod
    def _first_view(inputs) -> Dict[str, torch.Tensor]:
        return inputs[0] if isinstance(inputs, (list, tuple)) else inputs

    def tensor(self, inputs, data_samples=None) -> torch.Tensor:
        return self.extract_feat(self._first_view(inputs))

    def predict(self, inputs, data_samples=None) -> List[DataSample]:
        points = self._first_view(inputs)
        feats = F.normalize(self.extract_feat(points), dim=1)
        samples = []
        for feat, coord in zip(split_by_offset(feats, points['offset']),
                               split_by_offset(points['coord'],
                                               points['offset'])):
            sample = DataSample()
            sample.point_feats, sample.coords = feat, coord
            samples.append(sample)
        return samples
