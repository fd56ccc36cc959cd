# DetCon's views on the embedded scenes, 128 px crops (CPU): FH masks on the
# full 160 px scene (official parameters; source='instances' uses the
# generator's own instance maps, the paper's "human masks"), then the
# clamped crop + flip on image and mask and BYOL's asymmetric ops.
_base_ = './scenes_byol.py'
_geometry = [
    dict(type='RandomResizedCropCoord', size=128, scale=(0.08, 1.0),
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
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadRegionMasks', source='fh', fh_scale=1000,
             fh_min_size=1000),
        dict(type='MultiView', num_views=[1, 1],
             transforms=[view_pipeline1, view_pipeline2]),
        dict(type='PackMultiViewInputs'),
    ]))
