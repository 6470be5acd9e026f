"""Guess the language of a policy from its function words, with nothing to download.

The model only knows some languages (its manifest says which); this guess lets the checker warn
instead of silently scoring, say, a Polish policy with an English model. Very frequent words
("the", "und", "och") separate the EU languages well on a few sentences, and counting them is
fast and deterministic.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from dataclasses import dataclass

# Fewer matched function words than this and any guess would be noise.
_MIN_MATCHES = 3
# A characteristic letter counts for this share of a word (split among the languages using it).
_LETTER_WEIGHT = 0.25

_STOPWORDS: dict[str, str] = {
    "bg": "и в на за с от да се е не са по че към това този тази тези които който която както"
    " като или но ако при до ще бъде бъдат нас нашия нашите вас вашите вие ние те той тя им"
    " го във със след между само също",
    "cs": "a v se na je že s z do o k to i by jako ale nebo pro při od po za jsou být byl které"
    " který která tak jeho její jejich jsme nás naše náš vaše váš vám vás tento tato toto tyto"
    " také jen pouze podle pokud když bez mezi již však může před přes této těchto",
    "da": "og i at det som en på er af for med til den har de ikke om et var jeg vi vores os du"
    " dig din dine jer kan skal eller fra ved men når så også disse dette hvordan hvilke andre"
    " sine sin under efter gennem uden mod være bliver blive nogle hvis hvad meget kun denne",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch"
    " es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen"
    " so zum haben nur oder aber vor zur bis durch sowie ihre ihrer ihnen wir unsere uns wenn"
    " diese dieser können kann gemäß während",
    "el": "και το η ο τα τις των την του της με σε για από που να είναι θα δεν στο στη στην στα"
    " στον στις ένα μια ή οι αν όταν μας σας τους αυτά αυτό αυτή αυτές όπως μόνο επίσης μπορεί"
    " έχει έχουν σύμφωνα κατά προς μετά",
    "en": "the of and to in a is that for it as with be by on are this or not from at which we"
    " you your our us may will can have has if any such other these their they an been when"
    " who how about also",
    "es": "el la los las de del y en un una es que por para con no se su sus al lo como más pero"
    " o este esta estos estas le ha son ser sobre entre cuando nuestro nuestra nuestros usted"
    " también puede sin hasta desde donde nos e",
    "et": "ja on ei see et kui ka või aga mis kes oma meie teie me te nad tema selle seda need"
    " neid siis kas ole olema oleme kõik ainult veel juba kuidas mida mille kus pärast enne"
    " vastavalt ning nii",
    "fi": "ja on ei se että hän oli ovat tai kuin mutta myös joka jotka joita sekä kun jos niin"
    " tämä nämä ne me meidän meille meitä sinun sinulla sinusta teidän te he voi voit voimme"
    " voidaan sen siitä sitä mukaan kanssa vain jo kaikki ole olla olemme mitä miten tämän"
    " tästä näitä niitä ennen jälkeen",
    "fr": "le la les de des du et en un une est que qui dans pour par sur au aux pas ne ce cette"
    " ces il elle nous vous vos votre nos notre avec sont être ou son sa ses leur leurs plus"
    " peut qu d l à selon lorsque afin",
    "ga": "an na agus ar is i le go a ag de do sé sí siad muid sinn tú sibh bhí beidh atá"
    " bhfuil faoi ó trí chun mar nó níl ní leis lena seo sin é iad aon gach",
    "hr": "i u je da se na za s od do su kao što koji koja koje ili ali biti bi to ne iz o po"
    " sa će smo naše naš vaše vaš vam vas nas ova ovaj ovo ove te kada ako samo također"
    " prema bez između već jer",
    "hu": "a az és hogy nem is egy meg van volt el ki de csak mint ha vagy már még azt ez ezt"
    " ezek azok mert pedig után alatt szerint illetve amely amelyek ami amit akik kell lehet"
    " önnek ön önt által során számára között minden",
    "is": "og að í á er sem við til það ekki um með af en fyrir eru var hann hún þú þið okkar"
    " þetta þessi þessar eða ef þegar hvernig hvað vegna samkvæmt skal má getur",
    "it": "il lo la i gli le di del della dei delle da dal dalla in nel nella con su sul per tra"
    " fra e è un una uno che non si sono come più anche ma o ai al alla alle degli questo"
    " questa questi queste essere suo sua suoi nostro nostra nostri può possono ci ne",
    "lt": "ir yra kad su į iš ar bet kaip tai jo jos jų mes mūsų jūs jūsų jums jus jei kai"
    " taip pat tik dėl per be prie apie pagal bei kuris kuri kurie kurių savo gali būti buvo"
    " turi tačiau arba",
    "lv": "un ir ka ar uz no par vai bet kā tas tā to tie tās mēs mūsu jūs jūsu jums ja kad"
    " arī tikai pie bez pēc saskaņā kas kuri kura kuras savu var būt bija tiek tiks jo lai"
    " līdz",
    "mt": "il l u ta tal li ma minn dan din huwa hija jew biex kif fejn meta mhux aħna tagħna"
    " tiegħek tagħkom inti intom fil fl bil għall għal lil mill dwar skont bħala jistgħu"
    " jista kull wara qabel ukoll hemm",
    "nl": "de het een en van in is op te dat die voor met zijn niet aan er als bij ook om uit"
    " door wordt worden naar maar dan of kan wij we ons onze uw u deze dit hebben heeft zo nog"
    " geen tot over je jouw hun",
    "no": "og i at det som en på er av for med til den har de ikke om et var jeg vi vår våre"
    " oss du deg din dine dere kan skal eller fra ved men når så også disse dette hvordan"
    " hvilke andre sine sin under etter gjennom uten mot være blir bli noen hvis hva mye kun"
    " denne",
    "pl": "i w z na się do nie że to jest o jak po a od za przez dla ich jego jej oraz lub"
    " który która które których tym tego tej są być może możesz ze we co czy jako także ale"
    " nas nasz nasze naszym twoje twoich tobie jeśli gdy tylko przy pod również",
    "pt": "o a os as de do da dos das e em um uma é que para com não por no na nos nas se ao"
    " aos mais como mas ou seu sua seus suas pelo pela pelos pelas são ser foi este esta isso"
    " quando também você nosso nossa nossos nossas entre sobre à às até",
    "ro": "și şi în de la a al ale cu pe care nu este sunt o un unei unui din pentru sau ce că"
    " prin mai dacă fi să se ne noi nostru noastră dumneavoastră vă vor fost acest această"
    " aceste acestea astfel între după fără despre către"
    # common words as often written without diacritics ("si" is shared with Italian)
    " daca dupa fara intre aceasta acestei catre si",
    "sk": "a v sa na je že s z do o k to i by ako ale alebo pre pri od po za sú byť bol ktoré"
    " ktorý ktorá tak jeho jej ich sme nás naše náš vaše váš vám vás tento táto toto tieto"
    " tiež len iba podľa ak keď bez medzi už však aby môže môžete",
    "sl": "in v je da se na za s z od do so kot ki ali biti bi to ne iz o po pri bo bomo smo"
    " naše naš vaše vaš vam vas nas ta te tudi samo kadar če lahko le glede brez med že ker"
    " skladu",
    "sv": "och i att det som en på är av för med till den har de inte om ett var jag vi vår"
    " våra oss du dig din dina er ni kan ska skall eller från vid men när så också dessa"
    " detta hur vilka vilket andra sina sin under efter genom utan mot även",
}

# Letters that few languages use; a small tie-breaker between close languages (da/no, cs/sk).
_LETTERS: dict[str, str] = {
    "cs": "řůě",
    "da": "æøå",
    "de": "ßü",
    "es": "ñ¿¡",
    "et": "õü",
    "fr": "çèêœù",
    "hr": "čćđ",
    "hu": "őű",
    "is": "þðæ",
    "lt": "ėįųū",
    "lv": "āēīķļņģū",
    "mt": "ħġċż",
    "no": "æøå",
    "pl": "łśźżńąę",
    "pt": "ãõç",
    "ro": "șțăş",
    "sk": "ľĺŕôä",
    "sl": "č",
    "sv": "åäö",
    "fi": "äö",
}

# Every non-ASCII letter each language writes with (loanword accents included). A decoding
# that puts other letters into a text of that language is probably the wrong one.
_ALPHABETS: dict[str, str] = {
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюяѝ",
    "cs": "áčďéěíňóřšťúůýž",
    "da": "æøåéáóü",
    "de": "äöüßéèàáç",
    "el": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰς",
    "en": "éèêëàâáäçïîíñóöôúüû",
    "es": "áéíóúñü",
    "et": "äöõüšž",
    "fi": "äöåšžé",
    "fr": "àâæçéèêëîïôœùûüÿ",
    "ga": "áéíóú",
    "hr": "čćđšž",
    "hu": "áéíóöőúüű",
    "is": "áéíóúýþæöð",
    "it": "àèéìíîòóùú",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
    "mt": "ċġħżàèìòù",
    "nl": "éëïöüèáóàç",
    "no": "æøåéèóôü",
    "pl": "ąćęłńóśźż",
    "pt": "àáâãçéêíóôõúü",
    "ro": "ăâîșțşţ",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "sl": "čšžćđ",
    "sv": "åäöéü",
}
_ALL_LETTERS = "".join(_ALPHABETS.values())
# Symbols that legitimately touch letters: quotes, apostrophes, dashes, soft hyphen, marks.
_WORD_PUNCTUATION = "’‘ʼ´“”„‚«»‹›–—‐‑…·\xad™®©°"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

LANGUAGES: tuple[str, ...] = tuple(sorted(_STOPWORDS))


def _weights(table: dict[str, str], split: bool) -> dict[str, tuple[tuple[str, float], ...]]:
    """Map each word (or letter) to its languages; shared ones count 1/k for each of k."""
    owners: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        for item in table.get(lang, "").split() if split else table.get(lang, ""):
            if lang not in owners.setdefault(item, []):
                owners[item].append(lang)
    return {item: tuple((lang, 1 / len(langs)) for lang in langs) for item, langs in owners.items()}


_WORDS = _weights(_STOPWORDS, split=True)
_LETTER_OWNERS = _weights(_LETTERS, split=False)
_TOKEN = re.compile(r"[^\W\d_]+")
# Punctuation other than ASCII around words ("“data”"): no letters, so stripping it leaves
# the word.
_EDGE_PUNCTUATION = "’‘“”«»„–—…•·"
# Each character whose lower case holds characteristic letters ("Ø", and "ẞ" for "ß"), so that
# letters are counted in the text as written, without lower-casing it all.
_CASED_LETTERS: dict[str, str] = {
    c: "".join(x for x in c.lower() if x in _LETTER_OWNERS)
    for c in "".join(_LETTER_OWNERS) + "".join(_LETTER_OWNERS).upper() + "\u1e9e\u212b"
    if any(x in _LETTER_OWNERS for x in c.lower())
}
# The text is read as UTF-8 with its ASCII letters lower-cased and every other ASCII character
# made a space: tokens are runs of letters, so none is cut or joined, and an ASCII word comes
# out as lower-case letters only.
_LOWER_LETTERS_ONLY = bytes(
    c if c >= 0x80 else ord(chr(c).lower()) if chr(c).isalpha() else 0x20 for c in range(256)
)
_WORDS_UTF8 = {word.encode(): word for word in _WORDS}
_CASED_LETTERS_UTF8 = {c: c.encode() for c in _CASED_LETTERS}
_ASCII = bytes(range(0x80))
# The same owners by index into LANGUAGES, for scores kept in a list.
_WORD_OWNERS = {
    word: tuple((LANGUAGES.index(lang), w) for lang, w in owners) for word, owners in _WORDS.items()
}
_LETTER_INDEXES = {
    letter: tuple((LANGUAGES.index(lang), w) for lang, w in owners)
    for letter, owners in _LETTER_OWNERS.items()
}


def _chunks(text: str) -> Counter[bytes]:
    """The chunks of ``text`` as UTF-8, split at every ASCII character that is not a letter
    (spaces, punctuation, digits), ASCII letters lower-cased, counted in order of first
    occurrence.

    Tokens are the runs of letters (``_TOKEN``) in the lower-cased text. Lower-casing goes
    character by character and leaves ASCII characters other than letters as they are, so no
    token spans a split and the tokens of the text are those of its lower-cased chunks: each
    distinct chunk is read once however often it occurs. The exception is a capital sigma, whose
    lower case depends on its neighbours (final or not, looking past apostrophes and periods):
    a text with one is lower-cased whole first (lower-casing twice changes nothing)."""
    if "\u03a3" in text:
        text = text.lower()
    return Counter(text.encode("utf-8", "surrogatepass").translate(_LOWER_LETTERS_ONLY).split())


def _function_words(chunks: Counter[bytes]) -> dict[str, int]:
    """How often each function word occurs among the tokens of the lower-cased text, in order
    of first occurrence: visiting the distinct chunks in order of first occurrence visits each
    token first where it first occurs (which the float sums of the scores depend on)."""
    found: dict[str, int] = {}
    get = found.get
    for chunk in chunks:
        word = _WORDS_UTF8.get(chunk)
        if word is not None:
            found[word] = get(word, 0) + chunks[chunk]
        elif not chunk.isascii():  # (an ASCII chunk is lower-case letters: one token)
            text = chunk.decode("utf-8", "surrogatepass")
            if not text.islower():
                text = text.lower()
            elif text.isalpha():
                continue  # its own lower case: one token, not a function word
            text = text.strip(_EDGE_PUNCTUATION)
            if text.isalpha():  # one token
                if text in _WORDS:
                    found[text] = get(text, 0) + chunks[chunk]
            else:  # "we’ve", "İ" ("i̇"), or no letters at all
                n = chunks[chunk]
                for token in _TOKEN.findall(text):
                    if token in _WORDS:
                        found[token] = get(token, 0) + n
    return found


def _letters(chunks: Counter[bytes]) -> dict[str, int]:
    """How often each characteristic letter occurs in the chunks (in either case). Only the few
    chunks that are not ASCII have any: the letters present are found among their characters
    other than ASCII, then each is counted in one fast pass over their occurrences."""
    odd = list(itertools.filterfalse(bytes.isascii, chunks))
    chars = b"".join(odd).translate(None, _ASCII).decode("utf-8", "surrogatepass")
    letters: dict[str, int] = {}
    present = _CASED_LETTERS.keys() & set(chars)
    if present:
        repeated = b"".join(map(operator.mul, odd, map(chunks.__getitem__, odd)))
        for ch in present:
            n = repeated.count(_CASED_LETTERS_UTF8[ch])  # (UTF-8 is never misread mid-character)
            for letter in _CASED_LETTERS[ch]:
                letters[letter] = letters.get(letter, 0) + n
    return letters


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1, or "und" when unknown or too little text
    confidence: float  # the best language's share of all scores, 0..1


UNDETERMINED = LanguageGuess("und", 0.0)


def detect_language(text: str, *, max_chars: int = 20000) -> LanguageGuess:
    """Guess the language of the first ``max_chars`` characters from their function words."""
    chunks = _chunks(text[:max_chars])
    found = _function_words(chunks)
    matched = sum(found.values())
    if matched < _MIN_MATCHES:
        return UNDETERMINED
    scores = [0.0] * len(LANGUAGES)  # in the order of LANGUAGES
    for word, n in found.items():  # in order of first occurrence, so the float sums are as ever
        for i, weight in _WORD_OWNERS[word]:
            scores[i] += weight * n
    letters = _letters(chunks)
    for letter, owners in _LETTER_INDEXES.items():
        n = letters.get(letter, 0)
        if n:
            for i, weight in owners:
                scores[i] += _LETTER_WEIGHT * weight * n
    total = sum(scores)
    best = max(range(len(LANGUAGES)), key=scores.__getitem__)  # ties go to the first code
    return LanguageGuess(LANGUAGES[best], round(scores[best] / total, 3))


def count_function_words(text: str) -> int:
    """How many words of ``text`` are function words of some language.

    Decoding uses it to choose between candidate encodings: the right one spells more of them.
    """
    return sum(_function_words(_chunks(text)).values())


def odd_characters(text: str, *, max_chars: int = 20000) -> int:
    """Count characters that look wrong for the text's language: a wrong decoding makes them.

    Odd are C1 control codes, letters outside the language's alphabet ("Mùžete" for Czech) and
    symbols touching letters ("tu¿a", "¶wiadczenia"). With the language unknown, any EU letter
    is fine.
    """
    sample = text[:max_chars]
    code = detect_language(sample).code
    alphabet = _ALPHABETS.get(code, _ALL_LETTERS)
    odd = 0
    for match in _NON_ASCII.finditer(sample):
        ch, i = match.group(), match.start()
        if "\x80" <= ch <= "\x9f":
            odd += 1
        elif ch.isalpha():
            odd += ch.lower() not in alphabet
        elif not ch.isspace() and ch not in _WORD_PUNCTUATION:
            odd += sample[i - 1 : i].isalpha() or sample[i + 1 : i + 2].isalpha()
    return odd
