# Mask R-CNN FPN on the embedded scenes, small enough for a CPU (minutes).
# Run with: python tools/benchmarks/det_transfer.py THIS_CONFIG --pretrained BACKBONE.pth
# The transfer tool writes the scenes (images + COCO instances.json) to
# `data/generated/scenes_transfer` when they are missing.
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py']
default_scope = 'mmdet'
scene_splits = dict(root='data/generated/scenes_transfer', num_train=400,
                    num_val=100, size=(160, 160))
classes = ('disc', 'square', 'triangle', 'ellipse', 'cross')
metainfo = dict(classes=classes)

model = dict(
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='resnet18',
        out_indices=(1, 2, 3, 4),
        init_cfg=None),  # set to Pretrained by --pretrained
    neck=dict(in_channels=[64, 128, 256, 512]),
    rpn_head=dict(anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_head=dict(num_classes=len(classes)),
        mask_head=dict(num_classes=len(classes))),
    test_cfg=dict(rcnn=dict(max_per_img=20)))

data_root = scene_splits['root'] + '/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(160, 160), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(160, 160), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='train/instances.json',
        data_prefix=dict(img='train/images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='val/instances.json',
        data_prefix=dict(img='val/images/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'val/instances.json',
                     metric=['bbox', 'segm'])
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=50),
    dict(type='MultiStepLR', begin=0, end=300, by_epoch=False,
         milestones=[200, 270], gamma=0.1)
]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=300,
                 val_interval=300)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=300, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(enable=False, base_batch_size=4)
randomness = dict(seed=0)
