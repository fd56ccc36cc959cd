# MoCo-v2 two-view pipeline (official DenseCL / MoCo-v2 configs) on an
# ImageNet-style folder of images (labels, if present, are ignored).
view_pipeline = [
    dict(type='RandomResizedCropCoord', size=224, scale=(0.2, 1.0)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.1, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5),
    dict(type='RandomFlipCoord', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=view_pipeline),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='ImageFolderDataset',
        data_root='data/imagenet/',
        data_prefix=dict(img_path='train/'),
        pipeline=train_pipeline))
