"""Off-the-shelf evaluation of a frozen 3D backbone (no fine-tuning).

    # one backbone: a sparse U-Net on scenes, or a point-patch transformer
    # on objects (the kind follows CONFIG's backbone)
    python tools/benchmarks/point_eval.py CONFIG [--checkpoint CKPT]
        [--eval probe knn] [--seed 0] [--out result.json]
        # scenes: the embedded rooms, or Pointcept-layout folders
        [--data-root DIR --segment-file segment20.npy --classes FILE]
        [--sampling trilinear|nearest] [--align-corners] [--levels 0 1 2 3 4]
        [--num-train 60] [--num-val 20] [--points-per-scene 1000]
        # objects: the embedded objects, the harder embedded set, a
        # ModelNet / any-K folder (modelnetK_*, shape_names.txt) or a
        # ScanObjectNN split folder (*_objectdataset*.h5; PB-T50-RS when
        # the _augmentedrot_scale75 files are there)
        [--objects easy|hard | --data-root DIR]
        [--train-objects 480] [--val-objects 160]

    # the 3D comparison into the results store (pretrain, evaluate, random
    # rows; resumable, one JSON per finished run)
    python tools/benchmarks/point_eval.py --compare
        [--methods pointcontrast point_cmae] [--seeds 0 1 2]
        [--max-minutes 60] [--store benchmarks/results]

Scenes (the Masked Scene Modeling protocol, docs/3d.md): every level of the
U-Net decoder (fine to coarse: output, strides 2, 4, 8 and the bottleneck)
is read at every original point, trilinearly by default, and the levels are
concatenated. ``probe``: a per-point linear layer on the standardised
features (AdamW, lr 0.01, weight decay 0.01, cosine; MSM's optimiser);
``knn``: each val point takes the classes of its ``--k`` nearest train
points (cosine on per-level L2-normalised features, weights exp(cos / T));
mIoU over all original points of the val scenes. Objects: one global feature
per object (max- and mean-pooled tokens), logistic regression and kNN,
overall accuracy.
"""
import argparse
import glob
import json
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: embedded rooms for evaluation: disjoint from pretraining (seeds 0..999)
ROOM_TRAIN_SEED, ROOM_VAL_SEED = 500_000, 900_000
OBJECT_TRAIN_SEED, OBJECT_VAL_SEED = 0, 1_000_000
METHODS = {
    'pointcontrast': ('configs/pointcontrast/'
                      'pointcontrast_minkunet14-small_1xb2-sgd-300i_rooms.py'),
    'point_cmae': ('configs/point_cmae/'
                   'point-cmae_pointtransformer-small_1xb32-adamw-4e_objects.py'),
}

#: object classification fine-tuning, the Point-CMAE transfer benchmark
FINETUNE = {
    'easy': ('configs/benchmarks/point_transfer/'
             'pointtransformer-small_cls_1xb32-adamw-8e_objects.py'),
    'hard': ('configs/benchmarks/point_transfer/'
             'pointtransformer-small_cls_1xb32-adamw-8e_objects-hard.py'),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?')
    parser.add_argument('--checkpoint')
    parser.add_argument('--eval', nargs='+', default=['probe', 'knn'],
                        choices=['probe', 'knn'])
    parser.add_argument('--data-root', help='Pointcept scene folders or a '
                        'ModelNet-layout folder instead of embedded data')
    parser.add_argument('--segment-file', default='segment20.npy')
    parser.add_argument('--classes', help='text file, one class per line '
                        '(scene folders)')
    parser.add_argument('--num-classes', type=int,
                        help='without a classes file')
    parser.add_argument('--train-split', default='train')
    parser.add_argument('--val-split', default='val')
    parser.add_argument('--objects', default='easy', choices=['easy', 'hard'],
                        help='which embedded object set')
    parser.add_argument('--sampling', default='trilinear',
                        choices=['trilinear', 'nearest'])
    parser.add_argument('--align-corners', action='store_true',
                        help="MSM's code convention (see sample_sparse)")
    parser.add_argument('--levels', type=int, nargs='+',
                        help='decoder levels, 0 = finest (default: all)')
    parser.add_argument('--num-train', type=int,
                        help='train scenes: embedded rooms (default 60), or '
                        'at most N of --data-root (default all)')
    parser.add_argument('--num-val', type=int,
                        help='val scenes: embedded rooms (default 20), or '
                        'at most N of --data-root (default all)')
    parser.add_argument('--train-objects', type=int, default=480,
                        help='embedded train objects')
    parser.add_argument('--val-objects', type=int, default=160,
                        help='embedded val objects')
    parser.add_argument('--points-per-scene', type=int, default=1000,
                        help='train points per scene for the probe / bank')
    parser.add_argument('--epochs', type=int, default=30, help='probe epochs')
    parser.add_argument('--k', type=int, default=20)
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the result as JSON')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--trust-checkpoint', action='store_true')
    # the comparison
    parser.add_argument('--compare', action='store_true')
    parser.add_argument('--methods', nargs='+', default=list(METHODS),
                        choices=list(METHODS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--max-minutes', type=float)
    parser.add_argument('--store', default='benchmarks/results')
    parser.add_argument('--work-dir', default='work_dirs/compare_3d')
    parser.add_argument('--no-random', action='store_true')
    parser.add_argument('--finetune', nargs='+', choices=list(FINETUNE),
                        help='instead: fine-tune Point-CMAE (and scratch) on '
                        'these embedded object sets, seeds as given')
    args = parser.parse_args(argv)
    if not args.compare and not args.config:
        parser.error('give a CONFIG, or --compare')
    if args.compare and args.data_root:
        parser.error('--compare runs on the embedded data; evaluate your '
                     'own folder with CONFIG --checkpoint CKPT --data-root')
    return args


def _find_step(pipeline, name):
    """The first transform called ``name`` in a (nested) pipeline."""
    for step in pipeline or []:
        if step.get('type') == name:
            return step
        found = _find_step(step.get('transforms'), name)
        if found:
            return found
    return None


def backbone_kind(cfg) -> str:
    kind = str(cfg.model.backbone.type).split('.')[-1]
    if kind == 'MinkUNet':
        return 'scenes'
    if kind == 'PointPatchTransformer':
        return 'objects'
    raise ValueError(f'{kind} is not a 3D backbone this tool evaluates '
                     '(MinkUNet or PointPatchTransformer)')


def scene_datasets(cfg, args):
    """(classes, train dataset, val dataset) with the config's voxel size and
    input features, every original point kept with its label."""
    from densessl.registry import DATASETS
    pipeline = cfg.train_dataloader.dataset.get('pipeline')
    grid = _find_step(pipeline, 'GridSample')
    features = _find_step(pipeline, 'PointFeatures')
    if grid is None or features is None:
        raise ValueError('the config pretrains without GridSample / '
                         'PointFeatures; cannot tell the voxel size')
    test = [dict(type='GridSample', grid_size=grid['grid_size'], mode='test'),
            dict(features.to_dict() if hasattr(features, 'to_dict')
                 else features),
            dict(type='PackSparsePointInputs')]
    if args.data_root:
        from densessl.datasets.seg_folder import read_classes
        classes = read_classes(args.classes, args.num_classes)
        make = [dict(type='PointSceneFolderDataset', data_root=args.data_root,
                     split=split, segment_file=args.segment_file,
                     classes=classes, pipeline=test)
                for split in (args.train_split, args.val_split)]
    else:
        from densessl.datasets import ROOM_CLASSES
        classes = list(ROOM_CLASSES)
        make = [dict(type='SyntheticRoomDataset', num_scenes=n,
                     num_points=12000, seed=seed, pipeline=test)
                for n, seed in ((args.num_train or 60, ROOM_TRAIN_SEED),
                                (args.num_val or 20, ROOM_VAL_SEED))]
    train, val = (DATASETS.build(m) for m in make)
    if args.data_root:  # the first N scenes, read one at a time
        from torch.utils.data import Subset
        train, val = (Subset(d, range(min(len(d), n or len(d))))
                      for d, n in ((train, args.num_train),
                                   (val, args.num_val)))
    return classes, train, val


def object_datasets(cfg, args):
    from densessl.registry import DATASETS
    sub = _find_step(cfg.train_dataloader.dataset.get('pipeline'),
                     'RandomPointSubsample')
    num_points = sub['num_points'] if sub else 1024
    test = [dict(type='FarthestPointSubsample', num_points=num_points),
            dict(type='NormalizeToUnitSphere'), dict(type='PackPointInputs')]
    if args.data_root and glob.glob(osp.join(args.data_root,
                                             '*_objectdataset*.h5')):
        hardest = glob.glob(osp.join(args.data_root, '*_scale75.h5'))
        make = [dict(type='ScanObjectNNDataset', data_root=args.data_root,
                     split=split, variant='hardest' if hardest else 'plain',
                     pipeline=test) for split in ('train', 'test')]
    elif args.data_root:
        make = [dict(type='ModelNet40Dataset', data_root=args.data_root,
                     split=split,
                     pipeline=[dict(type='LoadPointCloud')] + test)
                for split in ('train', 'test')]
    else:
        make = [dict(type='SyntheticObjectDataset', num_objects=n,
                     num_points=2048, seed=seed, variant=args.objects,
                     pipeline=test)
                for n, seed in ((args.train_objects, OBJECT_TRAIN_SEED),
                                (args.val_objects, OBJECT_VAL_SEED))]
    train, val = (DATASETS.build(m) for m in make)
    return list(train.metainfo['classes']), train, val


def object_features(backbone, dataset, device, progress=True):
    import torch

    from densessl.evaluation.point_features import object_global_features
    from mmengine.utils import ProgressBar
    feats, labels = [], []
    bar = ProgressBar(len(dataset)) if progress else None
    for start in range(0, len(dataset), 32):
        items = [dataset[i] for i in range(start, min(start + 32,
                                                      len(dataset)))]
        points = torch.stack([it['inputs'] for it in items]).to(device)
        feats.append(object_global_features(backbone, points).cpu())
        labels += [int(it['data_samples'].label) for it in items]
        if bar:
            for _ in items:
                bar.update()
    if bar:
        print(flush=True)
    return torch.cat(feats), torch.tensor(labels)


def run_point_eval(args) -> dict:
    import torch
    from mmengine.config import Config

    from densessl.apis import init_model
    from densessl.evaluation.point_features import (evaluate_features,
                                                    extract_scene_features)
    torch.manual_seed(args.seed)
    cfg = Config.fromfile(args.config)
    kind = backbone_kind(cfg)
    model = init_model(cfg, args.checkpoint, args.device,
                       args.trust_checkpoint)
    backbone = model.backbone
    start = time.time()
    result = dict(config=args.config, checkpoint=args.checkpoint or 'random',
                  kind=kind, seed=args.seed)
    if kind == 'scenes':
        classes, train, val = scene_datasets(cfg, args)
        levels = args.levels
        widths = list(backbone.level_channels)
        if levels:
            if not all(0 <= lv < len(widths) for lv in levels):
                raise ValueError(f'levels {levels}: the U-Net has levels '
                                 f'0..{len(widths) - 1} (0 = finest)')
            widths = [widths[lv] for lv in levels]
        common = dict(mode=args.sampling, align_corners=args.align_corners,
                      levels=levels, device=args.device, progress=True)
        print(f'train: features of {len(train)} scenes', flush=True)
        tr = extract_scene_features(backbone, train, seed=args.seed,
                                    points_per_scene=args.points_per_scene,
                                    **common)
        print(f'val: features of {len(val)} scenes (every point)',
              flush=True)
        va = extract_scene_features(backbone, val, **common)
        result.update(data=args.data_root or 'embedded rooms',
                      sampling=args.sampling, align_corners=args.align_corners,
                      levels=levels or list(range(len(widths))),
                      feature_dim=int(tr[0].shape[1]),
                      num_train=len(train), num_val=len(val),
                      train_points=len(tr[0]), val_points=len(va[0]))
    else:
        classes, train, val = object_datasets(cfg, args)
        widths = None
        print(f'train: features of {len(train)} objects', flush=True)
        tr = object_features(backbone, train, args.device)
        print(f'val: features of {len(val)} objects', flush=True)
        va = object_features(backbone, val, args.device)
        result.update(data=args.data_root or f'embedded objects '
                      f'({args.objects})', feature_dim=int(tr[0].shape[1]),
                      num_train=len(train), num_val=len(val))
    result['classes'] = list(classes)
    result.update(evaluate_features(
        *tr, *va, len(classes), evals=args.eval, epochs=args.epochs,
        batch_size=4096 if kind == 'scenes' else 64, k=args.k,
        temperature=args.temperature, level_widths=widths, seed=args.seed,
        progress=True))
    result['seconds'] = round(time.time() - start, 1)
    return result


def report(result) -> None:
    from densessl.evaluation.dense_iou import format_scores
    scenes = result['kind'] == 'scenes'
    for ev in ('probe', 'knn'):
        if ev in result:
            print(format_scores(ev, result[ev], result['classes'],
                                'mIoU' if scenes else 'aAcc',
                                None if scenes else 'accuracy'), flush=True)


def main(argv=None):
    sys.path.insert(0, ROOT)
    from densessl.setup_env import register_all_modules
    register_all_modules(init_default_scope=True)  # datasets build here
    args = parse_args(argv)
    if args.compare:
        from point_compare import compare
        return compare(args)
    result = run_point_eval(args)
    report(result)
    if args.out:
        from densessl.utils.io import atomic_write_bytes
        atomic_write_bytes(json.dumps(result, indent=1).encode(), args.out)
        print(f'Wrote {args.out}')
    return result


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    from densessl.utils.cli import run_tool
    run_tool(main)
