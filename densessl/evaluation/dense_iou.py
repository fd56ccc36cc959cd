"""Per-pixel (or per-point) intersection-over-union from a confusion matrix."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from densessl.registry import METRICS


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor,
                     num_classes: int, ignore_index: int = 255) -> torch.Tensor:
    """``num_classes × num_classes`` counts, rows = ground truth, columns = prediction.

    Labels equal to ``ignore_index`` (or outside ``[0, num_classes)``) are left out.
    """
    pred = pred.reshape(-1).long()
    target = target.reshape(-1).long()
    if pred.shape != target.shape:
        raise ValueError(f'prediction has {pred.numel()} labels but target has '
                         f'{target.numel()}; they must cover the same pixels')
    keep = (target != ignore_index) & (target >= 0) & (target < num_classes)
    index = target[keep] * num_classes + pred[keep].clamp(0, num_classes - 1)
    counts = torch.bincount(index, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def iou_from_confusion(confusion: torch.Tensor) -> torch.Tensor:
    """Per-class IoU; classes absent from both prediction and target give NaN."""
    confusion = confusion.double()
    intersection = confusion.diag()
    union = confusion.sum(0) + confusion.sum(1) - intersection
    iou = intersection / union
    iou[union == 0] = float('nan')
    return iou


def scores_from_confusion(confusion: torch.Tensor) -> Dict[str, object]:
    """mIoU and aAcc (percent) and per-class IoU of a confusion matrix;
    an empty matrix (every pixel ignored) gives aAcc 0 and mIoU NaN, not a
    division by zero."""
    iou = iou_from_confusion(confusion)
    return dict(mIoU=float(torch.nanmean(iou) * 100),
                aAcc=float(confusion.diag().sum() /
                           confusion.sum().clamp(min=1) * 100),
                per_class_iou=[float(v * 100) for v in iou])


def format_scores(name: str, scores: Dict[str, object],
                  classes: Sequence[str], headline: str = 'mIoU',
                  label: Optional[str] = None) -> str:
    """One line for a tool: ``name: <label> <headline>  aAcc ..  (class
    IoU, ...)`` of :func:`scores_from_confusion`'s output."""
    per_class = ', '.join(f'{c} {v:.1f}' for c, v in
                          zip(classes, scores['per_class_iou']))
    extra = f'  aAcc {scores["aAcc"]:.2f}' if headline != 'aAcc' else ''
    return (f'{name}: {label or headline} {scores[headline]:.2f}{extra}  '
            f'(per-class IoU: {per_class})')


@METRICS.register_module()
class DenseIoUMetric(BaseMetric):
    """mIoU, aAcc and per-class IoU of dense predictions.

    Each data sample must carry ``pred_label`` and ``gt_label`` tensors of the same
    number of elements (pixels or points). Classes that appear in neither the
    predictions nor the targets are left out of the mean.
    """

    default_prefix = 'dense'

    def __init__(self, num_classes: int, ignore_index: int = 255,
                 class_names: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if class_names is not None and len(class_names) != num_classes:
            raise ValueError(f'{len(class_names)} class names for '
                             f'{num_classes} classes')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.class_names = list(class_names) if class_names else None

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            pred, gt = sample['pred_label'], sample['gt_label']
            self.results.append(
                confusion_matrix(pred.cpu(), gt.cpu(), self.num_classes,
                                 self.ignore_index))

    def compute_metrics(self, results: List[torch.Tensor]) -> Dict[str, float]:
        scores = scores_from_confusion(torch.stack(results).sum(0))
        metrics = dict(mIoU=scores['mIoU'], aAcc=scores['aAcc'])
        names = self.class_names or [str(i) for i in range(self.num_classes)]
        for name, value in zip(names, scores['per_class_iou']):
            if value == value:  # not NaN
                metrics[f'IoU.{name}'] = value
        return metrics
