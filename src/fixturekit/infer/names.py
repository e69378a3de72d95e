"""Name rules: what a column's name says about its values.

A table of data: each rule matches a normalised column name (snake_case, lower) for some kinds
of column and names a *meaning*. `fixturekit.infer.rules` turns a meaning into a strategy that
fits the column's type, length, case and uniqueness. The same rules serve SQL columns and
document fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixturekit.schema.model import Kind

TEXTUAL = frozenset({Kind.STRING, Kind.TEXT})
NUMERIC = frozenset({Kind.INTEGER, Kind.BIGINT, Kind.SMALLINT, Kind.NUMERIC, Kind.FLOAT})
TEMPORAL = frozenset({Kind.DATE, Kind.DATETIME})


@dataclass(frozen=True)
class NameRule:
    pattern: re.Pattern[str]
    kinds: frozenset[Kind]
    meaning: str
    reason: str


def _rule(pattern: str, kinds: frozenset[Kind], meaning: str, reason: str) -> NameRule:
    return NameRule(re.compile(pattern), kinds, meaning, reason)


# Order matters: the first matching rule wins, so specific names come before general ones.
NAME_RULES: tuple[NameRule, ...] = (
    _rule(r"(^|_)e?mail(_address|_addr)?$|^email_", TEXTUAL, "email", "name says email"),
    _rule(
        r"(^|_)(user_?name|login|handle|nick_?name|screen_name)$",
        TEXTUAL,
        "user_name",
        "name says user name",
    ),
    _rule(
        r"(^|_)(first_?name|given_?name|forename)$", TEXTUAL, "first_name", "name says first name"
    ),
    _rule(r"(^|_)(last_?name|surname|family_?name)$", TEXTUAL, "last_name", "name says last name"),
    _rule(r"(^|_)(middle_?name)$", TEXTUAL, "first_name", "name says middle name"),
    _rule(
        r"(^|_)(full_?name|display_?name|contact_?name|author_?name|customer_?name)$",
        TEXTUAL,
        "full_name",
        "name says a person's name",
    ),
    _rule(
        r"(^|_)(company|company_?name|organi[sz]ation|employer|vendor_?name|supplier_?name)$",
        TEXTUAL,
        "company",
        "name says company",
    ),
    _rule(
        r"(^|_)(job|job_?title|occupation|position_?title)$", TEXTUAL, "job", "name says job title"
    ),
    _rule(
        r"(^|_)(phone|phone_?number|mobile|cell|telephone|tel|fax)(_number)?$",
        TEXTUAL,
        "phone",
        "name says phone number",
    ),
    _rule(r"(^|_)iban$", TEXTUAL, "iban", "name says IBAN (mod-97 valid)"),
    _rule(r"(^|_)(bic|swift|swift_?code)$", TEXTUAL, "swift", "name says BIC/SWIFT code"),
    _rule(
        r"(^|_)sha256(_?hash|_?digest|_?sum)?$|(^|_)sha_?256",
        TEXTUAL,
        "sha256",
        "name says SHA-256 digest",
    ),
    _rule(r"(^|_)sha1(_?hash|_?digest)?$", TEXTUAL, "sha1", "name says SHA-1 digest"),
    _rule(r"(^|_)md5(_?hash|_?digest|_?sum)?$", TEXTUAL, "md5", "name says MD5 digest"),
    _rule(
        r"(^|_)(password_?hash|hashed_?password|digest|checksum|hash)$",
        TEXTUAL,
        "hexdigest",
        "name says a digest",
    ),
    _rule(r"(^|_)password$", TEXTUAL, "password", "name says password"),
    _rule(
        r"(^|_)(token|api_?key|secret|access_?key|nonce|salt)$",
        TEXTUAL,
        "token",
        "name says an opaque token",
    ),
    _rule(r"(^|_)(uuid|guid)$|_uuid$", TEXTUAL, "uuid", "name says UUID"),
    _rule(r"(^|_)slug$", TEXTUAL, "slug", "name says slug (lower-case)"),
    _rule(
        r"(^|_)(avatar|image|photo|picture|thumbnail|logo|icon)(_?url)?$",
        TEXTUAL,
        "image_url",
        "name says image URL",
    ),
    _rule(
        r"(^|_)(url|uri|website|homepage|home_?page|link|href|web_?site)$|_url$",
        TEXTUAL,
        "url",
        "name says URL",
    ),
    _rule(r"(^|_)(domain|domain_?name)$", TEXTUAL, "domain", "name says domain name"),
    _rule(r"(^|_)(host|hostname|host_?name)$", TEXTUAL, "hostname", "name says host name"),
    _rule(r"(^|_)(ipv6|ip6)(_?address)?$", TEXTUAL, "ipv6", "name says IPv6 address"),
    _rule(
        r"(^|_)(ip|ipv4|ip_?address|remote_?addr(ess)?|client_?ip|last_?login_?ip)$",
        TEXTUAL | {Kind.INET},
        "ipv4",
        "name says IP address",
    ),
    _rule(r"(^|_)mac(_?address)?$", TEXTUAL | {Kind.MACADDR}, "mac", "name says MAC address"),
    _rule(r"(^|_)user_?agent$", TEXTUAL, "user_agent", "name says user agent"),
    _rule(
        r"(^|_)(country_?code|country_?iso|iso_?country|country)$",
        TEXTUAL,
        "country",
        "name says country",
    ),
    _rule(r"(^|_)(currency|currency_?code|ccy)$", TEXTUAL, "currency", "name says currency code"),
    _rule(
        r"(^|_)(language|lang|language_?code|locale)$", TEXTUAL, "language", "name says language"
    ),
    _rule(r"(^|_)(time_?zone|tz|timezone)$", TEXTUAL, "timezone", "name says time zone"),
    _rule(
        r"(^|_)(zip|zip_?code|postal_?code|post_?code|postcode)$",
        TEXTUAL,
        "postcode",
        "name says postal code",
    ),
    _rule(r"(^|_)(city|town|locality)$", TEXTUAL, "city", "name says city"),
    _rule(
        r"(^|_)(state|province|region|county|district)(_?code)?$",
        TEXTUAL,
        "state",
        "name says state/region",
    ),
    _rule(
        r"(^|_)(street|street_?address|address_?line_?1|address1|line1|address)$",
        TEXTUAL,
        "street_address",
        "name says street address",
    ),
    _rule(
        r"(^|_)(address_?line_?2|address2|line2|suite)$",
        TEXTUAL,
        "secondary_address",
        "name says address line 2",
    ),
    _rule(r"(^|_)(lat|latitude)$", NUMERIC, "latitude", "name says latitude"),
    _rule(r"(^|_)(lng|lon|long|longitude)$", NUMERIC, "longitude", "name says longitude"),
    _rule(r"(^|_)(isbn|isbn13)$", TEXTUAL, "isbn", "name says ISBN"),
    _rule(r"(^|_)(ean|ean13|barcode|gtin)$", TEXTUAL, "ean", "name says EAN barcode"),
    _rule(r"(^|_)(sku|product_?code|item_?code|part_?number)$", TEXTUAL, "sku", "name says SKU"),
    _rule(
        r"(^|_)(order_?number|invoice_?number|reference|ref|confirmation_?code|"
        r"tracking_?number|number|no)$",
        TEXTUAL,
        "reference",
        "name says a reference number",
    ),
    _rule(
        r"(^|_)(pin|pin_?code|otp|one_?time_?code|verification_?code|security_?code)$",
        TEXTUAL,
        "digits",
        "name says a numeric code",
    ),
    _rule(
        r"(^|_)(code|coupon_?code|promo_?code|voucher(_?code)?|discount_?code)$",
        TEXTUAL,
        "code",
        "name says a code",
    ),
    _rule(
        r"(^|_)(card_?number|credit_?card(_?number)?|cc_?number|pan)$",
        TEXTUAL,
        "credit_card",
        "name says card number",
    ),
    _rule(r"(^|_)ssn$", TEXTUAL, "ssn", "name says SSN"),
    _rule(r"(^|_)(colou?r|hex_?colou?r)$", TEXTUAL, "color", "name says colour"),
    _rule(
        r"(^|_)(mime_?type|content_?type|media_?type)$", TEXTUAL, "mime_type", "name says MIME type"
    ),
    _rule(r"(^|_)(file_?name|filename)$", TEXTUAL, "file_name", "name says file name"),
    _rule(r"(^|_)(file_?path|path)$", TEXTUAL, "file_path", "name says file path"),
    _rule(r"(^|_)(extension|file_?ext)$", TEXTUAL, "file_extension", "name says extension"),
    _rule(r"(^|_)(title|headline|subject|caption)$", TEXTUAL, "title", "name says title"),
    _rule(
        r"(^|_)(description|summary|bio|about|notes?|comments?|remarks?|excerpt)$",
        TEXTUAL,
        "paragraph",
        "name says descriptive text",
    ),
    _rule(
        r"(^|_)(body|content|text|message|details)$", TEXTUAL, "long_text", "name says body text"
    ),
    _rule(
        r"(^|_)(tags|labels|keywords|categories)$",
        TEXTUAL | {Kind.ARRAY},
        "words",
        "name says a list of words",
    ),
    _rule(
        r"(^|_)(word|keyword|tag|label|category|genre|kind|type|status|state)$",
        TEXTUAL,
        "word",
        "name says a short label",
    ),
    _rule(r"(^|_)(name)$", TEXTUAL, "name", "name says name"),
    # numbers
    _rule(
        r"(^|_)(price|amount|cost|total|sub_?total|balance|salary|fee|revenue|payment|"
        r"tax|charge|budget|unit_?price|price_?cents|amount_?cents|total_?cents)$",
        NUMERIC,
        "money",
        "name says money amount",
    ),
    _rule(
        r"(^|_)(quantity|qty|count|items|units|num|number_?of_\w+)$",
        NUMERIC,
        "quantity",
        "name says quantity",
    ),
    _rule(r"(^|_)(stock|inventory|on_?hand)$", NUMERIC, "stock", "name says stock level"),
    _rule(r"(^|_)(rating|stars)$", NUMERIC, "rating", "name says rating (1-5)"),
    _rule(r"(^|_)(score|points)$", NUMERIC, "score", "name says score (0-100)"),
    _rule(
        r"(^|_)(percent|percentage|pct|discount(_?percent)?)$",
        NUMERIC,
        "percent",
        "name says percentage",
    ),
    _rule(r"(^|_)age$", NUMERIC, "age", "name says age"),
    _rule(r"(^|_)(year|yr)$", NUMERIC, "year", "name says year"),
    _rule(
        r"(^|_)(position|sort_?order|ordering|rank|priority|sequence|seq|line_?no|"
        r"line_?number|idx|index)$",
        NUMERIC,
        "ordinal",
        "name says ordinal",
    ),
    _rule(
        r"(^|_)(weight|height|width|length|depth|size|distance|duration_?\w*)$",
        NUMERIC,
        "measure",
        "name says a measure",
    ),
    _rule(r"(^|_)(version|revision)$", NUMERIC, "version", "name says version"),
    # booleans
    _rule(
        r"^(is_|has_)?(active|enabled|verified|confirmed|published|visible|available|valid|"
        r"approved)$",
        frozenset({Kind.BOOLEAN}),
        "mostly_true",
        "name says usually true",
    ),
    _rule(
        r"^(is_|has_)?(deleted|archived|banned|blocked|disabled|locked|suspended|"
        r"superuser|staff|admin)$",
        frozenset({Kind.BOOLEAN}),
        "mostly_false",
        "name says usually false",
    ),
    # dates and times
    _rule(
        r"(^|_)(birth_?date|date_?of_?birth|dob|birthday|born_?on)$",
        TEMPORAL,
        "birth_date",
        "name says date of birth",
    ),
    _rule(
        r"(^|_)(deleted|archived|removed|purged)(_?at|_?on|_?date)$",
        TEMPORAL,
        "soft_delete",
        "name says soft-delete marker",
    ),
    _rule(
        r"(^|_)(updated|modified|changed|edited|last_?modified)(_?at|_?on|_?date)?$",
        TEMPORAL,
        "updated",
        "name says last-modified time",
    ),
    _rule(
        r"(^|_)(expires?|expiry|expiration|due|valid_?until|valid_?to|ends?|end|"
        r"deadline|scheduled|starts?|start|next_\w+)(_?at|_?on|_?date|_?time)?$",
        TEMPORAL,
        "future",
        "name says a time ahead",
    ),
    _rule(
        r"(^|_)(created|inserted|registered|joined|signed_?up|date_?joined|"
        r"published|posted|ordered|placed|shipped|paid|sent|received|started|completed|"
        r"last_\w+)(_?at|_?on|_?date|_?time)?$|_at$|_on$|_date$|^date$|_time$|^timestamp$",
        TEMPORAL,
        "past",
        "name says a past time",
    ),
)


def normalise(name: str) -> str:
    """`createdAt`, `Created-At` and `CREATED_AT` all become `created_at`."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def match_name(name: str, kind: Kind) -> NameRule | None:
    normalised = normalise(name)
    for rule in NAME_RULES:
        if kind in rule.kinds and rule.pattern.search(normalised):
            return rule
    return None


PERSON_TABLES = re.compile(
    r"(^|_)(users?|customers?|clients?|people|persons?|members?|employees?|staff|authors?|"
    r"contacts?|students?|teachers?|patients?|accounts?|profiles?|players?|owners?|"
    r"agents?|admins?|guests?|subscribers?|candidates?|applicants?|reviewers?)$"
)
COMPANY_TABLES = re.compile(
    r"(^|_)(compan(y|ies)|organi[sz]ations?|orgs?|vendors?|suppliers?|merchants?|"
    r"brands?|manufacturers?|tenants?|businesses|teams?|partners?)$"
)
PRODUCT_TABLES = re.compile(
    r"(^|_)(products?|items?|articles?|goods|skus?|offers?|listings?|variants?|merchandise|"
    r"inventory|inventories|wares?)$"
)
DEPARTMENT_TABLES = re.compile(r"(^|_)(categor(y|ies)|departments?|sections?|aisles?|genres?)$")
PLACE_TABLES = re.compile(r"(^|_)(cit(y|ies)|towns?|locations?|places?|venues?|stores?|shops?)$")
