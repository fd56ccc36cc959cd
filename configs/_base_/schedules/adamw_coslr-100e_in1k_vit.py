# The ViT recipe (DINO's main_dino.py; none of DenseCL, PixPro, SlotCon,
# DetCon, MoCo-v2, BYOL publishes a ViT setting): AdamW, lr 5e-4 x batch /
# 256 (2e-3 at 1024) after 10 linear warm-up epochs, cosine to 1e-6; weight
# decay cosine 0.04 -> 0.4, none on biases, norms, position embedding and
# class / register tokens; gradients clipped at norm 3.0.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.04),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0,
        custom_keys={'pos_embed': dict(decay_mult=0.0),
                     'cls_token': dict(decay_mult=0.0),
                     'reg_token': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, eta_min=1e-6, by_epoch=True,
         begin=10, end=100, convert_to_iter_based=True),
    # x10 over the run; groups without decay stay at 0
    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay',
         eta_min_ratio=10.0, T_max=100, by_epoch=True, begin=0, end=100,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
auto_scale_lr = dict(base_batch_size=1024)
