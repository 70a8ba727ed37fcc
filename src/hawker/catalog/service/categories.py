"""The category tree: read by everyone, extended by operators."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.service import audit
from hawker.catalog import repository as repo
from hawker.catalog.service.errors import (
    CategoryExists,
    CategoryInUse,
    CategoryNotLeaf,
    InvalidCategoryName,
    UnknownCategory,
)
from hawker.kit.ids import new_id
from hawker.models import Category, User


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)


def slugify(name: str) -> str:
    """ "Tops & Blouses" -> "tops-blouses"; accents folded to ASCII."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def build_tree(categories: Sequence[Category]) -> list[CategoryNode]:
    nodes = {c.id: CategoryNode(c) for c in categories}
    roots: list[CategoryNode] = []
    for c in categories:
        parent = nodes.get(c.parent_id) if c.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[c.id])
    return roots


def descendants(categories: Sequence[Category], root_id: int) -> list[int]:
    """`root_id` and every category below it."""
    children: dict[int, list[int]] = {}
    for c in categories:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c.id)
    out: list[int] = []
    stack = [root_id]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(children.get(current, []))
    return sorted(out)


async def category_tree(session: AsyncSession) -> list[CategoryNode]:
    return build_tree(await repo.all_categories(session))


async def category_and_descendants(session: AsyncSession, category_id: int) -> list[int]:
    """For filters: the category with its sub-categories; an unknown id matches nothing."""
    categories = await repo.all_categories(session)
    if not any(c.id == category_id for c in categories):
        return []
    return descendants(categories, category_id)


async def leaf_category(session: AsyncSession, category_id: int) -> Category:
    """The category a product may be listed in (400 if unknown or not a leaf)."""
    category = await session.get(Category, category_id)
    if category is None:
        raise UnknownCategory(f"There is no category {category_id}.")
    if not category.is_leaf:
        raise CategoryNotLeaf(
            f"{category.name} has sub-categories; choose one of them.",
            details={"category_id": str(category_id)},
        )
    return category


async def create_category(
    session: AsyncSession,
    operator: User,
    *,
    name: str,
    parent_id: int | None,
    hs_chapter: str | None,
    now: datetime,
) -> Category:
    name = name.strip()
    base = slugify(name)
    if not base:
        raise InvalidCategoryName("The category name must contain letters or digits.")
    parent: Category | None = None
    if parent_id is not None:
        parent = await session.get(Category, parent_id, with_for_update=True)
        if parent is None:
            raise UnknownCategory(f"There is no category {parent_id}.")
        if parent.is_leaf and await repo.category_has_products(session, parent.id):
            raise CategoryInUse(
                f"{parent.name} holds products, so it cannot get sub-categories.",
                details={"category_id": str(parent.id)},
            )
    slug = f"{parent.slug}-{base}" if parent is not None else base
    category = Category(
        id=new_id(),
        parent_id=parent.id if parent is not None else None,
        name=name,
        slug=slug[:120],
        is_leaf=True,
        hs_chapter=hs_chapter,
    )
    session.add(category)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise CategoryExists(
            f"A category with the slug {slug!r} already exists.", details={"slug": slug}
        ) from exc
    if parent is not None and parent.is_leaf:
        parent.is_leaf = False
    audit(
        session,
        actor_id=operator.id,
        action="category.create",
        target_type="category",
        target_id=category.id,
        now=now,
        details={"name": name, "slug": slug, "parent_id": str(parent_id) if parent_id else None},
    )
    await session.flush()
    return category
