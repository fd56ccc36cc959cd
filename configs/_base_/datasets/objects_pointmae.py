# The embedded procedural 3D objects (no download), Point-MAE's pipeline.
train_pipeline = [
    dict(type='RandomPointSubsample', num_points=1024),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PointScaleAndTranslate', scale=(2 / 3, 3 / 2), translate=0.2),
    dict(type='PackPointInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SyntheticObjectDataset',
        num_objects=640,
        num_points=2048,
        seed=0,
        pipeline=train_pipeline))
