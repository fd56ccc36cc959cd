from mmengine.model import is_model_wrapper


def runner_model(runner):
    """The model a runner trains, out of its DDP / FSDP wrapper if any."""
    model = runner.model
    return model.module if is_model_wrapper(model) else model
