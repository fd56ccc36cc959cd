# ShapeNet-55 as Point-BERT / Point-MAE ship it (data/ShapeNet55-34/
# shapenet_pc/*.npy with 8192 points, ShapeNet-55/train.txt): a random 1024
# subset (not FPS), unit sphere, scale U(2/3, 3/2)^3 + translate U(-0.2, 0.2)^3.
train_pipeline = [
    dict(type='LoadPointCloud'),
    dict(type='RandomPointSubsample', num_points=1024),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PointScaleAndTranslate', scale=(2 / 3, 3 / 2), translate=0.2),
    dict(type='PackPointInputs'),
]
train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='PointCloudFolderDataset',
        data_root='data/ShapeNet55-34',
        data_prefix='shapenet_pc',
        split_file='ShapeNet-55/train.txt',
        pipeline=train_pipeline))
