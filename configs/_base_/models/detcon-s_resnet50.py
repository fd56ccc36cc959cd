# DetCon-S: SimCLR networks on regions (no official code). lightly's
# DetConSLoss form (the online projections are predictions and targets);
# lightly-train's projector sizes (hidden 2048, output 128, BN); the same
# region sampling, loss and temperature (0.1) as DetCon-B.
model = dict(
    type='DetConS',
    num_samples=16,
    max_mask_id=256,
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375)),
    backbone=dict(type='TimmBackbone', model_name='resnet50',
                  out_indices=(4, ), zero_init_last=True),
    neck=dict(type='RegionMLPNeck', hid_channels=2048,
              out_channels=128),
    head=dict(type='DetConHead', temperature=0.1, local_negatives=True,
              predictor=None))
sync_bn = 'torch'
