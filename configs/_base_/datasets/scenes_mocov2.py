# The embedded procedural scenes (no download), small crops for CPU.
# Same augmentations as MoCo-v2; only the crop size differs (128 px).
view_pipeline = [
    dict(type='RandomResizedCropCoord', size=128, scale=(0.2, 1.0)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.1, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5),
    dict(type='RandomFlipCoord', prob=0.5),
]
train_pipeline = [
    dict(type='MultiView', num_views=2, transforms=view_pipeline),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SceneDataset',
        num_images=1600,
        image_size=(160, 160),
        seed=0,
        pipeline=train_pipeline))
