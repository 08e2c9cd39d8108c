# Runs once in a fresh Pyodide interpreter before the untrusted code (see runner-python.mjs).
# It removes every module that bridges to JavaScript or to the network and returns the
# function the runner calls with the user's code. Later bypasses of these Python-level blocks
# still hit the JavaScript-side lockdown, Node's permission model and the network namespace.
import builtins
import linecache
import os
import sys
import traceback

from pyodide.code import eval_code as _eval_code

_FILENAME = "<sandbox>"
_BLOCKED = frozenset({
    "js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip",
    "socket", "_socket", "ssl", "_ssl", "ctypes", "_ctypes",
})


class _SandboxImportBlocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED:
            raise ImportError(f"import of '{name}' is not allowed in the sandbox", name=name)
        return None


for _name in list(sys.modules):
    if _name.split(".")[0] in _BLOCKED:
        del sys.modules[_name]
sys.meta_path.insert(0, _SandboxImportBlocker())
os.environ.pop("_", None)
sys.stdout.reconfigure(line_buffering=True)
sys.stderr.reconfigure(line_buffering=True)


def _user_traceback(error):
    # Drop the interpreter's own frames: the model should see only frames of its code.
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != _FILENAME:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def _repr_limited(value, limit):
    text = repr(value)
    return text if len(text) <= limit else text[: limit + 1]


def _sandbox_run(code, repr_limit):
    """Returns [ok, repr of the last expression, traceback text, error summary, error type]."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    linecache.cache[_FILENAME] = (len(code), None, code.splitlines(True), _FILENAME)
    try:
        value = _eval_code(code, namespace, filename=_FILENAME)
        result = None if value is None else _repr_limited(value, repr_limit)
        return [True, result, None, None, None]
    except SystemExit as exit_:
        if exit_.code in (None, 0):
            return [True, None, None, None, None]
        return [False, None, None, f"SystemExit: {exit_.code}", "SystemExit"]
    except BaseException as error:  # noqa: BLE001 - everything the user code raises is reported
        namespace.clear()  # frees what a memory bomb allocated before the traceback is formatted
        try:
            text = _user_traceback(error)
        except MemoryError:
            text = f"{type(error).__name__}\n"
        lines = text.rstrip().splitlines()
        return [False, None, text, lines[-1] if lines else type(error).__name__, type(error).__name__]
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


_sandbox_run
