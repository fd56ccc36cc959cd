# DetCon-S, ImageNet-1k, 1000 epochs, batch 4096. No official code: the
# SimCLR recipe (LARS lr 0.3 x batch / 256, wd 1e-6, 10 warm-up epochs,
# cosine) on DetCon's views and masks; docs/methods/detcon.md.
_base_ = [
    '../_base_/models/detcon-s_resnet50.py',
    '../_base_/datasets/imagenet_detcon.py',
    '../_base_/schedules/lars_coslr-1000e_detcon.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=256)
optim_wrapper = dict(optimizer=dict(lr=4.8, weight_decay=1e-6))
