# Small CPU MoCo-v2 on a ViT-tiny/16 (8x8 patches at 128 px), the ViT
# recipe.
_base_ = [
    '../_base_/models/mocov2_resnet50.py',
    '../_base_/datasets/scenes_mocov2.py',
    '../_base_/schedules/adamw_coslr-6e_scenes_vit.py',
    '../_base_/default_runtime.py',
]
# ViT: patch maps of the last block (class token dropped); the necks read
# their input channels from the backbone; drop-path 0.1 (DINO)
model = dict(
    backbone=dict(_delete_=True, type='TimmBackbone',
                  model_name='vit_tiny_patch16_224', img_size=128,
                  out_indices=(-1, ), drop_path_rate=0.1),
    queue_len=2048,
    neck=dict(hid_channels=512))
