# Paper scale: ScanNet (Pointcept's preprocessed per-scene .npy folders) on 8
# GPUs x 4 scenes (the official batch of 32), 20k iterations.
_base_ = [
    '../_base_/models/pointcontrast_minkunet34c.py',
    '../_base_/datasets/rooms_pointcontrast.py',
    '../_base_/schedules/sgd_steplr-20k_pointcontrast.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(
    num_workers=8,
    dataset=dict(
        _delete_=True,
        type='PointSceneFolderDataset',
        data_root='data/scannet',
        split='train',
        segment_file=None,
        pipeline=[
            dict(type='PointMultiView', num_views=2,
                 transforms={{_base_.view_pipeline}}),
            dict(type='PackSparsePointInputs'),
        ]))
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=1000))
log_processor = dict(by_epoch=False)
