from portal.accounts import users
from portal.demo import DEMO_CLIENTS, DEMO_PASSWORD


def test_create_practitioner_asks_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-practitioner", "--name", "Maya Lennox", "--email", "Maya@Example.com"],
        input="bright-harbour-light\nbright-harbour-light\n",
    )
    assert result.exit_code == 0, result.output
    user = users.find_user_by_email("maya@example.com")
    assert user.is_practitioner and user.name == "Maya Lennox"
    assert users.authenticate("maya@example.com", "bright-harbour-light") is not None


def test_create_practitioner_refuses_a_weak_password_and_creates_nothing(app):
    result = app.test_cli_runner().invoke(
        args=["create-practitioner", "--name", "Maya", "--email", "maya@example.com", "--password", "short"]
    )
    assert result.exit_code != 0 and "Password not accepted" in result.output
    assert users.find_user_by_email("maya@example.com") is None


def test_create_practitioner_refuses_a_taken_address(app, client_user):
    result = app.test_cli_runner().invoke(
        args=[
            "create-practitioner",
            "--name",
            "Maya",
            "--email",
            client_user.email,
            "--password",
            "bright-harbour-light",
        ]
    )
    assert result.exit_code != 0 and "already an account" in result.output


def test_seed_demo_prints_logins_that_work_and_can_run_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert DEMO_PASSWORD in first.output and "practitioner@example.com" in first.output
    assert users.authenticate("practitioner@example.com", DEMO_PASSWORD).is_practitioner
    for _, email, _ in DEMO_CLIENTS:
        assert users.authenticate(email, DEMO_PASSWORD).is_client
