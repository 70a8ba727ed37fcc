from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.kit.ids import new_id
from hawker.models import CartItem, User


async def lock_owner(session: AsyncSession, user_id: int) -> None:
    """Serialise changes to one user's cart by locking the user's row (PostgreSQL).

    SQLite has a single writer, so there is nothing to lock there.
    """
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def items(session: AsyncSession, user_id: int) -> list[CartItem]:
    q = select(CartItem).where(CartItem.user_id == user_id).order_by(CartItem.id)
    return list((await session.scalars(q)).all())


async def count(session: AsyncSession, user_id: int) -> int:
    q = select(func.count()).select_from(CartItem).where(CartItem.user_id == user_id)
    return int((await session.execute(q)).scalar_one())


async def add(
    session: AsyncSession, *, user_id: int, sku_id: int, quantity: int, now: datetime
) -> int:
    """Insert the line or add to its quantity (one upsert on the unique (user, sku)).

    Returns the line's quantity afterwards.
    """
    values: dict[str, Any] = {
        "id": new_id(),
        "user_id": user_id,
        "sku_id": sku_id,
        "quantity": quantity,
        "added_at": now,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(CartItem).values(**values)
        stmt: Any = pg.on_conflict_do_update(
            index_elements=[CartItem.user_id, CartItem.sku_id],
            set_={"quantity": CartItem.quantity + pg.excluded.quantity},
        )
    else:
        lite = sqlite.insert(CartItem).values(**values)
        stmt = lite.on_conflict_do_update(
            index_elements=[CartItem.user_id, CartItem.sku_id],
            set_={"quantity": CartItem.quantity + lite.excluded.quantity},
        )
    result = await session.execute(stmt.returning(CartItem.quantity))
    return int(result.scalar_one())


async def set_quantity(session: AsyncSession, *, user_id: int, sku_id: int, quantity: int) -> bool:
    result = await session.execute(
        update(CartItem)
        .where(CartItem.user_id == user_id, CartItem.sku_id == sku_id)
        .values(quantity=quantity)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount) == 1


async def remove(session: AsyncSession, *, user_id: int, sku_id: int) -> bool:
    result = await session.execute(
        delete(CartItem)
        .where(CartItem.user_id == user_id, CartItem.sku_id == sku_id)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount) == 1


async def clear(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(
        delete(CartItem)
        .where(CartItem.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def take(session: AsyncSession, *, user_id: int, quantities: Mapping[int, int]) -> None:
    """Take bought quantities out of the cart: lines bought in full go, others shrink."""
    for sku_id, bought in sorted(quantities.items()):
        await session.execute(
            delete(CartItem)
            .where(
                CartItem.user_id == user_id,
                CartItem.sku_id == sku_id,
                CartItem.quantity <= bought,
            )
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(CartItem)
            .where(CartItem.user_id == user_id, CartItem.sku_id == sku_id)
            .values(quantity=CartItem.quantity - bought)
            .execution_options(synchronize_session=False)
        )
