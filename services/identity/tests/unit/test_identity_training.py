"""The match model: learned by EM from unlabelled pairs, stored with its provenance, recorded by
every decision; and the command that retrains it and says what would change."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hssk_identity.adapters.memory import in_memory_index
from hssk_identity.domain import dates, matching, names
from hssk_identity.domain.model import FIXED, LEVELS, Model, packaged
from hssk_identity.evaluation import run
from hssk_identity.evaluation.population import population
from hssk_identity.evaluation.profiles import HARSH, STANDARD
from hssk_identity.evaluation.records import labelled_records
from hssk_identity.handlers import Query, resolve
from hssk_identity.training import em
from hssk_identity.training.__main__ import main as training_main
from hssk_identity.training.train import train

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_em_recovers_the_m_it_was_drawn_from_with_u_fixed():
    """Pairs drawn from a known mixture: 30 % matches agreeing on birth 90 % of the time and on
    phone 70 %; EM, given only u and the patterns, finds m and the share again."""
    rng = random.Random(7)
    m_true = {"birth:exact": 0.9, "phone:agree": 0.7}
    u_true = {"birth:exact": 0.01, "phone:agree": 0.02}
    drawn = []
    for _ in range(20_000):
        p = m_true if rng.random() < 0.3 else u_true
        drawn.append(
            em.pattern(
                {
                    "birth": "exact" if rng.random() < p["birth:exact"] else "different",
                    "phone": "agree" if rng.random() < p["phone:agree"] else "disagree",
                }
            )
        )
    u = em.level_shares({em.pattern({"birth": "different", "phone": "disagree"}): 1})
    u |= {"birth:exact": 0.01, "birth:different": 0.99, "phone:agree": 0.02}
    u |= {"phone:disagree": 0.98}
    start = {k: 1 / 6 for k in u} | {"birth:exact": 0.5, "birth:different": 0.1}
    start |= {"phone:agree": 0.5, "phone:disagree": 0.5}
    fit = em.estimate(em.counted(drawn), u, start)
    assert fit.converged
    assert fit.share == pytest.approx(0.3, abs=0.02)
    assert fit.m["birth:exact"] == pytest.approx(0.9, abs=0.03)
    assert fit.m["phone:agree"] == pytest.approx(0.7, abs=0.03)


def test_the_shipped_model_is_learned_and_says_how():
    model = packaged()
    assert model.provenance["trained"] is True
    assert model.provenance["data"]["populations"]  # what it was trained on
    assert set(model.weights) == set(LEVELS)
    assert model.bits("personal_id:disagree") == FIXED["personal_id:disagree"]  # law, not data
    assert model.link_threshold > model.review_threshold
    # learned, not the hand-set numbers: agreeing on a phone is strong evidence, sex is weak
    assert model.weights["phone:agree"] > 5 > model.weights["sex:agree"] > 0


def test_a_model_document_round_trips_and_an_unknown_level_is_refused():
    model = packaged()
    assert Model.from_document(json.loads(json.dumps(model.document()))) == model
    doc = model.document()
    doc["weights"]["name:nickname"] = 3.0
    with pytest.raises(ValueError, match="name:nickname"):
        Model.from_document(doc)
    del doc["weights"]["name:nickname"], doc["weights"]["birth:exact"]
    with pytest.raises(ValueError, match="birth:exact"):
        Model.from_document(doc)


async def test_each_decision_records_the_model_that_made_it():
    index = in_memory_index()

    async def publish(topic, event):
        return None

    lan = dict(name="Nguyễn Thị Lan", birth_date="1985-03-12", sex="female", commune_code="00001")
    await resolve(Query(**lan), create=True, cause="c1", source="t", now=NOW, index=index,
                  publish=publish)  # fmt: skip
    again = await resolve(
        Query(**lan | {"name": "Nguyen Thi Lan"}),
        create=True,
        cause="c2",
        source="t",
        now=NOW,
        index=index,
        publish=publish,
    )
    assert again.model == matching.CURRENT.version
    assert (await index.decisions.get("c2"))["model"] == matching.CURRENT.version


def test_a_list_with_more_duplicates_per_pair_needs_less_evidence_for_the_same_certainty():
    """The thresholds keep the shipped model's certainty: they move by the change in the prior
    (the odds that two records of the list are one person), which training estimates."""
    small = _demographics(300, 11)  # ~650 records: a pair is far likelier one person
    model = train(small, matching.CURRENT, version="t", trained_on={}, now=NOW,
                  random_pairs=20_000)  # fmt: skip
    assert model.prior > matching.CURRENT.prior
    shift = matching.CURRENT.prior - model.prior
    assert model.link_threshold == pytest.approx(matching.CURRENT.link_threshold + shift, abs=0.01)
    assert model.review_threshold < matching.CURRENT.review_threshold
    assert model.provenance["rules"]["same_birth_date"]["converged"]


def test_the_command_retrains_from_a_city_list_and_reports_without_switching(tmp_path, capsys):
    shipped = packaged()
    rows = ["row_id,name,birth_date,sex,phone,commune_code,address"]
    for r in labelled_records(population(150, 5), 5):
        rows.append(
            f"{r.record_id},{r.name},{r.birth_date},{r.sex},{r.phone or ''},"
            f'{r.commune_code or ""},"{r.address or ""}"'
        )
    listed = tmp_path / "bhyt.csv"
    listed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "model.json"
    code = training_main(["--file", str(listed), "--out", str(out), "--version", "city-1",
                          "--random-pairs", "5000"])  # fmt: skip
    shown = capsys.readouterr().out
    assert code == 0
    assert "bhyt.csv" in shown and "decisions" in shown and "city-1" in shown
    written = Model.from_document(json.loads(out.read_text()))
    assert written.version == "city-1" and written.provenance["data"]["source"] == "bhyt.csv"
    assert packaged() == shipped  # not switched


def test_a_slip_that_spells_no_vietnamese_syllable_is_a_typo_not_another_name():
    son, soh = names.parse("Nguyen Cong Son"), names.parse("Nguyen Cong Soh")
    assert names.compare(son, soh) == names.TYPO
    found = matching.levels(matching.Demographics(son), matching.Demographics(soh))
    assert found.fields["name"] == "typo" and not found.name_doubt
    # Written with marks, a slip may still hide which twin it was (Tâun: Tuấn or Tuân?)
    marked = [names.parse("Lâm Văn Tuấn"), names.parse("Lâm Văn Tâun")]
    assert matching.levels(*(matching.Demographics(n) for n in marked)).name_doubt
    lan, lam = names.parse("Nguyen Thi Hanh"), names.parse("Nguyen Thi Hang")  # two real names
    doubt = matching.levels(matching.Demographics(lan), matching.Demographics(lam))
    assert doubt.fields["name"] == "given_typo" and doubt.name_doubt
    assert names.is_syllable("nguyen") and names.is_syllable("Nguyễn")
    assert not names.is_syllable("soh") and not names.is_syllable("tr")


def test_blocking_finds_a_record_whose_names_or_birth_date_are_mistyped():
    born = _born("1990-05-04")
    a = matching.Demographics(names.parse("Trần Văn Hùng"), born, commune_code="00001")
    given_typo = matching.Demographics(names.parse("Trần Văn Hunng"), _born("1990-05-04"))
    both_typo = matching.Demographics(names.parse("Trầb Văn Hunng"), _born("1990-05-04"))
    date_typo = matching.Demographics(
        names.parse("Trần Văn Hùng"), _born("1909-05-04"), commune_code="00001"
    )
    for other in (given_typo, both_typo, date_typo):
        assert set(matching.blocking_keys(a)) & set(matching.blocking_keys(other))


def test_the_harsh_profile_holds_about_twice_the_siblings():
    def sibling_pairs(profile):
        people = population(2000, 3, profile)
        by_home: dict[str, int] = {}
        for c in people.citizens:
            if c.relation == "child":
                by_home[c.household] = by_home.get(c.household, 0) + 1
        return sum(n * (n - 1) // 2 for n in by_home.values())

    assert sibling_pairs(HARSH) > 1.6 * sibling_pairs(STANDARD)
    moved = [r for r in labelled_records(population(500, 3, HARSH), 3, HARSH)
             if "moved" in r.perturbations]  # fmt: skip
    assert moved and not any("moved" in r.perturbations
                             for r in labelled_records(population(500, 3), 3))  # fmt: skip


def _demographics(people: int, seed: int) -> list[matching.Demographics]:
    return [run.query(r).demographics() for r in labelled_records(population(people, seed), seed)]


def _born(text: str) -> dates.BirthDate | None:
    return dates.parse_birth_date(text)


def test_the_model_file_sits_in_the_package():
    assert (Path(names.__file__).parents[1] / "matching-model.json").is_file()
