# UPerNet on ViT-S/16 features of blocks (2, 5, 8, 11), turned into a
# 4-level pyramid (strides 4 / 8 / 16 / 32) by mmseg's MultiLevelNeck, as
# mmseg's ViT UPerNet configs; ADE20K, 512x512 crops, 80k iterations,
# batch 16, AdamW with layer-wise LR decay 0.65 (MAE's fine-tuning recipe).
# Data: data/ade/ADEChallengeData2016.
_base_ = ['./upernet_resnet50_4xb4-80k_ade20k-512x512.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='vit_small_patch16_224',
        img_size=512,
        out_indices=(2, 5, 8, 11),
        drop_path_rate=0.1,
        init_cfg=None),  # set to Pretrained by --pretrained
    neck=dict(type='MultiLevelNeck', in_channels=[384, 384, 384, 384],
              out_channels=384, scales=[4, 2, 1, 0.5]),
    decode_head=dict(in_channels=[384, 384, 384, 384], channels=512),
    auxiliary_head=dict(in_channels=384, in_index=3))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=0.05),
    constructor='densessl.ViTLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.65))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=80000,
         by_epoch=False),
]
