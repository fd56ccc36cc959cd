# Paper: Point-MAE pretraining (one mask, one decoder, raw Chamfer-L2
# backpropagated), ShapeNet-55, same schedule as Point-CMAE.
_base_ = ['./point-cmae_pointtransformer_1xb128-adamw-300e_shapenet55.py']
model = dict(num_masks=1, rec_weight=1.0)
