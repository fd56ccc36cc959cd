"""Object classification accuracy and ShapeNetPart-style part mIoU."""
from collections import defaultdict
from typing import Dict, List, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from densessl.registry import METRICS


@METRICS.register_module()
class PointAccuracyMetric(BaseMetric):
    """Overall accuracy (``acc``, the number Point-MAE reports) and mean
    per-class accuracy (``mAcc``) of ``pred_label`` vs ``gt_label``."""

    default_prefix = 'cls'

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            self.results.append((int(sample['pred_label']),
                                 int(sample['gt_label'])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        pred, gt = np.array(results).T
        per_class = [np.mean(pred[gt == c] == c) for c in np.unique(gt)]
        return dict(acc=float(np.mean(pred == gt) * 100),
                    mAcc=float(np.mean(per_class) * 100))


def shape_part_iou(pred: torch.Tensor, gt: torch.Tensor,
                   parts: Sequence[int]) -> float:
    """Mean IoU over the parts of one shape's category; a part absent from
    both prediction and ground truth counts as IoU 1 (the official
    ShapeNetPart evaluation)."""
    ious = []
    for part in parts:
        p, g = pred == part, gt == part
        union = int((p | g).sum())
        ious.append(1.0 if union == 0 else int((p & g).sum()) / union)
    return float(np.mean(ious))


@METRICS.register_module()
class PartSegIoUMetric(BaseMetric):
    """ShapeNetPart metrics: instance mIoU (``ins_mIoU``, mean over shapes,
    the number Point-MAE reports) and class mIoU (``cls_mIoU``, mean over
    categories of their shapes' mean). Samples carry ``pred_label``,
    ``gt_label``, ``label`` (category) and ``allowed_parts``."""

    default_prefix = 'partseg'

    def process(self, data_batch, data_samples: Sequence) -> None:
        for s in data_samples:
            self.results.append((int(s['label']), shape_part_iou(
                s['pred_label'].cpu(), s['gt_label'].cpu(),
                s['allowed_parts'].tolist())))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        by_class = defaultdict(list)
        for category, iou in results:
            by_class[category].append(iou)
        return dict(
            ins_mIoU=float(np.mean([iou for _, iou in results]) * 100),
            cls_mIoU=float(np.mean([np.mean(v) for v in by_class.values()]) *
                           100))
