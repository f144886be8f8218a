//! The aliases of a node are every surface its mentions were written with (demonyms
//! aside), however the mentions repeat and alternate within and across articles: the
//! build skips the alias lookup for a surface just seen in the same article, and this
//! pins that the skip loses none.

use claimgraph::Lexicon;

#[test]
fn alternating_and_repeated_names_all_become_aliases() {
    let a = "Donald Trump said on Monday that taxes would fall. \
             Trump repeated it. Donald Trump spoke again, and Trump left. \
             TRUMP returned, Trump said, and Donald Trump agreed.";
    let b = "Trump said prices rose. Donald Trump denied it. Trump said so twice.";
    let g = claimgraph::build_graph(&[("a.txt", a), ("b.txt", b)], &Lexicon::builtin());
    let node =
        g.g.node_weights()
            .find(|n| n.label == "Donald Trump")
            .expect("a node for Donald Trump");
    let aliases: Vec<&str> = node.aliases.iter().map(String::as_str).collect();
    assert!(aliases.contains(&"Donald Trump"), "{aliases:?}");
    assert!(aliases.contains(&"Trump"), "{aliases:?}");
    // Sorted, without repeats.
    assert!(aliases.windows(2).all(|w| w[0] < w[1]), "{aliases:?}");
}
