# SGD, wd on all parameters, cosine by epoch with no warm-up (DenseCL/MoCo-v2)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.03, weight_decay=1e-4, momentum=0.9))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=200, by_epoch=True, begin=0,
         end=200, eta_min=0.)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)
# the official batch: 8 GPUs x 32
auto_scale_lr = dict(base_batch_size=256)
