# Tiny DetCon-B run for the tool tests: 8 scenes of 96 px, batch 4, grid
# masks (FH finds one segment on scenes this small).
_base_ = ['../../configs/detcon/detcon-b_resnet18_1xb32-lars-coslr-6e_scenes.py']
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(num_images=8, image_size=(96, 96), pipeline=[
        dict(type='LoadRegionMasks', source='grid', grid=(3, 3)),
        dict(type='MultiView', num_views=[1, 1],
             transforms=[{{_base_.view_pipeline1}},
                         {{_base_.view_pipeline2}}]),
        dict(type='PackMultiViewInputs'),
    ]))
model = dict(num_samples=4, neck=dict(hid_channels=32),
             head=dict(predictor=dict(hid_channels=32)))
default_hooks = dict(logger=dict(interval=1))
