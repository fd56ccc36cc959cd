_base_ = [
    '../_base_/models/densecl_resnet50.py',
    '../_base_/datasets/coco_mocov2.py',
    '../_base_/schedules/sgd_coslr-800e_coco.py',
    '../_base_/default_runtime.py',
]
