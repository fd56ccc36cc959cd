"""Registries: densessl names resolve from MMEngine's roots with no
custom_imports, and `import densessl` stays light."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, '-c', code], env=env,
                          capture_output=True, text=True, timeout=300)


def test_scoped_type_resolves_from_mmengine_root_without_imports():
    code = (
        'from mmengine.registry import MODELS, DATASETS, TRANSFORMS\n'
        "m = MODELS.build(dict(type='densessl.TimmBackbone', "
        "model_name='resnet18'))\n"
        "assert type(m).__module__.startswith('densessl.models')\n"
        "d = DATASETS.build(dict(type='densessl.SceneDataset', "
        'num_images=2))\n'
        "t = TRANSFORMS.build(dict(type='densessl.RandomFlipCoord'))\n"
        "print(type(m).__name__, type(d).__name__, type(t).__name__)\n")
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'TimmBackbone SceneDataset RandomFlipCoord' in proc.stdout


def test_import_densessl_imports_no_optional_heavy_package():
    code = ('import sys, densessl, densessl.registry\n'
            "heavy = ['mmseg', 'mmdet', 'MinkowskiEngine', 'spconv', "
            "'open3d', 'mmcv']\n"
            'print([m for m in heavy if m in sys.modules])\n')
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '[]'


def test_registries_are_children_of_mmengine_roots():
    from mmengine import registry as root

    from densessl import registry
    pairs = [('MODELS', 'MODELS'), ('DATASETS', 'DATASETS'),
             ('TRANSFORMS', 'TRANSFORMS'), ('HOOKS', 'HOOKS'),
             ('OPTIMIZERS', 'OPTIMIZERS'),
             ('OPTIM_WRAPPER_CONSTRUCTORS', 'OPTIM_WRAPPER_CONSTRUCTORS'),
             ('PARAM_SCHEDULERS', 'PARAM_SCHEDULERS'),
             ('METRICS', 'METRICS'), ('VISUALIZERS', 'VISUALIZERS'),
             ('LOOPS', 'LOOPS'), ('RUNNERS', 'RUNNERS')]
    for ours, theirs in pairs:
        child = getattr(registry, ours)
        assert child.parent is getattr(root, theirs)
        assert child.scope == 'densessl'


def test_missing_optional_dependency_names_the_install():
    import pytest

    from densessl.utils import require
    with pytest.raises(ImportError, match=r'install_transfer.sh \(the densessl "seg" extra'):
        require('mmseg.this_does_not_exist', 'segmentation transfer')
