"""Version 2 of the seeding tests' shop schema: a new column and a new table."""

from shop_schema import build

Base = build(2)
