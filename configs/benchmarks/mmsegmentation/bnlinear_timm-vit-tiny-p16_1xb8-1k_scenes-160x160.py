# DINOv2's linear protocol (BNHead) on a frozen ViT-tiny/16, embedded scenes,
# small enough for a CPU: the final-normed patch map of the last block
# (10x10 at 160 px), BatchNorm, one 1x1 conv, logits upsampled bilinearly.
# AdamW 1e-3, weight decay 1e-4, linear warm-up then poly (DINOv2's linear
# config scaled from 40k to 1k iterations).
# Run with: python tools/benchmarks/seg_transfer.py THIS_CONFIG --pretrained BACKBONE.pth
# The backbone is the fine-tuned linear config's, frozen and final-normed.
_base_ = ['./linear_timm-vit-tiny-p16_1xb8-1k_scenes-160x160.py']
model = dict(
    backbone=dict(final_norm=True, frozen=True, drop_path_rate=0.0),
    decode_head=dict(
        _delete_=True,
        type='densessl.BNLinearHead',
        in_channels=[192],
        in_index=[0],
        channels=192,
        dropout_ratio=0.0,
        num_classes=6,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999),
                   weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=40),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=40, end=1000,
         by_epoch=False),
]
