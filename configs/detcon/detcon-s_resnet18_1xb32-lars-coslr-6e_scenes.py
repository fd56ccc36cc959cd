# Small CPU DetCon-S on the embedded scenes at the MoCo-v2 config's budget
# (ResNet-18, 6 epochs x 50 x 32, 128 px crops), with DetCon's views and
# the LARS schedule of the other small LARS configs.
_base_ = [
    '../_base_/models/detcon-s_resnet50.py',
    '../_base_/datasets/scenes_detcon.py',
    '../_base_/schedules/lars_coslr-6e_scenes.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(model_name='resnet18'),
    neck=dict(hid_channels=1024))
