"""Pages and JSON API on both backends: data shown, filters, completion, errors."""

from __future__ import annotations

import hashlib
import json

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app as cli_app
from models import Step
from models.db import session_scope
from models.people import AccessToken
from tests.web_fixtures import NOW, PDF, REPORT_FIELDS, World, auth
from web.access import hash_token
from web.auth_links import login_link

pytest_plugins = ["tests.web_fixtures"]


def test_overview_lists_overdue_first_with_counts(client: TestClient, world: World) -> None:
    rows = client.get("/api/municipalities", headers=auth(world, "admin")).json()
    assert [r["code"] for r in rows] == ["irkutsk", "krylovsky"] or rows[0]["counts"]["overdue"]
    first = rows[0]
    assert first["counts"]["overdue"] == 1 and first["counts"]["done"] == 1
    assert first["total"] == 5 and first["percent_done"] == 20.0
    page = client.get("/", headers=auth(world, "admin"))
    assert page.status_code == 200 and "Муниципалитет krylovsky" in page.text
    assert "20\u202f%" in page.text  # Russian: «20 %», a narrow space, no «.0»


def test_municipality_page_timeline_filters_week_and_blocked(
    client: TestClient, world: World
) -> None:
    h = auth(world, "moc_head")
    page = client.get("/m/krylovsky", headers=h).text
    # Overdue first: the late budget step with working days late and who must act.
    late = page.split('id="overdue"')[1].split("</section>")[0]
    assert "Бюджет" in late and "рабочи" in late and "Загрузить подтверждение" in late
    assert page.index('id="overdue"') < page.index('id="next-week"') < page.index('id="plan"')
    # next 7 days from 10 March (Moscow): the org report due 12 March, not the done act
    week = page.split('id="next-week"')[1].split("</section>")[0]
    assert "Отчёт организации за I квартал" in week and "Приказ о создании МОЦ" not in week
    blocked = page.split('id="blocked"')[1].split("</section>")[0]
    assert "Параметры сертификатов" in blocked and "ждёт: «Бюджет»" in blocked
    only_reports = client.get("/m/krylovsky?kind=report", headers=h).text
    timeline = only_reports.split('id="plan-table"')[1]
    assert "Отчёт организации" in timeline and "Бюджет" not in timeline
    by_owner = client.get(f"/m/krylovsky?owner=org:{world.own.org_id}", headers=h).text
    assert "Параметры сертификатов" not in by_owner.split('id="plan-table"')[1]
    overdue = client.get("/api/municipalities/krylovsky/steps?status=overdue", headers=h).json()
    assert [s["key"] for s in overdue] == ["budget"]
    bad = client.get("/api/municipalities/krylovsky/steps?status=late&kind=x", headers=h)
    assert bad.status_code == 422
    assert {tuple(d["loc"]) for d in bad.json()["detail"]} == {
        ("query", "status"),
        ("query", "kind"),
    }


def test_step_page_shows_deadline_in_zone_evidence_and_history(
    client: TestClient, world: World
) -> None:
    h = auth(world, "auditor")
    page = client.get(f"/steps/{world.own.npa_step}", headers=h).text
    assert "14 марта 2025 г., 23:59 (МСК, Москва)" in page
    assert "prikaz.pdf" in page and "шаг выполнен" in page
    assert 'id="complete-form"' not in page  # auditors are read-only
    # The same step in Irkutsk: deadline at the end of the day there.
    admin_page = client.get(f"/steps/{world.other.npa_step}", headers=auth(world, "admin")).text
    assert "14 марта 2025 г., 23:59 (МСК+5, Иркутск)" in admin_page
    dl = client.get(f"/api/evidence/{world.own.evidence_id}/file", headers=h)
    assert dl.status_code == 200 and dl.content == PDF
    assert "prikaz.pdf" in dl.headers["content-disposition"]
    detail = client.get(f"/api/steps/{world.own.npa_step}", headers=h).json()
    assert detail["evidence"][0]["file_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert [e["action"] for e in detail["history"]] == ["step.completed"]


def test_reminders_from_the_outbox_appear_on_the_step(
    client: TestClient, world: World, engine: Engine
) -> None:
    from models import OutboxMessage, OutboxStatus

    with session_scope(engine) as s:
        s.add(
            OutboxMessage(
                dedupe_key="k1",
                municipality_id=world.own.municipality_id,
                step_id=world.own.org_step,
                rule="before:7",
                channel="email",
                target="mailto://x",
                subject="Срок через 7 дней",
                body_text="…",
                status=OutboxStatus.sent,
            )
        )
    page = client.get(f"/steps/{world.own.org_step}", headers=auth(world, "org_contact")).text
    reminders = page.split('id="reminders"')[1].split("</table>")[0]
    assert "за 7 раб. дн. до срока" in reminders and "Срок через 7 дней" in reminders
    assert "отправлено" in reminders and "электронная почта" in reminders


def test_complete_via_api_then_status_done_and_audit(client: TestClient, world: World) -> None:
    h = auth(world, "org_contact")
    before = client.get("/api/municipalities", headers=auth(world, "admin")).json()  # cached
    assert {m["code"]: m["done"] for m in before}["krylovsky"] == 1
    r = client.post(
        f"/api/steps/{world.own.org_step}/complete",
        headers=h,
        data={"fields": json.dumps(REPORT_FIELDS)},
        files={"file": ("otchet.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["submitted_by"].startswith("Сидоров И. И.")
    step = client.get(f"/api/steps/{world.own.org_step}", headers=h).json()
    assert step["step"]["status"] == "done"
    after = client.get("/api/municipalities", headers=auth(world, "admin")).json()
    assert {m["code"]: m["done"] for m in after}["krylovsky"] == 2  # cache cleared by the write
    log = client.get(
        "/api/municipalities/krylovsky/audit?q=сидоров", headers=auth(world, "auditor")
    )
    assert [e["action"] for e in log.json()] == ["step.completed"]
    again = client.post(
        f"/api/steps/{world.own.org_step}/complete",
        headers=h,
        data={"fields": json.dumps(REPORT_FIELDS)},
        files={"file": ("otchet.pdf", PDF, "application/pdf")},
    )
    assert again.status_code == 409


def test_complete_errors_are_422_with_field_paths(client: TestClient, world: World) -> None:
    h = auth(world, "moc_head")
    url = f"/api/steps/{world.own.org_step}/complete"
    bad = client.post(
        url,
        headers=h,
        data={"fields": json.dumps({"sent_date": "вчера"})},
        files={"file": ("otchet.pdf", PDF, "application/pdf")},
    )
    assert bad.status_code == 422
    locs = [tuple(d["loc"]) for d in bad.json()["detail"]]
    assert ("body", "fields", "recipient") in locs and ("body", "fields", "sent_date") in locs
    assert "не принято" in bad.json()["message"]
    no_file = client.post(url, headers=h, data={"fields": json.dumps(REPORT_FIELDS)})
    assert no_file.status_code == 422
    assert no_file.json()["detail"][0]["loc"] == ["body", "file"]
    fake = client.post(
        url,
        headers=h,
        data={"fields": json.dumps(REPORT_FIELDS)},
        files={"file": ("otchet.pdf", b"not a pdf", "application/pdf")},
    )
    assert fake.status_code == 422 and "сигнатура" in fake.json()["detail"][0]["msg"]
    not_json = client.post(url, headers=h, data={"fields": "{oops"})
    assert not_json.status_code == 422
    assert not_json.json()["detail"][0]["loc"] == ["body", "fields"]
    page = client.post(
        f"/steps/{world.own.org_step}/complete",
        headers=h,
        data={"sent_date": "2025-03-07"},
        files={"file": ("otchet.pdf", PDF, "application/pdf")},
    )
    assert page.status_code == 422
    # One error, next to its field, in words (no internal field name).
    assert page.text.count('id="err-recipient"') == 1
    near = page.text.split('id="field-recipient"')[1].split("</label>")[0]
    assert "err-recipient" in near and "recipient" not in near.split('id="err-recipient">')[1]
    still = client.get(f"/api/steps/{world.own.org_step}", headers=h).json()
    assert still["step"]["status"] == "due_soon" and still["evidence"] == []


def test_audit_page_search_dates_and_export(client: TestClient, world: World) -> None:
    h = auth(world, "auditor")
    page = client.get("/audit/krylovsky?q=85/1&since=2025-03-10&until=2025-03-10", headers=h)
    assert page.status_code == 200
    assert "шаг выполнен" in page.text and 'id="chain-check"' in page.text
    assert "№85/1" in page.text and "запланирован → выполнен" in page.text
    empty = client.get("/audit/krylovsky?since=2025-03-11", headers=h).text
    assert "Записей не найдено" in empty
    csv = client.get("/api/municipalities/krylovsky/audit.csv", headers=h)
    assert csv.status_code == 200 and csv.text.count("step.completed") == 1
    assert "attachment" in csv.headers["content-disposition"]


def test_login_link_signs_in_once_and_returns_to_the_page(
    client: TestClient, world: World, engine: Engine
) -> None:
    by_url = client.get(f"/?token={world.tokens['moc_head']}", follow_redirects=False)
    assert by_url.status_code == 303 and "set-cookie" not in by_url.headers  # never in URLs
    with session_scope(engine) as s:
        url = login_link(s, world.person_ids["moc_head"], "/m/krylovsky", base_url="", now=NOW)
    first = client.get(url, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/m/krylovsky"
    cookie = first.headers["set-cookie"]
    assert "soczakaz_session=" in cookie and "HttpOnly" in cookie and "Max-Age=" in cookie
    assert client.get("/m/krylovsky").status_code == 200  # the session cookie
    client.cookies.clear()
    again = client.get(url, follow_redirects=False)  # single use
    assert again.status_code == 400 and "недействительна" in again.text
    page = client.get("/steps/1", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fsteps%2F1"


def test_token_issue_cli_prints_once_and_authenticates(
    client: TestClient, world: World, engine: Engine, cli_env: dict[str, str]
) -> None:
    pid = world.person_ids["moc_head"]
    args = ["token", "issue", "--person", str(pid), "--scope", "read"]
    result = CliRunner().invoke(cli_app, args, env=cli_env)
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    with session_scope(engine) as s:
        row = s.exec(select(AccessToken).where(AccessToken.token_sha256 == hash_token(token))).one()
        assert row.person_id == pid and row.scope == "read"
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "moc_head"
    post = client.post(
        f"/api/steps/{world.own.org_step}/complete", headers={"Authorization": f"Bearer {token}"}
    )
    assert post.status_code == 403  # read-only token
    revoked = CliRunner().invoke(cli_app, ["token", "revoke", "--person", str(pid)], env=cli_env)
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    missing = CliRunner().invoke(cli_app, ["token", "issue", "--person", "999"], env=cli_env)
    assert missing.exit_code == 2 and "не найден" in missing.output


def test_organisation_page_lists_what_it_owes(
    client: TestClient, world: World, engine: Engine
) -> None:
    page = client.get(f"/org/{world.own.org_id}", headers=auth(world, "org_contact")).text
    owes = page.split('id="owes"')[1].split("</table>")[0]
    assert "Отчёт организации за I квартал" in owes and "12 марта 2025 г." in owes
    with session_scope(engine) as s:
        assert s.get(Step, world.own.org_step) is not None


def test_audit_page_shows_chain_verification_and_tampering(
    client: TestClient, world: World, engine: Engine, backend: str
) -> None:
    h = auth(world, "auditor")
    ok = client.get("/api/municipalities/krylovsky/audit/verify", headers=h).json()
    assert ok["ok"] is True and ok["entries"] == 1
    assert "цепочка цела" in client.get("/audit/krylovsky", headers=h).text
    # A superuser edits the log behind the application's back.
    with engine.begin() as conn:
        if backend == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER auditentry_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE auditentry DISABLE TRIGGER auditentry_no_change")
        conn.exec_driver_sql(
            "UPDATE auditentry SET payload = replace(payload, '85/1', '86/1') "
            "WHERE chain = 'krylovsky'"
        )
    bad = client.get("/api/municipalities/krylovsky/audit/verify", headers=h).json()
    assert bad["ok"] is False and bad["problems"]
    page = client.get("/audit/krylovsky", headers=h).text
    assert "цепочка НАРУШЕНА" in page
    other = client.get("/api/municipalities/irkutsk/audit/verify", headers=auth(world, "admin"))
    assert other.json()["ok"] is True
