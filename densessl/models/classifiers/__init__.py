"""Downstream classifiers that take pretrained backbones."""
from .point_transformer_classifier import PointTransformerClassifier

__all__ = ['PointTransformerClassifier']
