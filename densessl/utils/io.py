"""File writes that an interruption cannot leave half-done."""
import glob
import os
import tempfile
from typing import List

TMP_PREFIX = '.tmp-'


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(data: bytes, path: str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the
    whole new one, never a partial file (temp file + fsync + rename)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes 0600 files; a written file follows the umask, as
        # open() would (group-readable checkpoints on shared storage)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def remove_stale_temporaries(directory: str) -> List[str]:
    """Delete the temporary files that interrupted atomic writes left in
    ``directory`` (not recursive); returns their paths. Call it where no
    other process is writing (a run's start, in its work dir)."""
    stale = sorted(glob.glob(os.path.join(directory, TMP_PREFIX + '*')))
    for path in stale:
        if os.path.isfile(path):
            os.remove(path)
    return stale
