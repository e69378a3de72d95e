"""The hash line of a generated file is the same on every supported Python.

Python's own `ast.dump` changed in 3.12 (`type_params=[]`) and 3.13 (empty fields left out);
the digest once hashed it, so a file sealed on 3.11 failed `generate --check` on 3.13 and looked
edited by hand there. The digest below was computed on Python 3.11 by the release that sealed
the examples; every interpreter must reproduce it.
"""

from __future__ import annotations

import ast

from fixturekit.codegen.factory_boy import CUSTOM_BEGIN, CUSTOM_END, HASH_PREFIX
from fixturekit.codegen.files import _raw_digest, _without_custom, edited_by_hand, seal

MODULE = f'''import factory


class PostFactory(factory.Factory):
    """Posts."""

    class Meta:
        model = dict

    title = factory.Faker("sentence", nb_words=4)
    author = factory.SubFactory(f"{{__name__}}.UserFactory")
    deleted_at = None

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        return


{CUSTOM_BEGIN}
# your code
{CUSTOM_END}
'''
SEALED_ON_311 = "323d61683d112975"


def hash_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(HASH_PREFIX))


def test_sealing_gives_the_digest_python_3_11_gave() -> None:
    assert hash_line(seal(MODULE)) == f"{HASH_PREFIX}{SEALED_ON_311}"


def test_a_file_sealed_on_3_11_is_not_edited_by_hand_here() -> None:
    sealed = MODULE.replace(CUSTOM_BEGIN, f"{HASH_PREFIX}{SEALED_ON_311}\n{CUSTOM_BEGIN}")
    assert not edited_by_hand(sealed)
    assert edited_by_hand(sealed.replace("nb_words=4", "nb_words=5"))
    assert edited_by_hand(sealed.replace("deleted_at = None", "deleted_at = 0"))


def test_a_file_sealed_with_this_pythons_own_ast_dump_is_still_accepted() -> None:
    """Files sealed on 3.12/3.13 by the releases that hashed `ast.dump` keep working there."""
    generated = _without_custom(MODULE)
    comments = "\n".join(
        line.strip().lstrip("#").strip() for line in generated.splitlines() if "#" in line
    )
    native = _raw_digest(ast.dump(ast.parse(generated)) + "\n" + comments)
    sealed = MODULE.replace(CUSTOM_BEGIN, f"{HASH_PREFIX}{native}\n{CUSTOM_BEGIN}")
    assert not edited_by_hand(sealed)
