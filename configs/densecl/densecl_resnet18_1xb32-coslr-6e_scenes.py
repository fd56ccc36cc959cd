# Small CPU config on the embedded procedural scenes (no download): the
# README's main job. ResNet-18, 128 px crops (a 4x4 dense grid), short
# queue so that it fills within the first epoch.
_base_ = [
    '../_base_/models/densecl_resnet50.py',
    '../_base_/datasets/scenes_mocov2.py',
    '../_base_/schedules/sgd_coslr-200e_in1k.py',
    '../_base_/default_runtime.py',
]
model = dict(
    queue_len=2048,
    backbone=dict(model_name='resnet18'),
    neck=dict(in_channels=512, hid_channels=512))
optim_wrapper = dict(optimizer=dict(lr=0.03))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=6, by_epoch=True, begin=0, end=6,
         eta_min=0.)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)
auto_scale_lr = dict(base_batch_size=32)
