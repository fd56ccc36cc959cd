# Paper: Point-CMAE pretraining on ShapeNet-55, 1024 points, batch 128,
# AdamW 1e-3 / wd 0.05, 300 epochs (10 warm-up), one GPU.
_base_ = [
    '../_base_/models/point-cmae_pointtransformer.py',
    '../_base_/datasets/shapenet55_pointmae.py',
    '../_base_/schedules/adamw_timmcos-300e_shapenet.py',
    '../_base_/default_runtime.py',
]
