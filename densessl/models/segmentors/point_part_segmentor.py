"""Point-MAE's part segmentation on the point-patch transformer
(ShapeNetPart-style), with the official head."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from densessl.models.point_model import BasePointModel, sample_labels
from densessl.ops import propagate_features
from densessl.registry import MODELS
from densessl.structures import DataSample


def _conv_bn(cin: int, cout: int, act: nn.Module) -> List[nn.Module]:
    return [nn.Conv1d(cin, cout, 1), nn.BatchNorm1d(cout), act]


@MODELS.register_module()
class PointTransformerPartSegmentor(BasePointModel):
    """Point-MAE's part-segmentation model: the outputs of blocks
    ``feature_blocks`` (4/8/12), each through the final LayerNorm,
    concatenated (3C); global max + mean (6C) and the object category one-hot
    through Conv1d(->64)-BN-LeakyReLU(0.2) are broadcast to every point;
    3-NN feature propagation of the 3C group features concatenated with the
    xyz through MLP [4C, 1024]; then Conv 512-BN-ReLU-Dropout 0.5, Conv 256-
    BN-ReLU, Conv(parts); NLL of log-softmax.

    ``class_parts[c]`` lists the part ids of category ``c``: predictions are
    the arg-max over those parts only, as the official evaluation.
    """

    def __init__(self, backbone: dict, class_parts: Sequence[Sequence[int]],
                 feature_blocks: Sequence[int] = (3, 7, 11),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone, data_preprocessor, init_cfg)
        dim = self.backbone.embed_dim
        self.class_parts = [list(p) for p in class_parts]
        self.num_categories = len(self.class_parts)
        num_parts = max(max(p) for p in self.class_parts) + 1
        self.feature_blocks = tuple(feature_blocks)
        feat = dim * len(self.feature_blocks)
        self.label_conv = nn.Sequential(
            nn.Conv1d(self.num_categories, 64, 1, bias=False),
            nn.BatchNorm1d(64), nn.LeakyReLU(0.2))
        self.propagation = nn.Sequential(
            *_conv_bn(feat + 3, 4 * dim, nn.ReLU()),
            *_conv_bn(4 * dim, 1024, nn.ReLU()))
        self.head = nn.Sequential(
            *_conv_bn(1024 + 2 * feat + 64, 512, nn.ReLU()), nn.Dropout(0.5),
            *_conv_bn(512, 256, nn.ReLU()), nn.Conv1d(256, num_parts, 1))

    def tensor(self, points: torch.Tensor, data_samples=None) -> torch.Tensor:
        """Per-point part logits ``B x parts x N``."""
        category = sample_labels(data_samples, 'label',
                                 points.device).reshape(-1)
        xyz = points[..., :3].float()
        num = xyz.shape[1]
        neighborhood, center = self.backbone.group(xyz)
        layers = self.backbone.encode_layers(
            self.backbone.embed(neighborhood), center, self.feature_blocks)
        x = torch.cat(layers, -1)  # B x G x 3C
        one_hot = F.one_hot(category, self.num_categories).float()
        global_feat = torch.cat([x.max(1).values, x.mean(1),
                                 self.label_conv(one_hot[..., None])[..., 0]],
                                -1)[..., None].expand(-1, -1, num)
        per_point = torch.cat([xyz, propagate_features(xyz, center, x)], -1)
        per_point = self.propagation(per_point.transpose(1, 2))
        return self.head(torch.cat([per_point, global_feat], 1))

    def loss(self, points, data_samples) -> dict:
        target = sample_labels(data_samples, 'part', points.device)
        log_prob = F.log_softmax(self.tensor(points, data_samples), 1)
        return dict(loss_seg=F.nll_loss(log_prob, target))

    def predict(self, points, data_samples) -> List[DataSample]:
        logits = self.tensor(points, data_samples)
        for sample, logit in zip(data_samples, logits):
            parts = torch.tensor(self.class_parts[int(sample.label)],
                                 device=logit.device)
            sample.pred_label = parts[logit[parts].argmax(0)]
            sample.allowed_parts = parts
            if 'part' in sample:
                sample.gt_label = torch.as_tensor(sample.part)
        return data_samples
