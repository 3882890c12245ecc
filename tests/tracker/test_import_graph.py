"""Dependencies point one way: organizations <- actions <- reports <- notifications and audit.

The domain apps (organizations, actions, reports) never import the app that sends mail and
runs jobs (notifications) nor the one that keeps the audit trail (audit): those listen, and
the domain apps announce what happened with signals.
No module imports another in a circle, and no import of the project's own code hides
inside a function to dodge one (the one place Django asks for it, ``AppConfig.ready``,
is allowed).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["organizations", "actions", "reports", "notifications", "audit"]
LISTENING_APPS = ["notifications", "audit"]
DOMAIN_APPS = ["organizations", "actions", "reports"]
PACKAGES = [*APPS, "tracker"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


MODULES = project_modules()


def resolve(name: str) -> str | None:
    """The project module ``name`` is, or lives in; None for anything outside the project."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


class Imports(ast.NodeVisitor):
    """Every import of the project's own modules, and whether it sits inside a function."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.top: set[str] = set()
        self.nested: list[tuple[int, str]] = []
        self.depth = 0
        self.function = ""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer = self.function
        self.depth += 1
        self.function = node.name
        self.generic_visit(node)
        self.depth -= 1
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        # ``if TYPE_CHECKING:`` imports are for the type checker only: not run, no circle.
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def _found(self, node: ast.AST, names: list[str]) -> None:
        for name in names:
            target = resolve(name)
            if target is None or target == self.module:
                continue
            if self.depth and not (self.function == "ready" and self.module.endswith(".apps")):
                self.nested.append((node.lineno, target))
            elif not self.depth:
                self.top.add(target)

    def visit_Import(self, node: ast.Import) -> None:
        self._found(node, [alias.name for alias in node.names])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module if MODULES[self.module].name == "__init__.py" else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".strip(".")
        # ``from actions import permissions`` imports the module actions.permissions.
        self._found(
            node, [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        )


def graph() -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = {}
    nested: list[str] = []
    for module, path in MODULES.items():
        visitor = Imports(module)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        edges[module] = visitor.top
        nested += [f"{path.relative_to(ROOT)}:{line} imports {target}" for line, target in visitor.nested]
    return edges, nested


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (or a node importing itself): Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def app_of(module: str) -> str:
    return module.split(".", 1)[0]


def app_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    apps: dict[str, set[str]] = {app: set() for app in APPS}
    for module, targets in edges.items():
        if app_of(module) in APPS:
            apps[app_of(module)] |= {app_of(t) for t in targets if app_of(t) in APPS and app_of(t) != app_of(module)}
    return apps


EDGES, NESTED = graph()


def test_no_module_imports_another_in_a_circle():
    assert cycles(EDGES) == []


def test_the_apps_depend_on_each_other_one_way():
    apps = app_edges(EDGES)
    assert cycles(apps) == [], apps
    assert apps["organizations"] == set(), "organizations is the base: it imports no other app"


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_no_domain_app_imports_the_mail_and_jobs_app_or_the_audit_app(app):
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in EDGES.items()
        if app_of(module) == app
        for target in targets
        if app_of(target) in LISTENING_APPS
    )
    assert offending == []


def test_no_import_of_the_projects_own_code_sits_inside_a_function():
    assert NESTED == []


# The checker itself: a circle, a nested import and a domain app importing the mail app are caught.


def test_the_checker_finds_a_circle_of_three_and_one_of_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}) == [["a", "b", "c"], ["d"]]


def test_the_checker_sees_imports_inside_functions_and_resolves_from_imports():
    source = "from actions import permissions\nimport reports.models\n\ndef f():\n    from notifications import jobs\n"
    visitor = Imports("organizations.views")
    visitor.visit(ast.parse(source))
    assert visitor.top == {"actions.permissions", "reports.models"}
    assert visitor.nested == [(5, "notifications.jobs")]
    assert app_edges({"actions.views": {"notifications.jobs"}})["actions"] == {"notifications"}
