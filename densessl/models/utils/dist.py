"""MoCo's shuffle-BN and the gathers of contrastive targets, on MMEngine's
process helpers (``mmengine.dist``: no-ops in a single process)."""
from typing import Tuple

import torch
from mmengine.dist import all_gather, broadcast, get_rank, get_world_size


@torch.no_grad()
def concat_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` from every process along dim 0 (no gradient)."""
    if get_world_size() == 1:
        return tensor
    return torch.cat(all_gather(tensor.contiguous()), dim=0)


@torch.no_grad()
def batch_shuffle_ddp(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Shuffle the global batch across processes for shuffle-BN (MoCo).

    Returns this process's slice of the shuffled batch and the indices that
    undo the shuffle. In one process it returns the input unchanged: BN
    statistics are then taken over the whole batch anyway.
    """
    world = get_world_size()
    if world == 1:
        return x, torch.arange(x.shape[0], device=x.device)
    local = x.shape[0]
    x_all = concat_all_gather(x)
    perm = torch.randperm(x_all.shape[0], device=x.device)
    broadcast(perm, src=0)
    unshuffle = torch.argsort(perm)
    mine = perm.view(world, local)[get_rank()]
    return x_all[mine], unshuffle


@torch.no_grad()
def batch_unshuffle_ddp(x: torch.Tensor,
                        unshuffle: torch.Tensor) -> torch.Tensor:
    """Undo :func:`batch_shuffle_ddp` on one output of the key branch."""
    world = get_world_size()
    if world == 1:
        return x[unshuffle]
    local = x.shape[0]
    x_all = concat_all_gather(x)
    mine = unshuffle.view(world, local)[get_rank()]
    return x_all[mine]


def all_gather_with_grad(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` from every process along dim 0, keeping the
    gradient to every process's part (``torch.distributed.nn``), as
    SimCLR-style losses whose targets are the online outputs need."""
    if get_world_size() == 1:
        return tensor
    from torch.distributed.nn.functional import all_gather as gather
    return torch.cat(gather(tensor.contiguous()), dim=0)
