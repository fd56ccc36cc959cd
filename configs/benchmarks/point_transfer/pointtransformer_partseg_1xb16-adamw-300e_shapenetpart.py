# Point-MAE part segmentation on ShapeNetPart: 128 groups of 32, 2048 points
# (drawn with replacement when a shape has fewer), features of blocks 4/8/12,
# AdamW lr 2e-4 wd 0.05, timm cosine 300 epochs (10 warm-up), batch 16;
# train-time scale 0.8-1.25 and shift 0.1. Metrics: instance / class mIoU.
_base_ = ['./_finetune_runtime.py']
shapenetpart_class_parts = (
    (0, 1, 2, 3), (4, 5), (6, 7), (8, 9, 10, 11), (12, 13, 14, 15),
    (16, 17, 18), (19, 20, 21), (22, 23), (24, 25, 26, 27), (28, 29),
    (30, 31, 32, 33, 34, 35), (36, 37), (38, 39, 40), (41, 42, 43),
    (44, 45, 46), (47, 48, 49))
model = dict(
    type='PointTransformerPartSegmentor',
    class_parts=shapenetpart_class_parts,
    feature_blocks=(3, 7, 11),
    backbone=dict(type='PointPatchTransformer', num_groups=128,
                  group_size=32, embed_dim=384, depth=12, num_heads=6,
                  drop_path_rate=0.1))
train_pipeline = [
    dict(type='LoadPointCloud'),
    dict(type='RandomPointSubsample', num_points=2048, allow_repeat=True),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PointScaleAndTranslate', scale=(0.8, 1.25), translate=0.1),
    dict(type='PackPointInputs'),
]
test_pipeline = [
    dict(type='LoadPointCloud'),
    dict(type='RandomPointSubsample', num_points=2048, allow_repeat=True),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PackPointInputs'),
]
dataset = dict(
    type='ShapeNetPartDataset',
    data_root='data/shapenetcore_partanno_segmentation_benchmark_v0_normal')
train_dataloader = dict(
    batch_size=16, num_workers=4, persistent_workers=True, drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(dataset, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=4, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(dataset, split='test', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='PartSegIoUMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='TimmCosineLR', t_initial=300, warmup_t=10,
         warmup_lr_init=1e-6, lr_min=1e-6, lag=0)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300, val_interval=1)
