"""Dense similarity maps: where do the features of a query pixel agree?

Pure functions (feature extraction, cosine maps, matching, percentile
normalisation, PCA to RGB) and one drawing function; ``tools/visualize_similarity.py``
and ``SimilarityMapHook`` both use them.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from densessl.evaluation.dense_alignment import (mask_iou, prompt_mask,
                                                 prompt_pixel,
                                                 upsample_similarity)
from densessl.evaluation.features import dense_features

Point = Tuple[float, float]  # (x, y) in image pixels


def pixel_to_cell(xy: Point, image_hw: Tuple[int, int],
                  feat_hw: Tuple[int, int]) -> Tuple[int, int]:
    """(row, col) of the feature cell whose receptive-field centre grid covers
    image pixel ``(x, y)``."""
    (h_img, w_img), (h, w) = image_hw, feat_hw
    x, y = xy
    if not (0 <= x < w_img and 0 <= y < h_img):
        raise ValueError(f'query ({x}, {y}) lies outside the {w_img}x{h_img} '
                         'image; give x in [0, W) and y in [0, H)')
    return (min(int(y * h / h_img), h - 1), min(int(x * w / w_img), w - 1))


def cell_to_pixel(cell: Tuple[int, int], feat_hw: Tuple[int, int],
                  image_hw: Tuple[int, int]) -> Point:
    """Image-pixel centre ``(x, y)`` of a feature cell."""
    (h, w), (h_img, w_img) = feat_hw, image_hw
    row, col = cell
    return ((col + 0.5) * w_img / w - 0.5, (row + 0.5) * h_img / h - 0.5)


def cosine_similarity_map(query: torch.Tensor,
                          feats: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of a ``C`` query vector with every cell of a
    ``C x h x w`` map (``h x w``, in [-1, 1])."""
    q = F.normalize(query.float(), dim=0)
    f = F.normalize(feats.float(), dim=0)
    return torch.einsum('c,chw->hw', q, f)


def best_match(similarity: torch.Tensor) -> Tuple[int, int]:
    """(row, col) of the maximum of an ``h x w`` map."""
    index = int(similarity.flatten().argmax())
    return divmod(index, similarity.shape[1])


def percentile_normalise(values: np.ndarray, low: float = 1.0,
                         high: float = 99.0) -> np.ndarray:
    """Map the ``low``..``high`` percentile range onto [0, 1] (clipped), so a
    few extreme cells do not wash out the colour map."""
    values = np.asarray(values, dtype=np.float64)
    lo, hi = np.percentile(values, [low, high])
    if hi - lo < 1e-12:
        return np.zeros_like(values)
    return np.clip((values - lo) / (hi - lo), 0.0, 1.0)


def pca_rgb(feature_maps: Sequence[torch.Tensor]) -> List[np.ndarray]:
    """Project ``C x h x w`` maps onto the first three principal components of
    all their cells together (one shared basis, so colours compare across
    images) and return ``h x w x 3`` arrays in [0, 1]."""
    flat = [f.float().flatten(1).T for f in feature_maps]  # (h*w) x C
    stacked = torch.cat(flat)
    centred = stacked - stacked.mean(0, keepdim=True)
    # principal directions: right singular vectors
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    components = v[:3].T
    if components.shape[1] < 3:  # fewer than 3 channels: pad
        components = F.pad(components, (0, 3 - components.shape[1]))
    projected = (centred @ components).numpy()
    rgb = np.stack([percentile_normalise(projected[:, i]) for i in range(3)], 1)
    out, start = [], 0
    for f in feature_maps:
        n = f.shape[1] * f.shape[2]
        out.append(rgb[start:start + n].reshape(f.shape[1], f.shape[2], 3))
        start += n
    return out


def similarity_maps(feats_a: torch.Tensor, feats_b: torch.Tensor,
                    queries: Sequence[Point], image_hw: Tuple[int, int]
                    ) -> List[Dict]:
    """For each query pixel of image A: its cosine map over A and over B and the
    best match in each, as cells and as image pixels.

    ``feats_a`` / ``feats_b``: ``C x h x w`` maps of images of size
    ``image_hw``.
    """
    feat_hw = tuple(feats_a.shape[1:])
    results = []
    for xy in queries:
        cell = pixel_to_cell(xy, image_hw, feat_hw)
        query = feats_a[:, cell[0], cell[1]]
        map_a = cosine_similarity_map(query, feats_a)
        map_b = cosine_similarity_map(query, feats_b)
        best_a, best_b = best_match(map_a), best_match(map_b)
        results.append(dict(
            query_xy=tuple(float(v) for v in xy), query_cell=cell,
            map_a=map_a, map_b=map_b, best_cell_a=best_a, best_cell_b=best_b,
            best_xy_a=cell_to_pixel(best_a, feat_hw, image_hw),
            best_xy_b=cell_to_pixel(best_b, feat_hw, image_hw)))
    return results


def add_prompt_masks(results: Sequence[Dict], instance_map: np.ndarray,
                     ignore_index: int = 255) -> List[Dict]:
    """Where image A's object masks are known (``H x W`` instance ids at the
    size of the images, 0 = background, ``ignore_index`` = void): each
    query's thresholded map on A, by the rule of prompt-point segmentation
    (``prompt_mask``: above the map's own mean), and its IoU with the object
    under the query (``prompt_iou``; None when the query is on background
    or void). Adds ``prompt_mask``, ``object_mask``, ``prompt_iou``."""
    instances = torch.from_numpy(np.array(instance_map, dtype=np.int64))
    valid = instances != ignore_index
    for res in results:
        x, y = (int(round(v)) for v in res['query_xy'])
        y = min(max(y, 0), instances.shape[0] - 1)
        x = min(max(x, 0), instances.shape[1] - 1)
        cos = upsample_similarity(res['map_a'], instances.shape)
        res['prompt_mask'] = prompt_mask(cos, valid).numpy()
        obj = int(instances[y, x])
        if obj in (0, ignore_index):
            res['object_mask'], res['prompt_iou'] = None, None
        else:
            res['object_mask'] = (instances == obj).numpy()
            res['prompt_iou'] = mask_iou(torch.from_numpy(res['prompt_mask']),
                                         instances == obj)
    return list(results)


def largest_object_centres(instance_map: np.ndarray, limit: int = 3
                           ) -> List[Point]:
    """Query pixels for an embedded scene: for each of its ``limit`` largest
    visible objects, the object pixel nearest to the object's centroid (the
    centroid of a concave or occluded shape may fall outside it)."""
    ids, counts = np.unique(instance_map[instance_map > 0], return_counts=True)
    queries = []
    for k in ids[np.argsort(-counts)][:limit]:
        y, x = prompt_pixel(torch.from_numpy(instance_map == k))
        queries.append((float(x), float(y)))
    return queries


def draw_similarity_figure(image_a: np.ndarray, image_b: np.ndarray,
                           results: Sequence[Dict],
                           pca: Optional[Sequence[np.ndarray]], out_file: str,
                           title: str = '', alpha: float = 0.55,
                           low: float = 1.0, high: float = 99.0) -> str:
    """One row per query (query on A, map over A, map over B with the best
    match, and the prompt mask with its IoU when ``add_prompt_masks`` ran),
    plus a PCA row; ``H x W x 3`` uint8 images. Writes a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    image_hw = image_a.shape[:2]
    rows = len(results) + (1 if pca is not None else 0)
    cols = 4 if any('prompt_mask' in r for r in results) else 3
    fig, axes = plt.subplots(rows, cols, figsize=(3 * cols, 3 * rows),
                             squeeze=False)
    for row, res in enumerate(results):
        qx, qy = res['query_xy']
        panels = [(image_a, None, 'query on A'),
                  (image_a, res['map_a'], 'similarity on A'),
                  (image_b, res['map_b'], 'similarity on B')]
        for col, (image, sim, label) in enumerate(panels):
            ax = axes[row, col]
            ax.imshow(image)
            if sim is not None:
                heat = percentile_normalise(
                    upsample_similarity(sim, image_hw).numpy(), low, high)
                ax.imshow(heat, cmap='jet', alpha=alpha, vmin=0, vmax=1)
                bx, by = res['best_xy_a' if col == 1 else 'best_xy_b']
                ax.plot(bx, by, marker='o', markersize=9, mfc='none',
                        mec='white', mew=2)
                label += f' (max {float(sim.max()):.2f})'
            if col < 2:
                ax.plot(qx, qy, marker='+', markersize=14, color='white',
                        mew=3)
                ax.plot(qx, qy, marker='+', markersize=12, color='black',
                        mew=1.5)
            ax.set_title(label if col else f'query ({qx:.0f}, {qy:.0f})',
                         fontsize=9)
            ax.axis('off')
        if cols == 4:
            _draw_prompt_panel(axes[row, 3], image_a, res)
    if pca is not None:
        for col, (image, label) in enumerate(
                [(pca[0], 'PCA of A features'), (pca[1], 'PCA of B features')]
                + [(None, '')] * (cols - 2)):
            ax = axes[rows - 1, col]
            if image is not None:
                ax.imshow(image, interpolation='nearest')
                ax.set_title(label, fontsize=9)
            ax.axis('off')
    return save_figure(fig, out_file, title)


def _draw_prompt_panel(ax, image: np.ndarray, res: Dict) -> None:
    """Image A with the thresholded map (red) and the object's outline
    (white), titled with the IoU."""
    ax.imshow(image)
    if 'prompt_mask' in res:
        overlay = np.zeros(res['prompt_mask'].shape + (4,))
        overlay[res['prompt_mask']] = (1.0, 0.1, 0.1, 0.5)
        ax.imshow(overlay)
        if res['object_mask'] is not None:
            ax.contour(res['object_mask'], levels=[0.5], colors='white',
                       linewidths=1.5)
            label = f'prompt mask, IoU {res["prompt_iou"]:.2f}'
        else:
            label = 'prompt mask (query on background)'
        qx, qy = res['query_xy']
        ax.plot(qx, qy, marker='+', markersize=12, color='black', mew=1.5)
        ax.set_title(label, fontsize=9)
    ax.axis('off')


def save_figure(fig, out_file: str, title: str = '') -> str:
    """Title, tight layout, write a 100-dpi PNG and free the figure (shared
    by the image and point-cloud similarity figures)."""
    import matplotlib.pyplot as plt
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
    return out_file


def visualize_pair(model, image_a: np.ndarray, image_b: np.ndarray,
                   queries: Sequence[Point], out_file: str, level: int = -1,
                   title: str = '',
                   instance_map: Optional[np.ndarray] = None) -> List[Dict]:
    """Features of two ``H x W x 3`` uint8 images (same size), similarity maps
    of the queries (pixels of A), and the figure written to ``out_file``.
    With A's ``instance_map`` (``H x W`` ids, 0 background, 255 void) each
    query also gets its prompt-point mask and IoU (a fourth column)."""
    if image_a.shape != image_b.shape:
        raise ValueError(f'images must have the same size, got {image_a.shape} '
                         f'and {image_b.shape}; resize them first')
    batch = torch.from_numpy(np.stack([image_a, image_b])).permute(0, 3, 1, 2)
    feats = dense_features(model, batch.contiguous(), level).cpu()
    results = similarity_maps(feats[0], feats[1], queries, image_a.shape[:2])
    if instance_map is not None:
        if instance_map.shape != image_a.shape[:2]:
            raise ValueError(f'the instance map is {instance_map.shape}, '
                             f'image A {image_a.shape[:2]}; give them at '
                             'one size')
        results = add_prompt_masks(results, instance_map)
    draw_similarity_figure(image_a, image_b, results,
                           pca_rgb([feats[0], feats[1]]), out_file, title)
    return results
