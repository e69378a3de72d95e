"""Line layout for generated code: break long calls at their arguments, as a formatter would."""

from __future__ import annotations

LINE_LIMIT = 100


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets and string literals."""
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _outer_call(expr: str) -> tuple[str, str] | None:
    """`head(args)` -> (head, args) when the whole expression is one call."""
    if not expr.endswith(")"):
        return None
    depth, quote = 0, None
    for i, ch in enumerate(expr):
        if quote:
            if ch == quote and expr[i - 1] != "\\":
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            if depth == 0:
                head = expr[:i]
                if not head or not (head[-1].isalnum() or head[-1] in "_."):
                    return None
                return head, expr[i + 1 : -1] if _closes_at_end(expr, i) else None
            depth += 1
    return None


def _closes_at_end(expr: str, open_at: int) -> bool:
    depth, quote = 0, None
    for i in range(open_at, len(expr)):
        ch = expr[i]
        if quote:
            if ch == quote and expr[i - 1] != "\\":
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i == len(expr) - 1
    return False


def layout(indent: str, prefix: str, expr: str, suffix: str = "") -> list[str]:
    """Lines for `prefix + expr + suffix` at `indent`, broken at call arguments if too long."""
    line = f"{indent}{prefix}{expr}{suffix}"
    if len(line) <= LINE_LIMIT:
        return [line]
    if expr.startswith("lambda") and ": " in expr:
        head, _, body = expr.partition(": ")
        return layout(indent, f"{prefix}{head}: ", body, suffix)
    call = _outer_call(expr)
    if call is None:
        return [f"{line}  # noqa: E501"]
    head, args = call
    parts = _split_top_level(args)
    lines = [f"{indent}{prefix}{head}("]
    inner = indent + "    "
    if len(parts) == 1:
        lines += layout(inner, "", parts[0])
    else:
        one_line = f"{inner}{args}"
        if len(one_line) <= LINE_LIMIT:
            lines.append(one_line)
        else:
            for part in parts:
                lines += layout(inner, "", part, ",")
    lines.append(f"{indent}){suffix}")
    return lines
