"""The alert rules pass `promtool check rules` and their unit tests, and those unit tests are
tight: each alert has a firing and a quiet case, and dropping an alert's `for:` or moving its
threshold makes `promtool test rules` fail."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.promtool import PROMETHEUS, Promtool

RULES = PROMETHEUS / "phasebook.rules.yml"
RULE_TESTS = PROMETHEUS / "phasebook.rules.test.yml"
# The comparison an alert's expression ends with, e.g. "> 0.05".
THRESHOLD = re.compile(r"(?P<operator>[<>]=?|==|!=)\s*(?P<value>-?\d+(?:\.\d+)?)\s*$")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def alerts(rules: Any) -> dict[str, dict[str, Any]]:
    return {
        rule["alert"]: rule
        for group in rules["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


ALERTS = sorted(alerts(load(RULES)))


def moved(threshold: float, direction: int) -> float:
    """A threshold 25 % higher or lower; 0 moves by 1."""
    return threshold + direction if threshold == 0 else threshold * (1 + 0.25 * direction)


def without_for(rule: dict[str, Any]) -> None:
    del rule["for"]


def threshold_moved(direction: int) -> Callable[[dict[str, Any]], None]:
    def move(rule: dict[str, Any]) -> None:
        match = THRESHOLD.search(rule["expr"])
        assert match, f"{rule['alert']}'s expression does not end with a comparison"
        threshold = moved(float(match["value"]), direction)
        rule["expr"] = THRESHOLD.sub(f"{match['operator']} {threshold:g}", rule["expr"])

    return move


MUTATIONS = {
    "without_for": without_for,
    "threshold_raised": threshold_moved(+1),
    "threshold_lowered": threshold_moved(-1),
}


def cases_about(alert: str) -> Any:
    """The committed rule tests with only the cases about `alert` (a mutant of one alert
    cannot fail the others' cases)."""
    suite = load(RULE_TESTS)
    suite["tests"] = [
        test
        for test in suite["tests"]
        if any(case["alertname"] == alert for case in test["alert_rule_test"])
    ]
    return suite


@pytest.fixture(scope="module")
def mutated_runs(promtool: Promtool, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The rule tests of each alert against each of its mutants, in one promtool run (one
    directory per mutant); returns promtool's report per directory."""
    root = tmp_path_factory.mktemp("mutants")
    for alert in ALERTS:
        for name, mutate in MUTATIONS.items():
            rules = load(RULES)
            mutate(alerts(rules)[alert])
            mutant = root / f"{alert}-{name}"
            mutant.mkdir()
            (mutant / RULES.name).write_text(yaml.safe_dump(rules, allow_unicode=True))
            (mutant / RULE_TESTS.name).write_text(yaml.safe_dump(cases_about(alert)))
    result = promtool.run("test", "rules", *sorted(root.glob(f"*/{RULE_TESTS.name}")), cwd=root)
    reports = result.stdout.split("Unit Testing: ")[1:]
    return {Path(report.split()[0]).parent.name: report for report in reports}


def test_the_rules_pass_promtool_check(promtool: Promtool) -> None:
    result = promtool.run("check", "rules", RULES)

    assert result.returncode == 0, result.stdout
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_the_rule_unit_tests_pass(promtool: Promtool) -> None:
    result = promtool.run("test", "rules", RULE_TESTS.name, cwd=PROMETHEUS)

    assert result.returncode == 0, result.stdout


def test_the_seeds_alert_is_there_as_the_seed_states_it() -> None:
    rule = alerts(load(RULES))["HighCalcomSyncFailureRate"]

    assert " ".join(rule["expr"].split()) == (
        "sum(rate(phasebook_calcom_sync_failure_total[5m])) "
        "/ sum(rate(phasebook_calcom_sync_attempts_total[5m])) > 0.05"
    )
    assert rule["for"] == "10m"


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_has_a_firing_and_a_quiet_case(alert: str) -> None:
    cases = [
        case
        for test in load(RULE_TESTS)["tests"]
        for case in test["alert_rule_test"]
        if case["alertname"] == alert
    ]

    assert any(case["exp_alerts"] for case in cases), f"{alert} never fires in a test"
    assert any(not case["exp_alerts"] for case in cases), f"{alert} is never quiet in a test"


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_has_a_summary_a_description_and_a_runbook(alert: str) -> None:
    annotations = alerts(load(RULES))[alert]["annotations"]

    assert set(annotations) == {"summary", "description", "runbook"}
    assert all(annotations.values())


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("alert", ALERTS)
def test_dropping_an_alerts_for_or_moving_its_threshold_makes_a_test_fail(
    alert: str, mutation: str, mutated_runs: dict[str, str]
) -> None:
    report = mutated_runs[f"{alert}-{mutation}"]

    assert "FAILED" in report, f"no rule test notices {alert} {mutation.replace('_', ' ')}"
    assert f"alertname: {alert}" in report


def test_the_sample_prometheus_config_is_valid_with_its_rules(
    tmp_path: Path, promtool: Promtool
) -> None:
    config = load(PROMETHEUS / "prometheus.yml")
    token = tmp_path / "token"
    token.write_text("a-token")
    for job in config["scrape_configs"]:
        if "authorization" in job:
            job["authorization"]["credentials_file"] = str(token)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    shutil.copy(RULES, tmp_path / RULES.name)

    result = promtool.run("check", "config", "prometheus.yml", cwd=tmp_path)

    assert result.returncode == 0, result.stdout
    assert {job["job_name"] for job in config["scrape_configs"]} == {
        "phasebook-web",
        "phasebook-worker",
    }
