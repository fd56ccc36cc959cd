# PixPro as the released scripts (tools/pixpro_base_r50_*.sh): gamma 2,
# one-conv value transform, threshold 0.7, momentum 0.99 -> 1 (cosine, by
# CosineEMADecayHook), instance branch off (weight 0).
model = dict(
    type='PixPro',
    ema_decay=0.99,
    instance_loss_weight=0.0,
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375)),
    # timm's zero_init_last=True is PixPro's zero-gamma init of bn3
    backbone=dict(type='TimmBackbone', model_name='resnet50',
                  out_indices=(4, ), zero_init_last=True),
    neck=dict(type='ConvMLPNeck', hid_channels=4096,
              out_channels=256, num_layers=2, act='relu'),
    head=dict(type='PixProHead', pos_ratio=0.7,
              ppm=dict(type='PixelPropagationModule', channels=256,
                       gamma=2.0, num_transform_layers=1)),
    # PixPro+ (set instance_loss_weight > 0): per-pixel MLPs, then pooling
    instance_neck=dict(type='ConvMLPNeck',
                       hid_channels=4096, out_channels=256),
    instance_head=dict(type='BYOLHead', predictor=dict(
        type='ConvMLPNeck', in_channels=256, hid_channels=4096,
        out_channels=256)))
# the official code converts every BN to SyncBN
sync_bn = 'torch'
