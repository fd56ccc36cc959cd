# Paper protocol (DenseCL, PixPro): FCN-D8 on Cityscapes, 769x769 crops,
# 40k iterations, batch 8, sliding-window test. Data: data/cityscapes.
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    'mmseg::_base_/datasets/cityscapes_769x769.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py',
]
crop_size = (769, 769)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='resnet50',
        out_indices=(1, 2, 3, 4),
        output_stride=8,
        init_cfg=None),  # set to Pretrained by --pretrained
    decode_head=dict(align_corners=True),
    auxiliary_head=dict(align_corners=True),
    test_cfg=dict(mode='slide', crop_size=(769, 769), stride=(513, 513)))
