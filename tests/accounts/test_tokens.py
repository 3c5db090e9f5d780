import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from portal.accounts.tokens import (
    SALT,
    ResetTokenError,
    claim_is_current,
    make_reset_token,
    password_fingerprint,
    read_reset_token,
)

SECRET = "s" * 40


def test_a_fresh_token_names_its_user_and_matches_the_current_password():
    token = make_reset_token(SECRET, 7, "hash-1")
    claim = read_reset_token(SECRET, token, max_age=3600)
    assert claim.user_id == 7
    assert claim_is_current(claim, "hash-1")


def test_a_token_stops_matching_once_the_password_changes():
    claim = read_reset_token(SECRET, make_reset_token(SECRET, 7, "hash-1"), max_age=3600)
    assert not claim_is_current(claim, "hash-2")


def test_an_old_token_has_expired():
    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - 7200

    token = URLSafeTimedSerializer(SECRET, salt=SALT, signer=TwoHoursAgo).dumps(
        {"u": 7, "h": password_fingerprint("hash-1")}
    )
    with pytest.raises(ResetTokenError, match="expired"):
        read_reset_token(SECRET, token, max_age=3600)


@pytest.mark.parametrize("token", ["", "garbage", make_reset_token("another-secret" * 3, 7, "hash-1")])
def test_forged_tokens_are_refused(token):
    with pytest.raises(ResetTokenError, match="not valid"):
        read_reset_token(SECRET, token, max_age=3600)
