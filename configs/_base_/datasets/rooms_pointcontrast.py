# Two views of each embedded room: free rotation about z, scale 0.9-1.1,
# flips, jitter and colour noise (PointContrast's free_rot / scale / colour
# augmentations), then 2.5 cm voxels; origin_coord is kept for matching.
view_pipeline = [
    dict(type='RandomRotate', angle=(-1, 1), axis='z'),
    dict(type='RandomScale', scale=(0.9, 1.1)),
    dict(type='RandomFlip3d', p=0.5),
    dict(type='RandomJitter', sigma=0.005, clip=0.02),
    dict(type='ChromaticJitter', p=0.95, std=0.05),
    dict(type='GridSample', grid_size=0.025, mode='train'),
    dict(type='PointFeatures', keys=('color', )),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SyntheticRoomDataset',
        num_scenes=1000,
        num_points=40000,
        seed=0,
        pipeline=[
            dict(type='PointMultiView', num_views=2,
                 transforms=view_pipeline),
            dict(type='PackSparsePointInputs'),
        ]))
