from .contrastive import (dense_argmax_match, densecl_dense_loss,
                          info_nce_with_queue)

__all__ = ['dense_argmax_match', 'densecl_dense_loss', 'info_nce_with_queue']
