"""categories: the default two-level category tree

Top-level categories have ids 1-10; their leaves have ids parent * 100 + n. Categories
that operators add later get ordinary 64-bit ids, so these small ids never collide.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (id, name, slug, [(leaf id, leaf name, leaf slug suffix, HS chapter or None), ...])
TREE: list[tuple[int, str, str, list[tuple[int, str, str, str | None]]]] = [
    (
        1,
        "Womenswear",
        "womenswear",
        [
            (101, "Dresses", "dresses", "62"),
            (102, "Tops & Blouses", "tops-blouses", "62"),
            (103, "Trousers & Skirts", "trousers-skirts", "62"),
            (104, "Knitwear", "knitwear", "61"),
            (105, "Lingerie & Sleepwear", "lingerie-sleepwear", "62"),
        ],
    ),
    (
        2,
        "Menswear",
        "menswear",
        [
            (201, "Shirts", "shirts", "62"),
            (202, "T-shirts & Polos", "t-shirts-polos", "61"),
            (203, "Trousers & Shorts", "trousers-shorts", "62"),
            (204, "Jackets & Coats", "jackets-coats", "62"),
            (205, "Suits & Blazers", "suits-blazers", "62"),
        ],
    ),
    (
        3,
        "Beauty & Personal Care",
        "beauty-personal-care",
        [
            (301, "Skincare", "skincare", "33"),
            (302, "Makeup", "makeup", "33"),
            (303, "Hair Care", "hair-care", "33"),
            (304, "Fragrance", "fragrance", "33"),
            (305, "Personal Care Appliances", "personal-care-appliances", "85"),
        ],
    ),
    (
        4,
        "Phones & Electronics",
        "phones-electronics",
        [
            (401, "Mobile Phones", "mobile-phones", "85"),
            (402, "Phone Accessories", "phone-accessories", "85"),
            (403, "Audio & Headphones", "audio-headphones", "85"),
            (404, "Cameras", "cameras", "85"),
            (405, "Computers & Tablets", "computers-tablets", "84"),
            (406, "Wearables", "wearables", "85"),
        ],
    ),
    (
        5,
        "Home & Kitchen",
        "home-kitchen",
        [
            (501, "Cookware", "cookware", "73"),
            (502, "Kitchen Appliances", "kitchen-appliances", "85"),
            (503, "Bedding", "bedding", "63"),
            (504, "Home Decor", "home-decor", None),
            (505, "Storage & Organisation", "storage-organisation", None),
            (506, "Furniture", "furniture", "94"),
        ],
    ),
    (
        6,
        "Sports & Outdoors",
        "sports-outdoors",
        [
            (601, "Fitness Equipment", "fitness-equipment", "95"),
            (602, "Camping & Hiking", "camping-hiking", None),
            (603, "Cycling", "cycling", "87"),
            (604, "Sportswear", "sportswear", "61"),
            (605, "Team Sports", "team-sports", "95"),
        ],
    ),
    (
        7,
        "Toys & Hobbies",
        "toys-hobbies",
        [
            (701, "Building Toys", "building-toys", "95"),
            (702, "Dolls & Plush", "dolls-plush", "95"),
            (703, "Board Games & Puzzles", "board-games-puzzles", "95"),
            (704, "Arts & Crafts", "arts-crafts", None),
            (705, "Remote Control Toys", "remote-control-toys", "95"),
        ],
    ),
    (
        8,
        "Food & Beverages",
        "food-beverages",
        [
            (801, "Snacks", "snacks", "19"),
            (802, "Tea & Coffee", "tea-coffee", "09"),
            (803, "Drinks", "drinks", "22"),
            (804, "Confectionery", "confectionery", "17"),
            (805, "Pantry Staples", "pantry-staples", None),
        ],
    ),
    (
        9,
        "Baby & Maternity",
        "baby-maternity",
        [
            (901, "Baby Clothing", "baby-clothing", "61"),
            (902, "Feeding", "feeding", None),
            (903, "Nappies & Changing", "nappies-changing", "96"),
            (904, "Strollers & Car Seats", "strollers-car-seats", None),
            (905, "Maternity Wear", "maternity-wear", "62"),
        ],
    ),
    (
        10,
        "Jewellery & Accessories",
        "jewellery-accessories",
        [
            (1001, "Necklaces & Pendants", "necklaces-pendants", "71"),
            (1002, "Earrings", "earrings", "71"),
            (1003, "Rings", "rings", "71"),
            (1004, "Watches", "watches", "91"),
            (1005, "Bags & Wallets", "bags-wallets", "42"),
            (1006, "Sunglasses", "sunglasses", "90"),
        ],
    ),
]

categories = sa.table(
    "categories",
    sa.column("id", sa.BigInteger),
    sa.column("parent_id", sa.BigInteger),
    sa.column("name", sa.String),
    sa.column("slug", sa.String),
    sa.column("is_leaf", sa.Boolean),
    sa.column("hs_chapter", sa.String),
)


def rows() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(top-level rows, leaf rows): parents are inserted first."""
    tops: list[dict[str, object]] = []
    leaves: list[dict[str, object]] = []
    for top_id, name, slug, children in TREE:
        tops.append(
            {
                "id": top_id,
                "parent_id": None,
                "name": name,
                "slug": slug,
                "is_leaf": False,
                "hs_chapter": None,
            }
        )
        for leaf_id, leaf_name, leaf_slug, hs in children:
            leaves.append(
                {
                    "id": leaf_id,
                    "parent_id": top_id,
                    "name": leaf_name,
                    "slug": f"{slug}-{leaf_slug}",
                    "is_leaf": True,
                    "hs_chapter": hs,
                }
            )
    return tops, leaves


def upgrade() -> None:
    tops, leaves = rows()
    op.bulk_insert(categories, tops)
    op.bulk_insert(categories, leaves)


def downgrade() -> None:
    tops, leaves = rows()
    op.execute(categories.delete().where(categories.c.id.in_([r["id"] for r in leaves])))
    op.execute(categories.delete().where(categories.c.id.in_([r["id"] for r in tops])))
