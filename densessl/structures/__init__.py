from .data_sample import DataSample, stack_field

__all__ = ['DataSample', 'stack_field']
