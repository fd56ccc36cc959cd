"""Check a model config before anything is built: every ``type`` is
registered and every key is an argument of its class, so a misspelt key is
named with the densessl class it belongs to and the nearest valid key,
instead of a ``TypeError`` from deep inside the runner."""
import difflib
import inspect

#: sub-configs built by other registries (weight initialisers, ...)
_NOT_MODELS = ('init_cfg', 'norm_cfg', 'act_cfg', 'conv_cfg')


def _suggest(word: str, choices, cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3,
                                      cutoff=cutoff)
    return f'; did you mean {" or ".join(repr(c) for c in close)}?' \
        if close else ''


def _arguments(cls) -> tuple:
    """(named arguments of ``cls.__init__``, whether it takes ``**kwargs``)."""
    params = inspect.signature(cls.__init__).parameters.values()
    names = [p.name for p in params if p.name != 'self' and p.kind in (
        p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def _forwarded_arguments(cls) -> tuple:
    """Like :func:`_arguments`, but following ``**kwargs`` up the class's
    bases as long as each passes them on (a data set's own arguments plus
    those of MMEngine's ``BaseDataset``)."""
    names, takes_kwargs = [], True
    for klass in cls.__mro__:
        if not takes_kwargs or klass is object:
            break
        if '__init__' not in vars(klass):
            continue
        own, takes_kwargs = _arguments(klass)
        names += [n for n in own if n not in names]
    return names, takes_kwargs


def _registered(registry, kind: str, path: str, noun: str):
    """The class ``kind`` names in ``registry``, or ``ValueError`` with the
    closest registered names."""
    cls = registry.get(kind)
    if cls is None:
        known = set(registry.module_dict)
        raise ValueError(f'{path}.type: "{kind}" is not a registered {noun}'
                         f'{_suggest(kind.split(".")[-1], known)}')
    return cls


def _check_keys(cfg: dict, cls, names, takes_kwargs: bool,
                path: str) -> None:
    """``ValueError`` for the first key of ``cfg`` that is not one of
    ``names``; with ``**kwargs`` taken, only a key close to a valid one
    (a likely misspelling) is an error."""
    for key in cfg:
        if key == 'type' or key in names:
            continue
        hint = _suggest(key, names, 0.75 if takes_kwargs else 0.6)
        if not takes_kwargs or hint:
            hint = hint or '; its arguments: ' + ', '.join(names)
            raise ValueError(f'{path}.{key}: {cls.__name__} '
                             f'({cls.__module__}) has no argument "{key}"'
                             f'{hint}')


def check_dataset_config(cfg, path: str = 'train_dataloader.dataset'
                         ) -> None:
    """Raise ``ValueError`` naming an unknown data set ``type`` or a key
    that is not an argument of the data set class (nor of the bases it
    passes ``**kwargs`` to), with the closest valid names. The pipeline
    is not checked here (its transforms are built by another registry)."""
    from densessl.registry import DATASETS
    if not isinstance(cfg, dict) or not isinstance(cfg.get('type'), str):
        return
    cls = _registered(DATASETS, cfg['type'], path, 'data set')
    if not inspect.isclass(cls):
        return
    names, takes_kwargs = _forwarded_arguments(cls)
    if not takes_kwargs:  # past the last **kwargs nothing is checked
        _check_keys(cfg, cls, names, takes_kwargs, path)


def check_model_config(cfg, path: str = 'model', registry=None) -> None:
    """Raise ``ValueError`` naming the first unknown ``type`` or key under
    ``cfg`` (a model config dict), with the closest valid names."""
    if registry is None:
        from densessl.registry import MODELS as registry
    if isinstance(cfg, (list, tuple)):
        for i, item in enumerate(cfg):
            check_model_config(item, f'{path}[{i}]', registry)
        return
    if not isinstance(cfg, dict):
        return
    kind = cfg.get('type')
    if isinstance(kind, str):
        cls = _registered(registry, kind, path, 'model')
        if inspect.isclass(cls):
            _check_keys(cfg, cls, *_arguments(cls), path)
    for key, value in cfg.items():
        if key not in _NOT_MODELS:
            check_model_config(value, f'{path}.{key}', registry)
