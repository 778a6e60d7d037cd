"""The command line speaks TRACKER_DEFAULT_LOCALE: its messages and its errors."""

from clikit import one_error_line, run


def test_commands_answer_in_the_default_language(fresh_url: str) -> None:
    created = run(
        "user", "add", "Clerk@Example.org", "--role", "clerk", url=fresh_url,
        TRACKER_PASSWORD="correct horse battery", TRACKER_DEFAULT_LOCALE="ru",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "пользователь clerk@example.org создан с ролью «оператор»"
    again = run(
        "user", "add", "clerk@example.org", url=fresh_url,
        TRACKER_PASSWORD="correct horse battery", TRACKER_DEFAULT_LOCALE="az",
    )  # fmt: skip
    assert one_error_line(again) == "xəta: email: clerk@example.org e-poçtu ilə istifadəçi artıq mövcuddur"


def test_counted_errors_take_the_languages_plural_form(fresh_url: str) -> None:
    short = run("user", "add", "x@example.org", url=fresh_url, TRACKER_PASSWORD="short", TRACKER_DEFAULT_LOCALE="ru")
    assert one_error_line(short) == "ошибка: password: не менее 10 символов"
    turkish = run("user", "add", "x@example.org", url=fresh_url, TRACKER_PASSWORD="short", TRACKER_DEFAULT_LOCALE="tr")
    assert one_error_line(turkish) == "hata: password: en az 10 karakter"
