"""domain/qd130.parse_bundle: GIAMDINHHS bundles -> one canonical Visit; problems name XML fields.

Samples are synthetic. A case directory under samples/qd130/ holds readable tables (XML1.xml...)
that build_bundle wraps in the envelope; samples/qd130/raw/ holds whole messages as sent.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from hssk_ingest_emr.domain.qd130 import (
    MAX_BYTES,
    Parsed,
    build_bundle,
    detect_standard,
    join,
    parse_bundle,
    split,
)

SAMPLES = Path(__file__).parents[1] / "samples"
QD130 = SAMPLES / "qd130"
RECEIVED = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)


def tables_of(case: str) -> dict[str, str]:
    files = sorted((QD130 / case).glob("XML*.xml"), key=lambda p: int(p.stem[3:]))
    return {p.stem: p.read_text(encoding="utf-8") for p in files}


def parse(raw: bytes) -> Parsed:
    return parse_bundle(raw, received_at=RECEIVED)


def parse_case(case: str, **changes: dict[str, str | None]) -> Parsed:
    """Parse a sample case; changes = {"XML1": {"TAG": "new text"}} edits fields first."""
    tables = tables_of(case)
    for table, fields in changes.items():
        for tag, text in fields.items():
            tables[table] = with_field(tables[table], tag, text)
    return parse(build_bundle(tables))


def with_field(xml: str, tag: str, text: str | None) -> str:
    """Set every <TAG> to text (adding it to the first record when absent); None removes it."""
    pattern = re.compile(rf"<{tag}>[^<]*</{tag}>|<{tag}/>")
    new = "" if text is None else f"<{tag}>{text}</{tag}>"
    if pattern.search(xml):
        return pattern.sub(new, xml)
    return re.sub(r"(<MA_LK>[^<]*</MA_LK>)", rf"\1{new}", xml, count=1)


def canonical(parsed: Parsed) -> dict[str, Any]:
    assert parsed.visit is not None, parsed.problems
    return parsed.visit.model_dump(mode="json", exclude={"sent_at"}, exclude_none=True)


def rules(parsed: Parsed) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in parsed.problems]


def warning_rules(parsed: Parsed) -> list[tuple[str, str]]:
    return [(where, rule) for where, rule, _ in parsed.warnings]


# --- golden samples --------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["outpatient-hypertension", "inpatient-pneumonia"])
def test_a_main_sample_gives_its_golden_canonical_visit(case):
    parsed = parse(build_bundle(tables_of(case)))

    assert parsed.problems == []
    assert parsed.warnings == []
    expected = json.loads((QD130 / f"{case}.expected.json").read_text(encoding="utf-8"))
    assert canonical(parsed) == expected
    assert (parsed.facility_code, parsed.visit_id) == (
        expected["facility_code"],
        expected["visit_id"],
    )


def test_the_visit_is_sent_when_received_as_revision_1():
    visit = parse(build_bundle(tables_of("outpatient-hypertension"))).visit

    assert visit is not None
    assert (visit.sent_at, visit.revision) == (RECEIVED, 1)


# The QĐ 130 twin of samples/same-visit/fhir.json. expected.json holds what both formats carry;
# compared without sent_at and standard (they differ by nature) and without what the XML carries
# but the FHIR twin does not: MA_DOITUONG_KCB (patient_category), SO_NGAY_DTRI (treatment_days),
# MA_KHOA (department_codes) and XML4 MA_DICH_VU (labs[].service_code). expected.json omits them,
# so the FHIR test, reading it through the Visit model, sees their defaults.
SAME_VISIT_EXCLUDED = (
    "sent_at",
    "standard",
    "patient_category",
    "treatment_days",
    "department_codes",
)
SAME_VISIT_LAB_EXCLUDED = ("service_code",)


def test_the_same_visit_sample_is_the_bundle_of_its_readable_tables():
    raw = (SAMPLES / "same-visit" / "qd130.xml").read_bytes()

    assert raw == build_bundle(tables_of("same-visit"))


def test_the_same_visit_sample_gives_the_canonical_visit_shared_with_fhir():
    parsed = parse((SAMPLES / "same-visit" / "qd130.xml").read_bytes())

    ours = canonical(parsed)
    for key in SAME_VISIT_EXCLUDED:
        ours.pop(key, None)
    for lab in ours["labs"]:
        for key in SAME_VISIT_LAB_EXCLUDED:
            lab.pop(key, None)
    expected = json.loads((SAMPLES / "same-visit" / "expected.json").read_text(encoding="utf-8"))
    assert parsed.problems == []
    assert ours == expected


# --- standards -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "standard"),
    [
        ("outpatient-hypertension", "qd3176"),  # XML1 NHOM_MAU
        ("inpatient-pneumonia", "qd130"),
        ("legacy-4210", "qd4210"),
    ],
)
def test_the_standard_is_told_from_the_tags_present(case, standard):
    assert parse(build_bundle(tables_of(case))).visit.standard == standard


@pytest.mark.parametrize(
    ("xml1", "xml2", "standard"),
    [
        ({"MA_LK", "MA_THE_BHYT", "MA_BENH_CHINH"}, set(), "qd130"),
        ({"MA_LK", "MA_THE_BHYT", "NHOM_MAU"}, set(), "qd3176"),
        ({"MA_LK", "MA_THE_BHYT"}, {"NGAY_YL", "NGAY_TH_YL"}, "qd3176"),
        ({"MA_LK", "MA_THE", "MA_BENH"}, set(), "qd4210"),
        ({"MA_LK", "MA_THE", "MA_BENH_CHINH"}, set(), "qd130"),  # a 130 name wins over 4210
    ],
)
def test_detect_standard(xml1, xml2, standard):
    assert detect_standard(xml1, xml2) == standard


def test_a_legacy_4210_visit_is_read_under_the_130_names():
    parsed = parse(build_bundle(tables_of("legacy-4210")))

    visit = parsed.visit
    assert parsed.problems == [] and parsed.warnings == []
    assert [(i.type, i.value) for i in visit.patient.identifiers] == [("bhyt", "DN4797934567890")]
    assert visit.patient.birth_date == "1978-11-03"  # 4210 wrote yyyymmdd
    assert (visit.main_icd10, visit.secondary_icd10) == ("K29.1", ["K21.9"])
    assert visit.diagnosis_discharge == "Viêm dạ dày cấp; Bệnh trào ngược dạ dày - thực quản"
    assert (visit.visit_type, visit.patient_category, visit.discharge_type) == ("01", "1", "1")
    assert [p.code for p in visit.procedures] == ["02.1896", "20.0080.0136"]
    assert [(d.name, d.quantity) for d in visit.drugs] == [("Omeprazol", 14.0)]


def test_a_4210_problem_names_the_4210_field():
    parsed = parse_case("legacy-4210", XML1={"MA_BENH": "K2"})

    assert rules(parsed) == [("XML1.MA_BENH", "string_pattern_mismatch")]


# --- newborn, sensitive tables -----------------------------------------------------------------


def test_a_newborn_with_a_temporary_card():
    parsed = parse(build_bundle(tables_of("newborn-temp-card")))

    visit = parsed.visit
    assert parsed.problems == [] and parsed.warnings == []
    assert [(i.type, i.value) for i in visit.patient.identifiers] == [("temp", "TE1797900123456")]
    assert visit.patient.initial_facility is None  # "79000" is a registration, no facility
    assert visit.patient.birth_date == "2026-11-15"
    assert visit.patient.guardian_name == "Phạm Thị Thu"  # XML8 NGUOI_GIAM_HO
    assert visit.vitals.weight_kg == 3.15
    assert visit.doctor_code == "BS079050022"  # XML7 MA_BS, before XML1 MA_TTDV
    # XML8 leaves PP_DIEUTRI and GHI_CHU empty: the discharge paper (XML7) fills them.
    assert visit.summary.treatment == "Chiếu đèn điều trị vàng da 48 giờ, bú mẹ tăng cữ"
    assert visit.summary.notes.startswith("Tái khám sau 7 ngày")
    assert visit.summary.disease_course.startswith("Trẻ sinh thường đủ tháng")
    assert visit.revisit_date == date(2026, 11, 28)


def test_an_hiv_table_is_counted_and_its_content_kept_out_of_the_visit():
    tables = tables_of("hiv-xml6")
    parsed = parse(build_bundle(tables))

    assert parsed.problems == []
    assert parsed.sensitive_tables == {"XML6": 1}
    dump = parsed.visit.model_dump_json()
    for marker in ("SENSITIVE-MARKER", "TDF+3TC+DTG", "20190312"):
        assert marker in tables["XML6"] and marker not in dump


def test_sensitive_tables_are_never_decoded():
    tables = {**tables_of("hiv-xml6"), "XML15": "<CHI_TIEU_DIEUTRI_BENHLAO/>"}
    raw = build_bundle(tables).decode()
    xml6 = base64.b64encode(tables["XML6"].encode()).decode()
    parsed = parse(raw.replace(xml6, "%% not base64, not XML %%").encode())

    assert parsed.problems == []
    assert parsed.sensitive_tables == {"XML6": 1, "XML15": 1}


# --- rejected messages -------------------------------------------------------------------------


def test_not_xml_is_rejected():
    parsed = parse((QD130 / "raw" / "not-xml.bin").read_bytes())

    assert rules(parsed) == [("$", "xml_invalid")]
    assert (parsed.visit, parsed.facility_code, parsed.visit_id) == (None, None, None)


@pytest.mark.timeout(5)
def test_an_entity_bomb_is_refused_before_any_expansion():
    parsed = parse((QD130 / "raw" / "entity-bomb.xml").read_bytes())

    assert rules(parsed) == [("$", "xml_entities_forbidden")]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE TONG_HOP [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE TONG_HOP [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE TONG_HOP SYSTEM "http://example.invalid/tong_hop.dtd">',
    ],
)
def test_a_dtd_inside_a_base64_table_is_refused(doctype):
    tables = tables_of("outpatient-hypertension")
    tables["XML1"] = tables["XML1"].replace("<TONG_HOP>", f"{doctype}\n<TONG_HOP>", 1)

    parsed = parse(build_bundle(tables))

    assert ("XML1", "xml_entities_forbidden") in rules(parsed)
    assert parsed.visit is None


def test_bad_base64_names_its_table_and_keeps_the_routing_keys():
    parsed = parse((QD130 / "raw" / "bad-base64.xml").read_bytes())

    assert rules(parsed) == [("XML2", "base64_invalid")]
    assert (parsed.visit, parsed.facility_code, parsed.visit_id) == (
        None,
        "79030",
        "KB2026112000137",
    )


def test_a_missing_visit_key_is_required():
    parsed = parse(build_bundle(tables_of("missing-ma-lk")))

    assert rules(parsed) == [("XML1.MA_LK", "required")]
    assert (parsed.visit, parsed.facility_code, parsed.visit_id) == (None, "79030", None)


def test_an_unparsable_admission_time_is_a_date_format_problem_with_its_value():
    parsed = parse(build_bundle(tables_of("bad-ngay-vao")))

    assert rules(parsed) == [("XML1.NGAY_VAO", "date_format")]
    assert parsed.problems[0].value == "20/11/2026 07:45"


@pytest.mark.parametrize("tag", ["MA_LK", "MA_CSKCB", "HO_TEN", "NGAY_VAO"])
def test_each_required_xml1_field(tag):
    parsed = parse_case("outpatient-hypertension", XML1={tag: None})

    assert rules(parsed) == [(f"XML1.{tag}", "required")]


def test_a_payload_over_the_limit_is_refused_unread():
    parsed = parse(b"<GIAMDINHHS>" + b" " * MAX_BYTES + b"</GIAMDINHHS>")

    assert rules(parsed) == [("$", "payload_too_large")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"<TONG_HOP><MA_LK>KB1</MA_LK></TONG_HOP>", [("$", "envelope_invalid")]),
        (b"<GIAMDINHHS><THONGTINHOSO/></GIAMDINHHS>", [("DANHSACHHOSO.HOSO", "required")]),
        (b'<?xml version="1.0" encoding="x-unknown"?><GIAMDINHHS/>', [("$", "xml_invalid")]),
        (b"", [("$", "xml_invalid")]),
    ],
)
def test_an_envelope_that_is_no_bundle(raw, expected):
    assert rules(parse(raw)) == expected


def test_a_bundle_of_several_visits_is_refused_after_checking_the_first():
    raw = build_bundle(tables_of("outpatient-hypertension")).decode()
    record = re.search(r"\s*<HOSO>.*?</HOSO>", raw, re.S)[0]
    raw = raw.replace(record, record + record.replace("KB2026112000137", "KB2026112000138"), 1)

    parsed = parse(raw.encode())

    assert rules(parsed) == [("DANHSACHHOSO.HOSO", "bundle_multiple_visits")]
    assert warning_rules(parsed) == [("THONGTINHOSO.SOLUONGHOSO", "count_mismatch")]
    assert (parsed.visit, parsed.visit_id) == (None, "KB2026112000137")


def test_a_days_file_is_split_into_one_file_per_visit_each_parsed_alone():
    one, two = (build_bundle(tables_of(c)) for c in ("outpatient-hypertension", "same-visit"))
    bad = build_bundle(tables_of("bad-ngay-vao"))
    parts = split(join([one, bad, two]))
    assert len(parts) == 3
    assert [parse(p).visit for p in (parts[0], parts[2])] == [parse(one).visit, parse(two).visit]
    assert rules(parse(parts[1])) == rules(parse(bad)) != []  # refused alone, for its own reasons
    assert all(b"<CHUKYDONVI" not in p and b"<SOLUONGHOSO>1<" in p for p in parts)


@pytest.mark.parametrize("raw", [b"", b"<GIAMDINHHS/>", b"not xml", b"x" * (MAX_BYTES + 1)])
def test_what_is_no_file_of_several_comes_back_whole(raw):
    assert split(raw) == [raw]
    single = build_bundle(tables_of("outpatient-hypertension"))
    assert split(single) == [single]  # byte for byte: parse_bundle sees what was sent


def test_a_bundle_without_xml1_or_with_two():
    without = parse(build_bundle({"XML2": tables_of("outpatient-hypertension")["XML2"]}))
    raw = build_bundle(tables_of("outpatient-hypertension")).decode()
    file = re.search(r"\s*<FILEHOSO>.*?</FILEHOSO>", raw, re.S)[0]  # the XML1 file
    twice = parse(raw.replace(file, file + file, 1).encode())

    assert rules(without) == [("XML1", "required")]
    assert rules(twice) == [("XML1", "table_duplicated")]


def test_rows_of_another_visit_are_refused():
    parsed = parse_case("outpatient-hypertension", XML2={"MA_LK": "KB2026112000999"})

    assert rules(parsed) == [
        ("XML2[0].MA_LK", "visit_mismatch"),
        ("XML2[1].MA_LK", "visit_mismatch"),
    ]


# --- fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ngay_sinh", "birth_date"),
    [
        ("196503220000", "1965-03-22"),
        ("196503221430", "1965-03-22"),
        ("196503000000", "1965-03"),
        ("196500000000", "1965"),
        ("19650322", "1965-03-22"),
        ("19650000", "1965"),
    ],
)
def test_a_birth_date_keeps_its_precision(ngay_sinh, birth_date):
    assert (
        parse_case(
            "outpatient-hypertension", XML1={"NGAY_SINH": ngay_sinh}
        ).visit.patient.birth_date
        == birth_date
    )


@pytest.mark.parametrize(
    "ngay_sinh",
    [
        "196513220000",
        "196502300000",
        "196500220000",
        "000000000000",
        "196503222460",
        "1965-03-22",
        "1965",
    ],
)
def test_an_impossible_birth_date_is_refused_not_guessed(ngay_sinh):
    parsed = parse_case("outpatient-hypertension", XML1={"NGAY_SINH": ngay_sinh})

    assert rules(parsed) == [("XML1.NGAY_SINH", "date_format")]


def test_instants_are_vietnam_time():
    visit = parse(build_bundle(tables_of("outpatient-hypertension"))).visit

    assert visit.admitted_at == datetime(2026, 11, 20, 0, 45, tzinfo=UTC)
    assert visit.admitted_at.isoformat() == "2026-11-20T07:45:00+07:00"
    assert visit.labs[0].at.isoformat() == "2026-11-20T08:40:00+07:00"


@pytest.mark.parametrize(
    ("tag", "text"),
    [
        ("NGAY_VAO", "202611202400"),
        ("NGAY_RA", "2026112010"),
        ("NGAY_VAO_NOI_TRU", "20261120 0800"),
    ],
)
def test_an_instant_must_be_yyyymmddhhmm(tag, text):
    parsed = parse_case("outpatient-hypertension", XML1={tag: text})

    assert rules(parsed) == [(f"XML1.{tag}", "date_format")]
    assert parsed.problems[0].value == text


def test_codes_stay_strings():
    visit = parse_case(
        "outpatient-hypertension", XML1={"MA_LOAI_KCB": "02", "MA_DOITUONG_KCB": "1.11"}
    ).visit

    assert (visit.visit_type, visit.patient_category) == ("02", "1.11")


@pytest.mark.parametrize(
    ("code", "visit_type", "warning"),
    [
        ("42", "42", ("XML1.MA_LOAI_KCB", "visit_type_unknown")),  # kept: maybe a newer list
        ("1", "01", ("XML1.MA_LOAI_KCB", "visit_type_padded")),
        (None, "01", ("XML1.MA_LOAI_KCB", "visit_type_missing")),
    ],
)
def test_a_doubtful_visit_type_only_warns(code, visit_type, warning):
    parsed = parse_case("outpatient-hypertension", XML1={"MA_LOAI_KCB": code})

    assert parsed.problems == []
    assert warning_rules(parsed) == [warning]
    assert parsed.visit.visit_type == visit_type


def test_a_malformed_xml1_is_one_problem():
    tables = tables_of("outpatient-hypertension")
    tables["XML1"] = tables["XML1"].replace("</TONG_HOP>", "")

    assert rules(parse(build_bundle(tables))) == [("XML1", "xml_invalid")]


def test_an_so_cccd_of_no_document_and_no_card_is_one_problem():
    parsed = parse_case("outpatient-hypertension", XML1={"SO_CCCD": "079/065", "MA_THE_BHYT": None})

    assert rules(parsed) == [("XML1.SO_CCCD", "document_format")]


def test_a_cccd_that_does_not_fit_the_birth_year_only_warns():
    parsed = parse_case("outpatient-hypertension", XML1={"SO_CCCD": "079070004321"})

    assert parsed.problems == []
    assert warning_rules(parsed) == [("XML1.SO_CCCD", "cccd_birth_year_mismatch")]


@pytest.mark.parametrize(
    ("so_cccd", "kind", "value"),
    [
        ("079065004321", "cccd", "079065004321"),
        ("0790 6500-4321", "cccd", "079065004321"),
        ("025123456", "cmnd", "025123456"),
        ("c1234567", "passport", "C1234567"),
        ("VNEID2026ABC123", "eid", "VNEID2026ABC123"),
    ],
)
def test_so_cccd_becomes_the_identifier_of_its_document(so_cccd, kind, value):
    visit = parse_case("outpatient-hypertension", XML1={"SO_CCCD": so_cccd}).visit

    assert (visit.patient.identifiers[0].type, visit.patient.identifiers[0].value) == (kind, value)


def test_an_so_cccd_of_no_document_is_a_problem():
    parsed = parse_case("outpatient-hypertension", XML1={"SO_CCCD": "079/065"})

    assert rules(parsed) == [("XML1.SO_CCCD", "document_format")]


def test_a_visit_without_any_identifier_is_refused():
    parsed = parse_case("outpatient-hypertension", XML1={"SO_CCCD": None, "MA_THE_BHYT": None})

    assert rules(parsed) == [("XML1.MA_THE_BHYT", "required")]


def test_two_cards_in_one_visit_take_the_first_card_validity():
    parsed = parse_case(
        "outpatient-hypertension",
        XML1={
            "MA_THE_BHYT": "GD4797912345678;HT3797912345678",
            "MA_DKBD": "79030;79031",
            "GT_THE_TU": "20260101;20261115",
            "GT_THE_DEN": "20261114;20261231",
        },
    )

    patient = parsed.visit.patient
    assert [(i.type, i.value) for i in patient.identifiers][1:] == [
        ("bhyt", "GD4797912345678"),
        ("bhyt", "HT3797912345678"),
    ]
    assert (patient.initial_facility, patient.bhyt_valid_from, patient.bhyt_valid_to) == (
        "79030",
        date(2026, 1, 1),
        date(2026, 11, 14),
    )


@pytest.mark.parametrize(
    ("text", "weight"), [("72.5", 72.5), ("72", 72.0), ("0", None), ("0.00", None)]
)
def test_weight(text, weight):
    assert (
        parse_case("outpatient-hypertension", XML1={"CAN_NANG": text}).visit.vitals.weight_kg
        == weight
    )


@pytest.mark.parametrize(
    ("tag", "text"), [("CAN_NANG", "72,5"), ("SO_NGAY_DTRI", "1.5"), ("SO_NGAY_DTRI", "mot")]
)
def test_a_malformed_number_is_a_number_format_problem(tag, text):
    parsed = parse_case("outpatient-hypertension", XML1={tag: text})

    assert rules(parsed) == [(f"XML1.{tag}", "number_format")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"XML1": {"MA_BENH_CHINH": "I1O"}}, ("XML1.MA_BENH_CHINH", "string_pattern_mismatch")),
        (
            {"XML1": {"MA_BENH_KT": ";".join(f"E{n}" for n in range(10, 23))}},
            ("XML1.MA_BENH_KT", "too_long"),
        ),
        ({"XML1": {"KET_QUA_DTRI": "9"}}, ("XML1.KET_QUA_DTRI", "string_pattern_mismatch")),
        ({"XML1": {"MA_DKBD": "7903"}}, ("XML1.MA_DKBD", "string_pattern_mismatch")),
        ({"XML1": {"MA_CSKCB": "HCM-1"}}, ("XML1.MA_CSKCB", "string_pattern_mismatch")),
        ({"XML2": {"TEN_THUOC": None}}, ("XML2[0].TEN_THUOC", "missing")),
        (
            {"XML4": {"TEN_CHI_SO": None, "MA_CHI_SO": None, "MA_DICH_VU": None}},
            ("XML4[0].TEN_CHI_SO", "missing"),
        ),
    ],
)
def test_a_model_error_names_the_xml_field(changes, expected):
    parsed = parse_case("outpatient-hypertension", **changes)

    assert rules(parsed)[0] == expected
    assert parsed.visit is None


def test_icd10_codes_are_upper_case_lists():
    visit = parse_case(
        "outpatient-hypertension", XML1={"MA_BENH_CHINH": "i10", "MA_BENH_KT": "e78.5; E11 ;"}
    ).visit

    assert (visit.main_icd10, visit.secondary_icd10) == ("I10", ["E78.5", "E11"])


def test_xml3_services_become_procedures_once_without_beds_or_supplies():
    visit = parse(build_bundle(tables_of("inpatient-pneumonia"))).visit

    assert [(p.code, p.name) for p in visit.procedures] == [
        ("93.96", None),  # XML1 MA_PTTT_QT
        ("02.1896", "Khám Nội"),
        ("18.0071.0028", "Chụp X-quang ngực thẳng"),  # twice in XML3
        ("02.0085.1778", "Điện tim thường"),
    ]


def test_an_imaging_result_falls_back_to_its_service_code_and_description():
    lab = parse(build_bundle(tables_of("inpatient-pneumonia"))).visit.labs[-1]

    assert (lab.service_code, lab.code, lab.name) == ("18.0071.0028", None, "18.0071.0028")
    assert lab.value.startswith("Đám mờ không đều")
    assert lab.conclusion.startswith("Hình ảnh viêm phổi")


def test_the_revisit_date_comes_from_xml1_first_then_xml14():
    from_xml14 = parse(build_bundle(tables_of("outpatient-hypertension")))
    both = parse_case("outpatient-hypertension", XML1={"NGAY_TAI_KHAM": "20261218;20270118"})

    assert from_xml14.visit.revisit_date == date(2026, 12, 20)
    assert both.visit.revisit_date == date(2026, 12, 18)
    assert warning_rules(both) == [("XML14.NGAY_HEN_KL", "revisit_mismatch")]


def test_the_doctor_is_the_facility_head_only_when_nobody_else_is_named():
    tables = tables_of("outpatient-hypertension")
    named = parse(build_bundle(tables)).visit
    head_only = parse(build_bundle({"XML1": tables["XML1"]})).visit

    assert named.doctor_code == "BS079004567"  # XML14 MA_BAC_SI
    assert head_only.doctor_code == "7998765432"  # XML1 MA_TTDV


def test_an_unknown_table_is_ignored_with_a_warning():
    parsed = parse(build_bundle({**tables_of("outpatient-hypertension"), "XML99": "<X/>"}))

    assert parsed.problems == []
    assert warning_rules(parsed) == [("LOAIHOSO", "table_unknown")]


def test_a_sender_other_than_the_facility_warns_and_routes_to_the_sender():
    parsed = parse(build_bundle(tables_of("outpatient-hypertension"), facility_code="79099"))

    assert parsed.problems == []
    assert warning_rules(parsed) == [("THONGTINDONVI.MACSKCB", "facility_mismatch")]
    assert (parsed.facility_code, parsed.visit.facility_code) == ("79099", "79030")


def test_namespaces_and_a_byte_order_mark_do_not_matter():
    tables = tables_of("outpatient-hypertension")
    tables["XML1"] = "\ufeff" + tables["XML1"].replace("<TONG_HOP>", '<TONG_HOP xmlns="urn:x">', 1)

    parsed = parse(build_bundle(tables))

    assert parsed.problems == []
    assert parsed.visit.visit_id == "KB2026112000137"


def test_build_bundle_fills_the_envelope_from_xml1():
    raw = build_bundle(tables_of("outpatient-hypertension")).decode()

    assert "<MACSKCB>79030</MACSKCB>" in raw
    assert "<NGAYLAP>20261120</NGAYLAP>" in raw
    assert "<SOLUONGHOSO>1</SOLUONGHOSO>" in raw
    assert raw.count("<FILEHOSO>") == 4
