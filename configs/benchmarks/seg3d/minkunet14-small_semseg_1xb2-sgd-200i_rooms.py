# 3D semantic segmentation transfer on the embedded rooms (CPU, minutes):
# the small PointContrast config's MinkUNet14 + a linear classifier, 5 cm
# voxels, 200 iterations of SGD (lr 0.1, momentum 0.9, wd 1e-4, poly decay),
# per-point mIoU on 20 held-out rooms. Pretrained weights come in through
#   --pretrained BACKBONE.pth  (tools/extract_backbone.py --layout mm)
# with tools/benchmarks/point_transfer.py, or
#   model.backbone.init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')
# densessl.datasets.ROOM_CLASSES (a test checks they agree)
room_classes = ('floor', 'wall', 'cabinet', 'table', 'lamp', 'mug', 'rocket')
default_scope = 'densessl'
voxel = 0.05
model = dict(
    type='SparseSegmentor',
    num_classes=len(room_classes),
    backbone=dict(type='MinkUNet', in_channels=3, out_channels=32, depth=14,
                  planes=(16, 32, 64, 128, 128, 64, 48, 48),
                  stem_channels=16, stem_kernel_size=3))
train_pipeline = [
    dict(type='RandomRotate', angle=(-1, 1), axis='z'),
    dict(type='RandomScale', scale=(0.9, 1.1)),
    dict(type='RandomFlip3d', p=0.5),
    dict(type='RandomJitter', sigma=0.005, clip=0.02),
    dict(type='ChromaticJitter', p=0.95, std=0.05),
    dict(type='GridSample', grid_size=voxel, mode='train'),
    dict(type='PointFeatures', keys=('color', )),
    dict(type='PackSparsePointInputs'),
]
test_pipeline = [
    dict(type='GridSample', grid_size=voxel, mode='test'),
    dict(type='PointFeatures', keys=('color', )),
    dict(type='PackSparsePointInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SyntheticRoomDataset', num_scenes=200,
                 num_points=12000, seed=500000, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SyntheticRoomDataset', num_scenes=20,
                 num_points=12000, seed=900000, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DenseIoUMetric', num_classes=len(room_classes),
                     class_names=room_classes)
test_evaluator = val_evaluator

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                    weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', power=0.9, eta_min=1e-4, begin=0,
                        end=200, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='SafeCheckpointHook', by_epoch=False, interval=200,
                    max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    step_seed=dict(type='StepSeedHook'),
)
log_processor = dict(by_epoch=False)
env_cfg = dict(cudnn_benchmark=False,
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0)
log_level = 'INFO'
load_from = None
resume = False
