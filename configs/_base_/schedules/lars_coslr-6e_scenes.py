# The small CPU schedule of BYOL / PixPro / SlotCon on the embedded scenes:
# LARS lr 1.0 x 32 / 256, 1 warm-up epoch from lr / 100, then cosine to 1e-6
# over 5 epochs, both stepped per iteration.
_base_ = ['./lars_coslr-100e_in1k.py']
optim_wrapper = dict(optimizer=dict(lr=0.125))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=5, eta_min=1e-6, by_epoch=True,
         begin=1, end=6, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)
auto_scale_lr = dict(base_batch_size=32)
