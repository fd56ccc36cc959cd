# Small CPU config on the embedded scenes: ResNet-18, 128 px crops (4x4
# bins), projector 512 -> 1024 -> 256, LARS lr 1.0 x 32 / 256, 1 warm-up
# epoch. Everything else as the released PixPro scripts.
_base_ = [
    '../_base_/models/pixpro_resnet50.py',
    '../_base_/datasets/scenes_byol.py',
    '../_base_/schedules/lars_coslr-6e_scenes.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(model_name='resnet18'),
    neck=dict(hid_channels=1024),
    instance_neck=dict(hid_channels=1024),
    instance_head=dict(predictor=dict(hid_channels=1024)))
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
