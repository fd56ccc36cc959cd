from .optional import require

__all__ = ['require']
