"""Function and file sizes of Python sources, for scripts/sizes.ts: prints a JSON list of
{path, name?, lines} (a file without name, each def/async def with its qualified name; lines from
the first line, decorators included, to the last)."""

import ast
import json
import sys


def measure(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sizes: list[dict] = [{"path": path, "lines": len(text.splitlines())}]

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                name = f"{prefix}{child.name}"
                sizes.append(
                    {"path": path, "name": name, "lines": child.end_lineno - start + 1}
                )
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(text, filename=path), "")
    return sizes


if __name__ == "__main__":
    print(json.dumps([s for p in sys.argv[1:] for s in measure(p)]))
