# The ViT recipe at the small CPU budget: lr 5e-4 x 32 / 256, 1 warm-up
# epoch, cosine over the other 5; weight decay 0.04 -> 0.4 over the run.
_base_ = ['./adamw_coslr-100e_in1k_vit.py']
optim_wrapper = dict(optimizer=dict(lr=6.25e-5))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=5, eta_min=1e-6, by_epoch=True,
         begin=1, end=6, convert_to_iter_based=True),
    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay',
         eta_min_ratio=10.0, T_max=6, by_epoch=True, begin=0, end=6,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)
auto_scale_lr = dict(base_batch_size=32)
