# Tiny ViT BYOL run for the tool tests: 8 scenes of 64 px, batch 4.
_base_ = ['../../configs/byol/byol_vit-tiny-p16_1xb32-adamw-coslr-6e_scenes.py']
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(num_images=8, image_size=(64, 64)))
model = dict(backbone=dict(img_size=128),
             neck=dict(hid_channels=32),
             head=dict(predictor=dict(hid_channels=32)))
default_hooks = dict(logger=dict(interval=1))
