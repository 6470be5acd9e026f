"""A hand-written keyword / regular-expression checker: the baseline a team would write itself.

Rules come from the element definitions (``checker/registry.py``, the README's element table,
``data/labels/GUIDELINES.md``) and general GDPR vocabulary in English, Swedish, German, French
and Dutch, with a few Danish/Norwegian, Spanish, Italian, Finnish and Polish terms. They were
written before any measurement and are not tuned to the dev set. No code or term list is shared
with ``checker`` (this must stay an independent baseline).

The text is cut into rough sentences (lines, then ``. ! ?``); each element is present when one
sentence matches (for a DPO, the sentence or the contact-block lines right under it).
"""

from __future__ import annotations

import re
from collections.abc import Callable


def _any(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern. Sentences are lower-cased once and the patterns here, which
    is the same match as re.IGNORECASE and twice as fast (so no upper-case escapes like \\S)."""
    joined = "|".join(f"(?:{p})" for p in patterns)
    if re.search(r"\\[A-Z]", joined):
        raise ValueError("upper-case escapes do not survive lower()")
    return re.compile(joined.lower())


# --- sentences -------------------------------------------------------------------------------

_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-ZÀ-Þ0-9])")


def sentences(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.strip(" \t#*->|")
        if line:
            out.extend(s.strip() for s in _SENT_END.split(line) if s.strip())
    return out


# --- dpo_contact -----------------------------------------------------------------------------

DPO = _any(
    r"\bdata[- ]protection[- ]officer",
    r"\bDPO\b",
    r"\bdataskyddsombud",  # sv
    r"\bdatenschutzbeauftragte",  # de
    r"\bdatenschutzberater",  # ch
    r"\bd[ée]l[ée]gu[ée]e? (?:à|a) la protection des donn[ée]es",  # fr
    r"\bDPD\b",
    r"\bfunctionaris (?:voor )?(?:de )?gegevensbescherming",  # nl
    r"\bdatabeskyttelses?r[åa]dgiver",  # da
    r"\bpersonvernombud",  # no
    r"\bdelegad[oa] de protecci[óo]n de datos",  # es
    r"\bresponsabile (?:della|per la) protezione dei dati",  # it
    r"\bRPD\b",
    r"\btietosuojavastaava",  # fi
    r"\binspektor(?:a|em)? ochrony danych",  # pl
)
ROUTE = _any(
    r"[\w.+-]+@[\w-]+\.[\w.-]+",  # e-mail address
    r"\[at\]|\(at\)",
    r"https?://|www\.",
    r"\+?\d[\d ()/-]{7,}\d",  # phone number
    r"\b(?:contact|reach|write to|e-?mail|by post|postal address|address(?:ed)? (?:above|below))",
    r"\bkontakta|\bnås\b|\bskriv(?:a)? till|\be-?post|\badress",  # sv
    r"\bkontakt|\berreichen|\berreichbar|\bschreiben sie|\banschrift|\badresse",  # de, da, no
    r"\bcontacter|\bjoindre|\bécrire|\bcourriel|\bcourrier",  # fr
    r"\bcontact opnemen|\bbereiken|\bbereikbaar|\badres\b",  # nl
    r"\bcontactar|\bcorreo|\bdirecci[óo]n|\bcontattare|\bindirizzo",  # es, it
)
DPO_MAILBOX = _any(r"\b(?:dpo|privacy\.officer)@")
NO_DPO = _any(
    r"\bnot (?:been )?(?:required|obliged|obligated) to (?:appoint|designate|have)",
    r"\b(?:have|has) not (?:appointed|designated)",
    r"\bno (?:data protection officer|DPO)\b",
    r"\binte (?:skyldig|skyldiga) att utse",
    r"\bnicht verpflichtet\b.*beauftragt",
    r"\bkeine?n? datenschutzbeauftragt",
    r"\bpas (?:tenus?|obligée?s?) de (?:désigner|nommer)",
    r"\bniet verplicht\b.*functionaris",
)
# A DPO that belongs to someone else: a vendor, processor, partner or the regulator.
OTHERS_DPO = _any(
    r"\b(?:their|its|the) (?:vendor|processor|provider|supplier|partner)s?'?s?\b.{0,40}"
    r"(?:data protection officer|DPO)",
    r"\b(?:vendor|processor|provider|supplier|partner|third part(?:y|ies))'s? "
    r"(?:data protection officer|DPO)",
    r"(?:data protection officer|DPO) of (?:the|our|this|that) "
    r"(?:vendor|processor|provider|supplier|partner|authority|regulator)",
    r"\b(?:we are|is) (?:recruiting|hiring|looking for)\b",
)


def _dpo_contact(sents: list[str]) -> bool:
    for i, s in enumerate(sents):
        if not DPO.search(s) and not DPO_MAILBOX.search(s):
            continue
        if NO_DPO.search(s) or OTHERS_DPO.search(s):
            continue
        if ROUTE.search(s):
            return True
        # or a contact block under it: the short lines right after (name, street, e-mail)
        block = []
        for line in sents[i + 1 : i + 5]:
            if len(line.split()) > 10:
                break
            block.append(line)
        if ROUTE.search(" ".join(block)):
            return True
    return False


# --- complaint_right -------------------------------------------------------------------------

COMPLAIN = _any(
    r"\bcomplain",
    r"\blodge\b",
    r"\bklag|\bklacht",  # sv klagomål / klaga, da/no klage, nl klacht
    r"\bbeschwer",  # de
    r"\br[ée]clamation|\bplainte|\bsaisir (?:la|une|l[ae'])",  # fr
    r"\breclama(?:ci[óo]n|r)|\breclamo\b|\bqueja|\bricorso|\bsegnalazione",  # es, it
)
AUTHORITY = _any(
    r"\bsupervisory (?:authority|authorities|body)",
    r"\bdata protection (?:authority|authorities|supervisor|commission(?:er)?|agency|board)",
    r"\b(?:privacy|information) commissioner",
    r"\bregulator\b",
    r"\bICO\b|\bDPC\b|\bOAIC\b|\bFDPIC\b|\bED[ÖO]B\b|\bEDPS\b",
    r"\btillsynsmyndighet|\bintegritetsskyddsmyndigheten|\bIMY\b|\bdatainspektionen",  # sv
    r"\baufsichtsbeh[öo]rde|\bdatenschutzbeh[öo]rde|\blandesbeauftragte|\bBfDI\b",  # de
    r"\bautorit[ée] de (?:contr[ôo]le|protection des donn[ée]es)|\bCNIL\b",  # fr
    r"\bautoriteit persoonsgegevens|\btoezichthouder|\btoezichthoudende autoriteit",  # nl
    r"\bdatatilsynet",  # da, no
    r"\bautoridad de (?:control|protecci[óo]n de datos)|\bAEPD\b|\bprotecci[óo]n de datos\b",
    r"\bgarante\b|\bautorit[àa] di controllo",  # it
    r"\btietosuojavaltuutettu|\bUODO\b",  # fi, pl
)
NOT_A_COMPLAINT_RIGHT = _any(
    r"\bstandard contractual clauses?",
    r"\b(?:notify|inform|report)(?:ing)? (?:the )?(?:relevant |competent )?"
    r"(?:supervisory|data protection) authorit",
)


def _complaint_right(sents: list[str]) -> bool:
    for i, s in enumerate(sents):
        if not COMPLAIN.search(s) or NOT_A_COMPLAINT_RIGHT.search(s):
            continue
        # the authority in the same sentence, or named in the one right after it
        if AUTHORITY.search(s) or (i + 1 < len(sents) and AUTHORITY.search(sents[i + 1])):
            return True
    return False


# --- retention -------------------------------------------------------------------------------

KEEP = _any(
    r"\bretain|\bretention|\bkeep|\bkept\b|\bstored?\b|\bstoring|\bhold\b|\bheld\b",
    r"\bdelete|\berase|\banonymi[sz]",
    r"\blagra|\bsparas|\bsparar|\bbevara|\bbehåll|\bradera|\bgallra",  # sv
    r"\bspeicher|\baufbewahr|\bgelöscht|\blöschen|\blöschung",  # de
    r"\bconserv|\bsupprim|\beffac",  # fr, es, it
    r"\bbewaar|\bbewaren|\bverwijder|\bopgeslagen|\bopslaan",  # nl
    r"\bopbevar|\bslett",  # da, no
)
PERIOD = _any(
    r"\b\d+\s*(?:years?|months?|weeks?|days?|hours?)\b",
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty)\s+"
    r"(?:years?|months?|weeks?|days?)\b",
    r"\b(?:as long as|for as long as|until|no longer than|not longer than|for the duration)",
    r"\b\d+\s*(?:år|månader|veckor|dagar)\b|\bså länge|\btills\b|\binte längre än",  # sv
    r"\b\d+\s*(?:jahre|jahren|monate|monaten|wochen|tage|tagen)\b|\bsolange|\bbis zu[rm]?\b"
    r"|\bnicht länger als",  # de
    r"\b\d+\s*(?:ans?|mois|semaines|jours)\b|\baussi longtemps|\bjusqu'(?:à|au)"
    r"|\bpas au-delà|\bdurée",  # fr
    r"\b\d+\s*(?:jaar|jaren|maanden|weken|dagen)\b|\bzolang|\btotdat|\bniet langer dan",  # nl
    r"\b\d+\s*(?:años|meses|días|anni|mesi|giorni)\b|\bmientras|\bfinché|\bper il tempo",
)
RETENTION_NOUN = _any(
    r"\bretention (?:period|periods|schedule|policy)",
    r"\bstorage (?:period|duration)",
    r"\bhow long (?:we|do we|will we|is your|are your)",
    r"\blagringstid|\blagringsperiod|\bbevarandetid|\bgallringsfrist",  # sv
    r"\bspeicherdauer|\baufbewahrungsfrist|\blöschfrist|\bdauer der speicherung",  # de
    r"\bdurée de conservation|\bdurées de conservation",  # fr
    r"\bbewaartermijn|\bbewaarperiode",  # nl
    r"\bplazo de conservaci[óo]n|\bperiodo di conservazione|\bopbevaringsperiode",
)
NOT_RETENTION = _any(
    r"\b(?:retain|reserve|keep)s? the right",
    r"\bkeep (?:you|yourself) (?:informed|updated|up to date)",
    r"\bkeep (?:your (?:data|information) )?(?:safe|secure|confidential)",
)


def _retention(sents: list[str]) -> bool:
    for s in sents:
        stated = RETENTION_NOUN.search(s) and len(s.split()) > 3  # a statement, not a heading
        if (stated or (KEEP.search(s) and PERIOD.search(s))) and not NOT_RETENTION.search(s):
            return True
    return False


# --- children --------------------------------------------------------------------------------

CHILD = _any(
    r"\bchild(?:ren)?(?:'s)?\b",
    r"\bminors?\b",
    r"\bparental (?:consent|permission|authori[sz]ation)|\bparents? or (?:legal )?guardians?",
    r"\b(?:directed|targeted|aimed) (?:at|to(?:wards)?) (?:children|minors)",
    r"\bbarn(?:en|s|et)?\b|\bminderåriga|\bvårdnadshavare|\bmålsman",  # sv
    r"\bkinder[n]?\b|\bminderjährige|\berziehungsberechtigte|\bjugendliche",  # de
    r"\benfants?\b|\bmineurs?\b|\bautorit[ée] parentale",  # fr
    r"\bkinderen\b|\bminderjarige|\bouders? of voogd",  # nl
    r"\bbørn\b|\bmindreårige",  # da, no
    r"\bniños\b|\bmenores de edad\b|\bminori\b|\bbambini\b",  # es, it
)
AGE_LIMIT = _any(
    r"\b(?:under|below|younger than) (?:the age of )?1[0-8]\b",
    r"\b(?:at least|over|older than) 1[3-8](?: years)?(?: old| of age)?\b",
    r"\b1[3-8] years of age or older|\b1[3-8] or older",
    r"\bunder 1[0-8] år|\bminst 1[3-8] år|\b1[3-8] år eller äldre",  # sv
    r"\bunter 1[0-8] jahren|\bmindestens 1[3-8] jahre|\bmindestalter",  # de
    r"\bmoins de 1[0-8] ans|\bau moins 1[3-8] ans",  # fr
    r"\bjonger dan 1[0-8]|\bonder de 1[0-8] jaar",  # nl
    r"\bmenores de 1[0-8] años|\bminori di 1[0-8] anni",  # es, it
)
NOT_CHILDREN = _any(
    r"\bchild (?:compan|entit|organi[sz]ation)",
    r"\bsubsidiar|\btochtergesellschaft|\bdotterbolag|\bfiliales?\b|\bdochteronderneming",
    r"\bparental leave|\bföräldraledig|\belternzeit",
    r"\bchild (?:price|fare|ticket)s?\b|\bchildren's (?:price|fare|ticket)",
)


def _children(sents: list[str]) -> bool:
    for s in sents:
        if (CHILD.search(s) or AGE_LIMIT.search(s)) and not NOT_CHILDREN.search(s):
            return True
    return False


RULES: dict[str, Callable[[list[str]], bool]] = {
    "dpo_contact": _dpo_contact,
    "complaint_right": _complaint_right,
    "retention": _retention,
    "children": _children,
}


def predict(text: str) -> dict[str, bool]:
    """Element id -> present, for one policy text."""
    sents = [s.lower() for s in sentences(text)]
    return {element: rule(sents) for element, rule in RULES.items()}
