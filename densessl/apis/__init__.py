"""High-level entry points used by the tools."""
from .inference import init_model, load_weights

__all__ = ['init_model', 'load_weights']
