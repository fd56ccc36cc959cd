# SlotCon: LARS lr 1.0 x 512 / 256 = 2.0, wd 1e-5, 5 warm-up epochs from
# lr/100, then cosine to 1e-6, per iteration.
_base_ = './lars_coslr-100e_in1k.py'
optim_wrapper = dict(optimizer=dict(lr=2.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=795, eta_min=1e-6, by_epoch=True,
         begin=5, end=800, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
auto_scale_lr = dict(base_batch_size=512)
