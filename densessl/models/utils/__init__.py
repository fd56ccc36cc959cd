from .dist import (all_gather_with_grad, batch_shuffle_ddp, batch_unshuffle_ddp, concat_all_gather,
                   get_rank, get_world_size)
from .momentum import BACKBONE_PREFIX, MomentumCopy, cosine_ema_decay
from .queue import FeatureQueue

__all__ = [
    'all_gather_with_grad', 'batch_shuffle_ddp', 'batch_unshuffle_ddp', 'concat_all_gather',
    'get_rank', 'get_world_size', 'BACKBONE_PREFIX', 'MomentumCopy', 'cosine_ema_decay',
    'FeatureQueue'
]
