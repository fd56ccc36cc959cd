# DetCon-B's views (official utils/tf_image_ops.py + augmentations.py):
# Felzenszwalb masks on the full image (scale = min_size = 1000), then per
# view one clamped crop (area 0.08-1, ratio 3/4-4/3) and a flip applied to
# image and mask, bicubic / nearest to 224; BYOL's asymmetric photometric
# ops (blur 1.0 / 0.1, solarise 0 / 0.2).
_base_ = './imagenet_byol.py'
_geometry = [
    dict(type='RandomResizedCropCoord', size=224, scale=(0.08, 1.0),
         interpolation='bicubic', sampling='clamped'),
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
    dict(type='LoadRegionMasks', source='fh', fh_scale=1000,
         fh_min_size=1000),
    dict(type='MultiView', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
