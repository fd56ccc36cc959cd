# DetCon-B, 1000 epochs (official detcon_b_config.py): LARS (momentum 0.9,
# eta 1e-3; biases and norm parameters without weight decay or trust
# ratio), lr 0.2 x batch / 256 (3.2 at 4096), wd 1.5e-6, linear warm-up from
# ~0 over epochs // 100 = 10 epochs, then cosine to 0, per iteration.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=3.2, momentum=0.9, weight_decay=1.5e-6,
                   eta=0.001))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=990, eta_min=0.0, by_epoch=True,
         begin=10, end=1000, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1000)
auto_scale_lr = dict(base_batch_size=4096)
