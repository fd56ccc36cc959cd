# The official PointNCE run (scripts/ddp_local.sh + config/defaults.yaml):
# SGD lr 0.1, momentum 0.9, dampening 0.1, weight decay 1e-4; the LR is
# multiplied by 0.99 every 250 iterations (ExpLR, lr_update_freq=250);
# 20k iterations.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, dampening=0.1,
                   weight_decay=1e-4))
param_scheduler = [
    dict(type='StepLR', step_size=250, gamma=0.99, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=20000)
