from .loss_curve import plot_loss_curves, read_scalars

__all__ = ['plot_loss_curves', 'read_scalars']
