"""Per-point semantic segmentation with a sparse backbone: the 3D transfer
task for backbones pretrained by PointContrast (or trained from scratch)."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from densessl.models.point_model import BasePointModel
from densessl.registry import MODELS
from densessl.structures import DataSample, split_by_offset, to_sparse_tensor


@MODELS.register_module()
class SparseSegmentor(BasePointModel):
    """Backbone features of each voxel -> a linear classifier; cross-entropy
    on voxel labels (``ignore_index`` left out). Predictions are carried back
    to every original point through ``inverse``, so the metric is per point
    (``pred_label`` / ``gt_label`` per cloud in ``mode='predict'``)."""

    default_preprocessor = 'SparsePointDataPreprocessor'

    def __init__(self, backbone: dict, num_classes: int,
                 ignore_index: int = 255,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg)
        self.head = nn.Linear(self.backbone.out_channels, num_classes)
        self.ignore_index = ignore_index

    def tensor(self, points: dict, data_samples=None) -> torch.Tensor:
        """Per-voxel class logits ``N x classes``."""
        if isinstance(points, (list, tuple)):
            raise ValueError('SparseSegmentor takes one view per scene; drop '
                             'PointMultiView from the pipeline')
        return self.head(self.backbone(to_sparse_tensor(points)).feats)

    def loss(self, points: dict, data_samples=None) -> dict:
        logits = self.tensor(points)
        if 'segment' not in points:
            raise KeyError('the point batch has no "segment" labels')
        return dict(loss_seg=F.cross_entropy(
            logits, points['segment'], ignore_index=self.ignore_index))

    def predict(self, points: dict, data_samples=None) -> List[DataSample]:
        label = self.tensor(points).argmax(1)
        if 'inverse' in points and 'full_segment' in points:
            label, gt = label[points['inverse']], points['full_segment']
            offset = points['full_offset']
        else:  # no voxelisation record: score the voxels
            gt, offset = points.get('segment'), points['offset']
        samples = []
        for i, pred in enumerate(split_by_offset(label, offset)):
            sample = DataSample()
            sample.pred_label = pred
            if gt is not None:
                sample.gt_label = split_by_offset(gt, offset)[i]
            samples.append(sample)
        return samples
