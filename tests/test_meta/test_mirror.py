"""``tests/`` mirrors the package: every package folder of ``densessl`` has
its test folder."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def package_folders():
    return sorted(p.name for p in (ROOT / 'densessl').iterdir()
                  if (p / '__init__.py').is_file())


def test_every_package_folder_has_a_test_folder():
    missing = [name for name in package_folders()
               if not (ROOT / 'tests' / f'test_{name}').is_dir()]
    assert package_folders() and missing == []


def test_every_test_module_name_is_unique():
    # pytest's default import mode needs unique basenames (no __init__.py)
    names = [p.name for p in (ROOT / 'tests').rglob('test_*.py')]
    assert len(names) == len(set(names))
