# Small CPU PixPro on a ViT-tiny/16 (8x8 bins at 128 px), the ViT recipe.
_base_ = [
    '../_base_/models/pixpro_resnet50.py',
    '../_base_/datasets/scenes_byol.py',
    '../_base_/schedules/adamw_coslr-6e_scenes_vit.py',
    '../_base_/default_runtime.py',
]
# ViT: patch maps of the last block (class token dropped); the necks read
# their input channels from the backbone; drop-path 0.1 (DINO)
model = dict(
    backbone=dict(_delete_=True, type='TimmBackbone',
                  model_name='vit_tiny_patch16_224', img_size=128,
                  out_indices=(-1, ), drop_path_rate=0.1),
    neck=dict(hid_channels=1024),
    instance_neck=dict(hid_channels=1024),
    instance_head=dict(predictor=dict(hid_channels=1024)))
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.99),
    dict(type='LossCurveHook', smooth=5),
]
