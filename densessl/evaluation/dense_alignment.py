"""Label-free measures of dense features (Wang & Isola, ICML 2020, applied
per position): *alignment* of the features of the same scene point in two
views, *uniformity* of all features on the hypersphere; and training-free
*prompt-point segmentation*: a point on an object selects its feature, and
the cosine map of that feature over the image, thresholded, is the object's
mask.

Conventions: features are L2-normalised here; ``alignment`` is
``E ||f1 - f2||^alpha`` over matched positions (lower is better; 0..4 for
``alpha`` 2), ``uniformity`` is ``log E exp(-t ||fi - fj||^2)`` over pairs of
distinct positions (lower is more uniform; ``-4 t``..0).
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F

from densessl.models.losses.pixpro import feature_bin_centres


def alignment(x: torch.Tensor, y: torch.Tensor, alpha: float = 2.0
              ) -> torch.Tensor:
    """``mean ||x_i - y_i||^alpha`` of L2-normalised rows (``P x C``)."""
    x, y = F.normalize(x, dim=1), F.normalize(y, dim=1)
    return (x - y).norm(dim=1).pow(alpha).mean()


def uniformity(x: torch.Tensor, t: float = 2.0, max_points: int = 4096,
               seed: int = 0) -> torch.Tensor:
    """``log mean_{i != j} exp(-t ||x_i - x_j||^2)`` of L2-normalised rows
    (``P x C``); at most ``max_points`` rows (a seeded subset) so the cost
    stays bounded."""
    if len(x) > max_points:
        generator = torch.Generator().manual_seed(seed)
        x = x[torch.randperm(len(x), generator=generator)[:max_points]
              .to(x.device)]
    if len(x) < 2:
        raise ValueError('uniformity needs at least 2 features')
    x = F.normalize(x, dim=1)
    sq = torch.pdist(x).pow(2)  # the i < j pairs: same mean as i != j
    return torch.logsumexp(-t * sq, dim=0) - torch.log(
        torch.tensor(float(len(sq)), device=x.device))


@torch.no_grad()
def matched_positions(boxes1: torch.Tensor, boxes2: torch.Tensor,
                      height: int, width: int, threshold: float = 0.7
                      ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Geometric correspondence of two views' ``height x width`` feature
    grids from their crop boxes (PixPro's ``x1, y1, x2, y2`` in normalised
    image coordinates, flips swap x): for every cell of view 1 the cell of
    view 2 whose centre is nearest, kept when that distance is below
    ``threshold`` times the larger cell diagonal (PixPro's positive rule).

    Returns ``(image, cell1, cell2)`` index tensors of the kept pairs."""
    ax, ay, a_diag = feature_bin_centres(boxes1.float(), height, width)
    bx, by, b_diag = feature_bin_centres(boxes2.float(), height, width)
    dist = torch.sqrt((ax[:, :, None] - bx[:, None, :]) ** 2 +
                      (ay[:, :, None] - by[:, None, :]) ** 2)
    best, cell2 = dist.min(dim=2)
    keep = best < threshold * torch.maximum(a_diag, b_diag)[:, None]
    image, cell1 = keep.nonzero(as_tuple=True)
    return image, cell1, cell2[image, cell1]


def dense_alignment_uniformity(feats1: torch.Tensor, feats2: torch.Tensor,
                               boxes1: torch.Tensor, boxes2: torch.Tensor,
                               alpha: float = 2.0, t: float = 2.0,
                               threshold: float = 0.7,
                               max_points: int = 4096
                               ) -> Dict[str, float]:
    """Alignment over the matched positions of two views' dense features
    (``N x C x h x w`` each) and uniformity over every position of both;
    ``pairs``: how many matched positions the alignment averages."""
    n, c, h, w = feats1.shape
    image, cell1, cell2 = matched_positions(boxes1, boxes2, h, w, threshold)
    rows1 = feats1.flatten(2).transpose(1, 2)  # N x hw x C
    rows2 = feats2.flatten(2).transpose(1, 2)
    out = dict(pairs=int(len(image)))
    out['alignment'] = float(alignment(rows1[image, cell1],
                                       rows2[image, cell2], alpha)) \
        if len(image) else float('nan')
    everything = torch.cat([rows1.reshape(-1, c), rows2.reshape(-1, c)])
    out['uniformity'] = float(uniformity(everything, t, max_points))
    return out


def point_alignment_uniformity(feats1: torch.Tensor, feats2: torch.Tensor,
                               pairs: torch.Tensor, alpha: float = 2.0,
                               t: float = 2.0, max_points: int = 4096
                               ) -> Dict[str, float]:
    """The 3D form: alignment over matched points of two views (``pairs``
    ``M x 2`` row indices into ``feats1`` / ``feats2``, e.g. from
    ``match_by_origin``: the same scene point before augmentation),
    uniformity over every point of both views."""
    out = dict(pairs=int(len(pairs)))
    out['alignment'] = float(alignment(feats1[pairs[:, 0]],
                                       feats2[pairs[:, 1]], alpha)) \
        if len(pairs) else float('nan')
    out['uniformity'] = float(uniformity(torch.cat([feats1, feats2]), t,
                                         max_points))
    return out


def prompt_pixel(mask: torch.Tensor) -> Tuple[int, int]:
    """The pixel of ``mask`` nearest to its centroid (inside the object even
    when the object is not convex)."""
    ys, xs = mask.nonzero(as_tuple=True)
    cy, cx = ys.float().mean(), xs.float().mean()
    i = int(((ys - cy) ** 2 + (xs - cx) ** 2).argmin())
    return int(ys[i]), int(xs[i])


def mask_iou(a: torch.Tensor, b: torch.Tensor) -> float:
    """IoU of two boolean masks (NaN when both are empty)."""
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else float('nan')


def upsample_similarity(cos: torch.Tensor, size) -> torch.Tensor:
    """An ``h x w`` cosine map bilinearly at image size ``H x W``."""
    return F.interpolate(cos[None, None].float(), size=tuple(size),
                         mode='bilinear', align_corners=False)[0, 0]


def prompt_mask(cos: torch.Tensor, valid: Optional[torch.Tensor] = None
                ) -> torch.Tensor:
    """The stated rule of prompt-point segmentation: where an image-size
    cosine map exceeds its own mean (and the pixel is ``valid``)."""
    mask = cos > cos.mean()
    return mask & valid if valid is not None else mask


@torch.no_grad()
def prompt_point_segmentation(feats: torch.Tensor, instances: torch.Tensor,
                              thresholds: Optional[torch.Tensor] = None,
                              ignore_index: int = 255
                              ) -> Dict[str, object]:
    """Training-free segmentation from one prompt point per object.

    ``feats``: ``N x C x h x w``; ``instances``: ``N x H x W`` instance ids
    (0 = background). For each object the prompt is its pixel nearest to its
    centroid; the cosine map of the prompt's feature over the image is
    upsampled bilinearly to ``H x W``. The stated rule: the mask is where
    the map exceeds its own image mean (``mIoU``). ``mIoU_best`` sweeps one
    global threshold over ``thresholds`` (default 0, 0.05, .., 0.95) and
    reports the best, separately (it peeks at the labels). Also the mean
    cosine between cells of the same object (``intra``) and of different
    objects of one image (``inter``). Pixels of ``ignore_index`` (VOC's void
    border) are neither an object nor counted in any IoU."""
    n, c, h, w = feats.shape
    size = instances.shape[-2:]
    feats = F.normalize(feats.float(), dim=1)
    if thresholds is None:
        thresholds = torch.arange(0, 1, 0.05)
    ious, swept, intra, inter = [], [], [], []
    cells = F.interpolate(instances[:, None].float(), size=(h, w),
                          mode='nearest')[:, 0].long()
    for i in range(n):
        valid = instances[i] != ignore_index
        ids = [int(k) for k in instances[i].unique()
               if 0 < k != ignore_index]
        for k in ids:
            mask = instances[i] == k
            y, x = prompt_pixel(mask)
            query = feats[i, :, y * h // size[0], x * w // size[1]]
            cos = torch.einsum('c,chw->hw', query, feats[i])
            cos = upsample_similarity(cos, size)
            ious.append(mask_iou(prompt_mask(cos, valid), mask))
            swept.append([mask_iou((cos > thr) & valid, mask)
                          for thr in thresholds])
        rows = feats[i].flatten(1).t()
        labels = cells[i].flatten()
        sim = rows @ rows.t()
        for k in ids:
            own = labels == k
            if own.sum() > 1:
                block = sim[own][:, own]
                count = own.sum()
                intra.append(float((block.sum() - block.diag().sum()) /
                                   (count * (count - 1))))
            others = (labels > 0) & (labels != ignore_index) & ~own
            if own.any() and others.any():
                inter.append(float(sim[own][:, others].mean()))
    if not ious:
        raise ValueError('no object in the instance maps to prompt')
    swept = torch.tensor(swept).nanmean(0) * 100

    def mean(values):
        return float(torch.tensor(values).nanmean()) if values else \
            float('nan')
    return dict(mIoU=mean(ious) * 100, mIoU_best=float(swept.max()),
                best_threshold=float(thresholds[int(swept.argmax())]),
                intra=mean(intra), inter=mean(inter), objects=len(ious))
