# The embedded scenes with SlotCon's pipeline (bicubic crops, the second
# overlapping the first by >= 1 % of its area, flips, BYOL's asymmetric
# photometric ops), 128 px crops for CPU.
_photometric = [
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2,
         hue=0.1, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2),
]
view_pipeline1 = [
    dict(type='RandomResizedCropCoord', size=128, scale=(0.08, 1.0),
         interpolation='bicubic'),
    dict(type='RandomFlipCoord', prob=0.5),
] + _photometric + [
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=1.0),
]
view_pipeline2 = [
    dict(type='RandomResizedCropCoord', size=128, scale=(0.08, 1.0),
         interpolation='bicubic', min_overlap=0.01),
    dict(type='RandomFlipCoord', prob=0.5),
] + _photometric + [
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.1),
    dict(type='RandomSolarize', threshold=128, prob=0.2),
]
train_pipeline = [
    dict(type='MultiView', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2]),
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
