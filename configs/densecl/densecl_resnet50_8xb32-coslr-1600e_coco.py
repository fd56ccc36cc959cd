_base_ = './densecl_resnet50_8xb32-coslr-800e_coco.py'
# the second released COCO model
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=1600, by_epoch=True, begin=0,
         end=1600, eta_min=0.)
]
train_cfg = dict(max_epochs=1600)
