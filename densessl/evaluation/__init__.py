"""Metrics for dense evaluation of pretrained features."""
from .dense_iou import (DenseIoUMetric, confusion_matrix, iou_from_confusion,
                        scores_from_confusion)
from .point_metrics import PartSegIoUMetric, PointAccuracyMetric, shape_part_iou

__all__ = ['DenseIoUMetric', 'confusion_matrix', 'iou_from_confusion',
           'scores_from_confusion',
           'PartSegIoUMetric', 'PointAccuracyMetric', 'shape_part_iou']
