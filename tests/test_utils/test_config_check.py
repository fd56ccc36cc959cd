"""Misspelt model keys and unknown types are named, with the densessl class
and the nearest valid key, before anything is built; every shipped config
passes the check."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from densessl.utils.config_check import check_model_config
from densessl.setup_env import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MAIN = osp.join(ROOT, 'configs/densecl/densecl_resnet18_1xb32-coslr-6e_'
                'scenes.py')
register_all_modules(init_default_scope=False)


@pytest.mark.parametrize('option, message', [
    ({'model.backbon.depth': 1},
     'model.backbon: DenseCL (densessl.models.algorithms.densecl) has no '
     'argument "backbon"; did you mean \'backbone\'?'),
    ({'model.backbone.model_nam': 'resnet50'},
     'model.backbone.model_nam: TimmBackbone '
     '(densessl.models.backbones.timm_backbone) has no argument '
     '"model_nam"; did you mean \'model_name\'?'),
    ({'model.type': 'DenseCLL'},
     'model.type: "DenseCLL" is not a registered model; did you mean '
     '\'DenseCL\''),
    ({'model.head.temprature': 0.2},
     'did you mean \'temperature\'?'),
])
def test_misspelt_keys_are_named_with_the_nearest_key(option, message):
    cfg = Config.fromfile(MAIN)
    cfg.merge_from_dict(option)
    with pytest.raises(ValueError) as err:
        check_model_config(cfg.model)
    assert message in str(err.value)


def test_keys_passed_on_to_timm_are_allowed():
    cfg = Config.fromfile(MAIN)
    cfg.merge_from_dict({'model.backbone.drop_path_rate': 0.1})
    check_model_config(cfg.model)


def test_every_shipped_densessl_config_passes():
    configs = [p for p in glob.glob(osp.join(ROOT, 'configs/**/*.py'),
                                    recursive=True)
               if '_base_' not in p and '/mm' not in p.split('benchmarks')[-1]]
    assert len(configs) > 20
    for path in configs:
        cfg = Config.fromfile(path)
        if 'model' in cfg:
            check_model_config(cfg.model)


def test_unknown_timm_names_get_close_suggestions():
    from densessl.models.backbones import TimmBackbone
    with pytest.raises(ValueError, match='did you mean resnet18'):
        TimmBackbone('resnet181')


def test_dataset_keys_are_checked_through_forwarded_kwargs():
    from densessl.utils.config_check import check_dataset_config
    with pytest.raises(ValueError, match=r'train_dataloader.dataset.'
                       r'num_images: ImageFolderDataset .* has no argument '
                       r'"num_images"; its arguments: data_root'):
        check_dataset_config(dict(type='ImageFolderDataset', data_root='x',
                                  num_images=8))
    # keys of MMEngine's BaseDataset, reached through **kwargs, are fine
    check_dataset_config(dict(type='ImageFolderDataset', data_root='x',
                              lazy_init=True, pipeline=[]))
    with pytest.raises(ValueError, match="did you mean 'num_images'"):
        check_dataset_config(dict(type='SceneDataset', num_image=8))
    with pytest.raises(ValueError, match='"SceneDatasett" is not a '
                       "registered data set; did you mean 'SceneDataset'"):
        check_dataset_config(dict(type='SceneDatasett'))


@pytest.mark.parametrize('path', sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p and 'mmsegmentation' not in p
    and 'mmdetection' not in p))  # other libraries' configs: their registries
def test_every_shipped_dataset_config_passes(path):
    from densessl.utils.config_check import check_dataset_config
    cfg = Config.fromfile(path)
    check_dataset_config((cfg.get('train_dataloader') or {}).get('dataset'))


def test_a_checkpoint_to_resume_is_checked_first(tmp_path):
    import torch

    from densessl.utils.export import check_checkpoint_file
    good = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=dict(w=torch.zeros(1000))), good)
    check_checkpoint_file(str(good))
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(good.read_bytes()[:len(good.read_bytes()) // 2])
    with pytest.raises(ValueError, match='cut.pth" is truncated or damaged'):
        check_checkpoint_file(str(cut))
    (tmp_path / 'text.pth').write_text('hello')
    with pytest.raises(ValueError, match='not a torch checkpoint'):
        check_checkpoint_file(str(tmp_path / 'text.pth'))
    (tmp_path / 'empty.pth').write_bytes(b'')
    with pytest.raises(ValueError, match='empty'):
        check_checkpoint_file(str(tmp_path / 'empty.pth'))
    with pytest.raises(FileNotFoundError):
        check_checkpoint_file(str(tmp_path / 'none.pth'))


def test_a_queue_that_does_not_take_whole_batches_is_named_first():
    import sys
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    from train import check_batch_fits_queue
    cfg = Config.fromfile(MAIN)
    check_batch_fits_queue(cfg)
    cfg.model.queue_len = 1000
    with pytest.raises(ValueError, match='queue_len 1000 is not a multiple '
                       'of the batch size 32'):
        check_batch_fits_queue(cfg)
