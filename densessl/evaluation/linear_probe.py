"""Frozen-backbone dense linear probe: a 1x1 convolution on frozen features,
upsampled bilinearly to the label size, trained with cross-entropy; mIoU on a
held-out split. A quick way to compare pretrained dense features."""
from typing import Callable, Dict

import torch
import torch.nn.functional as F
from torch import nn

from .dense_iou import confusion_matrix, scores_from_confusion

FeatureFn = Callable[[torch.Tensor], torch.Tensor]  # uint8 N×3×H×W -> N×C×h×w


@torch.no_grad()
def extract_features(feature_fn: FeatureFn, images: torch.Tensor,
                     batch_size: int = 32,
                     progress: bool = False) -> torch.Tensor:
    """Run ``feature_fn`` over ``images`` in batches; features on the CPU
    (a progress bar over the images with ``progress``)."""
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(images))
    out = []
    for i in range(0, len(images), batch_size):
        out.append(feature_fn(images[i:i + batch_size]).cpu())
        if bar:
            bar.update(len(out[-1]))
    if bar:
        print(flush=True)
    return torch.cat(out)


def _logits(head: nn.Conv2d, feats: torch.Tensor, size) -> torch.Tensor:
    return F.interpolate(head(feats), size=size, mode='bilinear',
                         align_corners=False)


def train_linear_probe(feats: torch.Tensor, labels: torch.Tensor,
                       num_classes: int, epochs: int = 30, lr: float = 0.01,
                       batch_size: int = 64, ignore_index: int = 255,
                       seed: int = 0, progress: bool = False,
                       weight_decay: float = 1e-4) -> nn.Conv2d:
    """Fit a 1x1 conv (with bias) on frozen, per-channel standardised
    features. The standardisation (train-split mean / std) is folded into the
    returned conv, so it applies to raw features."""
    generator = torch.Generator().manual_seed(seed)
    mean = feats.mean((0, 2, 3))
    std = feats.std((0, 2, 3)).clamp(min=1e-6)
    normed = (feats - mean[:, None, None]) / std[:, None, None]
    head = nn.Conv2d(feats.shape[1], num_classes, 1)
    nn.init.zeros_(head.weight), nn.init.zeros_(head.bias)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr,
                                  weight_decay=weight_decay)
    steps_per_epoch = max(1, -(-len(feats) // batch_size))
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, epochs * steps_per_epoch)
    for epoch in range(epochs):
        order = torch.randperm(len(feats), generator=generator)
        total = 0.0
        for i in range(0, len(feats), batch_size):
            index = order[i:i + batch_size]
            loss = F.cross_entropy(
                _logits(head, normed[index], labels.shape[-2:]),
                labels[index], ignore_index=ignore_index)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(index)
        if progress and (epoch + 1) % max(1, epochs // 5) == 0:
            print(f'  probe epoch {epoch + 1}/{epochs}: '
                  f'loss {total / len(feats):.4f}', flush=True)
    with torch.no_grad():  # fold the standardisation into the conv
        weight = head.weight / std[None, :, None, None]
        head.bias -= (weight[:, :, 0, 0] * mean[None]).sum(1)
        head.weight.copy_(weight)
    return head


@torch.no_grad()
def evaluate_probe(head: nn.Conv2d, feats: torch.Tensor, labels: torch.Tensor,
                   num_classes: int, ignore_index: int = 255,
                   batch_size: int = 64) -> Dict[str, object]:
    """mIoU / aAcc (percent) and per-class IoU of the probe on a split."""
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for i in range(0, len(feats), batch_size):
        pred = _logits(head, feats[i:i + batch_size],
                       labels.shape[-2:]).argmax(1)
        confusion += confusion_matrix(pred, labels[i:i + batch_size],
                                      num_classes, ignore_index)
    return scores_from_confusion(confusion)
