"""Licences and attribution of the fetched sources, written beside the data.

``LICENCES.md`` in the fetched folder names, for every source used, what was fetched, its
licence (with link), the attribution to show with any map or figure made from it, and the
citation, all from ``sources.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable


def licences_text(sources: dict, used: Iterable[str]) -> str:
    """Markdown: one section per source used, in the order given."""
    lines = [
        "# Licences and attribution of the fetched data",
        "",
        "Keep this file with the data. Show the attribution with any map, figure or report made",
        "from a layer; the licences below apply to the data, not to siting (MIT).",
        "",
    ]
    for name in dict.fromkeys(used):
        spec = sources[name]
        lines += [
            f"## {spec['title']}",
            "",
            f"- Licence: {spec['licence']} ({spec['licence_url']})",
            f"- Attribution: {spec['attribution']}",
            f"- Citation: {spec['citation']}",
            f"- Source: {spec['homepage']} (fetched from {spec['base_url']})",
            "",
        ]
    return "\n".join(lines)
