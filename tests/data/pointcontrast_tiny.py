# Tiny PointContrast run for the tool tests: rooms of 3000 points, 10 cm
# voxels, a narrow MinkUNet14, batch 2, 4 iterations.
_base_ = ['../../configs/pointcontrast/pointcontrast_minkunet14-small_1xb2-sgd-300i_rooms.py']
voxel = 0.1
model = dict(
    num_pairs=256,
    match_radius=voxel * 1.5,
    backbone=dict(planes=(8, 8, 16, 16, 16, 16, 8, 8), stem_channels=8,
                  out_channels=8))
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        num_scenes=8,
        num_points=3000,
        pipeline=[
            dict(type='PointMultiView', num_views=2, transforms=[
                dict(type='RandomRotate', angle=(-1, 1), axis='z'),
                dict(type='GridSample', grid_size=voxel, mode='train'),
                dict(type='PointFeatures', keys=('color', )),
            ]),
            dict(type='PackSparsePointInputs'),
        ]))
train_cfg = dict(max_iters=4)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=2, max_keep_ckpts=3))
