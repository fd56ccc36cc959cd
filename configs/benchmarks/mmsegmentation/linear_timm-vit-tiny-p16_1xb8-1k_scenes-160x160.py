# A linear head on ViT-tiny/16 patch features (10x10 at 160 px) on the
# embedded scenes, fine-tuned end to end with layer-wise LR decay (MAE
# recipe: AdamW, decay 0.65 per block): small enough for a CPU.
# Run with: python tools/benchmarks/seg_transfer.py THIS_CONFIG --pretrained BACKBONE.pth
_base_ = ['./fcn_timm-resnet18-d8_1xb8-1k_scenes-160x160.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='vit_tiny_patch16_224',
        img_size=160,
        out_indices=(-1, ),
        drop_path_rate=0.1,
        init_cfg=None),  # set to Pretrained by --pretrained
    # linear: BN-free 1x1 conv on the last block's patch map (iBOT / CrIBo
    # style FCNHead without convs), upsampled bilinearly
    decode_head=dict(
        in_channels=192, in_index=0, channels=192, num_convs=0,
        concat_input=False, dropout_ratio=0.0))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999),
                   weight_decay=0.05),
    constructor='densessl.ViTLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.65))
