"""Metrics for dense evaluation of pretrained features."""
from .dense_iou import DenseIoUMetric, confusion_matrix, iou_from_confusion

__all__ = ['DenseIoUMetric', 'confusion_matrix', 'iou_from_confusion']
