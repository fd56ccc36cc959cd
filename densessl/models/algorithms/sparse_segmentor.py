"""Per-point semantic segmentation with a sparse backbone: the 3D transfer
task for backbones pretrained by PointContrast (or trained from scratch)."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from densessl.models.data_preprocessors.sparse_point import to_sparse_tensor
from densessl.registry import MODELS
from densessl.structures import DataSample


@MODELS.register_module()
class SparseSegmentor(BaseModel):
    """Backbone features of each voxel -> a linear classifier; cross-entropy
    on voxel labels (``ignore_index`` left out). Predictions are carried back
    to every original point through ``inverse``, so the metric is per point
    (``pred_label`` / ``gt_label`` per cloud in ``mode='predict'``)."""

    def __init__(self, backbone: dict, num_classes: int,
                 ignore_index: int = 255,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='SparsePointDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = nn.Linear(self.backbone.out_channels, num_classes)
        self.ignore_index = ignore_index

    def _logits(self, points: dict) -> torch.Tensor:
        return self.head(self.backbone(to_sparse_tensor(points)).feats)

    def forward(self, inputs: dict, data_samples=None, mode: str = 'tensor'):
        if isinstance(inputs, (list, tuple)):
            raise ValueError('SparseSegmentor takes one view per scene; drop '
                             'PointMultiView from the pipeline')
        logits = self._logits(inputs)
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            if 'segment' not in inputs:
                raise KeyError('the point batch has no "segment" labels')
            return dict(loss_seg=F.cross_entropy(
                logits, inputs['segment'], ignore_index=self.ignore_index))
        if mode == 'predict':
            return self._predict(logits, inputs)
        raise RuntimeError(f'Invalid mode "{mode}": use loss, tensor or '
                           'predict.')

    def _predict(self, logits: torch.Tensor, points: dict) -> List[DataSample]:
        label = logits.argmax(1)
        if 'inverse' in points and 'full_segment' in points:
            label, gt = label[points['inverse']], points['full_segment']
            offset = points['full_offset']
        else:  # no voxelisation record: score the voxels
            gt, offset = points.get('segment'), points['offset']
        starts = [0] + offset[:-1].tolist()
        samples = []
        for start, end in zip(starts, offset.tolist()):
            sample = DataSample()
            sample.pred_label = label[start:end]
            if gt is not None:
                sample.gt_label = gt[start:end]
            samples.append(sample)
        return samples
