"""Dense evaluation of a frozen backbone: linear probe and kNN retrieval.

    python tools/benchmarks/dense_eval.py CONFIG [--checkpoint CKPT]
        [--eval probe knn] [--levels -2 -1] [--size 224] [--out result.json]
        [--knn-per-image N] [--cfg-options model.backbone.model_name=...]
        [--eval probe knn prompt]
        # the embedded scenes (default; photos = the real-photo fixture):
        [--scenes procedural|photos] [--num-train 400] [--num-val 200]
        # or your own data in mmseg's folder layout (or Pascal VOC's):
        [--data-root DIR --layout mmseg|voc --classes classes.txt
         --img-suffix .jpg --seg-map-suffix .png --reduce-zero-label
         --train-split train --val-split val --max-images N]

The backbone of CONFIG's model (random init, a training checkpoint, an
exported ``mm`` backbone or a converted published checkpoint) is frozen and
its features of ``--levels`` are computed once per split. Levels index the
backbone's whole feature pyramid, whatever ``out_indices`` the config trains
with: ``-1`` = the deepest (C5 of a ResNet), ``-2`` = C4, ``-3`` = C3; several
are upsampled to the finest and concatenated. The default ``-2 -1`` (C4 + C5)
measured best (docs/evaluation.md). ``probe``: a 1x1 conv on the
standardised features, upsampled bilinearly to the labels, trained with
cross-entropy on the train split. ``knn``: a training-free memory bank of
labelled train patches; each val patch votes with its ``--k`` nearest
(cosine, weight ``exp(cos / T)``; faiss when installed); ``--knn-per-image``
caps the patches each train image puts in the bank (random, seeded), so the
bank stays bounded on large sets. Both report mIoU,
aAcc and per-class IoU on the val split. The embedded scenes are disjoint
from the pretraining scenes (seeds from 1,000,000 on).
"""
import argparse
import json
import os.path as osp
import sys
import time

from mmengine.config import DictAction

TRAIN_SEED, VAL_SEED = 1_000_000, 2_000_000
EVALS = ('probe', 'knn', 'prompt')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint')
    parser.add_argument('--eval', nargs='+', default=['probe', 'knn'],
                        choices=EVALS, help='prompt: training-free '
                        'prompt-point segmentation of the val objects '
                        '(embedded scenes, or --layout voc with '
                        'SegmentationObject/)')
    parser.add_argument('--levels', type=int, nargs='+', default=[-2, -1],
                        help='feature pyramid levels (-1 = deepest, -2 = the '
                        'one before, ...; default C4 + C5)')
    parser.add_argument('--size', type=int, default=224,
                        help='images are resized to SIZE x SIZE')
    parser.add_argument('--scenes', default='procedural',
                        choices=['procedural', 'photos'],
                        help='which embedded scenes (without --data-root)')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--data-root', help='your data instead of the '
                        'embedded scenes')
    parser.add_argument('--layout', default='mmseg', choices=['mmseg', 'voc'])
    parser.add_argument('--classes', help='text file, one class per line')
    parser.add_argument('--num-classes', type=int,
                        help='without a classes file')
    parser.add_argument('--img-suffix', default='.jpg')
    parser.add_argument('--seg-map-suffix', default='.png')
    parser.add_argument('--reduce-zero-label', action='store_true')
    parser.add_argument('--train-split', default='train')
    parser.add_argument('--val-split', default='val')
    parser.add_argument('--max-images', type=int,
                        help='use at most N images per split')
    parser.add_argument('--epochs', type=int, default=30, help='probe epochs')
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--k', type=int, default=20)
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--knn-per-image', type=int, default=None,
                        help='at most N memory-bank patches per train image')
    parser.add_argument('--bn-recalibrate', type=int, default=0,
                        help='re-estimate BN statistics on N train images '
                        'first (0: off)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the result as JSON')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--trust-checkpoint', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. '
                        'model.backbone.model_name=resnet50')
    return parser.parse_args(argv)


def load_splits(args):
    """(classes, {split: (images, labels)})."""
    size = (args.size, args.size)
    if args.data_root is None:
        from densessl.datasets import SCENE_SOURCES, scene_arrays
        return list(SCENE_SOURCES[args.scenes].classes), {
            'train': scene_arrays(range(TRAIN_SEED,
                                        TRAIN_SEED + args.num_train), size,
                                  args.scenes),
            'val': scene_arrays(range(VAL_SEED, VAL_SEED + args.num_val),
                                size, args.scenes)}
    from densessl.datasets.seg_folder import read_classes, read_seg_split
    classes = read_classes(args.classes, args.num_classes)
    return classes, {name: read_seg_split(
        args.data_root, split, len(classes), size, args.layout,
        args.img_suffix, args.seg_map_suffix, args.reduce_zero_label,
        args.max_images)
        for name, split in (('train', args.train_split),
                            ('val', args.val_split))}


def load_val_instances(args):
    """Object maps of the val images: the embedded scenes' own, or a VOC
    folder's ``SegmentationObject`` PNGs."""
    size = (args.size, args.size)
    if args.data_root is None:
        from densessl.datasets import scene_arrays
        return scene_arrays(range(VAL_SEED, VAL_SEED + args.num_val), size,
                            args.scenes, instances=True)[2]
    from densessl.datasets.seg_folder import read_instance_split
    try:
        return read_instance_split(args.data_root, args.val_split, size,
                                   args.img_suffix, args.seg_map_suffix,
                                   args.max_images)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'error: --eval prompt: {err}')


def run_dense_eval(args) -> dict:
    import torch

    from mmengine.config import Config

    from densessl.apis import (dense_features, init_model, recalibrate_bn,
                               request_levels)
    from densessl.evaluation.knn_segmentation import evaluate_knn
    from densessl.evaluation.linear_probe import (evaluate_probe,
                                                  extract_features,
                                                  train_linear_probe)
    if 'prompt' in args.eval and args.data_root and args.layout != 'voc':
        raise SystemExit('error: --eval prompt needs object maps: the '
                         'embedded scenes (leave out --data-root) or a VOC '
                         'folder with SegmentationObject/ (--layout voc)')
    torch.manual_seed(args.seed)
    try:
        cfg = Config.fromfile(args.config)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        positions = request_levels(cfg, args.levels)
        model = init_model(cfg, args.checkpoint, args.device,
                           args.trust_checkpoint)
        classes, splits = load_splits(args)
    except (FileNotFoundError, ValueError, ImportError, KeyError) as err:
        raise SystemExit(f'error: {err}')
    start = time.time()
    if args.bn_recalibrate:
        count = recalibrate_bn(model, splits['train'][0][:args.bn_recalibrate])
        print(f'BN statistics of {count} layers re-estimated on '
              f'{min(args.bn_recalibrate, len(splits["train"][0]))} train '
              'images', flush=True)
    feats = {}
    levels = tuple(args.levels)
    for name, (images, labels) in splits.items():
        print(f'{name}: features of {len(images)} images', flush=True)
        feats[name] = extract_features(
            lambda x: dense_features(model, x, positions), images,
            progress=True)
        print(f'{name}: {len(images)} images -> features '
              f'{tuple(feats[name].shape)}', flush=True)
    result = dict(config=args.config, checkpoint=args.checkpoint or 'random',
                  data=args.data_root or f'embedded {args.scenes} scenes',
                  levels=levels,
                  bn_recalibrate=args.bn_recalibrate, seed=args.seed,
                  size=args.size, classes=classes,
                  num_train=len(splits['train'][0]),
                  num_val=len(splits['val'][0]))
    if 'probe' in args.eval:
        head = train_linear_probe(feats['train'], splits['train'][1],
                                  len(classes), epochs=args.epochs,
                                  lr=args.lr, seed=args.seed, progress=True)
        result['probe'] = evaluate_probe(head, feats['val'],
                                         splits['val'][1], len(classes))
    if 'prompt' in args.eval:
        from densessl.evaluation.dense_alignment import \
            prompt_point_segmentation
        result['prompt'] = prompt_point_segmentation(
            feats['val'], load_val_instances(args))
    if 'knn' in args.eval:
        result['knn'] = evaluate_knn(feats['train'], splits['train'][1],
                                     feats['val'], splits['val'][1],
                                     len(classes), k=args.k,
                                     temperature=args.temperature,
                                     per_image=args.knn_per_image,
                                     seed=args.seed)
    result['seconds'] = round(time.time() - start, 1)
    return result


def main(argv=None):
    args = parse_args(argv)
    result = run_dense_eval(args)
    if 'prompt' in result:
        r = result['prompt']
        print(f'prompt: mIoU {r["mIoU"]:.2f} (mean-threshold rule), best '
              f'swept {r["mIoU_best"]:.2f} at {r["best_threshold"]:.2f}; '
              f'cosine intra-object {r["intra"]:.3f}, inter-object '
              f'{r["inter"]:.3f} ({r["objects"]} objects)')
    from densessl.evaluation.dense_iou import format_scores
    for name in ('probe', 'knn'):
        if name in result:
            print(format_scores(name, result[name], result['classes']))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
        print(f'Wrote {args.out}')
    return result


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    from densessl.utils.cli import run_tool
    run_tool(main)
