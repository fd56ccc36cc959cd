from .byol import byol_loss
from .detcon import detcon_loss
from .contrastive import (dense_argmax_match, densecl_dense_loss,
                          info_nce_with_queue)
from .point_cmae import (comasked_consistency_paper,
                         comasked_consistency_released)
from .point_contrast import match_by_origin, point_info_nce, sample_pairs
from .slotcon import group_loss, slot_contrastive_loss, slot_presence
from .pixpro import (feature_bin_centres, pixpro_positive_mask,
                     pixpro_regression_loss)

__all__ = [
    'dense_argmax_match', 'densecl_dense_loss', 'info_nce_with_queue',
    'byol_loss', 'detcon_loss', 'feature_bin_centres', 'pixpro_positive_mask',
    'pixpro_regression_loss', 'group_loss', 'slot_contrastive_loss',
    'slot_presence', 'comasked_consistency_paper',
    'comasked_consistency_released', 'match_by_origin', 'point_info_nce',
    'sample_pairs'
]
