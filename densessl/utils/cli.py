"""How the tools end on a mistake a user can make: one ``error: ...`` line
that says what is wrong and what to do, exit status 2, and no traceback
unless asked for (``--debug`` on any tool, or ``DENSESSL_DEBUG=1``)."""
import os
import sys
from typing import Callable, List, Optional

#: what a wrong path, file, option, config value or missing extra raises
USER_ERRORS = (OSError, ValueError, KeyError, ImportError, EOFError)
EXIT_USER_ERROR = 2
DEBUG_HINT = '(--debug or DENSESSL_DEBUG=1 shows the traceback)'


def one_line(message: str) -> str:
    """``message`` on one line (its lines joined by ``; ``)."""
    lines = [line.strip() for line in str(message).splitlines()]
    return '; '.join(line for line in lines if line)


def error_message(err: BaseException) -> str:
    if isinstance(err, KeyError) and err.args:
        text = str(err.args[0])  # str(KeyError) adds quotes
    else:
        text = str(err) or type(err).__name__
    text = one_line(text)
    return text if text.startswith('error: ') else f'error: {text}'


def run_tool(main: Callable[[Optional[List[str]]], object],
             argv: Optional[List[str]] = None):
    """Call ``main(argv)``; a user error prints one line and exits with 2.
    ``--debug`` is taken out of ``argv`` and lets the traceback through."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = '--debug' in argv or os.environ.get('DENSESSL_DEBUG') == '1'
    argv = [a for a in argv if a != '--debug']
    try:
        return main(argv)
    except SystemExit as exit_:  # a tool's own message
        if isinstance(exit_.code, str) and not debug:
            print(error_message(Exception(exit_.code)), file=sys.stderr)
            sys.exit(EXIT_USER_ERROR)
        raise
    except RecursionError:
        # mmengine's DictAction recurses forever on dict(...) inside a list
        if debug or '--cfg-options' not in argv:
            raise
        print('error: a --cfg-options value could not be parsed: it takes '
              'plain values and lists of them (key=[1,2]), not dict(...) '
              'inside a list; put such a value in a small config with '
              "_base_ = ['CONFIG'] and run that", file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)
    except USER_ERRORS as err:
        if debug:
            raise
        print(f'{error_message(err)} {DEBUG_HINT}', file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)
