# SlotCon's pipeline (`CustomDataAugmentation(224, min_scale=0.08)`):
# bicubic crops, the second conditioned to overlap the first (>= 1% of its
# area, else unconstrained), flips, then the BYOL asymmetric photometric ops.
_photometric = [
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2,
         hue=0.1, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2),
]
view_pipeline1 = [
    dict(type='RandomResizedCropCoord', size=224, scale=(0.08, 1.0),
         interpolation='bicubic'),
    dict(type='RandomFlipCoord', prob=0.5),
] + _photometric + [
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=1.0),
]
view_pipeline2 = [
    dict(type='RandomResizedCropCoord', size=224, scale=(0.08, 1.0),
         interpolation='bicubic', min_overlap=0.01),
    dict(type='RandomFlipCoord', prob=0.5),
] + _photometric + [
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
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='ImageFolderDataset',
        data_root='data/coco/',
        data_prefix=dict(img_path='train2017/'),
        pipeline=train_pipeline))
