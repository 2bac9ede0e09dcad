"""The standard training of the manual ("Opplæring og kursing"), as each organization's
starting content. It is data, not interface text: the lead edits it per organization,
so it is stored in Bokmål and not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

STAFF_PAGE = "https://www.seniorene.no/ansattside"


@dataclass(frozen=True)
class DefaultModule:
    key: str
    kind: str
    title: str
    body: str
    video_url: str = ""


VIDEO_PREPARATION = """\
Videoen viser hvordan du forbereder deg før du får ditt første Omsorg-oppdrag.

- Samtalen med avdelingsleder: hvem du skal besøke, og hva som er avklart på forhånd.
- Kjøp en notatbok (besøksbok) som skal ligge fast hos brukeren.
- Skriv ut treningsplanene for fysisk og kognitiv trening, og gjør deg kjent med dem.
- Bli kjent-møtet: fast agenda, maks én time, for å se om kjemien stemmer.

Videoen ligger på ansattsiden. Trykk «Merk som sett» når du har sett den.
"""

VIDEO_VISIT = """\
Videoen viser et kvalitetsbesøk fra start til slutt.

- Ankomst og en god start: hvordan har dagen vært?
- Fysisk trening (fallforebyggende) og kognitiv trening etter treningsplanene.
- Kort notat i notatboken: hva gikk bra, hva kan endres.
- Tilbakemelding på SMS til pårørende eller takk til brukeren. Husk taushetsplikten.
- Timer (aktivitet Omsorg), kilometer og utlegg.

Videoen ligger på ansattsiden. Trykk «Merk som sett» når du har sett den.
"""

PHYSICAL_PLAN = """\
Fallforebyggende trening i hjemmet. Øvelsene er enkle og trygge og tar 15–20 minutter. \
Målet er sterkere bein og bedre balanse, slik at brukeren står støtt i hverdagen.

## Før dere starter
- Spør om dagsformen. Ved svimmelhet, brystsmerter, feber eller et nylig fall: tren ikke i dag, \
prat sammen i stedet og gi beskjed til avdelingsleder.
- Sko eller sklisikre sokker. Fjern løse tepper. Bruk en stødig stol uten hjul og \
kjøkkenbenken til støtte.
- Stå ved siden av brukeren, på den svakeste siden, klar til å støtte.
- Pust rolig. Øvelsene skal kjennes, men ikke gjøre vondt.

## 1. Reise seg fra stol
- Sitt langt fram på stolen med føttene i hoftebreddes avstand.
- Len deg litt fram og reis deg, helst uten å bruke armene. Sett deg rolig ned igjen.
- 8–10 ganger, 2 runder med pause mellom.
- Lettere: bruk armlenene. Tyngre: sett deg sakte ned mens du teller til tre.

## 2. Tåhev
- Stå ved kjøkkenbenken og hold lett i benkeplaten.
- Gå opp på tærne, hold et øyeblikk, og senk hælene rolig.
- 10–15 ganger, 2 runder.

## 3. Balanse ved kjøkkenbenken
- Stå med føttene samlet i 10 sekunder, med lett støtte i benken.
- Går det fint: sett den ene foten rett foran den andre, 10 sekunder, og bytt fot.
- Går det fint: stå på ett bein i 10 sekunder, og bytt bein. Ha alltid en hånd klar over benken.
- 3 ganger i hver stilling.

## 4. Kort gåtur
- 10–15 minutter i rolig tempo, inne eller ute, med rullator eller stokk om brukeren bruker det.
- Ute: velg en kjent og slett vei uten is. Gå ved siden av brukeren.
- Prat underveis: det er god trening for hodet også.

## Øk forsiktig
- Når en øvelse går lett to besøk på rad, legg til 2–3 repetisjoner eller ta bort litt støtte.

## Sikkerhet
- Stopp hvis brukeren blir svimmel, får vondt eller blir så andpusten at det er vanskelig å prate.
- Faller brukeren: ikke løft alene. Se om personen er uskadd, ring 113 ved skade eller tvil, \
og gi beskjed til pårørende og avdelingsleder.
- Skriv kort i notatboken hva dere gjorde og hvordan det gikk.
"""

COGNITIVE_PLAN = """\
Korte tenke- og pusleoppgaver som holder hodet i gang. 15–20 minutter er nok. \
Det skal være hyggelig, ikke en prøve: ros innsatsen, og stopp før brukeren blir sliten.

## Før dere starter
- Les notatene fra Bli kjent-møtet: hva brukeren liker å snakke om, og om slike oppgaver \
gjør brukeren fort sliten.
- Sitt rolig, uten TV eller radio på. Ha med penn, papir og gjerne noen bilder.
- Velg én eller to oppgaver per besøk, og bytt fra gang til gang.

## 1. Ordkombinasjoner
- Finn så mange ord som mulig på samme bokstav, for eksempel S: sol, sjø, sykkel.
- Sammensatte ord: du sier første del, for eksempel «sol», brukeren finner resten: \
solbær, solskinn, solvegg.
- Ordkjede: neste ord begynner på siste bokstav i ordet før.

## 2. Bilde og ord
- Bruk gamle fotografier, ukeblader eller bilder på mobilen.
- Brukeren sier hva bildet viser, og forteller hva det minner om.
- Legg fram fem bilder, snu dem, og se hvor mange brukeren husker.

## 3. Lyd og ord
- Spill en kjent sang fra ungdomstiden. Syng med og finn ordene som mangler.
- Lytt til lyder som fuglesang, kirkeklokker eller regn, og finn ord og minner som hører til.
- Rim: du sier et ord, brukeren finner et ord som rimer.

## 4. Skrive ned minner
- Velg et tema: første jobb, skoledagene, en reise, julen i barndommen.
- Brukeren forteller og skriver selv noen linjer om det går. Ellers skriver du mens \
brukeren forteller.
- Minnene kan samles i notatboken og leses igjen neste gang.

## Godt å vite
- Oppgaven skal være litt krevende, men gi mestring. Gjør den lettere hvis det butter.
- Blir brukeren urolig eller lei seg, gå over til vanlig prat.
- Skriv kort i notatboken hvilke oppgaver dere gjorde og hva som fungerte.
- Husk taushetsplikten: det brukeren forteller, blir mellom dere.
"""

INTERVIEW_FORM = """\
Samtalen er obligatorisk før besøkene starter. Du fyller ut skjemaet i appen under møtet. \
Møtet skal avstemme kjemi, ikke avklare om tjenesten skal kjøpes, og varer maks én time.

## Kriteriene for kvalitetsbesøk med trening
- Besøket er frivillig og ønsket av den som får det.
- Personen er ikke kjent for å bli sint eller irritert uten åpenbar grunn.
- Personen klarer toalettbesøk uten hjelp fra senioren.

## Spørsmålene
- 1. Navn, alder og adresse til den som skal få besøk.
- 2. Når andre bestiller: er brukeren informert om besøket fra Seniorene?
- 3. Hvordan forbereder vi brukeren på at det kommer besøk: ringer pårørende eller senioren?
- 4. Navn og telefon til pårørende som kan kontaktes under besøket.
- 5. Hva liker brukeren særlig å snakke om?
- 6. Når pårørende bestiller: er det tema man skal unngå, eller annet som kan påvirke \
brukeren negativt?
- 7. Til kognitiv trening: er det noe senioren bør vite? Blir brukeren fort sliten av slike \
oppgaver?
- 8. Til fallforebyggende trening: har brukeren falt før, omtrent når og i hvilken situasjon?
- 9. Hvor ofte ønskes kvalitetsbesøk?

## Etter møtet
- Skjemaet er bare synlig for senioren som skal besøke, avdelingsleder og fagansvarlig.
- Bli kjent-møtet er betalt, men faktureres ikke kunden. Kilometer føres med formål \
«bli kjent møte», uten kunde.
"""

DECLARATION = """\
Som senior i Seniorene Omsorg får jeg vite private ting om brukerne og de pårørende: \
om helse, familie, økonomi og hjemmet deres.

Jeg erklærer at jeg:
- ikke forteller videre noe av det jeg får vite om brukeren, pårørende eller andre i hjemmet, \
verken muntlig, skriftlig eller i sosiale medier;
- bare deler opplysninger med avdelingsleder og fagansvarlig når det trengs for å gi en god og \
trygg tjeneste;
- i SMS til pårørende bare skriver en kort oppsummering av besøket, uten sensitive detaljer;
- oppbevarer intervjuskjema og notater trygt, og ikke tar bilder av brukeren eller hjemmet uten \
samtykke;
- sier fra til avdelingsleder hvis jeg er bekymret for brukerens helse eller sikkerhet.

Taushetsplikten gjelder også etter at oppdraget eller arbeidsforholdet er slutt.
"""

DEFAULT_MODULES: tuple[DefaultModule, ...] = (
    DefaultModule("video-forberedelse", "video", "Forberedelse", VIDEO_PREPARATION, STAFF_PAGE),
    DefaultModule(
        "video-gjennomforing", "video", "Gjennomføring av besøket", VIDEO_VISIT, STAFF_PAGE
    ),
    DefaultModule("plan-fysisk", "reading", "Treningsplan: fysisk trening", PHYSICAL_PLAN),
    DefaultModule("plan-kognitiv", "reading", "Treningsplan: kognitiv trening", COGNITIVE_PLAN),
    DefaultModule(
        "intervjuskjema", "reading", "Intervjuskjema ved Bli kjent-møtet", INTERVIEW_FORM
    ),
    DefaultModule("taushetserklaering", "declaration", "Taushetserklæring", DECLARATION),
)
