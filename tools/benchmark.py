"""Speed measured side by side in one run.

    python tools/benchmark.py [--backbone resnet18] [--batch 32] [--size 128]
                              [--steps 10] [--device cpu]

Prints, for the same backbone, batch and input size, the training step time
(forward + backward + SGD step) of each method (built from its paper
config, backbone swapped) and its ratio to the baseline (DenseCL / MoCo-v2,
PixPro / BYOL, SlotCon / BYOL), with steps of the methods interleaved so that
machine noise hits both alike; and the images/s of the two-view MoCo-v2 data
pipeline on the embedded scenes.
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
}
# (method, baseline) pairs whose ratio is reported; issue targets in brackets
RATIOS = [('densecl', 'mocov2', 1.02), ('pixpro', 'byol', 1.05),
          ('slotcon', 'byol', 1.10)]


def _retarget(cfg, backbone: str, channels: int):
    """Swap the ResNet-50 of a paper config for ``backbone``."""
    cfg['backbone']['model_name'] = backbone
    for part in ('neck', 'instance_neck'):
        if part in cfg and cfg[part].get('in_channels') == 2048:
            cfg[part]['in_channels'] = channels
    return cfg


def method_cfgs(backbone: str, channels: int):
    """Model configs of the paper configs, on ``backbone``."""
    from mmengine.config import Config
    root = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                    'configs')
    out = {}
    for name, path in PAPER_CONFIGS.items():
        path = path or '_base_/models/byol_resnet50.py'
        model = Config.fromfile(osp.join(root, path)).model.to_dict()
        model.pop('data_preprocessor', None)
        out[name] = _retarget(model, backbone, channels)
    return out


def fake_geometry(batch: int, size: int):
    """Data samples with random, overlapping crop boxes and flips."""
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
        samples.append(sample)
    return samples


def step_times(models, batch, size, steps, device):
    import torch
    views = [torch.randn(batch, 3, size, size, device=device)
             for _ in range(2)]
    samples = fake_geometry(batch, size)
    optims = {name: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
              for name, m in models.items()}

    def step(name):
        model, optim = models[name], optims[name]
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        losses = model.loss(views, samples)
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        return time.perf_counter() - start

    times = {name: [] for name in models}
    for name in models:  # warm-up
        step(name)
        step(name)
    for _ in range(steps):
        for name in models:
            times[name].append(step(name))
    return {name: statistics.median(t) for name, t in times.items()}


def pipeline_rate(num):
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
    args = parser.parse_args(argv)

    import timm
    import torch

    from densessl.registry import MODELS
    from densessl.utils import register_all_modules
    register_all_modules()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    channels = timm.create_model(args.backbone, features_only=True,
                                 out_indices=(4, )).feature_info.channels()[-1]
    cfgs = method_cfgs(args.backbone, channels)
    names = args.methods or list(cfgs)
    torch.manual_seed(0)
    models = {}
    for name in names:
        model = MODELS.build(cfgs[name]).to(device)
        model.init_weights()
        models[name] = model.train()

    machine = (f'{platform.processor() or platform.machine()}, '
               f'{torch.get_num_threads()} threads'
               if device == 'cpu' else torch.cuda.get_device_name())
    print(f'device: {device} ({machine}); torch {torch.__version__}')
    print(f'backbone {args.backbone}, batch {args.batch}, input '
          f'{args.size}x{args.size}, median of {args.steps} interleaved '
          'steps')
    times = step_times(models, args.batch, args.size, args.steps, device)
    for name, t in times.items():
        print(f'  {name:10s} {t * 1000:9.1f} ms/step')
    for method, base, target in RATIOS:
        if method in times and base in times:
            print(f'  ratio {method}/{base}: '
                  f'{times[method] / times[base]:.3f}  (target <= {target})')
    if args.pipeline_images > 0:
        rate = pipeline_rate(args.pipeline_images)
        print(f'data pipeline (MoCo-v2 two views, 128 px, embedded scenes, '
              f'one process): {rate:.1f} images/s')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    main()
