//! graph.json: the contract other tools read (see README, "JSON").

use crate::graph::{Graph, NodeType};
use anyhow::Result;
use serde_json::{json, Map, Value};
use std::io::Write;

pub fn to_value(graph: &Graph) -> Value {
    let g = &graph.g;
    let nodes = graph.sorted_nodes();
    let articles: Vec<Value> = nodes
        .iter()
        .filter_map(|&n| g[n].article.as_ref())
        .map(|a| json!({"id": a.id, "file": a.file, "title": a.title, "date": a.date, "source": a.source}))
        .collect();
    let node_values: Vec<Value> = nodes
        .iter()
        .map(|&n| {
            let node = &g[n];
            let mut o = Map::new();
            o.insert("id".into(), json!(node.id));
            o.insert("type".into(), json!(node.ntype.name()));
            o.insert("label".into(), json!(node.label));
            o.insert("aliases".into(), json!(node.aliases));
            o.insert(
                "mentions".into(),
                Value::Array(
                    node.mentions
                        .iter()
                        .map(|m| json!({"article": m.article, "start": m.start, "end": m.end}))
                        .collect(),
                ),
            );
            if node.ntype == NodeType::Statement {
                o.insert("kind".into(), json!(node.kind));
                o.insert("text".into(), json!(node.text));
                o.insert("speaker".into(), json!(node.speaker));
            }
            if node.ntype == NodeType::Person {
                o.insert(
                    "roles".into(),
                    Value::Array(
                        node.roles
                            .iter()
                            .map(|r| json!({"title": r.title, "organization": r.organization}))
                            .collect(),
                    ),
                );
            }
            Value::Object(o)
        })
        .collect();
    let edges: Vec<Value> = graph
        .sorted_edges()
        .into_iter()
        .map(|(a, b, e)| json!({"source": g[a].id, "target": g[b].id, "type": e.etype, "provenance": e.provenance}))
        .collect();
    json!({"articles": articles, "nodes": node_values, "edges": edges})
}

pub fn write(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(graph))?;
    w.write_all(b"\n")?;
    Ok(())
}
