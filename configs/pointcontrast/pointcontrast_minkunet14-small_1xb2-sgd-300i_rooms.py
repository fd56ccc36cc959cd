# Small, CPU: PointContrast on the embedded rooms with a narrow MinkUNet14,
# 5 cm voxels (about 2-3k per view), 2 scenes per batch, 1024 sampled
# matches, 300 iterations; the official optimiser and temperature.
_base_ = [
    '../_base_/models/pointcontrast_minkunet34c.py',
    '../_base_/datasets/rooms_pointcontrast.py',
    '../_base_/schedules/sgd_steplr-20k_pointcontrast.py',
    '../_base_/default_runtime.py',
]
voxel = 0.05
model = dict(
    num_pairs=1024,
    match_radius=voxel * 1.5,
    backbone=dict(depth=14, planes=(16, 32, 64, 128, 128, 64, 48, 48),
                  stem_channels=16))
train_dataloader = dict(
    batch_size=2,
    num_workers=1,
    dataset=dict(
        num_scenes=200,
        num_points=12000,
        pipeline=[
            dict(type='PointMultiView', num_views=2, transforms=[
                dict(type='RandomRotate', angle=(-1, 1), axis='z'),
                dict(type='RandomScale', scale=(0.9, 1.1)),
                dict(type='RandomFlip3d', p=0.5),
                dict(type='RandomJitter', sigma=0.005, clip=0.02),
                dict(type='ChromaticJitter', p=0.95, std=0.05),
                dict(type='GridSample', grid_size=voxel, mode='train'),
                dict(type='PointFeatures', keys=('color', )),
            ]),
            dict(type='PackSparsePointInputs'),
        ]))
param_scheduler = [dict(type='StepLR', step_size=25, gamma=0.9, by_epoch=False)]
train_cfg = dict(max_iters=300)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(by_epoch=False, interval=100,
                                     max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
