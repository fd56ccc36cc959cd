# DINOv2's linear protocol (BNHead) on a frozen ViT-tiny/16, embedded scenes,
# small enough for a CPU: the final-normed patch map of the last block
# (10x10 at 160 px), BatchNorm, one 1x1 conv, logits upsampled bilinearly.
# AdamW 1e-3, weight decay 1e-4, linear warm-up then poly (DINOv2's linear
# config scaled from 40k to 1k iterations).
# Run with: python tools/benchmarks/seg_transfer.py THIS_CONFIG --pretrained BACKBONE.pth
_base_ = ['./fcn_timm-resnet18-d8_1xb8-1k_scenes-160x160.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='vit_tiny_patch16_224',
        img_size=160,
        out_indices=(-1, ),
        final_norm=True,
        frozen=True,
        init_cfg=None),  # set to Pretrained by --pretrained
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
