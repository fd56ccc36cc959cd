# DINOv2's linear segmentation protocol on a frozen ViT-S/16 (ADE20K,
# 512x512 crops, 8 GPUs x 2 images, 40k iterations): patch maps of the last
# block after the final LayerNorm (32x32 at 512 px), SyncBN, a 1x1 conv;
# AdamW 1e-3, weight decay 1e-4, 1500 warm-up iterations then poly to 0;
# sliding-window test (512, stride 341). The "+ms" variant: out_indices
# (8, 9, 10, 11), in_index [0, 1, 2, 3], in_channels [384] * 4, channels
# 1536, and multi-scale test-time augmentation (1.0, 1.32, 1.73).
# DINOv2 pads stride-14 crops to 518; a /16 ViT needs no padding at 512.
# Data: data/ade/ADEChallengeData2016.
# The backbone is the UPerNet config's, last block only, frozen and
# final-normed; no neck.
_base_ = ['./upernet_timm-vit-small-p16_4xb4-80k_ade20k-512x512.py']
model = dict(
    backbone=dict(out_indices=(-1, ), final_norm=True, frozen=True,
                  drop_path_rate=0.0),
    neck=None,
    decode_head=dict(
        _delete_=True,
        type='densessl.BNLinearHead',
        in_channels=[384],
        in_index=[0],
        channels=384,
        dropout_ratio=0.0,
        num_classes=150,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=None,
    test_cfg=dict(mode='slide', crop_size=(512, 512), stride=(341, 341)))
train_dataloader = dict(batch_size=2)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999),
                   weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=40000,
         by_epoch=False),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=40000,
                 val_interval=4000)
