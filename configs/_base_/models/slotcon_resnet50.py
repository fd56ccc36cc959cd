# SlotCon as the official scripts: 3-layer GELU projector 2048-4096-256,
# K prototypes (256 COCO, 2048 ImageNet), T_s 0.1, T_t 0.07 (also the
# grouping temperature), centering 0.9, slot InfoNCE T 0.2, w = 0.5,
# teacher momentum 0.99 -> 1 (CosineEMADecayHook).
model = dict(
    type='SlotCon',
    ema_decay=0.99,
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375)),
    backbone=dict(type='TimmBackbone', model_name='resnet50',
                  out_indices=(4, ), zero_init_last=True),
    neck=dict(type='ConvMLPNeck', hid_channels=4096,
              out_channels=256, num_layers=3, act='gelu',
              init='trunc_normal'),
    head=dict(
        type='SlotConHead',
        grouping=dict(type='SemanticGrouping', num_prototypes=256, dim=256,
                      temperature=0.07),
        predictor=dict(type='MLPHead', in_channels=256, hid_channels=4096,
                       out_channels=256, num_layers=3),
        student_temp=0.1,
        teacher_temp=0.07,
        contrast_temp=0.2,
        center_momentum=0.9,
        group_loss_weight=0.5))
sync_bn = 'torch'
# the predictor may see no valid slot on a process
find_unused_parameters = True
