//! File → Export from the editor: the selection alone, and the diagram on the clipboard as Mermaid or PNG.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)] // test helpers fail the test loudly on bad fixtures

use egui::OutputCommand;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use threatboard::app::ThreatboardApp;
use threatboard::formats::mermaid;
use threatboard::model::Id;

mod support;

use support::{harness, sample};

/// Opens File → Export unless it is open already.
fn open_export_menu(h: &mut Harness<'_, ThreatboardApp>) {
    if h.query_by_label("Copy as Mermaid").is_some() {
        return;
    }
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export").hover();
    h.run();
}

/// Clicks `label` in File → Export and returns what that frame asked the platform to do.
fn export_command(h: &mut Harness<'_, ThreatboardApp>, label: &str) -> Vec<OutputCommand> {
    open_export_menu(h);
    h.get_by_label(label).click();
    h.step();
    let commands = h.output().platform_output.commands.clone();
    h.run_steps(2);
    commands
}

fn copied_text(commands: &[OutputCommand]) -> String {
    commands
        .iter()
        .find_map(|c| match c {
            OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .expect("the frame copied text")
}

#[test]
fn copy_as_mermaid_takes_the_whole_model_or_only_the_selection() {
    let doc = sample("kubernetes-agent-2021-02.json");
    let mut app = ThreatboardApp::with_document(doc.clone(), None);
    app.select(vec![Id::new("kas").unwrap(), Id::new("gitaly").unwrap()]);
    let mut h = harness(app);

    let whole = mermaid::import(&copied_text(&export_command(&mut h, "Copy as Mermaid"))).unwrap().document;
    assert_eq!(whole, doc, "the whole model comes back from what was copied");

    open_export_menu(&mut h);
    h.get_by_label("Only the selection (2)").click();
    h.run_steps(2);
    let part = mermaid::import(&copied_text(&export_command(&mut h, "Copy as Mermaid"))).unwrap().document;
    let ids: Vec<&str> = part.elements.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["kas", "gitaly"], "only the selected elements");
    assert!(part.flows.iter().all(|f| ids.contains(&f.from.as_str()) && ids.contains(&f.to.as_str())));
    assert!(!part.flows.is_empty(), "the flows between them travel along");
}

#[test]
fn copy_as_png_puts_an_image_of_the_diagram_on_the_clipboard() {
    let mut h = harness(ThreatboardApp::with_document(sample("kubernetes-agent-2020-05.json"), None));
    let commands = export_command(&mut h, "Copy as PNG");
    let image = commands
        .iter()
        .find_map(|c| match c {
            OutputCommand::CopyImage(image) => Some(image.clone()),
            _ => None,
        })
        .expect("the frame copied an image");
    let [w, h_px] = image.size;
    assert!(w > 400 && h_px > 200, "drawn at 2×: {w}×{h_px}");
    let first = image.pixels[0];
    assert!(image.pixels.iter().any(|p| *p != first), "not a blank image");
    assert!(h.state().notice().is_some_and(|n| !n.error && n.text.contains("image")));
}
