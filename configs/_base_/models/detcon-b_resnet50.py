# DetCon-B (official JAX code, detcon_b.py / detcon_b_config.py): ResNet-50
# v1 C5 (7x7 at 224), 16 region masks per view pooled before the projector;
# projector / predictor Linear(4096, bias)-BN-ReLU-Linear(256, no bias) with
# BN over batch x masks (SyncBN across processes); InfoNCE at 0.1 between
# online predictions and target projections; independent target init.
model = dict(
    type='DetConB',
    ema_decay=0.996,
    num_samples=16,
    max_mask_id=256,
    target_init='independent',
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375)),
    # haiku's BlockV1 starts the last BN of each block at zero scale, as
    # timm's zero_init_last
    backbone=dict(type='TimmBackbone', model_name='resnet50',
                  out_indices=(4, ), zero_init_last=True),
    neck=dict(type='RegionMLPNeck', hid_channels=4096,
              out_channels=256),
    head=dict(type='DetConHead', temperature=0.1, local_negatives=True,
              predictor=dict(type='RegionMLPNeck', in_channels=256,
                             hid_channels=4096, out_channels=256)))
sync_bn = 'torch'
