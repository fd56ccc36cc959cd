# DetCon-B, ImageNet-1k, 1000 epochs, batch 4096 (paper / official config:
# COCO 42.7 box AP, VOC 77.3, Cityscapes 77.0 mIoU after fine-tuning).
_base_ = [
    '../_base_/models/detcon-b_resnet50.py',
    '../_base_/datasets/imagenet_detcon.py',
    '../_base_/schedules/lars_coslr-1000e_detcon.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=256)
model = dict(ema_decay=0.996)
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.996),
    dict(type='LossCurveHook', smooth=5),
]
