"""Training-free dense nearest-neighbour retrieval ("in-context"
segmentation): a memory bank of labelled patch features from the train
split; each val patch takes the classes of its k most similar bank patches,
weighted by ``exp(cos / T)``; the patch scores are upsampled to the labels
and scored by mIoU. faiss (exact inner product) is used when installed,
chunked torch matmuls otherwise; both give the same neighbours."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F

from .dense_iou import confusion_matrix, scores_from_confusion


def patch_labels(labels: torch.Tensor, grid: Tuple[int, int],
                 num_classes: int, ignore_index: int = 255) -> torch.Tensor:
    """The majority class of the pixels under each feature cell (``N x h x
    w``); ``ignore_index`` where a cell holds no labelled pixel."""
    valid = labels != ignore_index
    one_hot = F.one_hot(labels.where(valid, torch.zeros_like(labels)),
                        num_classes).permute(0, 3, 1, 2).float()
    one_hot = one_hot * valid[:, None]
    votes = F.adaptive_avg_pool2d(one_hot, grid)
    out = votes.argmax(1)
    out[votes.sum(1) == 0] = ignore_index
    return out


def build_memory(feats: torch.Tensor, labels: torch.Tensor, num_classes: int,
                 max_patches: int = 200_000, ignore_index: int = 255,
                 seed: int = 0, per_image: Optional[int] = None
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """L2-normalised patch features (``P x C``) and their classes (``P``)
    of a labelled split (``feats``: ``N x C x h x w``): at most
    ``per_image`` labelled patches of each image (a seeded random choice,
    as dense retrieval benchmarks sample their memory bank), then at most
    ``max_patches`` in all (a seeded random subset)."""
    n, c, h, w = feats.shape
    generator = torch.Generator().manual_seed(seed)
    cells = patch_labels(labels, (h, w), num_classes,
                         ignore_index).reshape(n, h * w)
    valid = cells != ignore_index
    if per_image is not None and per_image < h * w:
        # a random rank per cell; unlabelled cells rank last
        rank = torch.rand(n, h * w, generator=generator).masked_fill(
            ~valid, 2.0).argsort(1).argsort(1)
        valid &= rank < per_image
    keep = valid.flatten().nonzero().squeeze(1)
    if len(keep) > max_patches:
        keep = keep[torch.randperm(len(keep), generator=generator)[
            :max_patches]]
    bank = F.normalize(feats, dim=1).permute(0, 2, 3, 1).reshape(-1, c)
    return bank[keep].contiguous(), cells.flatten()[keep]


def _faiss():
    try:
        import faiss
    except ImportError:
        return None
    return faiss


def nearest(bank: torch.Tensor, queries: torch.Tensor, k: int,
            chunk: int = 4096, use_faiss: Optional[bool] = None
            ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Cosine similarities and indices of the ``k`` nearest bank rows of
    each query row (both L2-normalised)."""
    k = min(k, len(bank))
    faiss = _faiss() if use_faiss in (None, True) else None
    if use_faiss and faiss is None:
        raise ImportError('use_faiss=True needs faiss: pip install faiss-cpu')
    if faiss is not None:
        index = faiss.IndexFlatIP(bank.shape[1])
        index.add(bank.float().cpu().numpy())
        sims, idx = index.search(queries.float().cpu().numpy(), k)
        return torch.from_numpy(sims), torch.from_numpy(idx).long()
    sims, idx = [], []
    for start in range(0, len(queries), chunk):
        top = (queries[start:start + chunk] @ bank.t()).topk(k, dim=1)
        sims.append(top.values)
        idx.append(top.indices)
    return torch.cat(sims), torch.cat(idx)


@torch.no_grad()
def knn_segment(bank: torch.Tensor, bank_labels: torch.Tensor,
                feats: torch.Tensor, num_classes: int, k: int = 20,
                temperature: float = 0.07,
                use_faiss: Optional[bool] = None) -> torch.Tensor:
    """Class scores ``N x classes x h x w`` of every patch of ``feats``."""
    n, c, h, w = feats.shape
    queries = F.normalize(feats, dim=1).permute(0, 2, 3, 1).reshape(-1, c)
    sims, idx = nearest(bank, queries, k, use_faiss=use_faiss)
    weights = torch.exp((sims - 1) / temperature)  # shifted: no overflow
    scores = torch.zeros(len(queries), num_classes)
    scores.scatter_add_(1, bank_labels[idx], weights)
    return scores.reshape(n, h, w, num_classes).permute(0, 3, 1, 2)


@torch.no_grad()
def evaluate_knn(train_feats: torch.Tensor, train_labels: torch.Tensor,
                 val_feats: torch.Tensor, val_labels: torch.Tensor,
                 num_classes: int, k: int = 20, temperature: float = 0.07,
                 max_patches: int = 200_000, ignore_index: int = 255,
                 batch_size: int = 32, use_faiss: Optional[bool] = None,
                 per_image: Optional[int] = None, seed: int = 0
                 ) -> Dict[str, object]:
    """mIoU / aAcc (percent) and per-class IoU of kNN retrieval
    (``per_image``, ``max_patches``: the memory bank's caps, see
    :func:`build_memory`)."""
    bank, bank_labels = build_memory(train_feats, train_labels, num_classes,
                                     max_patches, ignore_index, seed,
                                     per_image)
    if len(bank) == 0:
        raise ValueError('the train split has no labelled pixel to put in '
                         'the memory bank')
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for i in range(0, len(val_feats), batch_size):
        scores = knn_segment(bank, bank_labels, val_feats[i:i + batch_size],
                             num_classes, k, temperature, use_faiss)
        pred = F.interpolate(scores, size=val_labels.shape[-2:],
                             mode='bilinear', align_corners=False).argmax(1)
        confusion += confusion_matrix(pred, val_labels[i:i + batch_size],
                                      num_classes, ignore_index)
    return dict(scores_from_confusion(confusion), bank_patches=len(bank))
