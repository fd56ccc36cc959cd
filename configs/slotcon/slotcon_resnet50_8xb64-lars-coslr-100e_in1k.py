# ImageNet-1K: 2048 prototypes, 100 epochs
_base_ = './slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'
model = dict(head=dict(grouping=dict(num_prototypes=2048)))
train_dataloader = dict(
    dataset=dict(data_root='data/imagenet/', data_prefix=dict(img_path='train/')))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, eta_min=1e-6, by_epoch=True,
         begin=5, end=100, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=100)
