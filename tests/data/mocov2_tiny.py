# Tiny mocov2 run for the tool tests: 8 scenes of 64 px, batch 4.
_base_ = ['../../configs/mocov2/mocov2_resnet18_1xb32-coslr-6e_scenes.py',
          './_tiny_loader.py']
train_dataloader = {{_base_.tiny_loader}}
default_hooks = {{_base_.tiny_hooks}}
model = dict(queue_len=16, neck=dict(hid_channels=32))
