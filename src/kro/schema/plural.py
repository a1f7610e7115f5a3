"""English plurals of kind names, as Kubernetes tooling forms them.

A generated CRD is named ``<plural>.<group>``, and an RGD written for upstream kro must adopt the CRD
upstream created, so the plural must be the one upstream computes. Upstream (like kubebuilder) uses
the ``flect`` inflection rules; this module follows the same rules:

1. a word that is already a known plural stays as it is;
2. a known irregular or uncountable word maps to its listed plural;
3. otherwise the first matching suffix rule, in table order, rewrites the ending. Each rule's result
   ending is itself a rule that leaves words alone, so plurals are not pluralized twice;
4. otherwise a word ending in ``s`` stays as it is (``redis`` → ``redis``) and any other gets ``s``.

The word is lower-cased first, as kind names are.
"""

from __future__ import annotations

_IRREGULAR = {
    "matrix": "matrices", "vertix": "vertices", "index": "indices", "mouse": "mice", "louse": "lice",
    "ress": "resses", "ox": "oxen", "quiz": "quizzes", "series": "series", "octopus": "octopi",
    "equipment": "equipment", "information": "information", "rice": "rice", "money": "money",
    "species": "species", "fish": "fish", "sheep": "sheep", "jeans": "jeans", "police": "police",
    "dear": "dear", "goose": "geese", "tooth": "teeth", "foot": "feet", "bus": "buses", "fez": "fezzes",
    "piano": "pianos", "halo": "halos", "photo": "photos", "aircraft": "aircraft", "alumna": "alumnae",
    "alumnus": "alumni", "analysis": "analyses", "antenna": "antennas", "antithesis": "antitheses",
    "apex": "apexes", "appendix": "appendices", "axis": "axes", "bacillus": "bacilli",
    "bacterium": "bacteria", "basis": "bases", "beau": "beaus", "bison": "bison", "bureau": "bureaus",
    "codex": "codices", "concerto": "concertos", "corpus": "corpora", "crisis": "crises",
    "curriculum": "curriculums", "deer": "deer", "diagnosis": "diagnoses", "die": "dice",
    "dwarf": "dwarves", "ellipsis": "ellipses", "erratum": "errata", "focus": "foci", "formula": "formulas",
    "fungus": "fungi", "genus": "genera", "graffito": "graffiti", "grouse": "grouse", "half": "halves",
    "hoof": "hooves", "hypothesis": "hypotheses", "larva": "larvae", "libretto": "librettos",
    "loaf": "loaves", "locus": "loci", "minutia": "minutiae", "moose": "moose", "nebula": "nebulae",
    "nucleus": "nuclei", "oasis": "oases", "offspring": "offspring", "opus": "opera",
    "parenthesis": "parentheses", "phenomenon": "phenomena", "phylum": "phyla", "prognosis": "prognoses",
    "radius": "radiuses", "referendum": "referendums", "salmon": "salmon", "shrimp": "shrimp",
    "stimulus": "stimuli", "stratum": "strata", "swine": "swine", "syllabus": "syllabi",
    "symposium": "symposiums", "synopsis": "synopses", "tableau": "tableaus", "thesis": "theses",
    "thief": "thieves", "trout": "trout", "tuna": "tuna", "vertebra": "vertebrae", "vita": "vitae",
    "vortex": "vortices", "wharf": "wharves", "wife": "wives", "wolf": "wolves", "datum": "data",
    "testis": "testes", "alias": "aliases", "house": "houses", "shoe": "shoes", "news": "news", "ovum": "ova",
}  # fmt: skip
_KNOWN_PLURALS = frozenset(_IRREGULAR.values())

# (singular ending, plural ending), first match wins.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("man", "men"), ("tz", "tzes"), ("alias", "aliases"), ("oasis", "oasis"), ("wife", "wives"),
    ("basis", "basis"), ("atum", "ata"), ("adium", "adia"), ("actus", "acti"), ("irus", "iri"),
    ("iterion", "iteria"), ("dium", "diums"), ("ovum", "ova"), ("ize", "izes"), ("dge", "dges"),
    ("focus", "foci"), ("child", "children"), ("oaf", "oaves"), ("randum", "randa"), ("base", "bases"),
    ("atus", "atuses"), ("ode", "odes"), ("person", "people"), ("va", "vae"), ("leus", "li"),
    ("ld", "ldren"), ("oot", "eet"), ("oose", "eese"), ("box", "boxes"), ("ium", "ia"), ("sis", "ses"),
    ("nna", "nnas"), ("eses", "esis"), ("stis", "stes"), ("ex", "ices"), ("ula", "ulae"),
    ("isis", "ises"), ("ouses", "ouse"), ("olves", "olf"), ("lf", "lves"), ("rf", "rves"),
    *((f"{c}fe", f"{c}ves") for c in "abcdefghijklmnopqrstuvwxyz"),
    ("hive", "hives"), ("quy", "quies"),
    *((f"{c}y", f"{c}ies") for c in "bcdfghjklmnpqrstvwxz"),
    ("x", "xes"), ("ch", "ches"), ("ss", "sses"), ("sh", "shes"), ("oe", "oes"), ("io", "ios"), ("o", "oes"),
)  # fmt: skip


def _rules() -> tuple[tuple[str, str | None], ...]:
    """Each suffix rule followed by its result ending, which maps to ``None`` (leave the word)."""
    rules: list[tuple[str, str | None]] = []
    for singular, plural in _SUFFIXES:
        rules += [(singular, plural), (plural, None)]
    return tuple(rules)


_RULES = _rules()


def pluralize(word: str) -> str:
    """The lower-case plural of ``word`` (``Database`` → ``databases``, ``Policy`` → ``policies``)."""
    w = word.lower()
    if not w or w in _KNOWN_PLURALS:
        return w
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for ending, replacement in _RULES:
        if w.endswith(ending):
            return w if replacement is None else w[: len(w) - len(ending)] + replacement
    return w if w.endswith("s") else w + "s"
