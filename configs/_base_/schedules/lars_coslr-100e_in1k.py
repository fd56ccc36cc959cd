# LARS (no wd / trust ratio for 1-D params), lr = 1.0 x batch / 256 = 4.0
# for 8 x 128, wd 1e-5, 5 warm-up epochs from lr/100, then cosine to 1e-6,
# both stepped per iteration (PixPro's released scripts).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=4.0, momentum=0.9, weight_decay=1e-5,
                   eta=0.001))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, eta_min=1e-6, by_epoch=True,
         begin=5, end=100, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
auto_scale_lr = dict(base_batch_size=1024)
