"""Features of a trained model, as its users read them: dense 2D maps,
per-point 3D features, BatchNorm re-estimation.

One place for feature extraction, low in the package: the evaluation tools,
the similarity maps (``visualization``), the training-time quality hook
(``engine``) and ``densessl.apis`` all read features through it.
"""
from typing import Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F

from densessl.ops import propagate_features
from densessl.utils.model_state import (batchnorm_layers, evaluating,
                                         reestimating_bn)


def _extract_feat(model, images: torch.Tensor):
    """``model.extract_feat`` of raw images, through its data preprocessor,
    on the model's device."""
    device = next(model.parameters()).device
    data = model.data_preprocessor(dict(inputs=images.to(device)), False)
    return model.extract_feat(data['inputs'])


@torch.no_grad()
def dense_features(model, images: torch.Tensor,
                   level: Union[int, Sequence[int]] = -1) -> torch.Tensor:
    """``N x C x h x w`` features of ``images`` (``N x 3 x H x W``, uint8 or
    0-255 float) from a densessl algorithm's ``extract_feat`` (the backbone
    that transfers: online for DenseCL / PixPro, teacher for SlotCon).

    ``level`` picks one map of the backbone's outputs, or several (e.g.
    ``(-2, -1)`` for C4 + C5): each is then upsampled bilinearly to the
    finest of them and the maps are concatenated along channels.
    The model is put in eval mode for the call and restored afterwards.
    """
    with evaluating(model):
        feats = _extract_feat(model, images)
    maps = list(feats) if isinstance(feats, (list, tuple)) else [feats]
    levels = [level] if isinstance(level, int) else list(level)
    try:
        chosen = [maps[i] for i in levels]
    except IndexError:
        raise ValueError(f'level {level} does not exist: the backbone gives '
                         f'{len(maps)} maps') from None
    if any(f.dim() != 4 for f in chosen):
        raise ValueError('extract_feat must return dense maps (N x C x h x w); '
                         f'got shapes {[tuple(f.shape) for f in chosen]}')
    size = max((f.shape[-2:] for f in chosen), key=lambda s: s[0] * s[1])
    chosen = [f if f.shape[-2:] == size else F.interpolate(
        f, size=tuple(size), mode='bilinear', align_corners=False)
        for f in chosen]
    return torch.cat(chosen, 1).float()


@torch.no_grad()
def recalibrate_bn(model, images: torch.Tensor, batch_size: int = 32) -> int:
    """Re-estimate every BatchNorm's running statistics of ``model``'s
    feature path on ``images`` (their plain average over the batches), as a
    frozen-feature evaluation after pretraining may do. Returns the number of
    BN layers reset; the model is left in eval mode."""
    layers = batchnorm_layers(model)
    try:
        with reestimating_bn(layers):
            model.train()
            for i in range(0, len(images), batch_size):
                _extract_feat(model, images[i:i + batch_size])
    finally:
        model.eval()
    return len(layers)


@torch.no_grad()
def point_features(model, coord: torch.Tensor) -> torch.Tensor:
    """``N x C`` per-point features of one ``N x 3`` cloud from a point
    algorithm's ``extract_feat`` (tokens + group centres), propagated to the
    points from their 3 nearest centres. Eval mode for the call."""
    with evaluating(model):
        device = next(model.parameters()).device
        points = coord.to(device).float()[None]
        tokens, center = model.extract_feat(points)
    return propagate_features(points, center, tokens)[0].cpu()


@torch.no_grad()
def sparse_point_features(model, coord: np.ndarray, grid_size: float,
                          color: Optional[np.ndarray] = None) -> torch.Tensor:
    """``N x C`` per-point features of one scene from a sparse-backbone
    algorithm (PointContrast, SparseSegmentor): the cloud is voxelised as in
    testing, and every point takes its voxel's feature. Without colours the
    input feature is a neutral grey."""
    from densessl.datasets.transforms import GridSample, PointFeatures
    from densessl.structures import collate_points
    results = dict(coord=np.asarray(coord, np.float32), color=(
        np.full_like(coord, 0.5, dtype=np.float32) if color is None
        else np.asarray(color, np.float32)))
    results = PointFeatures()(GridSample(grid_size, mode='test')(results))
    batch = collate_points({k: [torch.from_numpy(np.ascontiguousarray(
        results[k]))] for k in ('coord', 'grid_coord', 'feat', 'inverse')})
    with evaluating(model):
        device = next(model.parameters()).device
        feats = model.extract_feat({k: v.to(device) for k, v in batch.items()})
    return feats[batch['inverse'].to(feats.device)].cpu()
