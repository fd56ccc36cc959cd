# The README's main job with the label-free dense-quality hook turned on:
# every 50 iterations, dense alignment / uniformity and prompt-point
# segmentation mIoU of 16 held-out scenes go to the log, scalars.json
# (dense/*) and loss_curve.png. The run itself is unchanged by the hook.
_base_ = ['./densecl_resnet18_1xb32-coslr-6e_scenes.py']
custom_hooks = [
    dict(type='LossCurveHook', smooth=5),
    dict(type='DenseQualityHook', interval=50),
]
