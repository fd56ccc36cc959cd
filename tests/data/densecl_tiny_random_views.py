# Tiny DenseCL run with the full random MoCo-v2 views and two persistent
# workers: a resumed run must repeat the uninterrupted run's losses exactly.
_base_ = ['./densecl_tiny_deterministic.py']
view_pipeline = [
    dict(type='RandomResizedCropCoord', size=64, scale=(0.2, 1.0)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.1, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5),
    dict(type='RandomFlipCoord', prob=0.5),
]
train_dataloader = dict(
    num_workers=2,
    persistent_workers=True,
    dataset=dict(pipeline=[
        dict(type='MultiView', num_views=2, transforms=view_pipeline),
        dict(type='PackMultiViewInputs'),
    ]))
