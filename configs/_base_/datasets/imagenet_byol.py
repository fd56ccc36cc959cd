# BYOL asymmetric two-view pipeline with crop geometry (PixPro's
# `aug_type='BYOL'`, `--crop 0.08`): geometry first, then photometric ops.
_geometry = [
    dict(type='RandomResizedCropCoord', size=224, scale=(0.08, 1.0)),
    dict(type='RandomFlipCoord', prob=0.5),
]
_photometric = [
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2,
         hue=0.1, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2),
]
view_pipeline1 = _geometry + _photometric + [
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=1.0),
]
view_pipeline2 = _geometry + _photometric + [
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.1),
    dict(type='RandomSolarize', threshold=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(
    batch_size=128,
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
