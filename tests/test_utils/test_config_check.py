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
