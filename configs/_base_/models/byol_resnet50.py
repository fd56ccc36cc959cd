model = dict(
    type='BYOL',
    ema_decay=0.99,
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375)),
    # timm's default, written out: the same zero-gamma init as PixPro/SlotCon
    backbone=dict(type='TimmBackbone', model_name='resnet50',
                  out_indices=(4, ), zero_init_last=True),
    neck=dict(type='ConvMLPNeck', hid_channels=4096,
              out_channels=256, pool='before'),
    head=dict(type='BYOLHead', predictor=dict(
        type='ConvMLPNeck', in_channels=256, hid_channels=4096,
        out_channels=256)))
sync_bn = 'torch'
