_base_ = [
    '../_base_/models/slotcon_resnet50.py',
    '../_base_/datasets/coco_slotcon.py',
    '../_base_/schedules/lars_coslr-800e_coco.py',
    '../_base_/default_runtime.py',
]
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
