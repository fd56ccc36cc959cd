# Tiny byol run for the tool tests: 8 scenes of 64 px, batch 4.
_base_ = ['../../configs/byol/byol_resnet18_1xb32-lars-coslr-6e_scenes.py',
          './_tiny_loader.py']
train_dataloader = {{_base_.tiny_loader}}
default_hooks = {{_base_.tiny_hooks}}
model = dict(neck=dict(hid_channels=32), head=dict(predictor=dict(hid_channels=32)))
