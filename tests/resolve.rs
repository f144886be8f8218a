//! Resolution across articles on small hand-written articles: name variants, typos with
//! agreeing context, acronyms, people sharing a surname, and statement clustering.

use claimgraph::graph::{Graph, NodeType};
use claimgraph::{build_graph, Lexicon};

fn graph(articles: &[(&str, &str)]) -> Graph {
    build_graph(articles, &Lexicon::builtin())
}

/// Labels of the nodes of one type.
fn labels(g: &Graph, t: NodeType) -> Vec<String> {
    let mut v: Vec<String> =
        g.g.node_weights()
            .filter(|n| n.ntype == t)
            .map(|n| n.label.clone())
            .collect();
    v.sort();
    v
}

/// Statement nodes with their number of distinct articles.
fn statements(g: &Graph) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> =
        g.g.node_weights()
            .filter(|n| n.ntype == NodeType::Statement)
            .map(|n| {
                let arts: std::collections::BTreeSet<&str> =
                    n.mentions.iter().map(|m| &*m.article).collect();
                (n.text.clone().unwrap_or_default(), arts.len())
            })
            .collect();
    v.sort();
    v
}

#[test]
fn name_order_and_small_typo_with_the_same_partner_merge() {
    let g = graph(&[
        (
            "a.txt",
            "Prosecutors said Xiaobing Yan, 40, and Jian Zhang, 38, ran a drug ring.",
        ),
        (
            "b.txt",
            "The US indicted two men - Yan Xiaobing and Zhan Jian - over fentanyl smuggling.",
        ),
    ]);
    let people = labels(&g, NodeType::Person);
    assert_eq!(people.len(), 2, "{people:?}");
    assert!(people.contains(&"Xiaobing Yan".to_string()), "{people:?}");
    assert!(people.contains(&"Jian Zhang".to_string()), "{people:?}");
}

#[test]
fn similar_names_without_shared_context_stay_apart() {
    let g = graph(&[
        (
            "a.txt",
            "Officials said Jian Zhang, 38, was arrested in Shanghai with Robert Miles.",
        ),
        (
            "b.txt",
            "Jian Zhan, a violinist, said the concert with Maria Lopez went well.",
        ),
    ]);
    let people = labels(&g, NodeType::Person);
    assert!(people.contains(&"Jian Zhang".to_string()), "{people:?}");
    assert!(people.contains(&"Jian Zhan".to_string()), "{people:?}");
}

#[test]
fn different_people_sharing_a_surname_stay_apart() {
    let g = graph(&[
        (
            "a.txt",
            "Donald Trump said the wall would be built. Trump said more.",
        ),
        (
            "b.txt",
            "Ivanka Trump said the fund would open. Trump said it was new.",
        ),
    ]);
    let people = labels(&g, NodeType::Person);
    assert!(people.contains(&"Donald Trump".to_string()), "{people:?}");
    assert!(people.contains(&"Ivanka Trump".to_string()), "{people:?}");
    assert!(
        !people.contains(&"Trump".to_string()) || people.len() == 3,
        "{people:?}"
    );
}

#[test]
fn acronym_in_one_article_joins_its_expansion_in_another() {
    let g = graph(&[
        (
            "a.txt",
            "The Narcotics Control Bureau (NCB) said it seized 20 kilograms of heroin.",
        ),
        ("b.txt", "The NCB said the raid was a success."),
        (
            "c.txt",
            "Officials at the Narcotics Control Bureau said the raid was planned for months.",
        ),
    ]);
    let agencies = labels(&g, NodeType::Agency);
    assert_eq!(
        agencies
            .iter()
            .filter(|a| a.contains("Narcotics") || *a == "NCB")
            .count(),
        1,
        "{agencies:?}"
    );
}

#[test]
fn the_same_statement_reported_by_two_outlets_is_one_node() {
    let g = graph(&[
        (
            "a.txt",
            "Wei Xiaojun, a Chinese official, said there is no sufficient evidence to show that the majority of fentanyl in the US originates in China, based on information exchanged between the two countries' agencies.",
        ),
        (
            "b.txt",
            "Wei Xiaojun, a Chinese official, said the evidence is not sufficient to show most of the US' fentanyl supply comes from China.",
        ),
    ]);
    let s = statements(&g);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].1, 2, "{s:?}");
}

#[test]
fn the_same_figure_reported_twice_is_one_statement() {
    let g = graph(&[
        (
            "a.txt",
            "The Centers for Disease Control and Prevention said 20,000 Americans were killed by fentanyl last year.",
        ),
        (
            "b.txt",
            "The Centers for Disease Control and Prevention said the drug killed more than 20,000 Americans in 2016.",
        ),
    ]);
    let s = statements(&g);
    assert_eq!(s.len(), 1, "{s:?}");
}

#[test]
fn a_denial_never_joins_the_claim_it_denies() {
    let g = graph(&[
        (
            "a.txt",
            "Wei Xiaojun said most of the fentanyl in the United States comes from China.",
        ),
        (
            "b.txt",
            "Wei Xiaojun said most of the fentanyl in the United States does not come from China.",
        ),
    ]);
    let s = statements(&g);
    assert_eq!(s.len(), 2, "{s:?}");
}

#[test]
fn different_statements_of_one_speaker_stay_apart() {
    let g = graph(&[
        (
            "a.txt",
            "Lance Ho said the cooperation between the two countries had generated good momentum.",
        ),
        (
            "b.txt",
            "Lance Ho said China regulates 23 fentanyl substances, more than the UN list.",
        ),
        (
            "c.txt",
            "Lance Ho said the two countries will meet in Beijing next week to discuss drug testing.",
        ),
    ]);
    let s = statements(&g);
    assert_eq!(s.len(), 3, "{s:?}");
}

#[test]
fn two_statements_of_one_article_are_not_merged() {
    let g = graph(&[(
        "a.txt",
        "Wei Xiaojun said China has banned 23 fentanyl substances this year. Later, Wei Xiaojun said China has banned 23 fentanyl analogues and precursors.",
    )]);
    let s = statements(&g);
    assert_eq!(s.len(), 2, "{s:?}");
}
