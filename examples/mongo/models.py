"""The shop's reviews as a pydantic model.

fixturekit generate --mongo examples.mongo.models -o tests/review_documents.py
"""

from __future__ import annotations

import datetime
import enum

import pydantic
from bson import ObjectId


class Sentiment(enum.Enum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class Review(pydantic.BaseModel):
    """A product review, stored in the `reviews` collection."""

    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)

    id: ObjectId = pydantic.Field(alias="_id")
    product_sku: str
    rating: int = pydantic.Field(ge=1, le=5)
    title: str = pydantic.Field(max_length=80)
    body: str | None = None
    sentiment: Sentiment
    created_at: datetime.datetime
    helpful_votes: int = pydantic.Field(default=0, ge=0)
