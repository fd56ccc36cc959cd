# Tiny Point-CMAE run for the tool tests: 8 objects of 128 points, batch 4.
_base_ = ['../../configs/point_cmae/point-cmae_pointtransformer-small_1xb32-adamw-4e_objects.py']
model = dict(
    backbone=dict(num_groups=8, group_size=8, embed_dim=24, depth=1,
                  num_heads=2),
    decoder_depth=1,
    decoder_heads=2)
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(num_objects=8, num_points=256, pipeline=[
        dict(type='RandomPointSubsample', num_points=128),
        dict(type='NormalizeToUnitSphere'),
        dict(type='PackPointInputs'),
    ]))
default_hooks = dict(logger=dict(interval=1))
