# Small CPU config on the embedded scenes: ResNet-18, 128 px crops (4x4
# bins), projector 512 -> 1024 -> 256, LARS lr 1.0 x 32 / 256, 1 warm-up
# epoch. Everything else as the released PixPro scripts.
_base_ = [
    '../_base_/models/pixpro_resnet50.py',
    '../_base_/datasets/scenes_byol.py',
    '../_base_/schedules/lars_coslr-100e_in1k.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(model_name='resnet18'),
    neck=dict(in_channels=512, hid_channels=1024),
    instance_neck=dict(in_channels=512, hid_channels=1024),
    instance_head=dict(predictor=dict(hid_channels=1024)))
optim_wrapper = dict(optimizer=dict(lr=0.125))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=5, eta_min=1e-6, by_epoch=True,
         begin=1, end=6, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)
auto_scale_lr = dict(base_batch_size=32)
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
