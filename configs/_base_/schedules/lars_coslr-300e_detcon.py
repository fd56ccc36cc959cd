# DetCon-B, 300 epochs (BYOL's short-schedule values, as the faithful
# PyTorch reproduction KKallidromitis/detcon-pytorch): lr 0.3 x batch / 256
# (4.8 at 4096), wd 1e-6, 3 warm-up epochs, cosine to 0.
_base_ = './lars_coslr-1000e_detcon.py'
optim_wrapper = dict(optimizer=dict(lr=4.8, weight_decay=1e-6))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=3,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=297, eta_min=0.0, by_epoch=True,
         begin=3, end=300, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)
