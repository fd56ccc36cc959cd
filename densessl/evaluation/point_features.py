"""Off-the-shelf evaluation of 3D features (no fine-tuning).

* Scenes, a sparse U-Net: every decoder level read at every original point
  (:func:`densessl.models.sparse.sampling.sample_levels`, the Masked Scene
  Modeling protocol) and concatenated; a frozen per-point linear probe and a
  training-free kNN, both scored by mIoU over the original points.
* Objects, the point-patch transformer: one global feature per object
  (max- and mean-pooled normalised tokens, the pooling of the Point-M2AE /
  ACT linear-SVM evaluation); logistic regression and kNN accuracy.

The probe and the kNN are the 2D ones (``linear_probe``,
``knn_segmentation``) applied to ``N x C x 1 x 1`` maps: one point (or one
object) per "image", so one implementation serves both.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from densessl.models.sparse.sampling import sample_levels
from densessl.structures.point_batch import collate_points, to_sparse_tensor
from .dense_iou import confusion_matrix, scores_from_confusion
from .knn_segmentation import build_memory, knn_segment
from .linear_probe import evaluate_probe, train_linear_probe


@torch.no_grad()
def scene_point_features(backbone, points: Dict[str, torch.Tensor],
                         mode: str = 'trilinear', align_corners: bool = False,
                         levels: Optional[Sequence[int]] = None
                         ) -> torch.Tensor:
    """Features of every original point of a point batch (``inverse``
    present: one row per point before voxelisation, else per voxel): the
    backbone's ``forward_levels`` (fine to coarse, or the chosen ``levels``)
    sampled at each point's voxel and concatenated."""
    maps = backbone.forward_levels(to_sparse_tensor(points))
    if levels is not None:
        maps = [maps[i] for i in levels]
    query = torch.cat([points['batch'][:, None], points['grid_coord']], 1)
    feats = sample_levels(maps, query, mode, align_corners)
    return feats[points['inverse']] if 'inverse' in points else feats


def extract_scene_features(backbone, samples: Sequence[dict],
                           mode: str = 'trilinear',
                           align_corners: bool = False,
                           levels: Optional[Sequence[int]] = None,
                           points_per_scene: Optional[int] = None,
                           seed: int = 0, device: str = 'cpu',
                           progress: bool = False
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(features, labels)`` of the original points of packed scenes
    (``PackSparsePointInputs`` output with ``full_segment``; a data set or
    a list), one scene in memory at a time; with ``points_per_scene`` a
    seeded random subset of each scene's points (labelled ones only), as
    probes train on crops."""
    generator = torch.Generator().manual_seed(seed)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(samples))
    feats, labels = [], []
    for index in range(len(samples)):  # one scene in memory at a time
        inputs = samples[index]['inputs']
        if 'full_segment' not in inputs:
            raise ValueError('scenes need labels: GridSample keeps them as '
                             '"full_segment" when the scene has "segment"')
        batch = collate_points({k: [v] for k, v in inputs.items()})
        batch = {k: v.to(device) for k, v in batch.items()}
        feat = scene_point_features(backbone, batch, mode, align_corners,
                                    levels).cpu()
        label = inputs['full_segment'].long()
        if points_per_scene is not None:
            labelled = torch.nonzero(label != 255)[:, 0]
            pick = torch.randperm(len(labelled), generator=generator)
            keep = labelled[pick[:points_per_scene]]
            feat, label = feat[keep], label[keep]
        feats.append(feat)
        labels.append(label)
        if bar:
            bar.update()
    if bar:
        print(flush=True)
    return torch.cat(feats), torch.cat(labels)


@torch.no_grad()
def object_global_features(backbone, points: torch.Tensor) -> torch.Tensor:
    """``B x 2C``: max- and mean-pooled normalised patch tokens of a
    point-patch transformer (``backbone(points)`` -> tokens, centres)."""
    tokens = backbone(points)[0]
    return torch.cat([tokens.max(1).values, tokens.mean(1)], 1)


def normalize_blocks(feats: torch.Tensor, widths: Sequence[int]
                     ) -> torch.Tensor:
    """L2-normalise each block of channels (one per level) on its own, so
    that every level weighs the same in a cosine kNN whatever its scale."""
    if sum(widths) != feats.shape[1]:
        raise ValueError(f'level widths {list(widths)} do not add up to '
                         f'{feats.shape[1]} channels')
    return torch.cat([F.normalize(block, dim=1)
                      for block in feats.split(list(widths), 1)], 1)


def evaluate_features(train_feats: torch.Tensor, train_labels: torch.Tensor,
                      val_feats: torch.Tensor, val_labels: torch.Tensor,
                      num_classes: int, evals: Sequence[str] = ('probe',
                                                                'knn'),
                      epochs: int = 30, lr: float = 0.01,
                      weight_decay: float = 0.01, batch_size: int = 4096,
                      k: int = 20, temperature: float = 0.07,
                      max_bank: int = 200_000,
                      level_widths: Optional[List[int]] = None,
                      seed: int = 0, progress: bool = False
                      ) -> Dict[str, dict]:
    """Linear probe (AdamW, cosine, on standardised features; MSM's lr 0.01
    and weight decay 0.01) and kNN of row features (``N x C``) with row
    labels; each gives mIoU, aAcc (= accuracy for objects) and per-class
    IoU. ``level_widths``: normalise each level separately for the kNN."""
    as_maps = (lambda x: x[:, :, None, None])
    result = {}
    if 'probe' in evals:
        head = train_linear_probe(as_maps(train_feats),
                                  train_labels[:, None, None], num_classes,
                                  epochs=epochs, lr=lr,
                                  batch_size=batch_size, seed=seed,
                                  progress=progress,
                                  weight_decay=weight_decay)
        result['probe'] = evaluate_probe(head, as_maps(val_feats),
                                         val_labels[:, None, None],
                                         num_classes, batch_size=batch_size)
    if 'knn' in evals:
        if level_widths:
            train_feats = normalize_blocks(train_feats, level_widths)
            val_feats = normalize_blocks(val_feats, level_widths)
        # the points of one voxel share their features: search each distinct
        # feature once (the same predictions, a fraction of the work)
        unique, inverse = torch.unique(val_feats, dim=0, return_inverse=True)
        bank, bank_labels = build_memory(
            as_maps(train_feats), train_labels[:, None, None], num_classes,
            max_bank, seed=seed)
        pred = torch.cat([
            knn_segment(bank, bank_labels, as_maps(unique[i:i + batch_size]),
                        num_classes, k, temperature)[:, :, 0, 0].argmax(1)
            for i in range(0, len(unique), batch_size)])
        result['knn'] = dict(scores_from_confusion(confusion_matrix(
            pred[inverse], val_labels, num_classes)), bank_patches=len(bank))
    return result
