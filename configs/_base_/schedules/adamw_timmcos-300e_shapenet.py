# Point-MAE / Point-CMAE: AdamW lr 1e-3, wd 0.05 except 1-D parameters,
# biases and names containing "token"; timm cosine over 300 epochs with 10
# warm-up epochs from 1e-6, stepped per epoch with the official one-epoch lag.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'token': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='TimmCosineLR', t_initial=300, warmup_t=10,
         warmup_lr_init=1e-6, lr_min=1e-6, lag=1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)
auto_scale_lr = dict(base_batch_size=128)
