# Small CPU DetCon-B on the embedded scenes, the budget of the BYOL config it
# is compared with (ResNet-18, 6 epochs x 50 x 32, 128 px crops, LARS, EMA
# 0.99 -> 1). ResNet-18's C5 is 4x4 at 128 px: 16 cells per view.
_base_ = [
    '../_base_/models/detcon-b_resnet50.py',
    '../_base_/datasets/scenes_detcon.py',
    '../_base_/schedules/lars_coslr-6e_scenes.py',
    '../_base_/default_runtime.py',
]
model = dict(
    ema_decay=0.99,
    backbone=dict(model_name='resnet18'),
    neck=dict(hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)))
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
