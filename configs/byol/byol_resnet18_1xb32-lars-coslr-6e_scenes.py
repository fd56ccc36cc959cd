# Small CPU BYOL baseline on the embedded scenes (same budget as PixPro).
_base_ = [
    '../_base_/models/byol_resnet50.py',
    '../_base_/datasets/scenes_byol.py',
    '../_base_/schedules/lars_coslr-6e_scenes.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(model_name='resnet18'),
    neck=dict(hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)))
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
