"""The category tree as the pages show it: pickers, filters and breadcrumbs. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hawker.catalog.service import CategoryNode
from hawker.models import Category


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    depth: int = 0


@dataclass(frozen=True)
class Group:
    label: str
    choices: list[Choice]


def leaf_groups(tree: Sequence[CategoryNode]) -> list[Group]:
    """Leaf categories (where products go), grouped under their top-level category."""
    groups: list[Group] = []
    for root in tree:
        if not root.children:
            groups.append(Group(root.category.name, [Choice(root.category.id, root.category.name)]))
            continue
        leaves: list[Choice] = []
        _leaves(root.children, [], leaves)
        groups.append(Group(root.category.name, leaves))
    return groups


def _leaves(nodes: Sequence[CategoryNode], trail: list[str], out: list[Choice]) -> None:
    for node in nodes:
        names = [*trail, node.category.name]
        if node.children:
            _leaves(node.children, names, out)
        else:
            out.append(Choice(node.category.id, " › ".join(names)))


def all_choices(tree: Sequence[CategoryNode], depth: int = 0) -> list[Choice]:
    """Every category in tree order, with its depth (for an indented filter list)."""
    out: list[Choice] = []
    for node in tree:
        out.append(Choice(node.category.id, node.category.name, depth))
        out.extend(all_choices(node.children, depth + 1))
    return out


def path_to(tree: Sequence[CategoryNode], category_id: int) -> list[Category]:
    """The categories from the top down to `category_id` ([] when it is not in the tree)."""
    for node in tree:
        if node.category.id == category_id:
            return [node.category]
        below = path_to(node.children, category_id)
        if below:
            return [node.category, *below]
    return []
