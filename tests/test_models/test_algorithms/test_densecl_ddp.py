"""DenseCL under DDP with two CPU processes (gloo)."""
import os
import subprocess
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from helpers import REPO_ROOT, free_port, init_gloo

ROOT = REPO_ROOT


def _worker(rank, world, port, out_dir):
    init_gloo(rank, world, port)
    from helpers import build, densecl_cfg, two_views
    from densessl.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp

    # shuffle + unshuffle is the identity on every rank
    x = torch.arange(6, dtype=torch.float32).view(3, 2) + 100 * rank
    shuffled, unshuffle = batch_shuffle_ddp(x)
    assert torch.equal(batch_unshuffle_ddp(shuffled, unshuffle), x)

    torch.manual_seed(0)  # same init on both ranks, as DDP broadcasts
    cfg = densecl_cfg(queue_len=12)
    # BN in eval mode makes each key a function of its own image only, so
    # keys recomputed here must equal what the shuffled step enqueued
    cfg['backbone']['norm_eval'] = True
    model = build(cfg)
    model.train()
    views = two_views(batch=3, seed=rank + 1)  # different data per rank
    losses = model.loss(views, None)
    sum(losses.values()).backward()
    with torch.no_grad():
        key_backbone, key_neck = model.momentum_encoder.module
        k, _, pooled = key_neck(key_backbone(views[1]))
        k = torch.nn.functional.normalize(k, dim=1)
        pooled = torch.nn.functional.normalize(pooled, dim=1)
    torch.save(dict(queue=model.queue.queue, dense=model.dense_queue.queue,
                    ptr=int(model.queue.ptr), dptr=int(model.dense_queue.ptr),
                    k=k, pooled=pooled),
               os.path.join(out_dir, f'rank{rank}.pth'))
    dist.barrier()
    dist.destroy_process_group()


def test_densecl_queues_gathered_across_two_processes(tmp_path):
    mp.spawn(_worker, args=(2, free_port(), str(tmp_path)), nprocs=2)
    r0, r1 = (torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1))
    assert r0['ptr'] == r1['ptr'] == 6 and r0['dptr'] == r1['dptr'] == 6
    assert torch.equal(r0['queue'], r1['queue'])
    assert torch.equal(r0['dense'], r1['dense'])
    # rank 0's keys, then rank 1's, in their original (unshuffled) order
    expected = torch.cat([r0['k'], r1['k']]).t()
    assert torch.allclose(r0['queue'][:, :6], expected, atol=1e-5)
    expected = torch.cat([r0['pooled'], r1['pooled']]).t()
    assert torch.allclose(r0['dense'][:, :6], expected, atol=1e-5)


def test_train_tool_with_torchrun_on_cpu(tmp_path):
    config = os.path.join(ROOT, 'tests/data/densecl_tiny_deterministic.py')
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES='',
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         f'--master_port={free_port()}', 'tools/train.py', config,
         '--launcher', 'pytorch', '--work-dir', str(tmp_path),
         '--cfg-options', 'train_cfg.max_epochs=1'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ckpt = torch.load(tmp_path / 'epoch_1.pth', weights_only=True)
    # 8 images / (2 ranks x 4) = 1 iteration with a global batch of 8
    assert ckpt['meta']['iter'] == 1
    assert int(ckpt['state_dict']['queue.ptr']) == 8
    assert int(ckpt['state_dict']['dense_queue.ptr']) == 8
