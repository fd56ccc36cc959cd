"""High-level entry points used by the tools."""
from .inference import init_model, load_weights
from .transfer import prepare_config, run_transfer

__all__ = ['init_model', 'load_weights', 'prepare_config', 'run_transfer']
