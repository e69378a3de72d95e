"""Version 1 of the seeding tests' shop schema (see shop_schema)."""

from shop_schema import build

Base = build(1)
