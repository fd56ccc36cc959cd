"""Point-MAE's object classifier on the point-patch transformer
(ModelNet40-style). Pretrained encoders (Point-MAE / Point-CMAE) come in
through ``backbone.init_cfg`` (prefix ``backbone.``)."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from densessl.models.point_model import BasePointModel, sample_labels
from densessl.registry import MODELS
from densessl.structures import DataSample


@MODELS.register_module()
class PointTransformerClassifier(BasePointModel):
    """Point-MAE's ``PointTransformer`` for classification: a fresh cls
    token and cls position (trunc-normal 0.02, never loaded from
    pretraining), then ``[cls ; max-pool(patch tokens)]`` -> Linear 256-BN-
    ReLU-Dropout 0.5 -> Linear 256-BN-ReLU-Dropout 0.5 -> Linear(classes);
    cross-entropy without label smoothing. With the default backbone and 40
    classes it has the official 22,099,752 parameters."""

    def __init__(self, backbone: dict, num_classes: int = 40,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg)
        dim = self.backbone.embed_dim
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.cls_pos = nn.Parameter(torch.zeros(1, 1, dim))
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        nn.init.trunc_normal_(self.cls_pos, std=0.02)
        self.head = nn.Sequential(
            nn.Linear(2 * dim, 256), nn.BatchNorm1d(256), nn.ReLU(True),
            nn.Dropout(0.5), nn.Linear(256, 256), nn.BatchNorm1d(256),
            nn.ReLU(True), nn.Dropout(0.5), nn.Linear(256, num_classes))

    def tensor(self, points: torch.Tensor, data_samples=None) -> torch.Tensor:
        """Class logits ``B x classes``."""
        neighborhood, center = self.backbone.group(points)
        tokens = self.backbone.embed(neighborhood)
        batch = tokens.shape[0]
        x = self.backbone.encode(tokens, center,
                                 self.cls_token.expand(batch, -1, -1),
                                 self.cls_pos.expand(batch, -1, -1))
        return self.head(torch.cat([x[:, 0], x[:, 1:].max(1).values], -1))

    def loss(self, points, data_samples) -> dict:
        target = sample_labels(data_samples, 'label',
                               points.device).reshape(-1)
        return dict(loss_cls=F.cross_entropy(self.tensor(points), target))

    def predict(self, points, data_samples=None) -> List[DataSample]:
        pred = self.tensor(points).argmax(1)
        samples = data_samples or [DataSample() for _ in range(len(pred))]
        for sample, label in zip(samples, pred):
            sample.pred_label = label
            if 'label' in sample:
                sample.gt_label = torch.as_tensor(sample.label).reshape(())
        return samples
