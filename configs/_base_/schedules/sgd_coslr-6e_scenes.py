# The small CPU schedule of MoCo-v2 / DenseCL on the embedded scenes: the
# paper's SGD, lr 0.03 for a batch of 32, cosine over 6 epochs by epoch.
_base_ = ['./sgd_coslr-200e_in1k.py']
optim_wrapper = dict(optimizer=dict(lr=0.03))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=6, by_epoch=True, begin=0, end=6,
         eta_min=0.)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)
auto_scale_lr = dict(base_batch_size=32)
