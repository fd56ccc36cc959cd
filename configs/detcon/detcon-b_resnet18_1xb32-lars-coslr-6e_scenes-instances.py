# DetCon-B with the scene generator's own instance masks (the paper's "human
# masks" variant) instead of Felzenszwalb.
_base_ = './detcon-b_resnet18_1xb32-lars-coslr-6e_scenes.py'
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadRegionMasks', source='instances'),
        dict(type='MultiView', num_views=[1, 1],
             transforms=[{{_base_.view_pipeline1}},
                         {{_base_.view_pipeline2}}]),
        dict(type='PackMultiViewInputs'),
    ]))
