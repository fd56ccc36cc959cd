# DetCon-B on ViT-S/16 (14x14 patches: 16x16 px per majority-vote cell),
# ImageNet, batch 1024, 100 epochs: no official ViT setting; DINO's
# optimiser recipe (docs/vit.md).
_base_ = [
    '../_base_/models/detcon-b_resnet50.py',
    '../_base_/datasets/imagenet_detcon.py',
    '../_base_/schedules/adamw_coslr-100e_in1k_vit.py',
    '../_base_/default_runtime.py',
]
# ViT: patch maps of the last block (class token dropped); the necks read
# their input channels from the backbone; drop-path 0.1 (DINO)
model = dict(
    backbone=dict(_delete_=True, type='TimmBackbone',
                  model_name='vit_small_patch16_224', img_size=224,
                  out_indices=(-1, ), drop_path_rate=0.1),
    neck=dict())
train_dataloader = dict(batch_size=64)
custom_hooks = [
    dict(type='CosineEMADecayHook', base_decay=0.996),
    dict(type='LossCurveHook', smooth=5),
]
