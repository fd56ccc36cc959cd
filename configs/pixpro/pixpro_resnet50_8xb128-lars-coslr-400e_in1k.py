_base_ = [
    '../_base_/models/pixpro_resnet50.py',
    '../_base_/datasets/imagenet_byol.py',
    '../_base_/schedules/lars_coslr-400e_in1k.py',
    '../_base_/default_runtime.py',
]
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
