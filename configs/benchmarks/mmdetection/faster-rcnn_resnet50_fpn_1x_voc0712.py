# Paper protocol (VOC detection): Faster R-CNN R50-FPN on VOC07+12 trainval,
# tested on VOC07 test, mmdet's VOC schedule; backbone from densessl
# pretraining. Data: data/VOCdevkit (mmdet layout).
_base_ = ['mmdet::pascal_voc/faster-rcnn_r50_fpn_1x_voc0712.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='resnet50',
        out_indices=(1, 2, 3, 4),
        norm_eval=False,
        init_cfg=None),  # set to Pretrained by --pretrained
    neck=dict(in_channels=[256, 512, 1024, 2048]))
