# Paper protocol (DenseCL, Table 3/4): FCN-D8 on PASCAL VOC 2012 + SBD aug,
# 512x512 crops, 20k iterations, batch 16, backbone from densessl
# pretraining. Data: mmseg's layout under data/VOCdevkit (see mmseg docs).
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    'mmseg::_base_/datasets/pascal_voc12_aug.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]
crop_size = (512, 512)
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
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
