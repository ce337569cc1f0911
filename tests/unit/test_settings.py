"""Settings come from RAGSELL_* variables (and the providers' own); bad ones stop start-up."""

import pytest

from ragsell.entrypoints.settings import Answers, Embeddings, SettingsError, load_settings


def test_defaults_need_no_keys_and_download_nothing() -> None:
    settings = load_settings({})
    assert (settings.answers, settings.embeddings) == (Answers.EXTRACTIVE, Embeddings.LOCAL)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert not settings.crawl_allow_loopback


def test_providers_own_variables_are_read() -> None:
    settings = load_settings({"OPENAI_API_KEY": "sk-test", "AWS_REGION": "eu-west-1", "RAGSELL_ANSWERS": "openai"})
    assert (settings.openai_api_key, settings.aws_region, settings.answers) == ("sk-test", "eu-west-1", Answers.OPENAI)


def test_a_ragsell_variable_wins_over_the_providers_own() -> None:
    settings = load_settings({"OPENAI_API_KEY": "sk-a", "RAGSELL_OPENAI_API_KEY": "sk-b"})
    assert settings.openai_api_key == "sk-b"


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"RAGSELL_PORTT": "80"}, "RAGSELL_PORTT"),
        ({"RAGSELL_PORT": "eighty"}, "RAGSELL_PORT"),
        ({"RAGSELL_PORT": "70000"}, "RAGSELL_PORT"),
        ({"RAGSELL_ANSWERS": "gpt"}, "RAGSELL_ANSWERS"),
        ({"RAGSELL_ANSWERS": "openai"}, "OPENAI_API_KEY"),
        ({"RAGSELL_EMBEDDINGS": "openai"}, "OPENAI_API_KEY"),
        ({"RAGSELL_VECTOR_SEARCH": "atlas", "RAGSELL_STORE": "memory"}, "RAGSELL_VECTOR_SEARCH"),
        ({"RAGSELL_PUBLIC_URL": "ftp://chat.example.com"}, "RAGSELL_PUBLIC_URL"),
        ({"RAGSELL_SESSION_IDLE_MINUTES": "0"}, "RAGSELL_SESSION_IDLE_MINUTES"),
        ({"RAGSELL_CRAWL_ALLOW_LOOPBACK": "maybe"}, "RAGSELL_CRAWL_ALLOW_LOOPBACK"),
        ({"RAGSELL_PLANS_FILE": "/nonexistent/plans.json"}, "RAGSELL_PLANS_FILE"),
    ],
)
def test_bad_settings_stop_start_up_naming_the_variable(environment: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environment)
    assert named in str(refused.value)
