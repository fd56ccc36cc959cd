_base_ = './sgd_coslr-200e_in1k.py'
# COCO: lr 0.3, 800 epochs (DenseCL#6 log: lr 3e-1 at epoch 1)
optim_wrapper = dict(optimizer=dict(lr=0.3))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=800, by_epoch=True, begin=0,
         end=800, eta_min=0.)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
