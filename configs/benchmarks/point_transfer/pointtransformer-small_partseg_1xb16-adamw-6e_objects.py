# Part segmentation transfer on the embedded objects (CPU, minutes): the
# small Point-CMAE encoder (features of its blocks 2/3/4), 512 points,
# 320 training / 96 test objects (disjoint seeds), 6 epochs at lr 1e-3.
_base_ = ['./pointtransformer_partseg_1xb16-adamw-300e_shapenetpart.py']
# densessl.datasets.OBJECT_PARTS as global part ids (a test checks them)
model = dict(
    class_parts=((0, 1), (2, 3, 4), (5, 6), (7, 8, 9)),
    feature_blocks=(1, 2, 3),
    backbone=dict(num_groups=32, group_size=16, embed_dim=192, depth=4,
                  num_heads=3))
train_pipeline = [
    dict(type='RandomPointSubsample', num_points=512),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PointScaleAndTranslate', scale=(0.8, 1.25), translate=0.1),
    dict(type='PackPointInputs'),
]
test_pipeline = [
    dict(type='RandomPointSubsample', num_points=512),
    dict(type='NormalizeToUnitSphere'),
    dict(type='PackPointInputs'),
]
train_dataloader = dict(
    num_workers=1,
    dataset=dict(_delete_=True, type='SyntheticObjectDataset',
                 num_objects=320, num_points=1024, seed=0,
                 pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(_delete_=True, type='SyntheticObjectDataset',
                 num_objects=96, num_points=1024, seed=1_000_000,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='TimmCosineLR', t_initial=6, warmup_t=1, warmup_lr_init=1e-5,
         lr_min=1e-6, lag=0)
]
train_cfg = dict(max_epochs=6, val_interval=6)
