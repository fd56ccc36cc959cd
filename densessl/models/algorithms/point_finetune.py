"""Point-MAE's fine-tuning models on the point-patch transformer: object
classification (ModelNet40-style) and part segmentation (ShapeNetPart-style),
with the official heads. Pretrained encoders (Point-MAE / Point-CMAE) come in
through ``backbone.init_cfg`` (prefix ``backbone.``)."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from densessl.ops import propagate_features
from densessl.registry import MODELS
from densessl.structures import DataSample


def _labels(data_samples, key: str, device) -> torch.Tensor:
    if not data_samples or key not in data_samples[0]:
        raise KeyError(f'the data samples carry no "{key}"; the data set must '
                       f'provide it (PackPointInputs packs "{key}")')
    return torch.stack([torch.as_tensor(s.get(key)) for s in data_samples]
                       ).to(device).long()


class _PointFinetuneBase(BaseModel):

    def __init__(self, backbone: dict, data_preprocessor: Optional[dict],
                 init_cfg: Optional[dict]) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='PointCloudDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)

    def forward(self, inputs: torch.Tensor, data_samples=None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            return self.logits(inputs, data_samples)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}": use loss, tensor or '
                           'predict.')


@MODELS.register_module()
class PointTransformerClassifier(_PointFinetuneBase):
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

    def logits(self, points: torch.Tensor, data_samples=None) -> torch.Tensor:
        neighborhood, center = self.backbone.group(points)
        tokens = self.backbone.embed(neighborhood)
        batch = tokens.shape[0]
        x = self.backbone.encode(tokens, center,
                                 self.cls_token.expand(batch, -1, -1),
                                 self.cls_pos.expand(batch, -1, -1))
        return self.head(torch.cat([x[:, 0], x[:, 1:].max(1).values], -1))

    def loss(self, points, data_samples) -> dict:
        target = _labels(data_samples, 'label', points.device).reshape(-1)
        return dict(loss_cls=F.cross_entropy(self.logits(points), target))

    def predict(self, points, data_samples=None) -> List[DataSample]:
        pred = self.logits(points).argmax(1)
        samples = data_samples or [DataSample() for _ in range(len(pred))]
        for sample, label in zip(samples, pred):
            sample.pred_label = label
            if 'label' in sample:
                sample.gt_label = torch.as_tensor(sample.label).reshape(())
        return samples


def _conv_bn(cin: int, cout: int, act: nn.Module) -> List[nn.Module]:
    return [nn.Conv1d(cin, cout, 1), nn.BatchNorm1d(cout), act]


@MODELS.register_module()
class PointTransformerPartSegmentor(_PointFinetuneBase):
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

    def logits(self, points: torch.Tensor, data_samples=None) -> torch.Tensor:
        """Per-point part logits ``B x parts x N``."""
        category = _labels(data_samples, 'label', points.device).reshape(-1)
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
        target = _labels(data_samples, 'part', points.device)
        log_prob = F.log_softmax(self.logits(points, data_samples), 1)
        return dict(loss_seg=F.nll_loss(log_prob, target))

    def predict(self, points, data_samples) -> List[DataSample]:
        logits = self.logits(points, data_samples)
        for sample, logit in zip(data_samples, logits):
            parts = torch.tensor(self.class_parts[int(sample.label)],
                                 device=logit.device)
            sample.pred_label = parts[logit[parts].argmax(0)]
            sample.allowed_parts = parts
            if 'part' in sample:
                sample.gt_label = torch.as_tensor(sample.part)
        return data_samples
