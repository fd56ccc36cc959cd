# DetCon-B pretrained on COCO train2017 images with the 1000-epoch ImageNet
# recipe. The paper's COCO-pretraining schedule is not in the released code
# (only COCO checkpoints are); see docs/methods/detcon.md.
_base_ = [
    '../_base_/models/detcon-b_resnet50.py',
    '../_base_/datasets/coco_detcon.py',
    '../_base_/schedules/lars_coslr-1000e_detcon.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=256)
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.996),
    dict(type='LossCurveHook', smooth=5),
]
