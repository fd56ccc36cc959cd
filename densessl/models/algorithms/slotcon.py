from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from densessl.ops import overlap_in_view_frames
from densessl.registry import MODELS
from densessl.structures import DataSample, stack_field
from .base import MomentumSelfSupervisor


@MODELS.register_module()
class SlotCon(MomentumSelfSupervisor):
    """SlotCon (Wen et al., NeurIPS 2022), as the official code.

    Student: backbone -> per-pixel projector (``neck``) -> semantic grouping
    (``head.grouping``) -> slots; teacher: EMA copies of all three
    (``ema_decay`` 0.99 -> 1 by ``CosineEMADecayHook``). The head aligns the
    two views' score maps on their overlap (needs each view's crop box,
    flip and the original image size) and computes the group and slot
    losses. The **teacher** backbone is the one that transfers;
    ``extract_feat`` / ``predict`` use it, and ``predict`` adds the
    pixel-to-slot assignment (``slot_assignment``, ``H x W``).
    """

    transfer_branch = 'teacher'

    @property
    def online_parts(self) -> Dict[str, nn.Module]:
        return dict(backbone=self.backbone, neck=self.neck,
                    grouping=self.head.grouping)

    @property
    def teacher(self):
        return self.momentum_encoder

    def _student(self, image):
        return self.head.grouping(self.neck(self.backbone(image)))

    def loss(self, inputs: List[torch.Tensor],
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        im1, im2 = self._views(inputs, 2)[:2]
        device = im1.device
        boxes = stack_field(data_samples, 'crop_boxes').to(device)
        flips = stack_field(data_samples, 'flips').to(device).bool()
        ori_shapes = torch.tensor([s.ori_shape for s in data_samples],
                                  device=device)
        overlaps = overlap_in_view_frames(boxes[:, 0], boxes[:, 1],
                                          ori_shapes)
        student = [self._student(im1), self._student(im2)]
        with torch.no_grad():
            self.update_momentum()
            teacher = [self.teacher(im) for im in (im1, im2)]
        return self.head.loss(student, teacher, overlaps,
                              [flips[:, 0], flips[:, 1]])

    def extract_feat(self, inputs):
        return self.teacher.backbone(self._views(inputs, 1)[0])

    def predict(self, inputs, data_samples=None) -> List[DataSample]:
        image = self._views(inputs, 1)[0]
        feats = self.teacher.backbone(image)
        _, dots = self.teacher.grouping(self.teacher.neck(feats))
        data_samples = data_samples or [DataSample() for _ in image]
        for sample, feat, score in zip(data_samples, feats[-1], dots):
            sample.dense_feats = F.normalize(feat, dim=0)
            sample.slot_scores = score
            sample.slot_assignment = score.argmax(dim=0)
        return data_samples
