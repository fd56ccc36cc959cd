"""Speed measured side by side in one run.

    python tools/benchmark.py [--backbone resnet18] [--batch 32] [--size 128]
                              [--steps 10] [--device cpu]
                              [--variants fp32 bf16 channels_last]
                              [--peer mmpretrain]

Prints, for the same backbone, batch and input size, the training step time
(forward + backward + SGD step) of each method (built from its paper
config, backbone swapped) and its ratio to the baseline (DenseCL / MoCo-v2,
PixPro / BYOL, SlotCon / BYOL, DetCon-B / BYOL), with steps of the methods interleaved so that
machine noise hits both alike. ``--variants`` adds bf16 autocast and / or
``channels_last`` runs of every method from the same weights and inputs:
their step time against fp32 and how far their first loss is from fp32's.
``--peer mmpretrain`` also times MMPretrain's own DenseCL and MoCo-v2 on the
same timm backbone, batch, crops, queue and heads (``peer_cfgs``), steps
interleaved with densessl's, and prints densessl / MMPretrain per method.
Last, the images/s of the two-view MoCo-v2 data pipeline on the embedded
scenes against what a training step consumes.
"""
import argparse
import os.path as osp
import platform
import statistics
import sys
import time


PAPER_CONFIGS = {
    'mocov2': 'mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py',
    'densecl': 'densecl/densecl_resnet50_8xb32-coslr-200e_in1k.py',
    'byol': None,  # the BYOL model base, with PixPro's schedule
    'pixpro': 'pixpro/pixpro_resnet50_8xb128-lars-coslr-100e_in1k.py',
    'slotcon': 'slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py',
    'detcon_b': 'detcon/detcon-b_resnet50_16xb256-lars-coslr-1000e_in1k.py',
}
# (method, baseline) pairs whose ratio is reported; issue targets in brackets
RATIOS = [('densecl', 'mocov2', 1.05), ('pixpro', 'byol', 1.05),
          ('slotcon', 'byol', 1.15), ('detcon_b', 'byol', 1.10)]
VARIANTS = ('fp32', 'bf16', 'channels_last', 'bf16+channels_last')
#: methods a peer library is timed on, and densessl / peer targets
PEER_TARGETS = {'densecl': 0.8, 'mocov2': None}


def peer_cfgs(cfgs: dict) -> dict:
    """MMPretrain 1.2.0 model configs equal to densessl's ``cfgs`` for the
    peer comparison: the same timm backbone (its final feature map), neck
    sizes, queue, temperature, loss weight and EMA (MMPretrain's
    ``momentum`` is the update fraction, 1 - ``ema_decay``)."""
    out = {}
    for name in PEER_TARGETS:
        ours = cfgs[name]
        neck = ours['neck']
        backbone = dict(type='TIMMBackbone',
                        model_name=ours['backbone']['model_name'],
                        features_only=False, pretrained=False)
        peer = dict(
            backbone=backbone,
            head=dict(type='ContrastiveHead',
                      loss=dict(type='CrossEntropyLoss'),
                      temperature=ours['head']['temperature']),
            queue_len=ours['queue_len'], feat_dim=ours['feat_dim'],
            momentum=1 - ours.get('ema_decay', 0.999))
        sizes = dict(in_channels=neck.get('in_channels') or 2048,
                     hid_channels=neck['hid_channels'],
                     out_channels=neck['out_channels'])
        if name == 'densecl':
            peer.update(type='DenseCL', neck=dict(type='DenseCLNeck', **sizes),
                        loss_lambda=ours['head'].get('loss_lambda', 0.5))
        else:
            peer.update(type='MoCo', neck=dict(type='MoCoV2Neck', **sizes))
        out[name] = peer
    return out


def build_peer(cfg: dict, in_channels: int):
    """An MMPretrain model (``tools/install.sh --peer`` installs it)."""
    try:
        from mmengine.registry import DefaultScope
        from mmpretrain.registry import MODELS as PEER_MODELS
        from mmpretrain.utils import register_all_modules
    except ImportError:
        raise ImportError('--peer mmpretrain needs MMPretrain 1.2.0: bash '
                          'tools/install.sh --peer (or pip install '
                          'mmpretrain==1.2.0)') from None
    register_all_modules(init_default_scope=False)
    cfg = dict(cfg, neck=dict(cfg['neck'], in_channels=in_channels))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = PEER_MODELS.build(cfg)
    model.init_weights()
    return model


def _retarget(cfg, backbone: str, size: int = 224):
    """Swap the ResNet-50 of a paper config for ``backbone`` (a ViT gets
    its patch maps at ``size``); the necks read their input channels from
    the backbone."""
    if backbone.startswith(('vit_', 'deit', 'eva')):
        cfg['backbone'] = dict(type='TimmBackbone', model_name=backbone,
                               img_size=size, out_indices=(-1, ))
    else:
        cfg['backbone']['model_name'] = backbone
    for part in ('neck', 'instance_neck'):
        if part in cfg and 'in_channels' in cfg[part]:
            cfg[part]['in_channels'] = None
    return cfg


def method_cfgs(backbone: str, size: int = 224):
    """Model configs of the paper configs, on ``backbone``."""
    from mmengine.config import Config
    root = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                    'configs')
    out = {}
    for name, path in PAPER_CONFIGS.items():
        path = path or '_base_/models/byol_resnet50.py'
        model = Config.fromfile(osp.join(root, path)).model.to_dict()
        model.pop('data_preprocessor', None)
        out[name] = _retarget(model, backbone, size)
    return out


def fake_geometry(batch: int, size: int):
    """Data samples with random, overlapping crop boxes and flips, and
    region masks (random ids on an 8 x 8 block grid) per view."""
    import torch

    from densessl.structures import DataSample
    samples = []
    for _ in range(batch):
        sample = DataSample(metainfo=dict(ori_shape=(2 * size, 2 * size)))
        corner = torch.rand(2, 2) * 0.4
        boxes = torch.cat([corner, corner + 0.5], dim=1)
        flips = torch.rand(2) < 0.5
        boxes[flips] = boxes[flips][:, [2, 1, 0, 3]]
        sample.crop_boxes, sample.flips = boxes, flips
        blocks = torch.randint(0, 12, (2, 8, 8))
        sample.mask_maps = blocks.repeat_interleave(
            -(-size // 8), 1).repeat_interleave(-(-size // 8), 2)[
                :, :size, :size]
        samples.append(sample)
    return samples


def step_times(models, batch, size, steps, device, track_finite=False):
    """Median step time of every ``(method, variant)`` in ``models``, steps
    interleaved, and the loss of each one's first step (and, with
    ``track_finite``, whether every loss was finite). Variants naming
    ``bf16`` / ``fp16`` run under autocast in that precision."""
    import torch
    views = [torch.randn(batch, 3, size, size, device=device)
             for _ in range(2)]
    samples = fake_geometry(batch, size)
    optims = {key: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
              for key, m in models.items()}
    first_loss, finite = {}, {}

    def step(key):
        model, optim = models[key], optims[key]
        variant = key[1]
        inputs = views
        if 'channels_last' in variant:
            inputs = [v.contiguous(memory_format=torch.channels_last)
                      for v in views]
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        dtype = torch.float16 if 'fp16' in variant else torch.bfloat16
        with torch.autocast(device.split(':')[0], dtype=dtype,
                            enabled='bf16' in variant or 'fp16' in variant):
            losses = model.loss(inputs, samples)
        total = sum(v for k, v in losses.items() if 'loss' in k)
        finite[key] = finite.get(key, True) and bool(torch.isfinite(total))
        optim.zero_grad()
        total.backward()
        optim.step()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        first_loss.setdefault(key, float(total.detach()))
        return time.perf_counter() - start

    times = {key: [] for key in models}
    for key in models:  # warm-up
        step(key)
        step(key)
    for _ in range(steps):
        for key in models:
            times[key].append(step(key))
    medians = {key: statistics.median(t) for key, t in times.items()}
    if track_finite:
        return medians, first_loss, finite
    return medians, first_loss


def pipeline_rate(num):
    """Two-view samples per second of one data-loading process."""
    from densessl.registry import DATASETS
    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    cfg = Config.fromfile(osp.join(root,
                                   'configs/_base_/datasets/scenes_mocov2.py'))
    dataset = DATASETS.build(dict(cfg.train_dataloader.dataset,
                                  num_images=num))
    dataset[0]
    start = time.perf_counter()
    for i in range(num):
        dataset[i]
    return num / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description='densessl speed benchmark')
    parser.add_argument('--backbone', default='resnet18')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--pipeline-images', type=int, default=200)
    parser.add_argument('--device', default=None)
    parser.add_argument('--methods', nargs='+', default=None)
    parser.add_argument('--vs-backbone', default=None,
                        help='also time every method on this backbone (e.g. '
                        'vit_small_patch16_224), interleaved, and print the '
                        'per-method ratio')
    parser.add_argument('--variants', nargs='+', default=['fp32'],
                        choices=VARIANTS,
                        help='precision / memory-format runs to compare '
                        '(fp32 is always included as the reference)')
    parser.add_argument('--peer', choices=['mmpretrain'],
                        help='also time this library\'s DenseCL and MoCo-v2 '
                        'on the same backbone and settings, interleaved')
    args = parser.parse_args(argv)
    variants = ['fp32'] + [v for v in args.variants if v != 'fp32']

    import torch

    from mmengine.logging import MMLogger

    from densessl.registry import MODELS
    from densessl.setup_env import register_all_modules
    register_all_modules()
    # init_weights reports every parameter at INFO: not what a benchmark
    # wants on its screen
    MMLogger.get_current_instance().setLevel('WARNING')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    cfgs = method_cfgs(args.backbone, args.size)
    names = args.methods or list(cfgs)
    import copy
    torch.manual_seed(0)
    models = {}
    if args.vs_backbone:
        other = method_cfgs(args.vs_backbone, args.size)
        for name in names:
            model = MODELS.build(other[name]).to(device)
            model.init_weights()
            models[name, f'fp32 [{args.vs_backbone}]'] = model.train()
    for name in names:
        model = MODELS.build(cfgs[name]).to(device)
        model.init_weights()
        if args.peer and name in PEER_TARGETS:
            channels = model.backbone.out_channels[-1]
            models[name, f'fp32 [{args.peer}]'] = build_peer(
                peer_cfgs(cfgs)[name], channels).to(device).train()
        for variant in variants:  # the same weights for every variant
            twin = copy.deepcopy(model).train()
            if 'channels_last' in variant:
                twin = twin.to(memory_format=torch.channels_last)
            models[name, variant] = twin

    machine = (f'{platform.processor() or platform.machine()}, '
               f'{torch.get_num_threads()} threads'
               if device == 'cpu' else torch.cuda.get_device_name())
    print(f'device: {device} ({machine}); torch {torch.__version__}')
    print(f'backbone {args.backbone}, batch {args.batch}, input '
          f'{args.size}x{args.size}, median of {args.steps} interleaved '
          'steps')
    times, losses = step_times(models, args.batch, args.size, args.steps,
                               device)
    for (name, variant), t in times.items():
        line = f'  {name:10s} {variant:18s} {t * 1000:9.1f} ms/step'
        if variant != 'fp32' and not variant.startswith('fp32 ['):
            ref = losses[name, 'fp32']
            line += (f'  x{times[name, "fp32"] / t:.2f} vs fp32, first loss '
                     f'{losses[name, variant]:.4f} vs {ref:.4f} (rel. diff '
                     f'{abs(losses[name, variant] - ref) / abs(ref):.1e})')
        print(line)
    if args.vs_backbone:
        for name in names:
            ratio = times[name, f'fp32 [{args.vs_backbone}]'] / \
                times[name, 'fp32']
            print(f'  ratio {name} {args.vs_backbone}/{args.backbone}: '
                  f'{ratio:.3f}')
    if args.peer:
        for name in names:
            if (name, f'fp32 [{args.peer}]') in times:
                ratio = times[name, 'fp32'] / times[name, f'fp32 [{args.peer}]']
                target = PEER_TARGETS[name]
                print(f'  ratio {name} densessl/{args.peer}: {ratio:.3f}' +
                      (f'  (target <= {target})' if target else ''))
    for method, base, target in RATIOS:
        for variant in variants:
            if (method, variant) in times and (base, variant) in times:
                ratio = times[method, variant] / times[base, variant]
                print(f'  ratio {method}/{base} ({variant}): {ratio:.3f}  '
                      f'(target <= {target})')
    if args.pipeline_images > 0:
        rate = pipeline_rate(args.pipeline_images)
        step = min(times.values())
        consumed = args.batch / step
        workers = 2  # the small configs' num_workers
        print(f'data pipeline (MoCo-v2 two views, 128 px, embedded scenes): '
              f'{rate:.1f} samples/s per process, x{workers} workers = '
              f'{rate * workers:.1f}; the fastest step consumes '
              f'{consumed:.1f} samples/s: ratio {rate * workers / consumed:.2f}'
              ' (target >= 2)')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
