from .loss_curve import plot_loss_curves, read_scalars
from .similarity import (cosine_similarity_map, pca_rgb, percentile_normalise,
                         similarity_maps, visualize_pair)

__all__ = ['plot_loss_curves', 'read_scalars', 'cosine_similarity_map',
           'pca_rgb', 'percentile_normalise', 'similarity_maps',
           'visualize_pair']
