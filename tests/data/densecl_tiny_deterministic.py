# Tiny DenseCL run for the tool tests: 8 scenes of 64 px, batch 4, and views
# without randomness so that a resumed run can be compared exactly.
_base_ = ['../../configs/densecl/densecl_resnet18_1xb32-coslr-6e_scenes.py']
view_pipeline = [
    dict(type='RandomResizedCropCoord', size=64, scale=(1.0, 1.0),
         ratio=(1.0, 1.0)),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        num_images=8,
        image_size=(64, 64),
        pipeline=[
            dict(type='MultiView', num_views=2, transforms=view_pipeline),
            dict(type='PackMultiViewInputs'),
        ]))
model = dict(queue_len=16, neck=dict(hid_channels=32))
default_hooks = dict(logger=dict(interval=1))
