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

fn types_of(ms: &[(String, EntityType, String)], surface: &str) -> Vec<EntityType> {
    ms.iter()
        .filter(|(s, _, _)| s == surface)
        .map(|(_, t, _)| *t)
        .collect()
}

#[test]
fn teams_in_results_lines_and_fixtures_are_organizations() {
    let org = EntityType::Organization;
    let ms = mentions("Pohang 3 Ulsan 2 ( halftime 1-0 )");
    assert!(has(&ms, "Pohang", org) && has(&ms, "Ulsan", org), "{ms:?}");
    // A standings row of a known city, in capitals.
    let ms = mentions("NEW YORK 74 59 .556 -");
    assert!(has(&ms, "NEW YORK", org), "{ms:?}");
    let ms = mentions("KANSAS CITY AT DETROIT");
    assert!(
        has(&ms, "KANSAS CITY", org) && has(&ms, "DETROIT", org),
        "{ms:?}"
    );
    let ms = mentions("May 27-29 v Gloucestershire or Sussex ( three days )");
    assert!(
        has(&ms, "Gloucestershire", org) && has(&ms, "Sussex", org),
        "{ms:?}"
    );
    // The venue opening a results line is a place, players' figures are people.
    let ms = mentions("Hove : Sussex 363 ( W. Athey 111 , V. Drakes 52 ) , Lancashire 197-8 .");
    assert!(has(&ms, "Hove", EntityType::Place), "{ms:?}");
    assert!(
        has(&ms, "Sussex", org) && has(&ms, "Lancashire", org),
        "{ms:?}"
    );
    assert!(has(&ms, "W. Athey", EntityType::Person), "{ms:?}");
    assert!(has(&ms, "V. Drakes", EntityType::Person), "{ms:?}");
}

#[test]
fn national_sides_datelines_and_prose_numbers_are_not_teams() {
    let ms = mentions("Japan 2 China 1 ( halftime 1-0 )");
    assert_eq!(types_of(&ms, "Japan"), vec![EntityType::Country], "{ms:?}");
    assert_eq!(types_of(&ms, "China"), vec![EntityType::Country], "{ms:?}");
    // A dateline's date is not a score.
    let ms = mentions("LONDON 1996-08-30\n\nShares fell in London on Friday.");
    assert!(
        !types_of(&ms, "LONDON").contains(&EntityType::Organization),
        "{ms:?}"
    );
    // Goal scorers' minutes are not scores.
    let ms = mentions("Scorers : Shearer 35 , Ferdinand 60");
    assert!(
        !ms.iter().any(|(_, t, _)| *t == EntityType::Organization),
        "{ms:?}"
    );
}

#[test]
fn companies_banks_broadcasters_and_leagues_by_head_word() {
    let org = EntityType::Organization;
    let ms = mentions(
        "Volkswagen AG and the National Football League agreed. The issue was led by Lehman Brothers International.",
    );
    assert!(has(&ms, "Volkswagen AG", org), "{ms:?}");
    assert!(has(&ms, "National Football League", org), "{ms:?}");
    assert!(has(&ms, "Lehman Brothers International", org), "{ms:?}");
    // A body "of" a country is named with it; a title inside the phrase starts a name.
    let ms = mentions("Bank of Japan Governor Yasuo Matsushita spoke to Israel Radio on Friday.");
    assert!(has(&ms, "Bank of Japan", org), "{ms:?}");
    assert!(has(&ms, "Yasuo Matsushita", EntityType::Person), "{ms:?}");
    assert!(has(&ms, "Israel Radio", org), "{ms:?}");
    let ms = mentions("He met the Kurdistan Democratic Party of Iran in Paris.");
    assert!(
        has(&ms, "Kurdistan Democratic Party of Iran", org),
        "{ms:?}"
    );
}

#[test]
fn a_head_word_alone_refers_back_and_is_no_name() {
    let ms = mentions("The farmers joined the Union last year, and the Bank agreed.");
    assert!(
        !ms.iter().any(|(s, _, _)| s == "Union" || s == "Bank"),
        "{ms:?}"
    );
    // Some bodies are named by the head word alone.
    let ms = mentions("The bill passed the Senate on Friday.");
    assert!(has(&ms, "Senate", EntityType::Agency), "{ms:?}");
}

#[test]
fn unknown_acronyms_are_organizations_except_in_headlines_and_abbreviations() {
    let org = EntityType::Organization;
    let ms = mentions("The PUK said fighters of the KDPI had crossed the border, the CEO said.");
    assert!(has(&ms, "PUK", org) && has(&ms, "KDPI", org), "{ms:?}");
    assert!(!ms.iter().any(|(s, _, _)| s == "CEO"), "{ms:?}");
    // An acronym spelling the words before it stands for them.
    let ms = mentions("Some new psychoactive substances (NPS) come from China. It controls NPS.");
    assert!(!ms.iter().any(|(_, t, _)| *t == org), "{ms:?}");
    let ms = mentions("SOCCER - ROTOR FANS LOCKED OUT AFTER VIOLENCE .");
    assert!(!ms.iter().any(|(_, t, _)| *t == org), "{ms:?}");
}

#[test]
fn substances_are_particular_drugs_not_classes_or_yardsticks() {
    let ms = mentions(
        "China banned synthetic opioids and precursor chemicals, including carfentanil. Fentanyl is 50 times stronger than heroin.",
    );
    let substances: Vec<&str> = ms
        .iter()
        .filter(|(_, t, _)| *t == EntityType::Substance)
        .map(|(s, _, _)| s.as_str())
        .collect();
    assert_eq!(substances, vec!["carfentanil", "Fentanyl"], "{ms:?}");
}

#[test]
fn players_in_a_results_line_are_affiliated_with_their_team() {
    let p = Pipeline::new(Lexicon::builtin());
    let mut d = Document::new(
        "t.txt",
        "Bristol : Gloucestershire 183 ( J. Russell 56 not out ) , Northamptonshire 190 ( K. Curran 52 ) .",
    );
    p.analyze(&mut d);
    let edges: Vec<(String, String, String)> = d
        .relations
        .iter()
        .filter_map(|r| match r.object {
            claimgraph::document::Target::Entity(o) => Some((
                d.slice(d.mentions[r.subject].span).to_string(),
                r.edge.clone(),
                d.slice(d.mentions[o].span).to_string(),
            )),
            _ => None,
        })
        .collect();
    let edge = |a: &str, b: &str| (a.to_string(), "affiliated_with".to_string(), b.to_string());
    assert!(
        edges.contains(&edge("J. Russell", "Gloucestershire")),
        "{edges:?}"
    );
    assert!(
        edges.contains(&edge("K. Curran", "Northamptonshire")),
        "{edges:?}"
    );
    assert!(
        !edges.contains(&edge("K. Curran", "Gloucestershire")),
        "{edges:?}"
    );
}

#[test]
fn a_head_before_for_or_of_names_the_whole_body() {
    let ms =
        mentions("Economists at the Peterson Institute for International Economics disagreed.");
    assert!(
        has(
            &ms,
            "Peterson Institute for International Economics",
            EntityType::Organization
        ),
        "{ms:?}"
    );
    // A newspaper's short name is a name.
    let ms = mentions("The judge sided with the Times on Friday.");
    assert!(has(&ms, "Times", EntityType::Organization), "{ms:?}");
}

#[test]
fn scorers_listed_after_their_side_are_affiliated_with_it() {
    let p = Pipeline::new(Lexicon::builtin());
    let mut d = Document::new(
        "t.txt",
        "Romania - Cosmin Contra ( 31st ) , Mihai Tararache ( 75th )\n\nLONDON - Prime Minister John Major said on Friday that talks would resume.",
    );
    p.analyze(&mut d);
    let affiliations: Vec<(String, String)> = d
        .relations
        .iter()
        .filter(|r| r.rule == "results_line_member")
        .filter_map(|r| match r.object {
            claimgraph::document::Target::Entity(o) => Some((
                d.slice(d.mentions[r.subject].span).to_string(),
                d.slice(d.mentions[o].span).to_string(),
            )),
            _ => None,
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert!(
        affiliations.contains(&pair("Cosmin Contra", "Romania")),
        "{affiliations:?}"
    );
    assert!(
        affiliations.contains(&pair("Mihai Tararache", "Romania")),
        "{affiliations:?}"
    );
    // A dateline before ordinary prose lists no players.
    assert_eq!(affiliations.len(), 2, "{affiliations:?}");
}

#[test]
fn a_demonym_starts_the_name_of_a_body_it_is_not_known_without() {
    let org = EntityType::Organization;
    let ms = mentions(
        "The American Civil Liberties Union sued, and Panamanian Boxing Association President Ramon Manzanares agreed.",
    );
    assert!(has(&ms, "American Civil Liberties Union", org), "{ms:?}");
    assert!(has(&ms, "Panamanian Boxing Association", org), "{ms:?}");
    assert!(has(&ms, "Ramon Manzanares", EntityType::Person), "{ms:?}");
    // A country joined to a place by "and" starts no body's name.
    let ms = mentions("The crossing between Jordan and the West Bank was closed.");
    assert!(!ms.iter().any(|(_, t, _)| *t == org), "{ms:?}");
    // A body the gazetteer knows keeps its own name and the country apart.
    let ms = mentions("The Chinese Ministry of Public Security said so.");
    assert!(
        has(&ms, "Ministry of Public Security", EntityType::Agency),
        "{ms:?}"
    );
}

#[test]
fn a_single_name_before_whose_is_a_person() {
    let ms = mentions("Tarango , whose tantrum brought him a fine , argued calls .");
    assert!(has(&ms, "Tarango", EntityType::Person), "{ms:?}");
}

#[test]
fn an_unknown_name_before_the_title_of_a_body_head_is_the_body() {
    let ms = mentions("Bundesbank president Hans Tietmeyer said rates would stay, and Ajax coach Louis van Gaal agreed.");
    assert!(has(&ms, "Bundesbank", EntityType::Organization), "{ms:?}");
    assert!(has(&ms, "Ajax", EntityType::Organization), "{ms:?}");
    assert!(has(&ms, "Hans Tietmeyer", EntityType::Person), "{ms:?}");
    // Not before a staff title, nor a known place.
    let ms =
        mentions("Clinton spokesman Brian Fallon said so, and Texas governor Rick Perry agreed.");
    assert!(
        !ms.iter().any(|(_, t, _)| *t == EntityType::Organization),
        "{ms:?}"
    );
}
