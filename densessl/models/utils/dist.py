"""Cross-process helpers that degrade to no-ops in a single process."""
from typing import Tuple

import torch
import torch.distributed as dist


def get_world_size() -> int:
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


def get_rank() -> int:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return 0


@torch.no_grad()
def concat_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` from every process along dim 0 (no gradient)."""
    if get_world_size() == 1:
        return tensor
    gathered = [torch.empty_like(tensor) for _ in range(get_world_size())]
    dist.all_gather(gathered, tensor.contiguous())
    return torch.cat(gathered, dim=0)


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
    dist.broadcast(perm, src=0)
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
