# Paper protocol (SlotCon): UPerNet on ADE20K, 512x512 crops, 80k
# iterations, batch 16. Data: data/ade/ADEChallengeData2016.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
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
        init_cfg=None),  # set to Pretrained by --pretrained
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
