model = dict(
    type='MoCoV2',
    queue_len=65536,
    feat_dim=128,
    ema_decay=0.999,
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375)),
    # OpenSelfSup ResNet: zero_init_residual=False
    backbone=dict(type='TimmBackbone', model_name='resnet50',
                  out_indices=(4, ), zero_init_last=False),
    neck=dict(type='MoCoV2Neck', hid_channels=2048,
              out_channels=128),
    head=dict(type='ContrastiveHead', temperature=0.2))
