# DetCon-B, ImageNet-1k, 300 epochs (BYOL short-schedule recipe: lr 0.3,
# wd 1e-6, EMA 0.99; the PyTorch reproduction reports VOC 76.0, COCO 41.5
# box AP, not a paper number).
_base_ = [
    '../_base_/models/detcon-b_resnet50.py',
    '../_base_/datasets/imagenet_detcon.py',
    '../_base_/schedules/lars_coslr-300e_detcon.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=256)
model = dict(ema_decay=0.99)
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
