# Classification transfer on the harder embedded objects (CPU, minutes):
# 8 classes (each easy class and a look-alike) as noisy, cluttered, tilted
# partial scans (densessl.datasets.point_generator, variant 'hard'), where
# training from scratch does not reach 100 %. Same encoder, budget and
# recipe as the easy config.
_base_ = ['./pointtransformer-small_cls_1xb32-adamw-8e_objects.py']
model = dict(num_classes=8)
train_dataloader = dict(dataset=dict(variant='hard'))
val_dataloader = dict(dataset=dict(variant='hard'))
test_dataloader = val_dataloader
