# Paper protocol (DenseCL, PixPro, SlotCon): Mask R-CNN R50-FPN, COCO 1x
# (12 epochs, batch 16), backbone BN trained (not frozen), backbone from
# densessl pretraining. Data: data/coco (mmdet layout).
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='densessl.TimmBackbone',
        model_name='resnet50',
        out_indices=(1, 2, 3, 4),
        norm_eval=False,
        init_cfg=None),  # set to Pretrained by --pretrained
    neck=dict(in_channels=[256, 512, 1024, 2048]))
