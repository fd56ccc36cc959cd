# Small CPU config on the embedded scenes: ResNet-18, 128 px crops (4x4
# maps), 16 prototypes, MLPs 512/256 -> 1024 -> 256, LARS lr 1.0 x 32/256,
# 1 warm-up epoch. Everything else as the official scripts.
_base_ = ['./slotcon_resnet50_8xb64-lars-coslr-800e_coco.py']
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
model = dict(
    backbone=dict(model_name='resnet18'),
    neck=dict(in_channels=512, hid_channels=1024),
    head=dict(grouping=dict(num_prototypes=16),
              predictor=dict(hid_channels=1024)))
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(
        _delete_=True,
        type='SceneDataset',
        num_images=1600,
        image_size=(160, 160),
        seed=0,
        pipeline=[
            dict(type='MultiView', num_views=[1, 1],
                 transforms=[view_pipeline1, view_pipeline2]),
            dict(type='PackMultiViewInputs'),
        ]))
optim_wrapper = dict(optimizer=dict(lr=0.125))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=5, eta_min=1e-6, by_epoch=True,
         begin=1, end=6, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=6)
auto_scale_lr = dict(base_batch_size=32)
