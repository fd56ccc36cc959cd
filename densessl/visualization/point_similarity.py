"""Dense similarity on point clouds: colour every point by the cosine
similarity of its feature to a query point's feature; write ``.ply`` and a PNG
render."""
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .similarity import percentile_normalise, save_figure


def find_grid_size(cfg) -> Optional[float]:
    """The ``grid_size`` of the first ``GridSample`` in a config's training
    pipeline (searched recursively, so inside ``PointMultiView`` too)."""
    def search(node):
        if isinstance(node, dict):
            if node.get('type') == 'GridSample':
                return node.get('grid_size', 0.02)
            values = node.values()
        elif isinstance(node, (list, tuple)):
            values = node
        else:
            return None
        for value in values:
            found = search(value)
            if found is not None:
                return found
        return None
    return search(cfg.get('train_dataloader', {}))


def point_similarity(feats: torch.Tensor, query_index: int) -> torch.Tensor:
    """Cosine similarity (``N``) of every point's feature to point
    ``query_index``'s."""
    if not 0 <= query_index < len(feats):
        raise ValueError(f'query point {query_index} does not exist; the '
                         f'cloud has {len(feats)} points')
    f = F.normalize(feats.float(), dim=1)
    return f @ f[query_index]


def similarity_colors(similarity: np.ndarray, cmap: str = 'jet',
                      low: float = 1.0, high: float = 99.0) -> np.ndarray:
    """``N x 3`` RGB in [0, 1] from a percentile-normalised colour map."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import colormaps
    return colormaps[cmap](percentile_normalise(similarity, low, high))[:, :3]


def render_point_similarity(coord: np.ndarray, maps: Sequence[np.ndarray],
                            queries: Sequence[int], out_file: str,
                            title: str = '') -> str:
    """One 3D scatter per query (two viewpoints), the query as a black star."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(8, 4 * len(queries)))
    for row, (sim, q) in enumerate(zip(maps, queries)):
        colors = similarity_colors(sim)
        for col, (elev, azim) in enumerate(((20, -60), (20, 120))):
            ax = fig.add_subplot(len(queries), 2, 2 * row + col + 1,
                                 projection='3d')
            ax.scatter(coord[:, 0], coord[:, 1], coord[:, 2], c=colors, s=4,
                       depthshade=False)
            ax.scatter(*coord[q], c='black', marker='*', s=200)
            ax.view_init(elev, azim)
            ax.set_axis_off()
            ax.set_title(f'query point {q}', fontsize=9)
    return save_figure(fig, out_file, title)
