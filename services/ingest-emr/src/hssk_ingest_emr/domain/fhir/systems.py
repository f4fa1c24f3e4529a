"""FHIR identifier systems, code systems and extension URLs (VN Core IG where it names one, else
ours), and the code maps they key: what `fhir` reads and what `hssk_cli.formats` writes."""

from __future__ import annotations

VN = "http://fhir.hl7.org.vn/core"
HSSK = "https://hssk.example/fhir"
SID_CCCD = f"{VN}/sid/cccd"
SID_CMND = f"{VN}/sid/cmnd"
SID_BHYT = f"{VN}/sid/bhyt"
SID_PASSPORT = f"{VN}/sid/passport"
SID_MA_LK = f"{VN}/sid/ma-lk"
SID_MA_CSKCB = f"{VN}/sid/ma-cskcb"
SID_DOCTOR = f"{HSSK}/sid/ma-bac-si"
CS_VISIT_TYPE = f"{VN}/CodeSystem/vn-encounter-type-cs"
CS_DISCHARGE_TYPE = f"{HSSK}/CodeSystem/ma-loai-rv"
CS_DRUG = f"{HSSK}/CodeSystem/ma-thuoc"
CS_ICD10 = "http://hl7.org/fhir/sid/icd-10"
CS_LOINC = "http://loinc.org"
EXT_WARD = f"{VN}/StructureDefinition/vn-ext-ward"
EXT_PROVINCE = f"{VN}/StructureDefinition/vn-ext-province"
EXT_ETHNICITY = f"{VN}/StructureDefinition/vn-ext-ethnicity"
EXT_OCCUPATION = f"{HSSK}/StructureDefinition/occupation"
EXT_PRIMARY_CARE = f"{VN}/StructureDefinition/vn-ext-primary-care-facility"

ID_SYSTEMS = {SID_CCCD: "cccd", SID_CMND: "cmnd", SID_BHYT: "bhyt", SID_PASSPORT: "passport"}
SEXES = {"male": "male", "female": "female", "other": "unknown", "unknown": "unknown"}
CLASS_VISIT_TYPES = {"AMB": "01", "EMER": "01", "IMP": "03", "ACUTE": "03", "NONAC": "03",
                     "SS": "04", "HH": "12", "VR": "14"}  # fmt: skip
# LOINC code -> (Vitals field, accepted units -> factor to the field's unit)
VITALS: dict[str, tuple[str, dict[str, float]]] = {
    "29463-7": ("weight_kg", {"kg": 1, "g": 0.001}),
    "8302-2": ("height_cm", {"cm": 1, "m": 100}),
    "8480-6": ("systolic_mmhg", {"mm[Hg]": 1, "mmHg": 1}),
    "8462-4": ("diastolic_mmhg", {"mm[Hg]": 1, "mmHg": 1}),
    "8867-4": ("pulse_bpm", {"/min": 1, "{beats}/min": 1, "bpm": 1}),
    "8310-5": ("temperature_c", {"Cel": 1, "°C": 1}),
}
INTEGER_VITALS = frozenset({"systolic_mmhg", "diastolic_mmhg", "pulse_bpm"})
