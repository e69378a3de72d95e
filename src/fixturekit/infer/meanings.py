"""What meanings turn into: Faker providers, plausible ranges, orderings between names.

Data for `fixturekit.infer.rules`; the name patterns themselves are in `fixturekit.infer.names`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

# Strings shorter than these cannot hold a realistic value of the meaning.
MIN_REALISTIC_LENGTH = {
    "email": 6,
    "url": 12,
    "image_url": 12,
    "full_name": 5,
    "phone": 7,
    "iban": 15,
    "sha256": 64,
    "sha1": 40,
    "md5": 32,
    "uuid": 32,
    "street_address": 8,
    "user_agent": 20,
}

# Faker providers (with arguments) per meaning, for string columns.
PROVIDERS: dict[str, tuple[str, dict]] = {
    "email": ("email", {}),
    "user_name": ("user_name", {}),
    "first_name": ("first_name", {}),
    "last_name": ("last_name", {}),
    "full_name": ("name", {}),
    "company": ("company", {}),
    "job": ("job", {}),
    "phone": ("phone_number", {}),
    "iban": ("iban", {}),
    "swift": ("swift", {}),
    "sha256": ("sha256", {}),
    "sha1": ("sha1", {}),
    "md5": ("md5", {}),
    "password": ("password", {"length": 12}),
    "token": ("sha256", {}),
    "uuid": ("uuid4", {}),
    "slug": ("slug", {}),
    "image_url": ("image_url", {}),
    "url": ("url", {}),
    "domain": ("domain_name", {}),
    "hostname": ("hostname", {}),
    "ipv6": ("ipv6", {}),
    "ipv4": ("ipv4", {}),
    "mac": ("mac_address", {}),
    "user_agent": ("user_agent", {}),
    "timezone": ("timezone", {}),
    "postcode": ("postcode", {}),
    "city": ("city", {}),
    "street_address": ("street_address", {}),
    "secondary_address": ("secondary_address", {}),
    "isbn": ("isbn13", {}),
    "ean": ("ean13", {}),
    "sku": ("bothify", {"text": "???-#####", "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}),
    "reference": ("bothify", {"text": "??-########", "letters": "ABCDEFGHJKLMNPQRSTUVWXYZ"}),
    "digits": ("numerify", {"text": "########"}),
    "code": ("bothify", {"text": "????-####", "letters": "ABCDEFGHJKLMNPQRSTUVWXYZ"}),
    "credit_card": ("credit_card_number", {}),
    "ssn": ("ssn", {}),
    "color": ("color_name", {}),
    "mime_type": ("mime_type", {}),
    "file_name": ("file_name", {}),
    "file_path": ("file_path", {}),
    "file_extension": ("file_extension", {}),
    "title": ("sentence", {"nb_words": 4}),
    "paragraph": ("paragraph", {"nb_sentences": 2}),
    "long_text": ("text", {"max_nb_chars": 400}),
    "words": ("word", {}),
    "word": ("word", {}),
    "catch_phrase": ("catch_phrase", {}),
}

# Meanings whose values cannot carry a sequence number; unique ones are drawn until unseen.
FIXED_FORMAT = {
    "iban",
    "swift",
    "sha256",
    "sha1",
    "md5",
    "hexdigest",
    "token",
    "uuid",
    "ipv4",
    "ipv6",
    "mac",
    "isbn",
    "ean",
    "credit_card",
    "ssn",
    "country",
    "currency",
    "language",
    "timezone",
    "postcode",
    "color",
    "mime_type",
    "file_extension",
    "sku",
    "reference",
    "phone",
}

# Plausible ranges per numeric meaning: (low, high), intersected with type and CHECK bounds.
PLAUSIBLE = {
    "money": (Decimal("1"), Decimal("500")),
    "quantity": (1, 10),
    "stock": (0, 500),
    "rating": (1, 5),
    "score": (0, 100),
    "percent": (0, 100),
    "age": (18, 90),
    "year": (1990, datetime.date.today().year),
    "ordinal": (0, 100),
    "measure": (Decimal("0.1"), Decimal("100")),
    "version": (1, 20),
    "latitude": (Decimal("-90"), Decimal("90")),
    "longitude": (Decimal("-180"), Decimal("180")),
}

# Word pairs: a column named with the left word follows the column named with the right one.
ORDERED_PAIRS = (
    ("end", "start"),
    ("ends", "starts"),
    ("finish", "start"),
    ("until", "from"),
    ("to", "from"),
    ("max", "min"),
    ("maximum", "minimum"),
    ("last", "first"),
    ("closes", "opens"),
    ("close", "open"),
    ("check_out", "check_in"),
    ("departure", "arrival"),
    ("updated", "created"),
    ("modified", "created"),
    ("valid_to", "valid_from"),
    ("valid_until", "valid_from"),
    ("expires", "issued"),
    ("expires", "created"),
    ("high", "low"),
)
