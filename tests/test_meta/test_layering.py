"""Imports never run back up: each part of the package imports only parts
below it (module-level and function-level imports alike).

    ops, registry, version          (torch only)
    structures, utils
    datasets | models               (neither imports the other)
    evaluation | converters         (feature extraction: evaluation.features)
    visualization
    engine
    setup_env                       (registers every class: imports all above)
    apis
    densessl                        (the package root, its __init__ only)
"""
import ast
import pathlib

import pytest

RANKS = {
    'densessl.ops': 0, 'densessl.registry': 0, 'densessl.version': 0,
    'densessl.structures': 1, 'densessl.utils': 1,
    'densessl.datasets': 2, 'densessl.models': 2,
    'densessl.evaluation': 3, 'densessl.converters': 3,
    'densessl.visualization': 4,
    'densessl.engine': 5,
    'densessl.setup_env': 6,
    'densessl.apis': 7,
}
ROOT, ROOT_RANK = 'densessl', 8
PACKAGE = pathlib.Path(__file__).resolve().parents[2] / 'densessl'


def part_of(module: str) -> str:
    """The longest ``RANKS`` key that ``module`` is in (the root package
    is its own layer, above all: it must not catch unlisted modules)."""
    if module == ROOT:
        return ROOT
    best = ''
    for name in RANKS:
        if (module == name or module.startswith(name + '.')) and \
                len(name) > len(best):
            best = name
    return best


def imports_of(path: pathlib.Path, module: str):
    is_package = path.name == '__init__.py'
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split('.')
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = '.'.join(base + ([node.module] if node.module
                                          else []))
            else:
                target = node.module or ''
            yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def modules():
    for path in sorted(PACKAGE.rglob('*.py')):
        parts = path.relative_to(PACKAGE.parent).with_suffix('').parts
        module = '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)
        yield path, module


def upward_imports():
    found = []
    ranks = dict(RANKS, **{ROOT: ROOT_RANK})
    for path, module in modules():
        own = part_of(module)
        for line, target in imports_of(path, module):
            if not target.startswith('densessl'):
                continue
            other = part_of(target)
            if other == own:
                continue
            if ranks[other] >= ranks[own]:
                found.append(f'{module}:{line} imports {target}')
    return found


def test_every_module_has_a_layer():
    assert all(part_of(m) for _, m in modules())


def test_no_import_runs_back_up():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    bad = PACKAGE / 'ops' / '_layering_probe.py'
    monkeypatch.setattr(pathlib.Path, 'rglob', lambda self, pattern: [bad])
    monkeypatch.setattr(pathlib.Path, 'read_text',
                        lambda self: 'def f():\n    from densessl.models '
                        'import MomentumCopy\n')
    assert upward_imports() == ['densessl.ops._layering_probe:2 imports '
                                'densessl.models']


@pytest.mark.parametrize('module, part', [
    ('densessl.apis.inference', 'densessl.apis'),
    ('densessl', 'densessl'), ('densessl.setup_env', 'densessl.setup_env'),
    ('densessl.apis.transfer', 'densessl.apis'),
    ('densessl.models.utils.queue', 'densessl.models')])
def test_part_of(module, part):
    assert part_of(module) == part
