"""Small shared builders for the tests."""
import copy
import os
import socket

import torch

TINY_BACKBONE = dict(type='TimmBackbone', model_name='resnet18',
                     out_indices=(4, ), zero_init_last=False)


def densecl_cfg(queue_len=16, feat_dim=8, **kwargs):
    cfg = dict(
        type='DenseCL',
        queue_len=queue_len,
        feat_dim=feat_dim,
        backbone=copy.deepcopy(TINY_BACKBONE),
        neck=dict(type='DenseCLNeck', in_channels=512, hid_channels=32,
                  out_channels=feat_dim),
        head=dict(type='DenseCLHead', temperature=0.2, loss_lambda=0.5))
    cfg.update(kwargs)
    return cfg


def mocov2_cfg(queue_len=16, feat_dim=8, **kwargs):
    cfg = dict(
        type='MoCoV2',
        queue_len=queue_len,
        feat_dim=feat_dim,
        backbone=copy.deepcopy(TINY_BACKBONE),
        neck=dict(type='MoCoV2Neck', in_channels=512, hid_channels=32,
                  out_channels=feat_dim),
        head=dict(type='ContrastiveHead', temperature=0.2))
    cfg.update(kwargs)
    return cfg


def build(cfg):
    from densessl.registry import MODELS
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def two_views(batch=4, size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, 3, size, size, generator=g) for _ in range(2)]


def random_sites(n=300, size=12, batch=2, channels=4, seed=0):
    """A sparse tensor on ``n`` random (unique) sites of ``batch`` clouds in
    ``[-size, size)^3``, for the sparse-backend equality tests."""
    from densessl.models.sparse import SparseTensor
    g = torch.Generator().manual_seed(seed)
    coords = torch.cat([torch.randint(0, batch, (n, 1), generator=g),
                        torch.randint(-size, size, (n, 3), generator=g)], 1)
    coords = torch.unique(coords, dim=0)
    feats = torch.randn(len(coords), channels, generator=g)
    return SparseTensor(feats, coords)


def detcon_cfg(variant='B', hidden=32, dim=8, **kwargs):
    neck = dict(type='RegionMLPNeck', in_channels=512, hid_channels=hidden,
                out_channels=dim)
    predictor = (dict(type='RegionMLPNeck', in_channels=dim,
                      hid_channels=hidden, out_channels=dim)
                 if variant == 'B' else None)
    cfg = dict(type='DetCon' + variant, num_samples=4,
               backbone=copy.deepcopy(TINY_BACKBONE), neck=neck,
               head=dict(type='DetConHead', predictor=predictor))
    cfg.update(kwargs)
    return cfg


def region_samples(batch=4, size=64, views=2, seed=0):
    """Data samples with ``mask_maps`` (a 2 x 2 grid of regions, the second
    view shifted), for the DetCon tests."""
    from densessl.structures import DataSample
    samples = []
    for b in range(batch):
        grid = torch.zeros(size, size, dtype=torch.long)
        grid[:, size // 2:] += 1
        grid[size // 2:] += 2
        maps = torch.stack([grid if v == 0 else torch.roll(grid, b + v, 1)
                            for v in range(views)])
        sample = DataSample()
        sample.mask_maps = maps
        samples.append(sample)
    return samples


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    """A free local TCP port for a gloo rendezvous."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def init_gloo(rank: int, world: int, port: int) -> None:
    """Join a local gloo group as ``rank`` of ``world`` (a spawned test
    worker), one thread, densessl's classes registered."""
    import torch.distributed as dist

    from densessl.setup_env import register_all_modules
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.set_num_threads(1)
    register_all_modules()
