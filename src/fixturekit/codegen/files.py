"""Writing generated modules: the user's region, the hand-edit guard and the change summary."""

from __future__ import annotations

import ast
import difflib
import functools
import hashlib
import io
import tokenize

from fixturekit.codegen.factory_boy import CUSTOM_BEGIN, CUSTOM_END, HASH_PREFIX


def _raw_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=8)  # the same file is compared and sealed more than once per run
def _code_form(text: str) -> str:
    """The code as Python sees it plus the words of its comments: quotes, wrapping, parentheses,
    trailing commas and spacing are left out, so a formatter (ruff, black, pre-commit) changes
    nothing here while an edited line or comment still does."""
    try:
        tree = ast.dump(ast.parse(text))
        comments = [
            token.string.lstrip("#").strip()
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
    except (SyntaxError, tokenize.TokenError):
        return text
    return tree + "\n" + "\n".join(comments)


def _digest(text: str) -> str:
    return _raw_digest(_code_form(text))


def same_code(old: str, new: str) -> bool:
    """The same module, maybe formatted differently."""
    return old == new or _code_form(old) == _code_form(new)


def _without_custom(text: str) -> str:
    """The generated part only: the user's region emptied and the hash line dropped."""
    lines = [ln for ln in text.splitlines() if not ln.startswith(HASH_PREFIX)]
    out, inside = [], False
    for line in lines:
        if line == CUSTOM_BEGIN:
            inside = True
            out.append(line)
        elif line == CUSTOM_END:
            inside = False
            out.append(line)
        elif not inside:
            out.append(line)
    return "\n".join(out) + "\n"


def seal(text: str) -> str:
    """Add the hash line that lets a later run notice hand edits outside the user's region."""
    digest = _digest(_without_custom(text))
    return text.replace(CUSTOM_BEGIN, f"{HASH_PREFIX}{digest}\n{CUSTOM_BEGIN}", 1)


def custom_region(text: str) -> str | None:
    """The user's code between the markers, or None when the file has no markers."""
    if CUSTOM_BEGIN not in text or CUSTOM_END not in text:
        return None
    start = text.index(CUSTOM_BEGIN) + len(CUSTOM_BEGIN) + 1
    end = text.index(CUSTOM_END)
    return text[start:end]


def edited_by_hand(text: str) -> bool:
    """True when the generated part of a file differs from what fixturekit wrote there."""
    stored = next(
        (ln[len(HASH_PREFIX) :] for ln in text.splitlines() if ln.startswith(HASH_PREFIX)), None
    )
    if stored is None:
        return True
    generated = _without_custom(text)
    # Files sealed before the hash ignored formatting carry the digest of the text itself.
    return stored.strip() not in (_digest(generated), _raw_digest(generated))


def is_generated(text: str) -> bool:
    return HASH_PREFIX in text and CUSTOM_BEGIN in text


def _declarations(text: str) -> dict[str, dict[str, str]]:
    """factory class -> {declaration name -> source} for the generated part of a module.

    Methods (post_generation and lazy_attribute hooks, `_create` and other classmethods) are
    listed as `name()`, so that replacing a hand-written factory names each one it drops.
    """
    try:
        tree = ast.parse(_without_custom(text))
    except SyntaxError:
        return {}
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.ClassDef)
            and node.name.endswith("Factory")
            and not node.name.startswith("_")
        ):
            fields: dict[str, str] = {}
            for item in node.body:
                if (
                    isinstance(item, ast.Assign)
                    and len(item.targets) == 1
                    and isinstance(item.targets[0], ast.Name)
                ):
                    fields[item.targets[0].id] = ast.unparse(item.value)
                elif isinstance(item, ast.ClassDef) and item.name == "Params":
                    for sub in item.body:
                        if isinstance(sub, ast.Assign) and isinstance(sub.targets[0], ast.Name):
                            fields[f"Params.{sub.targets[0].id}"] = ast.unparse(sub.value)
                elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    fields[f"{item.name}()"] = ast.unparse(item)
            found[node.name] = fields
    return found


_NOISE_CALLS = frozenset({"super", "format", "get", "join", "append", "items", "isinstance"})


def _hook_description(source: str) -> str:
    """`post_generation hook dropped (it called set_password)`, from a method's source."""
    try:
        function = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return "method dropped"
    kinds = [ast.unparse(d).rsplit(".", 1)[-1].split("(")[0] for d in function.decorator_list]
    kind = kinds[0] if kinds else "method"
    called: list[str] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name and name not in _NOISE_CALLS and name not in called:
                called.append(name)
    calls = f" (it called {', '.join(called[:3])})" if called else ""
    return f"{kind} hook dropped{calls}"


def _short(source: str, limit: int = 70) -> str:
    return source if len(source) <= limit else source[: limit - 3] + "..."


def _difference(old: str, new: str, width: int = 36) -> tuple[str, str]:
    """The stretch where two declarations differ, with a little context before it."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    start = max(0, start - 8)
    prefix = "…" if start else ""
    return prefix + _short(old[start:], width), prefix + _short(new[start:], width)


def summarize_changes(old: str, new: str) -> list[str]:
    """What regeneration changed, one line each: factories and fields added, removed, changed."""
    before, after = _declarations(old), _declarations(new)
    lines: list[str] = []
    for name in sorted(after.keys() - before.keys()):
        lines.append(f"+ {name} (new model)")
    for name in sorted(before.keys() - after.keys()):
        lines.append(f"- {name} (model gone)")
        for field, source in sorted(before[name].items()):
            if field.endswith("()"):
                lines.append(f"- {name}.{field}: {_hook_description(source)}")
    for name in sorted(before.keys() & after.keys()):
        old_fields, new_fields = before[name], after[name]
        for field in sorted(new_fields.keys() - old_fields.keys()):
            lines.append(f"+ {name}.{field} = {_short(new_fields[field])}")
        for field in sorted(old_fields.keys() - new_fields.keys()):
            if field.endswith("()"):
                lines.append(f"- {name}.{field}: {_hook_description(old_fields[field])}")
            else:
                lines.append(f"- {name}.{field}")
        for field in sorted(old_fields.keys() & new_fields.keys()):
            if old_fields[field] != new_fields[field]:
                before_text, after_text = _difference(old_fields[field], new_fields[field])
                lines.append(f"~ {name}.{field}: {before_text} -> {after_text}")
    return lines


def unified_diff(old: str, new: str, path: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (from the models)",
        )
    )
