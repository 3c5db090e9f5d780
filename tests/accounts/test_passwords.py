import pytest

from portal.accounts.passwords import hash_password, password_problems, verify_password


def test_a_long_unusual_password_has_no_problems():
    assert password_problems("quiet-morning-walk", email="clara@example.com") == []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short", "at least 10"),
        ("x" * 129 + "abcd", "at most 128"),
        ("1234567890", "too easy"),
        ("aaaaaaaaaaaa", "too easy"),
        ("clarabell-2026!", "e-mail address"),
    ],
)
def test_weak_passwords_are_explained(password, expected):
    problems = password_problems(password, email="clarabell@example.com")
    assert any(expected in p for p in problems)


def test_hashes_use_scrypt_and_verify_only_the_right_password():
    hashed = hash_password("quiet-morning-walk")
    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, "quiet-morning-walk")
    assert not verify_password(hashed, "quiet-morning-wall")


def test_verifying_against_no_account_fails():
    assert verify_password(None, "anything-at-all") is False
