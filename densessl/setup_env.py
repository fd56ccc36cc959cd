"""Registration of every densessl class: the one module that imports all
layers below ``apis`` on purpose (entry points and ``apis`` call it; no layer
below imports it)."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every densessl module that registers classes.

    Args:
        init_default_scope: make ``densessl`` the current default scope so that
            un-prefixed ``type=`` names resolve in densessl's registries first.
    """
    import densessl.datasets  # noqa: F401
    import densessl.engine  # noqa: F401
    import densessl.evaluation  # noqa: F401
    import densessl.models  # noqa: F401
    import densessl.visualization  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('densessl', scope_name='densessl')
    elif current.scope_name != 'densessl':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "densessl"; a new scope "densessl" is created.')
        name = f'densessl-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='densessl')
