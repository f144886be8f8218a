#!/usr/bin/env python3
"""Generate schema/countries.tsv, claimgraph's country gazetteer.

Source data: the `countryinfo` package from PyPI (MIT licence,
https://github.com/porimol/countryinfo), which ships per-country JSON with
ISO 3166-1 codes, alternative spellings, a demonym and the capital.

On top of the source data this script applies a small, clearly marked,
hand-written override table (common news names, news abbreviations such as
"U.S." / "U.K." / "DPRK", demonym nouns and plurals, fixes of stale values).

Usage (creates a throw-away venv under /tmp, installs countryinfo, writes the
file):

    python3 schema/tools/make_countries.py            # writes schema/countries.tsv
    python3 schema/tools/make_countries.py --out FILE

The script fails (exit 1) if any alias or demonym would point at two
countries, or if an alias is a bare lower-case word.
"""

import argparse
import os
import subprocess
import sys
import unicodedata

VENV = "/tmp/claimgraph-countries-venv"
PKG = "countryinfo"
PKG_PIN = "countryinfo==1.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "countries.tsv"))
REGEN_CMD = "python3 schema/tools/make_countries.py"


def ensure_venv_and_reexec():
    """Re-run this script inside a venv that has countryinfo installed."""
    if os.environ.get("CLAIMGRAPH_COUNTRIES_IN_VENV") == "1":
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([py, "-m", "pip", "install", "-q", PKG_PIN])
    env = dict(os.environ, CLAIMGRAPH_COUNTRIES_IN_VENV="1")
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


# ---------------------------------------------------------------------------
# HAND-WRITTEN OVERRIDES (not from the source package)
# ---------------------------------------------------------------------------

# Source entries that are not current ISO 3166-1 countries, duplicates that
# would merge wrongly, or places without permanent population.
EXCLUDE_KEYS = {
    "wales", "scotland", "ireland northern", "northern ireland",  # UK parts; alpha2 GB
    "serbia and montenegro",        # CS, dissolved 2006
    "antilles néerlandaises",       # AN, dissolved 2010
}
EXCLUDE_ISO2 = {
    "AN", "CS",                     # historic codes
    "AQ",                           # Antarctica: a continent, not a country
    "BV", "HM", "UM",               # uninhabited territories
}

# Preferred source entry when several share one alpha2 code.
PREFERRED_KEY = {
    "MM": "myanmar",
    "PS": "palestine",
    "VA": "holy see (vatican city state)",
}

# Common English news name (instead of the source's or ISO's formal name).
NAME_OVERRIDE = {
    "BQ": "Caribbean Netherlands",
    "BS": "Bahamas",
    "CC": "Cocos (Keeling) Islands",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Côte d'Ivoire",
    "FM": "Micronesia",
    "GM": "Gambia",
    "GS": "South Georgia and the South Sandwich Islands",
    "MF": "Saint Martin",
    "MK": "North Macedonia",
    "MM": "Myanmar",
    "PN": "Pitcairn Islands",
    "PS": "Palestine",
    "SX": "Sint Maarten",
    "SZ": "Eswatini",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

# Extra aliases: news abbreviations and variants that the data source misses.
EXTRA_ALIASES = {
    "US": ["U.S.", "US", "USA", "U.S.A.", "America", "United States of America", "the States"],
    "GB": ["U.K.", "UK", "Britain", "Great Britain",
           "United Kingdom of Great Britain and Northern Ireland"],
    "CN": ["PRC", "People's Republic of China", "mainland China", "Mainland China"],
    "RU": ["Russian Federation"],
    "KR": ["Republic of Korea", "ROK"],
    "KP": ["DPRK", "Democratic People's Republic of Korea"],
    "AE": ["UAE", "U.A.E.", "the Emirates"],
    # AP style: bare "Congo" is the DRC; the other is "Republic of Congo".
    "CD": ["DRC", "DR Congo", "D.R. Congo", "Democratic Republic of Congo", "Congo-Kinshasa", "Congo"],
    "CG": ["Republic of Congo", "Congo-Brazzaville", "Congo Republic"],
    "NL": ["Holland", "The Netherlands"],
    "CZ": ["Czechia"],
    "TR": ["Türkiye", "Turkiye"],
    "CI": ["Ivory Coast"],
    "MM": ["Burma"],
    "SZ": ["Swaziland", "Kingdom of Eswatini"],
    "MK": ["Republic of North Macedonia", "Republic of Macedonia"],
    "TL": ["Timor-Leste"],
    "CV": ["Cabo Verde"],
    "VA": ["Holy See", "the Vatican", "Vatican"],
    "PS": ["State of Palestine", "Palestinian territories", "Palestinian Territories"],
    "TW": ["Republic of China", "Chinese Taipei"],
    "HK": ["Hong Kong SAR"],
    "MO": ["Macao", "Macao SAR", "Macau SAR"],
    "LA": ["Lao PDR"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
    "SA": ["KSA"],
    "PH": ["the Philippines"],
    "BS": ["The Bahamas"],
    "GM": ["The Gambia"],
    "KN": ["St. Kitts and Nevis", "St Kitts and Nevis", "Saint Christopher and Nevis"],
    "LC": ["St. Lucia", "St Lucia"],
    "VC": ["St Vincent and the Grenadines", "Saint Vincent"],
    "BL": ["St. Barts", "St. Barthélemy", "Saint Barts"],
    "MF": ["St. Martin", "Saint-Martin"],
    "PM": ["St. Pierre and Miquelon"],
    "SH": ["St. Helena"],
    "BQ": ["Bonaire", "Bonaire, Sint Eustatius and Saba"],
    "CC": ["Cocos Islands", "Keeling Islands"],
    "FM": ["Federated States of Micronesia"],
    "VI": ["US Virgin Islands", "United States Virgin Islands"],
    "RE": ["Reunion Island", "Réunion Island"],
    "FK": ["Falklands", "Malvinas"],
    "DE": ["Deutschland"],
    "KZ": ["Kazakstan"],
    "KG": ["Kirghizia", "Kyrgyz Republic"],
    "BY": ["Byelorussia"],
    "XK": ["Republic of Kosovo"],
}

# Rows the source package lacks (not ISO 3166-1, but used in the news).
EXTRA_ROWS = {
    "XK": {"name": "Kosovo", "demonym": "Kosovar", "capital": "Pristina"},
}

# Source aliases that are dropped: ordinary words, demonyms, ambiguous names,
# fragments, or words of other languages easily mistaken in English text.
ALIAS_BLOCKLIST = {
    "Island", "Mann", "Reunion", "Thai", "Prathet", "Togolese", "Montenegrin",
    "Lao", "Guiana", "Mexicanos", "Portuguesa", "Zhonghua", "Nation of Brunei",
    "the Abode of Peace", "Virgin Islands", "Pitcairn", "Viti", "Nijar",
    "Mannin", "Sarnam", "Naoero", "Macedonia", "Pleasant Island", "Guyane",
    "Dominique", "Nederland", "Noreg",
}

# Demonyms: replaces the source value (adjectives and person nouns, singular).
# Plurals are added automatically (see plural()), with PLURAL_OVERRIDE.
DEMONYM_OVERRIDE = {
    "AG": ["Antiguan", "Barbudan"],
    "AR": ["Argentine", "Argentinian", "Argentinean"],
    "AZ": ["Azerbaijani", "Azeri"],
    "BA": ["Bosnian", "Herzegovinian"],
    "BW": ["Botswanan", "Motswana", "Batswana"],
    "CV": ["Cape Verdean"],
    "KM": ["Comorian"],
    "CC": ["Cocos Islander"],
    "CD": ["Congolese"],          # AP style, see "Congo" alias above
    "CG": [],
    "CW": ["Curaçaoan"],
    "CX": ["Christmas Islander"],
    "DJ": ["Djiboutian"],
    "DK": ["Danish", "Dane"],
    "DM": [],                     # "Dominican" goes to the Dominican Republic
    "EC": ["Ecuadorian", "Ecuadorean"],
    "ES": ["Spanish", "Spaniard"],
    "FI": ["Finnish", "Finn"],
    "GB": ["British", "Briton", "Brit"],
    "GF": ["French Guianese"],
    "GG": ["Guernseyman"],
    "GI": ["Gibraltarian"],
    "GL": ["Greenlandic", "Greenlander"],
    "HK": ["Hongkonger", "Hong Konger"],
    "IO": [],
    "IS": ["Icelandic", "Icelander"],
    "JE": ["Jerseyman"],
    "KG": ["Kyrgyz", "Kyrgyzstani", "Kirghiz"],
    "KN": ["Kittitian", "Nevisian"],
    "KZ": ["Kazakh", "Kazakhstani"],
    "LA": ["Laotian", "Lao"],
    "LS": ["Basotho", "Mosotho"],
    "LU": ["Luxembourgish", "Luxembourger"],
    "MO": ["Macanese"],
    "MP": ["Northern Mariana Islander"],
    "MQ": ["Martinican"],
    "MV": ["Maldivian"],
    "NL": ["Dutch", "Dutchman", "Dutchwoman"],
    "NZ": ["New Zealander", "Kiwi"],
    "PF": ["French Polynesian"],
    "PH": ["Filipino", "Filipina", "Philippine"],
    "PL": ["Polish", "Pole"],
    "PM": ["Saint-Pierrais"],
    "RE": ["Réunionese"],
    "SA": ["Saudi", "Saudi Arabian"],
    "SE": ["Swedish", "Swede"],
    "SI": ["Slovenian", "Slovene"],
    "SJ": [],
    "SK": ["Slovak", "Slovakian"],
    "SX": ["Sint Maartener"],
    "TC": ["Turks and Caicos Islander"],
    "TF": [],
    "TJ": ["Tajik", "Tajikistani"],
    "TM": ["Turkmen"],
    "TR": ["Turkish", "Turk"],
    "UZ": ["Uzbek", "Uzbekistani"],
    "VG": ["British Virgin Islander"],
    "VI": ["U.S. Virgin Islander"],
    "YT": ["Mahoran"],
    "AX": ["Ålander"],
    "BQ": [],
    "XK": ["Kosovar", "Kosovan"],
}

# Plural person nouns where the automatic rule is wrong; [] = no plural form
# different from the singular (adjective used as plural: "the Chinese").
PLURAL_OVERRIDE = {
    "Swiss": [], "French": [], "British": ["Britons", "Brits"], "Irish": [],
    "Welsh": [], "Dutch": [], "Dutchman": ["Dutchmen"], "Dutchwoman": ["Dutchwomen"],
    "Danish": [], "Spanish": [], "Finnish": [], "Polish": [], "Swedish": [],
    "Turkish": [], "Icelandic": [], "Greenlandic": [], "Luxembourgish": [],
    "Motswana": [], "Batswana": [], "Basotho": [], "Mosotho": [],
    "Ni-Vanuatu": [], "I-Kiribati": [], "Burkinabe": [], "Manx": [],
    "Philippine": [], "Guernseyman": ["Guernseymen"], "Jerseyman": ["Jerseymen"],
    "Turkmen": ["Turkmens"], "Lao": [], "Kyrgyz": [], "Kirghiz": [],
    "Saint-Pierrais": [], "Sammarinese": [], "Malagasy": [], "Czech": ["Czechs"],
}

# Capital fixes (stale or composite values in the source).
CAPITAL_OVERRIDE = {
    "US": "Washington, D.C.",
    "KZ": "Astana",
    "HK": "Hong Kong",
    "MO": "Macau",
    "VA": "Vatican City",
    "BQ": "Kralendijk",
    "PF": "Papeete",
    "PS": "Ramallah",
    "TF": "Port-aux-Français",
}

# ---------------------------------------------------------------------------


def is_latin_text(s):
    for ch in s:
        if ch.isalpha() and "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def ascii_fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s)
                   if not unicodedata.combining(c))


def plural(word):
    if word in PLURAL_OVERRIDE:
        return PLURAL_OVERRIDE[word]
    last = word.split()[-1]
    if last.endswith(("ese", "ss", "sh", "ch", "x", "ois")):
        return []
    return [word + "s"]


def split_demonym(raw):
    if not raw:
        return []
    out = []
    for part in raw.replace("/", ",").split(","):
        part = part.strip()
        if part and part != "None":
            out.append(part)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    import importlib.metadata as md
    from countryinfo import CountryInfo

    version = md.version(PKG)
    licence = md.metadata(PKG).get("License") or "MIT"
    data = CountryInfo.all()

    # group source entries by ISO alpha2
    by_iso = {}
    for key, info in data.items():
        if key in EXCLUDE_KEYS:
            continue
        iso2 = ((info.get("ISO") or {}).get("alpha2") or "").strip().upper()
        if not iso2 or iso2 in EXCLUDE_ISO2:
            continue
        by_iso.setdefault(iso2, []).append((key, info))

    rows = {}
    for iso2, entries in by_iso.items():
        entries.sort(key=lambda kv: (kv[0] != PREFERRED_KEY.get(iso2, kv[0]), kv[0]))
        key, info = entries[0]
        iso3 = ((info.get("ISO") or {}).get("alpha3") or "").upper()
        name = NAME_OVERRIDE.get(iso2, info.get("name", "").strip())
        aliases = []
        for _, other in entries:
            aliases.append(other.get("name", ""))
            for alt in other.get("altSpellings") or []:
                aliases.append(alt)
        demonyms = split_demonym(info.get("demonym"))
        cap = info.get("capital")
        if isinstance(cap, list):
            cap = cap[0] if cap else ""
        rows[iso2] = {"name": name, "iso3": iso3, "aliases": aliases,
                      "demonyms": demonyms, "capital": (cap or "").strip()}

    for iso2, extra in EXTRA_ROWS.items():
        rows.setdefault(iso2, {"name": extra["name"], "iso3": "", "aliases": [],
                               "demonyms": [extra["demonym"]], "capital": extra["capital"]})

    # a source alias that the override table gives to another country is dropped
    claimed = {a.casefold(): k for k, lst in EXTRA_ALIASES.items() for a in lst}

    errors = []
    for iso2, r in rows.items():
        # ---- aliases
        cand = list(r["aliases"]) + EXTRA_ALIASES.get(iso2, [])
        extra = set(EXTRA_ALIASES.get(iso2, []))
        out = []
        for a in cand:
            a = " ".join((a or "").split())
            if not a or a == r["name"]:
                continue
            if a not in extra:
                # drop source-provided codes (the iso2 column carries them),
                # inverted ISO forms ("Korea, Republic of"), non-Latin script,
                # and blocklisted words
                if a.upper() in (iso2, r["iso3"]) or (a.isupper() and len(a) <= 4):
                    continue
                if "," in a or not is_latin_text(a) or a in ALIAS_BLOCKLIST:
                    continue
                if a == a.lower():          # e.g. "ilaṅkai": not a proper name
                    continue
                if claimed.get(a.casefold(), iso2) != iso2:
                    continue
            out.append(a)
        # spelling variants: ASCII-folded, typographic apostrophe
        variants = []
        for a in [r["name"]] + out:
            for v in (ascii_fold(a), a.replace("'", "\u2019")):
                if v != a and v not in ALIAS_BLOCKLIST:
                    variants.append(v)
        seen, aliases = {r["name"]}, []
        for a in out + variants:
            if a not in seen:
                seen.add(a)
                aliases.append(a)
        r["aliases"] = aliases

        # ---- demonyms
        dem = DEMONYM_OVERRIDE.get(iso2, r["demonyms"])
        full = []
        for d in dem:
            for x in [d] + plural(d):
                if x not in full:
                    full.append(x)
        r["demonyms"] = full
        r["capital"] = CAPITAL_OVERRIDE.get(iso2, r["capital"])

        for a in aliases:
            if a == a.lower() and a.isalpha():
                errors.append(f"{iso2}: alias {a!r} is a bare lower-case word")

    # ---- uniqueness checks (case-insensitive)
    owner = {}
    for iso2, r in sorted(rows.items()):
        for a in [r["name"]] + r["aliases"]:
            k = a.casefold()
            if k in owner and owner[k] != iso2:
                errors.append(f"name/alias {a!r} points at both {owner[k]} and {iso2}")
            owner.setdefault(k, iso2)
    dem_owner = {}
    for iso2, r in sorted(rows.items()):
        for d in r["demonyms"]:
            k = d.casefold()
            if k in dem_owner and dem_owner[k] != iso2:
                errors.append(f"demonym {d!r} points at both {dem_owner[k]} and {iso2}")
            dem_owner.setdefault(k, iso2)
            if k in owner and owner[k] != iso2:
                errors.append(f"demonym {d!r} of {iso2} is a name/alias of {owner[k]}")
    for iso2, r in rows.items():
        for field in ("name", "capital"):
            if "\t" in r[field] or "|" in r[field]:
                errors.append(f"{iso2}: bad character in {field}")
        for a in r["aliases"] + r["demonyms"]:
            if "\t" in a or "|" in a:
                errors.append(f"{iso2}: bad character in {a!r}")
    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        sys.exit(1)

    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("# claimgraph country gazetteer (generated, do not edit by hand)\n")
        f.write(f"# source: PyPI package {PKG} {version} (licence: {licence}), "
                "https://github.com/porimol/countryinfo\n")
        f.write("# plus the hand-written override tables in schema/tools/make_countries.py\n")
        f.write(f"# regenerate: {REGEN_CMD}\n")
        f.write("# columns: iso2, name (common English news name), aliases (|-separated), "
                "demonyms (|-separated, incl. plural nouns), capital\n")
        f.write("iso2\tname\taliases\tdemonyms\tcapital\n")
        for iso2 in sorted(rows, key=lambda k: rows[k]["name"].casefold()):
            r = rows[iso2]
            f.write("\t".join([iso2, r["name"], "|".join(r["aliases"]),
                               "|".join(r["demonyms"]), r["capital"]]) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    ensure_venv_and_reexec()
    main()
