"""Sentence splitting: the character spans of the sentences of a paragraph.

How it works
------------
1. The text is cut into blocks at blank lines; a blank line always ends a sentence. A single newline is
   ordinary whitespace.
2. In each block one compiled regex finds the *candidate* boundaries: a run of terminal punctuation, the
   closing quotes or brackets after it, the whitespace after those, and (by lookahead) the next token.
   Latin-style terminators (. ! ? …) are candidates only when whitespace or the end of the block follows,
   so decimals, URLs and "U.S.A" never reach Python code. Full stops of scripts written without spaces
   between sentences (。！？ ። ။ । ؟ ۔) are candidates even when text follows at once.
   An ASCII text whose only terminator is the full stop (most news paragraphs) is scanned with the same
   regex built for "." alone, which the regex engine runs faster.
3. Each candidate is kept or rejected by looking at the word before it and the token after it:
   abbreviations (per language), initials, ordinals, list numbers, the case of the next word, and
   brackets that are still open.
4. A paragraph that starts with a list marker ("1.", "a)", "• 9.") is also cut before the later markers
   of the same list ("2.", "b)", "• 10."), which inline lists write without a full stop.

Only the candidates cost Python work, so the speed depends mostly on the number of sentence-ending
marks, not on the number of characters. All tables are built at import and never changed: the function
is pure and thread-safe.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["split_sentences"]


# --- Characters ---------------------------------------------------------------------------------------

# Marks that end a sentence in Latin-like scripts; a boundary only when whitespace follows. U+037E is
# the Greek question mark, U+0589 the Armenian full stop; both are written with a space after them.
_SOFT_TERMINATORS = ".!?…‽⁇⁈⁉\u037e\u0589"
# Full stops of scripts that write no space between sentences (CJK, Ethiopic, Burmese) and stops of
# caseless scripts that are never abbreviation dots (Devanagari danda, Arabic question mark and full stop).
_HARD_TERMINATORS = "。！？｡।॥።፧؟۔။"
# Invisible direction marks that word processors wrap around punctuation in right-to-left text.
_FORMAT_CHARS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# What may follow a terminator and still belong to the sentence it ends. “ is there because German
# closes quotations with it („…“).
_CLOSERS = "\"'”’“»›)]}」』》】〉）〕" + _FORMAT_CHARS
_OPENING_QUOTES = "\"'“‘«„‚‹"
_OPENERS = _OPENING_QUOTES + "¿¡([{「『《【〈（"
_DASHES = "-‐‑‒–—―"
_TRAILING_PUNCTUATION = ".,;:!?…)]}\"'”’»›"
# Bracket pairs whose content is never split, as long as the bracket closes soon enough (see below).
_BRACKETS = (("(", ")"), ("[", "]"), ("《", "》"), ("「", "」"), ("『", "』"), ("（", "）"), ("【", "】"))
_ANY_OPENING_BRACKET = re.compile("[" + re.escape("".join(opening for opening, _ in _BRACKETS)) + "]")
_OPENING_BRACKETS = tuple(opening for opening, _ in _BRACKETS)
_ASCII_OPENING_BRACKETS = tuple(opening for opening in _OPENING_BRACKETS if opening.isascii())
# A bracket that is still open at a candidate suppresses the boundary only if it opened and closes within
# this many characters: an unbalanced "(" must not glue the rest of a long paragraph into one sentence.
_BRACKET_REACH = 400


def _candidate_regex(soft_terminators: str, hard_terminators: str) -> re.Pattern[str]:
    soft, hard = re.escape(soft_terminators), re.escape(hard_terminators)
    # Without hard terminators, their branch never matches ((?!)) but keeps its groups.
    after_hard, hard_run = (rf"(?<=[{hard}])", rf"[{hard}]*") if hard else ("(?!)", "")
    # French sets » off with a (no-break) space: "« LL.AA.II.RR. » pour".
    closer = rf"(?:[{re.escape(_CLOSERS)}]|[ \u00a0\u202f]»)"
    return re.compile(
        rf"""
        [{soft}{hard}]                 # a plain class first lets the regex engine skip fast to terminators
        (?<![{soft}][{soft}{hard}])    # start only at the first mark of a run ("?!", "....", ". . .") so
        (?<!\.[ ]\.)                   # that a long run is scanned once, not once per mark
        (?:
            (?<=[{soft}])              # Latin-style: a candidate only before whitespace or the end
            (?P<soft>
                (?<=\.)(?:[ ]\.){{2,}}  # an ellipsis written ". . ." (". . . ." with a full stop)
              | [{soft}]*
            )
            (?P<close>{closer}*)
            (?=\s|\Z)
          | {after_hard}              # no space needed after these
            (?P<hard>{hard_run})
            (?P<hard_close>{closer}*)
        )
        \s*
        (?=(?P<next>\S*))
        """,
        re.VERBOSE,
    )


_BLANK_LINE = re.compile(r"\n\s*\n")
# Dotted short forms: U.S, E.U, a.m, Ph.D, LL.AA.II.RR, Б.з.б (the final dot is the candidate).
_ACRONYM = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_ROMAN_NUMERAL = re.compile(r"(?=[MDCLXVI])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})")
# The start of a list item, as the whole text before a candidate full stop: "1", "a", "• 9", "⁃10".
_LIST_LABEL = re.compile(r"(?:[•⁃◦▪‣∙*-] ?)?(?:\d{1,3}|[a-z])")
_LIST_LABEL_MAX_LEN = 6
# A list marker at the start of a paragraph: "1.", "1.)", "1)", "a.", "• 9.", "⁃9.".
_LIST_ITEM_START = re.compile(r"(?P<bullet>[•⁃◦▪‣∙*-] ?)?(?P<label>\d{1,3}|[a-z])(?P<punct>\.\)|[.)])(?=\s)")
# The characters _LIST_ITEM_START can start with, but digits (str.isdigit: every character \d matches).
_LIST_MARKER_FIRST_CHARS = frozenset("•⁃◦▪‣∙*-abcdefghijklmnopqrstuvwxyz")
# How far back the word before a full stop is looked for; longer tokens (URLs) are never abbreviations.
_WORD_WINDOW = 40


# --- Abbreviations and sentence starters, per language --------------------------------------------------


class _Abbreviation(enum.Enum):
    TITLE = "comes before a name or a number, so never ends a sentence (Mr., Dr., St., e.g.)"
    NUMBER_PREFIX = "an abbreviation only when a number follows (No. 10, p. 55, Jan. 5); else a word"
    AMBIGUOUS = "may end a name or a sentence (Inc., Co., Jr., a.m., bg г.); the next word decides"
    SENTENCE_FINAL = "ends sentences like an ordinary word; listed to override the defaults (ru т.д.)"


@dataclass(frozen=True)
class _LanguageData:
    title: str = ""
    number_prefix: str = ""
    ambiguous: str = ""
    sentence_final: str = ""
    # Words that usually begin a sentence (function words). After an AMBIGUOUS abbreviation or a dotted
    # acronym, a capitalised word ends the sentence only if it is one of these: "in the U.S. How about
    # you?" splits, "the U.S. Government" does not.
    starters: str = ""
    extra_terminators: str = ""
    # "am 3. Oktober", "XII. Pluku": a number followed by a full stop is an ordinal, not a sentence end.
    ordinal_numbers: bool = False


_ENGLISH = _LanguageData(
    title=(
        "mr mrs ms mx messrs mmes dr drs prof profs rev revd hon st ste mt gen gens lt col capt cpt cmdr cdr"
        " adm brig maj sgt cpl pte pvt sen sens rep reps gov pres supt insp det cllr fr e.g i.e cf vs viz"
        " approx"
    ),
    number_prefix=(
        "no nos nr n° nº p pp vol vols fig figs art arts ch chap sec secs para paras tel ext op "
        "ed eds ca est jan feb mar apr jun jul aug sep sept oct nov dec"
    ),
    ambiguous="inc ltd co corp plc llc bros jr sr esq a.m p.m dept univ assn ave rd blvd al govt",
    starters=(
        "a an the this that these those there then thus he she it its i we you they his her their our my your"
        " him them me us who what when where why how which whose whom but and or nor so yet however meanwhile"
        " moreover furthermore also still instead otherwise indeed in on at for from by with without after"
        " before as if unless while although though since because once until during despite among between"
        " under over into through about against according not no none only even many most some several such"
        " both each every all any other others one two three last next now today yesterday tomorrow earlier"
        " later finally first here please let do does did is are was were has have had can could will would"
        " should may might must shall being millions thousands hundreds more less"
    ),
)

_LANGUAGES: dict[str, _LanguageData] = {
    "en": _ENGLISH,
    "de": _LanguageData(
        title="hr hrn frl dr prof st sog vgl z.b bzw ggf evtl inkl zzgl exkl bspw bzgl",
        number_prefix="nr abs art bd s tel ca jan feb mär apr jun jul aug sep sept okt nov dez",
        ambiguous="mio mrd",
        starters=(
            "der die das dem den des ein eine einer eines einem einen er sie es wir ich ihr du man aber und"
            " oder doch dann denn auch so nun jetzt heute im in am an auf aus bei mit nach seit von vor zu"
            " zum zur über unter wenn als wie was wer wo warum weil dass dies diese dieser dieses damit dabei"
            " daher deshalb trotzdem außerdem zudem nicht kein keine sein seine ihre unsere"
        ),
        ordinal_numbers=True,
    ),
    "da": _LanguageData(
        title="skt hr fru dr prof f.eks bl.a",
        number_prefix="nr kl ca jan feb mar apr jun jul aug sep sept okt nov dec",
        starters=(
            "hvad hvem hvor hvorfor hvordan hvis når det den de der dette disse jeg du han hun vi i man men"
            " og eller så som efter før også nu da en et min mit din dit sin sit vores deres er var har kan"
            " vil skal må ikke her"
        ),
        ordinal_numbers=True,
    ),
    "no": _LanguageData(
        title="hr fru dr prof f.eks bl.a",
        number_prefix="nr kl ca jan feb mar apr jun jul aug sep sept okt nov des",
        starters=(
            "det den de der han hun vi jeg du man men og eller så som etter før også nå en et min mitt "
            "din sin er var har kan vil skal ikke her hva hvem hvor hvorfor hvordan hvis når"
        ),
        ordinal_numbers=True,
    ),
    "sv": _LanguageData(
        title="dr prof t.ex bl.a",
        number_prefix="nr kl ca jan feb mar apr jun jul aug sep sept okt nov dec",
        starters=(
            "det den de där han hon vi jag du man men och eller så som efter före också nu en ett min "
            "mitt din sin är var har kan vill ska inte här vad vem var varför hur om när"
        ),
    ),
    "fr": _LanguageData(
        title="mm mme mmes mlle mlles dr pr me st ste cf env av",
        number_prefix="n° nº p pp art vol chap janv févr avr juil sept oct nov déc",
        starters=(
            "le la les un une des ce cet cette ces il elle ils elles on nous vous je mais et ou donc car puis"
            " alors ensuite en dans à au aux pour par avec sans selon après avant depuis pendant si quand"
            " lorsque comme que qui quoi où pourquoi comment ça cela ceci son sa ses leur leurs notre nos"
            " votre vos mon ma mes"
        ),
    ),
    "es": _LanguageData(
        title="sr sra srta sres sras dr dra lic ing arq d dña ud uds vd vds gral prof aprox",
        number_prefix="núm pág págs art vol cap tel ene feb mar abr jun jul ago sep sept oct nov dic",
        ambiguous="cía",
        starters=(
            "el la los las lo un una unos unas este esta estos estas ese esa eso esto él ella ellos ellas yo"
            " tú nosotros usted ustedes se pero y o ni además también luego entonces en con por para sin"
            " según desde hasta tras durante si cuando como que qué quién dónde cómo no su sus mi mis hay"
            " es fue"
        ),
    ),
    "it": _LanguageData(
        title="sig sigg dott dr prof avv ing arch on geom rag es mons sen",
        number_prefix="pag pagg art n nr vol cap tel gen feb mar apr mag giu lug ago set ott nov dic",
        starters=(
            "il lo la i gli le un uno una questo questa questi queste quello quella lui lei loro noi voi "
            "io ma e o però quindi poi allora anche in con per da di su tra fra dopo prima secondo se quando "
            "come che chi dove perché non è era"
        ),
    ),
    "nl": _LanguageData(
        title="dhr mevr mw mr dr drs ir prof ing st bijv resp",
        number_prefix="nr blz art jan feb mrt apr jun jul aug sep sept okt nov dec",
        starters=(
            "de het een dit dat deze die er hij zij ze wij we jij je u ik men maar en of dus toen nu ook in"
            " op aan met voor na bij van uit als wanneer hoe wat wie waar waarom omdat niet geen zijn"
            " haar hun"
        ),
    ),
    "pt": _LanguageData(
        title="sr sra srta dr dra prof eng exmo exma",
        number_prefix="nº n° pág art vol cap jan fev mar abr mai jun jul ago set out nov dez",
        starters=(
            "o a os as um uma este esta isso isto ele ela eles elas eu nós você mas e ou porém então "
            "também em no na nos nas com por para sem segundo após antes se quando como que quem onde porque "
            "não é foi"
        ),
    ),
    "pl": _LanguageData(
        title="ul al pl np tzw dr prof inż mgr hab ks św gen płk",
        number_prefix="nr s str godz ok",
        ambiguous="r w tys mln mld",
        starters=(
            "to ten ta te ci on ona ono oni one my wy ja ty ale i lub oraz więc potem teraz także w na "
            "z ze do od po przed przez dla jeśli gdy kiedy jak co kto gdzie dlaczego nie jest był była"
        ),
        ordinal_numbers=True,
    ),
    "cs": _LanguageData(
        title="ing mgr mudr judr phdr rndr bc doc prof tzv např resp sv tj ul",
        number_prefix="č čís str s tel",
        ambiguous="r tis mil",
        starters=(
            "to ten ta ty on ona ono oni my vy já ty ale a i nebo tak pak potom teď v na z do od po "
            "před pro když jak co kdo kde proč ne je byl byla"
        ),
        ordinal_numbers=True,
    ),
    "sk": _LanguageData(
        title="ing mgr mudr judr phdr rndr bc doc prof tzv napr resp sv tj ul",
        number_prefix="č čís str s tel",
        ambiguous="r tis mil",
        starters=(
            "to ten ta tie on ona ono oni my vy ja ty ale a i alebo tak potom teraz v na z do od po "
            "pred pre keď ako čo kto kde prečo nie je bol bola"
        ),
        ordinal_numbers=True,
    ),
    "ru": _LanguageData(
        title="им ул пр просп пл пер д кв см ср напр проф акад доц св ген т.е т.к т.н",
        number_prefix="№ стр с рис табл ст ч т п гл янв февр мар апр авг сент окт нояб дек",
        sentence_final="т.д т.п",
        ambiguous="г гг в вв млн млрд тыс руб долл",
        starters=(
            "это этот эта эти тот та те он она оно они мы вы я ты но и а или поэтому потом затем тогда теперь"
            " также в во на с со к по из за от до после перед при для если когда как что кто где почему не"
            " нет его ее её их"
        ),
    ),
    "uk": _LanguageData(
        title="вул просп пл д проф акад доц св ім т.зв",
        number_prefix="№ с ст рис табл",
        sentence_final="т.д т.п",
        ambiguous="р рр млн млрд тис грн",
        starters=(
            "це цей ця ці той та ті він вона воно вони ми ви я ти але і й а або тому потім тоді тепер "
            "також в у на з із до від після перед при для якщо коли як що хто де чому не"
        ),
    ),
    "bg": _LanguageData(
        title="пл ул бул гр проф доц акад д-р ген вкл напр т.нар",
        number_prefix="№ стр с ал чл т",
        ambiguous="г млн млрд хил лв",
        starters=(
            "това този тази тези той тя то те ние вие аз ти но и а или затова после тогава сега също в "
            "във на с със към по от за до след преди при ако когато как какво кой къде защо не"
        ),
    ),
    "kk": _LanguageData(
        title="көш",
        number_prefix="№ б",
        sentence_final="т.б",
        ambiguous="ж млн млрд",
        starters="бұл ол олар біз сіз мен сен бірақ және немесе сондықтан содан кейін қазір",
    ),
    "el": _LanguageData(
        title="κ κα δρ καθ π.χ βλ",
        number_prefix="αρ σελ",
        starters=(
            "ο η το οι τα ένας μια ένα αυτό αυτός αυτή αυτοί εμείς εσείς εγώ εσύ αλλά και ή όμως έτσι "
            "τότε τώρα επίσης σε στο στη στον στην με από για μετά πριν αν όταν πώς τι ποιος πού γιατί δεν"
        ),
        # The Greek question mark is usually typed as an ordinary semicolon.
        extra_terminators=";",
    ),
    "hy": _LanguageData(
        # The Armenian full stop (։) is usually typed as an ordinary colon.
        extra_terminators=":",
    ),
    "tr": _LanguageData(
        title="dr prof doç yrd av sn",
        number_prefix="no s",
        starters=(
            "bu şu o bunlar onlar biz siz ben sen ama ve veya ancak fakat sonra şimdi ile için gibi "
            "eğer ne kim nerede neden nasıl"
        ),
        ordinal_numbers=True,
    ),
    "fi": _LanguageData(title="esim mm ns ts tri prof", number_prefix="n nro s puh", ordinal_numbers=True),
    "hu": _LanguageData(title="dr prof pl ifj id özv", number_prefix="sz ált", ordinal_numbers=True),
}
# Bokmål and Nynorsk share the Norwegian lists; the other languages that write "3." for "third" get
# only that rule for now.
_LANGUAGES |= {"nb": _LANGUAGES["no"], "nn": _LANGUAGES["no"]}
_LANGUAGES |= {
    code: _LanguageData(ordinal_numbers=True) for code in ("et", "lv", "sl", "hr", "sr", "bs", "is")
}


@dataclass(frozen=True)
class _Rules:
    candidates: re.Pattern[str]
    # The same regex for a text whose only terminator is the full stop (most paragraphs of news in
    # ASCII): it starts with a plain character, which the regex engine finds several times faster than a
    # character of a class. Used when a text is ASCII and holds none of `other_ascii_terminators`.
    full_stop_candidates: re.Pattern[str]
    other_ascii_terminators: tuple[str, ...]
    abbreviations: Mapping[str, _Abbreviation]
    starters: frozenset[str]
    ordinal_numbers: bool
    # abbreviations.get as a plain dict's: looked up for nearly every full stop, where a read-only
    # mapping's get costs more. Nothing writes to the dict.
    kind_of: Callable[[str], _Abbreviation | None]


def _build_rules(data: _LanguageData) -> _Rules:
    # Every language also gets the English lists: news in any language quotes "Dr." or "Inc.", and the
    # language's own entries win where the two disagree.
    abbreviations: dict[str, _Abbreviation] = {}
    for source in (_ENGLISH, data):
        for kind, words in (
            (_Abbreviation.TITLE, source.title),
            (_Abbreviation.NUMBER_PREFIX, source.number_prefix),
            (_Abbreviation.AMBIGUOUS, source.ambiguous),
            (_Abbreviation.SENTENCE_FINAL, source.sentence_final),
        ):
            abbreviations.update(dict.fromkeys(words.split(), kind))
    return _Rules(
        candidates=_candidate_regex(_SOFT_TERMINATORS + data.extra_terminators, _HARD_TERMINATORS),
        full_stop_candidates=_candidate_regex(".", ""),
        other_ascii_terminators=tuple(
            mark for mark in _SOFT_TERMINATORS + data.extra_terminators + _HARD_TERMINATORS if mark.isascii() and mark != "."
        ),
        abbreviations=MappingProxyType(abbreviations),
        kind_of=abbreviations.get,
        starters=frozenset(_ENGLISH.starters.split()) | frozenset(data.starters.split()),
        ordinal_numbers=data.ordinal_numbers,
    )


_DEFAULT_RULES = _build_rules(_ENGLISH)
_RULES_BY_LANGUAGE: Mapping[str, _Rules] = MappingProxyType(
    {code: _DEFAULT_RULES if data is _ENGLISH else _build_rules(data) for code, data in _LANGUAGES.items()}
)


def _rules_for(language: str | None) -> _Rules:
    rules = _RULES_BY_LANGUAGE.get(language)  # most calls: a plain code ("en")
    if rules is not None:
        return rules
    if not language:
        return _DEFAULT_RULES
    # "en-GB", "zh_cn" and "ZH-TW" use the rules of their base language; unknown codes ("und") the default.
    base = language.replace("_", "-").split("-", 1)[0].lower()
    return _RULES_BY_LANGUAGE.get(base, _DEFAULT_RULES)


# --- Splitting ------------------------------------------------------------------------------------------


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of `text`, in order."""
    rules = _rules_for(language)
    candidates = rules.candidates
    if text.isascii() and not any(map(text.__contains__, rules.other_ascii_terminators)):
        candidates = rules.full_stop_candidates
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        _split_block(text, block_start, block_end, rules, candidates, spans)
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of text between blank lines, without surrounding whitespace."""
    if "\n" not in text:  # a paragraph of one line: one block
        if text and not text[0].isspace() and not text[-1].isspace():  # most: no copies needed
            return [(0, len(text))]
        stripped = text.strip()
        start = len(text) - len(text.lstrip())
        return [(start, start + len(stripped))] if stripped else []
    cuts = [0]
    for blank in _BLANK_LINE.finditer(text):
        cuts += (blank.start(), blank.end())
    cuts.append(len(text))
    blocks = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            start += len(piece) - len(piece.lstrip())
            blocks.append((start, start + len(stripped)))
    return blocks


def _split_block(
    text: str, start: int, end: int, rules: _Rules, candidates: re.Pattern[str], spans: list[tuple[int, int]]
) -> None:
    """Append the spans of the sentences of text[start:end] (a trimmed block) to `spans`; `candidates` is
    rules.candidates or, for a text it suits, rules.full_stop_candidates."""
    sentence_start = start
    list_items = _later_list_items(text, start, end)
    # Most blocks open no bracket at all: then no candidate needs _inside_brackets' search.
    has_brackets = _opens_a_bracket(text, start, end)
    for candidate in candidates.finditer(text, start, end):
        if not candidate["next"]:  # the end of the block ends the last sentence anyway
            break
        while list_items and list_items[0] < candidate.start():
            sentence_start = _cut_before(text, list_items.pop(0), sentence_start, spans)
        boundary = _boundary(text, candidate, sentence_start, start, end, rules, has_brackets)
        if boundary is not None:
            sentence_end, next_start = boundary
            spans.append((sentence_start, sentence_end))
            sentence_start = next_start
    for item_start in list_items:
        sentence_start = _cut_before(text, item_start, sentence_start, spans)
    spans.append((sentence_start, end))


def _opens_a_bracket(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds an opening bracket. A str.find per bracket scans a paragraph in about
    half the time of _ANY_OPENING_BRACKET's search (whose character class is tested character by
    character), and every paragraph is scanned so; most paragraphs are ASCII, which holds only two of
    the brackets (str.isascii costs nothing: Python strings know it)."""
    for opening in _ASCII_OPENING_BRACKETS if text.isascii() else _OPENING_BRACKETS:
        if text.find(opening, start, end) != -1:
            return True
    return False


def _cut_before(text: str, position: int, sentence_start: int, spans: list[tuple[int, int]]) -> int:
    """End the current sentence before `position` (a list marker); returns where the next one starts."""
    if position <= sentence_start:  # a full stop before the marker already ended the sentence there
        return sentence_start
    sentence_end = position
    while text[sentence_end - 1].isspace():
        sentence_end -= 1
    spans.append((sentence_start, sentence_end))
    return position


def _boundary(
    text: str,
    candidate: re.Match[str],
    sentence_start: int,
    block_start: int,
    block_end: int,
    rules: _Rules,
    has_brackets: bool,
) -> tuple[int, int] | None:
    """(end of this sentence, start of the next) if the candidate ends a sentence, else None."""
    next_token = candidate["next"]
    next_start = candidate.end()  # "next" is a lookahead at the end of the match

    if candidate["hard"] is not None:
        sentence_end = candidate.end("hard_close")
        # 「…。」と言った: a quotation that ends with a full stop and runs straight on stays in its sentence.
        if candidate["hard_close"] and sentence_end == next_start:
            return None
        if has_brackets and _inside_brackets(text, sentence_start, sentence_end, block_end):
            return None
        return sentence_end, next_start

    # A lower-case word continues the sentence: "Yahoo! in the", "'This is great.' she said", "co. at"
    # ("iPhone" and "eBay" do not count as lower case). So does a dash: "бар? — деді".
    next_word = next_token.lstrip(_OPENERS)
    first = next_word[:1]
    if first.islower() and not next_word[1:2].isupper():
        return None
    if next_token[0] in _DASHES:
        return None

    sentence_end = candidate.end("close")
    dot = candidate.start()
    term = text[dot : candidate.end("soft")]
    if term == ".":
        if _is_abbreviation(text, dot, sentence_start, next_word, first, rules):
            return None
    elif term[:2] == ". ":  # an ellipsis written with spaces
        if dot == block_start or text[dot - 1].isspace():
            # ". . ." alone is an ellipsis inside the sentence; a fourth dot is the sentence's full stop.
            if term.count(".") < 4:
                return None
        else:
            # "compounds. . . . The practice": the word's own full stop ends the sentence and the ellipsis
            # opens the next one.
            return (dot + 1, dot + 2) if first.isupper() else None
    elif term in ("...", "…"):
        # An ellipsis ends the sentence only before a capital: "stairways [...]" (Smith 55)" does not.
        if not next_token.lstrip(_OPENING_QUOTES)[:1].isupper():
            return None
    # Anything else ("!", "?!", "....") ends the sentence before a word that is not lower case.

    if has_brackets and _inside_brackets(text, sentence_start, sentence_end, block_end):
        return None
    return sentence_end, next_start


def _is_abbreviation(
    text: str, dot: int, sentence_start: int, next_word: str, next_first: str, rules: _Rules
) -> bool:
    """Whether the full stop at `dot` belongs to the word before it rather than ending the sentence."""
    window_start = dot - _WORD_WINDOW
    before = text[window_start if window_start > sentence_start else sentence_start : dot]
    if not before or before[-1].isspace():  # a full stop standing alone ends the sentence
        return False
    if len(before) <= _LIST_LABEL_MAX_LEN and _LIST_LABEL.fullmatch(before):
        return True  # "1. Any lasting peace…", "• 9. The first item": a list marker, not a sentence
    word = before.rsplit(None, 1)[-1].lstrip(_OPENERS).strip(_FORMAT_CHARS)
    if word.islower() and word.isalpha():
        # Most full stops: after a word in small letters, which is only ever one of the listed
        # abbreviations (the tests below need a digit, a capital or a dot).
        kind = rules.kind_of(word)
        if kind is None:
            return len(word) == 1  # "p. 55", "z. B.": a one-letter abbreviation
    elif not word:
        return False
    elif len(word) > 1 and word.isalpha() and word.isupper():
        kind = None  # "MS.", "US.": a word in capitals is a name, not the abbreviation "Ms." or "us."
    else:
        kind = rules.kind_of(word.lower())
    if kind is None:
        if word.isdigit() or (rules.ordinal_numbers and _ROMAN_NUMERAL.fullmatch(word)):
            # "am 3. Oktober", "XII. Pluku" in languages that write ordinals so; "in 2019. The" ends.
            return rules.ordinal_numbers and len(word) <= 3
        if len(word) == 1:
            if word == "I":
                # "you and I. Did you" ends; "Albert I. Jones" is an initial after a capitalised name.
                words = before.rsplit(None, 2)
                return len(words) < 2 or words[-2].lstrip(_OPENERS)[:1].isupper()
            # Initials ("J. K. Rowling") and one-letter abbreviations ("p. 55", "z. B.", Arabic "د.").
            return word.isalpha()
        if "." not in word or not _ACRONYM.fullmatch(word):  # an acronym has a dot inside: "U.S", "a.m"
            return False
        kind = _Abbreviation.AMBIGUOUS

    if kind is _Abbreviation.TITLE:
        return True
    if kind is _Abbreviation.NUMBER_PREFIX:
        return next_first.isdigit()
    if kind is _Abbreviation.SENTENCE_FINAL:
        return False
    # AMBIGUOUS: "the U.S. Government" goes on; "in the U.S. How about you?" ends.
    if next_first.isdigit():
        return True
    return next_word.rstrip(_TRAILING_PUNCTUATION).lower() not in rules.starters


def _inside_brackets(text: str, sentence_start: int, sentence_end: int, block_end: int) -> bool:
    """Whether a bracket opened shortly before `sentence_end` in this sentence closes shortly after it."""
    # Looking only _BRACKET_REACH characters each way keeps the cost per candidate bounded.
    start = max(sentence_start, sentence_end - _BRACKET_REACH)
    if _ANY_OPENING_BRACKET.search(text, start, sentence_end) is None:
        return False
    for opening, closing in _BRACKETS:
        if text.count(opening, start, sentence_end) > text.count(closing, start, sentence_end):
            return text.find(closing, sentence_end, min(block_end, sentence_end + _BRACKET_REACH)) != -1
    return False


def _later_list_items(text: str, start: int, end: int) -> list[int]:
    """Starts of the items 2, 3, … of a list whose item 1 opens the block ("1. … 2. …", "a) … b) …")."""
    # Most blocks start with a capital letter, which no list marker does: no regex match needed.
    if text[start] not in _LIST_MARKER_FIRST_CHARS and not text[start].isdigit():
        return []
    first = _LIST_ITEM_START.match(text, start, end)
    if first is None:
        return []
    items = []
    label, position = first["label"], first.end()
    while (label := _next_label(label)) is not None:
        marker = (first["bullet"] or "") + label + first["punct"]
        position = _find_token(text, marker, position, end)
        if position == -1:
            break
        items.append(position)
        position += len(marker)
    return items


def _next_label(label: str) -> str | None:
    if label.isdigit():
        return str(int(label) + 1)
    return chr(ord(label) + 1) if label < "z" else None


def _find_token(text: str, token: str, start: int, end: int) -> int:
    """Position of `token` standing between whitespace in text[start:end], or -1."""
    position = text.find(token, start, end)
    while position != -1:
        after = position + len(token)
        if text[position - 1].isspace() and (after == end or text[after].isspace()):
            return position
        position = text.find(token, position + 1, end)
    return -1
