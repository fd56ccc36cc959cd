# Tiny slotcon run for the tool tests: 8 scenes of 64 px, batch 4.
_base_ = ['../../configs/slotcon/slotcon_resnet18_1xb32-lars-coslr-6e_scenes.py']
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(num_images=8, image_size=(64, 64)))
model = dict(neck=dict(hid_channels=32), head=dict(predictor=dict(hid_channels=32)))
default_hooks = dict(logger=dict(interval=1))
