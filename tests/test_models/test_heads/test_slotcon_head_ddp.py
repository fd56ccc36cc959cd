"""SlotCon's slot contrast under DDP: negatives are the present teacher slots
of *all* processes, labels offset by rank."""
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from helpers import free_port, init_gloo

K, C, B = 5, 4, 3


def make_inputs(rank):
    g = torch.Generator().manual_seed(10 + rank)
    return [torch.randn(*shape, generator=g, dtype=torch.float64)
            for shape in ((B, K, C), (B, K, 2, 2), (B, K, C), (B, K, 2, 2))]


def build_head():
    from densessl.models.heads import SlotConHead
    torch.manual_seed(0)
    return SlotConHead(
        grouping=dict(type='SemanticGrouping', num_prototypes=K, dim=C),
        predictor=dict(type='MLPHead', in_channels=C, out_channels=C,
                       num_layers=1)).double()


def _worker(rank, world, port, out_dir):
    init_gloo(rank, world, port)
    loss = build_head().slot_contrast(*make_inputs(rank))
    torch.save(loss.detach(), os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_slot_negatives_gathered_across_processes(tmp_path):
    from densessl.models.losses import slot_presence
    mp.spawn(_worker, args=(2, free_port(), str(tmp_path)), nprocs=2)
    head = build_head()
    w = head.predictor.mlp[0].weight.detach().numpy()
    bias = head.predictor.mlp[0].bias.detach().numpy()
    inputs = [make_inputs(r) for r in (0, 1)]
    keys, key_ids = [], []
    for r, (_, _, k_slots, k_dots) in enumerate(inputs):
        mask = slot_presence(k_dots).flatten().numpy()
        ks = k_slots.reshape(-1, C).numpy()
        for i in np.flatnonzero(mask):
            keys.append(ks[i] / np.linalg.norm(ks[i]))
            key_ids.append((r, i))
    keys = np.array(keys)
    for r, (q_slots, q_dots, _, k_dots) in enumerate(inputs):
        valid = (slot_presence(q_dots) & slot_presence(k_dots)).flatten()
        losses = []
        for i in np.flatnonzero(valid.numpy()):
            y = w @ q_slots.reshape(-1, C).numpy()[i] + bias
            logits = keys @ (y / np.linalg.norm(y)) / 0.2
            label = key_ids.index((r, i))
            losses.append(np.log(np.exp(logits).sum()) - logits[label])
        got = float(torch.load(tmp_path / f'rank{r}.pth'))
        assert abs(got - 0.4 * np.mean(losses)) < 1e-10
        # with local keys only, the value would differ
        local = [k for k, (rr, _) in zip(keys, key_ids) if rr == r]
        assert len(local) < len(keys)
