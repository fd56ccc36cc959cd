"""Layout-exact stand-ins for published checkpoints (no download).

The ResNets of DenseCL / OpenSelfSup / MMSelfSup / PixPro / SlotCon are
torchvision-named, so their encoders come from ``torchvision.models``; the
heads, queues and wrappers use the official key names and shapes
(OpenSelfSup ``DenseCLNeck`` mlp/mlp2, PixPro ``MLP2d`` linear1/bn1/linear2,
SlotCon ``DINOHead2d`` mlp, ``SemanticGrouping.slot_embed``)."""
import argparse
from collections import OrderedDict

import torch
import torchvision


def resnet(depth=18, seed=0):
    """A torchvision ResNet with random weights and BN statistics."""
    torch.manual_seed(seed)
    model = getattr(torchvision.models, f'resnet{depth}')()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def encoder_keys(model, prefix):
    return OrderedDict((prefix + k, v.clone()) for k, v in
                       model.state_dict().items() if not k.startswith('fc.'))


def densecl_release(model):
    """``tools/extract_backbone_weights.py`` output: the query backbone."""
    return {'state_dict': encoder_keys(model, '')}


def _densecl_neck(prefix, c=512, hid=64, out=16):
    return OrderedDict([(prefix + 'mlp.0.weight', torch.randn(hid, c)),
                        (prefix + 'mlp.0.bias', torch.randn(hid)),
                        (prefix + 'mlp.2.weight', torch.randn(out, hid)),
                        (prefix + 'mlp.2.bias', torch.randn(out)),
                        (prefix + 'mlp2.0.weight', torch.randn(hid, c, 1, 1)),
                        (prefix + 'mlp2.0.bias', torch.randn(hid)),
                        (prefix + 'mlp2.2.weight', torch.randn(out, hid, 1, 1)),
                        (prefix + 'mlp2.2.bias', torch.randn(out))])


def _queues(out=16, length=32):
    return OrderedDict(queue=torch.randn(out, length),
                       queue_ptr=torch.zeros(1, dtype=torch.long),
                       queue2=torch.randn(out, length),
                       queue2_ptr=torch.zeros(1, dtype=torch.long))


def openselfsup(online, key):
    state = encoder_keys(online, 'encoder_q.0.')
    state.update(_densecl_neck('encoder_q.1.'))
    state.update(encoder_keys(key, 'encoder_k.0.'))
    state.update(_densecl_neck('encoder_k.1.'))
    state.update(encoder_keys(online, 'backbone.'))  # the alias
    state.update(_queues())
    return {'meta': {'epoch': 200, 'iter': 1000}, 'state_dict': state}


def mmselfsup(online, key, momentum='encoder_k.module.'):
    state = encoder_keys(online, 'backbone.')
    state.update(_densecl_neck('neck.'))
    state.update(encoder_keys(key, momentum + '0.'))
    state.update(_densecl_neck(momentum + '1.'))
    state[momentum.split('.')[0] + '.steps'] = torch.tensor(1000)
    state.update(_queues())
    return {'meta': {'epoch': 200}, 'state_dict': state}


def _mlp2d(prefix, c=512, hid=64, out=16):
    return OrderedDict([
        (prefix + 'linear1.weight', torch.randn(hid, c, 1, 1)),
        (prefix + 'linear1.bias', torch.randn(hid)),
        (prefix + 'bn1.weight', torch.ones(hid)),
        (prefix + 'bn1.bias', torch.zeros(hid)),
        (prefix + 'bn1.running_mean', torch.zeros(hid)),
        (prefix + 'bn1.running_var', torch.ones(hid)),
        (prefix + 'bn1.num_batches_tracked', torch.tensor(0)),
        (prefix + 'linear2.weight', torch.randn(out, hid, 1, 1)),
        (prefix + 'linear2.bias', torch.randn(out))])


def pixpro(online, key):
    """``main_pretrain.py``'s ``save_checkpoint``: DDP ``module.`` keys under
    ``model`` plus the argparse options (not weights-only loadable)."""
    state = encoder_keys(online, 'module.encoder.')
    state.update(encoder_keys(key, 'module.encoder_k.'))
    state.update(_mlp2d('module.projector.'))
    state.update(_mlp2d('module.projector_k.'))
    state['module.value_transform.weight'] = torch.randn(16, 16, 1, 1)
    state['module.value_transform.bias'] = torch.randn(16)
    return {'opt': argparse.Namespace(arch='resnet18'), 'model': state,
            'optimizer': {}, 'epoch': 100}


def slotcon(online, key, prototypes=8, out=16, hid=64):
    state = encoder_keys(online, 'module.encoder_q.')
    state.update(encoder_keys(key, 'module.encoder_k.'))
    for branch in ('q', 'k'):
        p = f'module.projector_{branch}.mlp.'
        state[p + '0.weight'] = torch.randn(hid, 512, 1, 1)
        state[p + '0.bias'] = torch.randn(hid)
        state[p + '3.weight'] = torch.randn(out, hid, 1, 1)
        state[p + '3.bias'] = torch.randn(out)
        state[f'module.grouping_{branch}.slot_embed.weight'] = torch.randn(
            prototypes, out)
    state['module.center'] = torch.zeros(1, prototypes)
    state['module.predictor_slot.mlp.0.weight'] = torch.randn(hid, out)
    return {'model': state, 'epoch': 800}


def _haiku_bn(params, state, path, bn):
    shape = (1, 1, 1, -1)
    params[path] = dict(scale=bn.weight.detach().numpy().reshape(shape),
                        offset=bn.bias.detach().numpy().reshape(shape))
    for ema, value in (('mean_ema', bn.running_mean),
                       ('var_ema', bn.running_var)):
        state[f'{path}/~/{ema}'] = dict(
            average=value.numpy().reshape(shape).copy(),
            hidden=value.numpy().reshape(shape).copy(),
            counter=__import__('numpy').array(1000, dtype='int32'))


def _haiku_conv(params, path, conv):
    # haiku kernels are H x W x in x out
    params[path] = dict(w=conv.weight.detach().numpy().transpose(2, 3, 1, 0))


def haiku_resnet(model, name='res_net50'):
    """``hk.nets.ResNet`` v1 parameter and state dicts (module path ->
    {leaf: array}) holding a torchvision ResNet's weights, names as haiku
    builds them (``initial_conv``, ``block_group_g/~/block_b/~/conv_i``,
    ``batchnorm_i``, ``shortcut_conv``, BN ``mean_ema`` / ``var_ema``)."""
    params, state = {}, {}
    _haiku_conv(params, f'{name}/~/initial_conv', model.conv1)
    _haiku_bn(params, state, f'{name}/~/initial_batchnorm', model.bn1)
    for g in range(4):
        for b, block in enumerate(getattr(model, f'layer{g + 1}')):
            path = f'{name}/~/block_group_{g}/~/block_{b}/~/'
            convs = [block.conv1, block.conv2] + (
                [block.conv3] if hasattr(block, 'conv3') else [])
            bns = [block.bn1, block.bn2] + (
                [block.bn3] if hasattr(block, 'bn3') else [])
            for i, (conv, bn) in enumerate(zip(convs, bns)):
                _haiku_conv(params, f'{path}conv_{i}', conv)
                _haiku_bn(params, state, f'{path}batchnorm_{i}', bn)
            if block.downsample is not None:
                _haiku_conv(params, f'{path}shortcut_conv',
                            block.downsample[0])
                _haiku_bn(params, state, f'{path}shortcut_batchnorm',
                          block.downsample[1])
    return params, state


def detcon_release(online, target):
    """A DetCon / BYOL JAX checkpoint stand-in: online and target haiku
    parameters and state under wrapper keys (the exact wrapper names of the
    released ``.npy`` are not documented; see docs/convert_checkpoint.md),
    plus the projector of the online network."""
    import numpy as np
    online_params, online_state = haiku_resnet(online)
    target_params, target_state = haiku_resnet(target)
    online_params['projector/~/linear'] = dict(
        w=np.zeros((2048, 8), np.float32), b=np.zeros(8, np.float32))
    return dict(online_params=online_params, online_state=online_state,
                target_params=target_params, target_state=target_state)
