import importlib
from types import ModuleType

# import name -> (pip extra of densessl, human install hint)
_HINTS = {
    'mmseg': ('seg', 'bash tools/install_transfer.sh'),
    'mmdet': ('det', 'bash tools/install_transfer.sh'),
    'open3d': ('3d', 'pip install -e ".[3d]"'),
    'spconv': ('3d', 'pip install spconv'),
    'h5py': ('3d', 'pip install h5py'),
    'MinkowskiEngine': ('', 'bash tools/install_minkowski.sh (builds '
                        'MinkowskiEngine 0.5.4 from source, 5-15 min)'),
}


def require(module: str, feature: str = '') -> ModuleType:
    """Import an optional dependency or raise an ImportError saying how to
    install it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        extra, hint = _HINTS.get(module.split('.')[0],
                                 ('', f'pip install {module}'))
        what = f' for {feature}' if feature else ''
        raise ImportError(
            f'`{module}` is needed{what} but could not be imported ({err}). '
            f'Install it with: {hint}'
            + (f' (the densessl "{extra}" extra).' if extra else '.')) from err
