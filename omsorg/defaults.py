"""The manual's service areas and criteria that a new organization starts with."""

from __future__ import annotations

from omsorg.models import CriterionKind

# The manual's twelve service areas; the first is the quality visit with training.
DEFAULT_SERVICE_AREAS = [
    ("Kvalitetsbesøk med fokus på fysisk og kognitiv trening", True),
    ("Følgetjenester (lege, butikk, tur, frisør)", False),
    ("Samtale og sosial kontakt", False),
    ("Aktivisering av lettere demente", False),
    ("Enkle måltidstjenester", False),
    ("Avlastning for pårørende", False),
    ("Tilrettelegging ved overgang til ny livssituasjon", False),
    ("Besøk på gravplasser med innkjøp av blomster", False),
    ("Følge til sosiale aktiviteter", False),
    ("Hjelp til innkjøp av klær", False),
    ("Hjelpe med mobilen", False),
    ("Følge til bibliotek", False),
]
DEFAULT_CRITERIA = [
    (
        CriterionKind.SCREENING,
        "Personen oppfyller kravene for å få besøk",
        "Ikke for syk, og trenger ikke mer hjelp enn ufaglærte seniorer kan gi.",
    ),
    (
        CriterionKind.SCREENING,
        "Arbeidet hører hjemme i Seniorene Omsorg",
        "Det er omsorg og aktivisering, ikke praktisk arbeid eller vanlig seniorjobb.",
    ),
    (CriterionKind.TRAINING, "Besøket er frivillig og ønsket av den som får det", ""),
    (
        CriterionKind.TRAINING,
        "Personen er ikke kjent for å bli sint eller irritert uten åpenbar grunn",
        "",
    ),
    (CriterionKind.TRAINING, "Personen klarer toalettbesøk uten hjelp fra senioren", ""),
]
