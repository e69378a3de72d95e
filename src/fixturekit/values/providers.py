"""Faker providers fixturekit adds, for values Faker's own locales do not have.

Every Faker instance fixturekit makes (the per-value one in `fixturekit.values` and the pools
of bulk generation) gets these through `with_providers`, so factories and seeding draw from the
same vocabulary.
"""

from __future__ import annotations

from typing import Any

from faker.providers import BaseProvider


class CommerceProvider(BaseProvider):
    """Names of things that are sold, and the departments they are sold in."""

    adjectives = (
        "Compact",
        "Classic",
        "Ergonomic",
        "Foldable",
        "Handmade",
        "Heavy-Duty",
        "Lightweight",
        "Modern",
        "Organic",
        "Portable",
        "Premium",
        "Rustic",
        "Sleek",
        "Smart",
        "Vintage",
        "Waterproof",
        "Wireless",
        "Insulated",
        "Adjustable",
        "Recycled",
    )
    materials = (
        "Bamboo",
        "Ceramic",
        "Cotton",
        "Copper",
        "Glass",
        "Leather",
        "Linen",
        "Marble",
        "Oak",
        "Steel",
        "Walnut",
        "Wool",
        "Aluminium",
        "Canvas",
        "Silicone",
        "Stoneware",
    )
    things = (
        "Backpack",
        "Blender",
        "Bookshelf",
        "Bottle",
        "Candle",
        "Chair",
        "Desk Lamp",
        "Headphones",
        "Jacket",
        "Kettle",
        "Keyboard",
        "Mug",
        "Notebook",
        "Pan",
        "Pillow",
        "Planter",
        "Rug",
        "Sneakers",
        "Speaker",
        "Table",
        "Teapot",
        "Tote Bag",
        "Towel Set",
        "Watch",
        "Wallet",
    )
    departments = (
        "Books",
        "Electronics",
        "Garden",
        "Grocery",
        "Health",
        "Home",
        "Kitchen",
        "Music",
        "Office",
        "Outdoors",
        "Pets",
        "Shoes",
        "Sports",
        "Tools",
        "Toys",
        "Travel",
        "Clothing",
        "Beauty",
        "Automotive",
        "Baby",
    )

    def product_name(self) -> str:
        return " ".join(
            (
                self.random_element(self.adjectives),
                self.random_element(self.materials),
                self.random_element(self.things),
            )
        )

    def department(self) -> str:
        return self.random_element(self.departments)


PROVIDERS = (CommerceProvider,)
PROVIDER_METHODS = frozenset({"product_name", "department"})


def with_providers(fake: Any) -> Any:
    """`fake` with fixturekit's providers added."""
    for provider in PROVIDERS:
        fake.add_provider(provider)
    return fake
