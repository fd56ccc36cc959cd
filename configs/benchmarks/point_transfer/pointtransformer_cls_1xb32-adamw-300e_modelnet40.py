# Point-MAE full fine-tuning on ModelNet40 (1k points): AdamW lr 5e-4,
# wd 0.05 (not on 1-D params, biases, tokens), timm cosine 300 epochs with 10
# warm-up epochs, batch 32, grad-norm clip 10, drop-path 0.1. Train: FPS 1200
# then a random 1024, unit sphere, scale & translate; test: FPS 1024.
# Point-MAE selects the best test epoch; the last epoch is reported here.
_base_ = ['./_finetune_runtime.py']
model = dict(
    type='PointTransformerClassifier',
    num_classes=40,
    backbone=dict(type='PointPatchTransformer', num_groups=64, group_size=32,
                  embed_dim=384, depth=12, num_heads=6, drop_path_rate=0.1))
train_pipeline = [
    dict(type='LoadPointCloud'),
    dict(type='FarthestPointSubsample', num_points=1200),
    dict(type='RandomPointSubsample', num_points=1024),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PointScaleAndTranslate', scale=(2 / 3, 3 / 2), translate=0.2),
    dict(type='PackPointInputs'),
]
test_pipeline = [
    dict(type='LoadPointCloud'),
    dict(type='FarthestPointSubsample', num_points=1024),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PackPointInputs'),
]
dataset = dict(type='ModelNet40Dataset',
               data_root='data/modelnet40_normal_resampled')
train_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True, drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(dataset, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(dataset, split='test', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='PointAccuracyMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'token': dict(decay_mult=0.0)}),
    clip_grad=dict(max_norm=10))
param_scheduler = [
    dict(type='TimmCosineLR', t_initial=300, warmup_t=10,
         warmup_lr_init=1e-6, lr_min=1e-6, lag=1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300, val_interval=1)
