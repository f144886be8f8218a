//! Entity recognition on small hand-written texts: people with titles, appositives and
//! ages, agencies with head words, acronyms and country prefixes, events that are not
//! people, and lowercased text.

use claimgraph::document::EntityType;
use claimgraph::{Document, Lexicon, Pipeline};

fn mentions(text: &str) -> Vec<(String, EntityType, String)> {
    let p = Pipeline::new(Lexicon::builtin());
    let mut d = Document::new("t.txt", text);
    p.analyze(&mut d);
    d.mentions
        .iter()
        .map(|m| (d.slice(m.span).to_string(), m.etype, m.canonical.clone()))
        .collect()
}

fn has(ms: &[(String, EntityType, String)], surface: &str, t: EntityType) -> bool {
    ms.iter().any(|(s, et, _)| s == surface && *et == t)
}

#[test]
fn titled_people_appositives_and_ages() {
    let ms = mentions(
        "U.S. President Donald Trump spoke on Monday. Xiaobing Yan, 40, and Jian Zhang, 38, were indicted. Wei Xiaojun, the deputy secretary-general of the commission, said more.",
    );
    assert!(has(&ms, "Donald Trump", EntityType::Person), "{ms:?}");
    assert!(has(&ms, "Xiaobing Yan", EntityType::Person), "{ms:?}");
    assert!(has(&ms, "Jian Zhang", EntityType::Person), "{ms:?}");
    assert!(has(&ms, "Wei Xiaojun", EntityType::Person), "{ms:?}");
    assert!(has(&ms, "U.S.", EntityType::Country), "{ms:?}");
}

#[test]
fn meetings_and_summits_are_not_people() {
    let ms = mentions(
        "The 8th China-US Bilateral Drug Intelligence Working Group Meeting was held in Beijing on Monday. Leaders left the Asia Pacific Economic Summit early.",
    );
    assert!(
        !ms.iter().any(|(_, t, _)| *t == EntityType::Person),
        "{ms:?}"
    );
    assert!(has(&ms, "Beijing", EntityType::Place), "{ms:?}");
}

#[test]
fn hyphenated_country_pair_stays_in_the_agency_name() {
    let ms = mentions(
        "A report from the U.S.-China Economic and Security Review Commission traced the drug to labs.",
    );
    assert!(
        has(
            &ms,
            "U.S.-China Economic and Security Review Commission",
            EntityType::Agency
        ),
        "{ms:?}"
    );
}

#[test]
fn agencies_by_head_word_acronym_and_country_prefix() {
    let ms = mentions(
        "The Ministry of Public Security's Narcotics Control Bureau (NCB) worked with the US Drug Enforcement Administration. The NCB said the Kenya Revenue Authority helped.",
    );
    assert!(
        has(&ms, "Ministry of Public Security", EntityType::Agency),
        "{ms:?}"
    );
    assert!(
        has(&ms, "Narcotics Control Bureau", EntityType::Agency),
        "{ms:?}"
    );
    assert!(
        has(&ms, "Drug Enforcement Administration", EntityType::Agency),
        "{ms:?}"
    );
    assert!(has(&ms, "US", EntityType::Country), "{ms:?}");
    // A country prefix is the country the agency is part of.
    assert!(has(&ms, "Kenya", EntityType::Country), "{ms:?}");
    assert!(has(&ms, "Revenue Authority", EntityType::Agency), "{ms:?}");
    // The declared acronym later in the text names the same bureau.
    assert!(
        ms.iter().any(|(s, t, c)| s == "NCB"
            && *t == EntityType::Agency
            && c == "Narcotics Control Bureau"),
        "{ms:?}"
    );
}

#[test]
fn group_words_do_not_make_a_person() {
    let ms = mentions("Analysts at Eurasia Group said the talks would resume.");
    assert!(
        !ms.iter()
            .any(|(s, t, _)| *t == EntityType::Person && s.contains("Group")),
        "{ms:?}"
    );
}

#[test]
fn lowercased_text_names_after_titles_and_before_appositives() {
    let ms = mentions(
        "president donald trump said china s national narcotics control commission must act .\n\nwei xiaojun , the deputy director , said the evidence was limited .",
    );
    assert!(
        ms.iter()
            .any(|(s, t, _)| s == "donald trump" && *t == EntityType::Person),
        "{ms:?}"
    );
    assert!(
        ms.iter()
            .any(|(s, t, _)| s == "wei xiaojun" && *t == EntityType::Person),
        "{ms:?}"
    );
    assert!(
        ms.iter()
            .any(|(_, t, c)| *t == EntityType::Country && c == "China"),
        "{ms:?}"
    );
}
