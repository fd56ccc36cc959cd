# Small CPU config on the embedded procedural scenes (no download): the
# README's main job. ResNet-18, 128 px crops (a 4x4 dense grid), short
# queue so that it fills within the first epoch.
_base_ = [
    '../_base_/models/mocov2_resnet50.py',
    '../_base_/datasets/scenes_mocov2.py',
    '../_base_/schedules/sgd_coslr-6e_scenes.py',
    '../_base_/default_runtime.py',
]
model = dict(
    queue_len=2048,
    backbone=dict(model_name='resnet18'),
    neck=dict(hid_channels=512))
