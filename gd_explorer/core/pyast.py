"""ast.parse behind one lock, for every parse in the package.

CPython 3.11 keeps the depth counter of its AST conversion once per interpreter, so two
threads parsing at the same time can fail with a spurious "SystemError: AST constructor
recursion depth mismatch" (seen in the GUI: the window checks a typed formula while a
compile or analysis thread generates code).
"""
import ast
import threading

_lock = threading.Lock()


def parse(source, mode="exec"):
    with _lock:
        return ast.parse(source, mode=mode)
