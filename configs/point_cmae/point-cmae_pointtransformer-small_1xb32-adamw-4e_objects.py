# Small, CPU: Point-CMAE on the embedded 3D objects; 512 points in 32 groups
# of 16, a 4-block 192-d encoder, 2-block decoders, 4 epochs x 20 iterations
# (warm-up 1 epoch, no lag so the short run learns from its second epoch).
_base_ = [
    '../_base_/models/point-cmae_pointtransformer.py',
    '../_base_/datasets/objects_pointmae.py',
    '../_base_/schedules/adamw_timmcos-300e_shapenet.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(num_groups=32, group_size=16, embed_dim=192, depth=4,
                  num_heads=3),
    decoder_depth=2,
    decoder_heads=3)
param_scheduler = [
    dict(type='TimmCosineLR', t_initial=4, warmup_t=1, warmup_lr_init=1e-5,
         lr_min=1e-6, lag=0)
]
train_cfg = dict(max_epochs=4)
default_hooks = dict(logger=dict(interval=5))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='RandomPointSubsample', num_points=512),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PointScaleAndTranslate', scale=(2 / 3, 3 / 2), translate=0.2),
    dict(type='PackPointInputs'),
]))
