"""Frozen-backbone dense linear probe on the embedded scenes (mIoU).

    python tools/benchmarks/linear_probe.py CONFIG [--checkpoint CKPT]
        [--num-train 400] [--num-val 200] [--size 224] [--epochs 30]
        [--level -1] [--out result.json] [--device cpu]

The backbone of CONFIG's model (random init, a training checkpoint, or an
exported ``mm`` backbone) is frozen; a 1x1 conv on its features (upsampled
bilinearly to the labels) is trained with cross-entropy on ``--num-train``
scenes and evaluated on ``--num-val`` others. The scenes are disjoint from the
pretraining scenes (seeds from 1,000,000 on). Prints mIoU, aAcc and per-class
IoU; ``--out`` also writes them as JSON.
"""
import argparse
import json
import os.path as osp
import sys
import time

TRAIN_SEED, VAL_SEED = 1_000_000, 2_000_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--size', type=int, default=224,
                        help='scenes are generated at SIZE x SIZE')
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--level', type=int, default=-1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the result as JSON')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--trust-checkpoint', action='store_true')
    return parser.parse_args(argv)


def run_probe(args) -> dict:
    import torch

    from densessl.apis import dense_features, init_model
    from densessl.datasets import SCENE_CLASSES, scene_arrays
    from densessl.evaluation.linear_probe import (evaluate_probe,
                                                  extract_features,
                                                  train_linear_probe)
    torch.manual_seed(args.seed)
    try:
        model = init_model(args.config, args.checkpoint, args.device,
                           args.trust_checkpoint)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(str(err))
    size = (args.size, args.size)
    start = time.time()
    splits = {}
    for name, first, count in (('train', TRAIN_SEED, args.num_train),
                               ('val', VAL_SEED, args.num_val)):
        images, labels = scene_arrays(range(first, first + count), size)
        feats = extract_features(
            lambda x: dense_features(model, x, args.level), images)
        splits[name] = (feats, labels)
        print(f'{name}: {count} scenes -> features {tuple(feats.shape)}',
              flush=True)
    num_classes = len(SCENE_CLASSES)
    head = train_linear_probe(*splits['train'], num_classes,
                              epochs=args.epochs, lr=args.lr, seed=args.seed,
                              progress=True)
    result = evaluate_probe(head, *splits['val'], num_classes)
    result.update(config=args.config, checkpoint=args.checkpoint or 'random',
                  num_train=args.num_train, num_val=args.num_val,
                  size=args.size, epochs=args.epochs, level=args.level,
                  seconds=round(time.time() - start, 1),
                  classes=list(SCENE_CLASSES))
    return result


def main(argv=None):
    args = parse_args(argv)
    result = run_probe(args)
    per_class = ', '.join(f'{c} {v:.1f}' for c, v in
                          zip(result['classes'], result['per_class_iou']))
    print(f'linear probe: mIoU {result["mIoU"]:.2f}  aAcc '
          f'{result["aAcc"]:.2f}  ({per_class})')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
        print(f'Wrote {args.out}')
    return result


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    main()
