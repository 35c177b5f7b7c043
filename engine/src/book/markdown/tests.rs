use super::*;

#[test]
fn cuts_live_blocks_out_and_anchors_headings() {
    let md = "# Title\n\nText.\n\n```klpscope\n% rmmod x\n```\n\n## Next part\n\n```sh\nls\n```\n";
    let r = render("ch", md);
    assert_eq!(r.title, "Title");
    assert_eq!(r.headings.len(), 2);
    assert_eq!(r.headings[1].slug, "next-part");
    assert_eq!(r.segments.len(), 3);
    let Segment::Html(first) = &r.segments[0] else {
        panic!("html first")
    };
    assert!(first.contains("<h1 id=\"doc-title\">Title<a class=\"anchor\" href=\"#doc=ch/title\""));
    assert_eq!(r.segments[1], Segment::Live("% rmmod x\n".into()));
    let Segment::Html(last) = &r.segments[2] else {
        panic!("html last")
    };
    assert!(last.contains("<code class=\"language-sh\">"));
}

#[test]
fn duplicate_headings_get_distinct_anchors() {
    let r = render("ch", "## A\n\n## A\n");
    assert_ne!(r.headings[0].slug, r.headings[1].slug);
}

#[test]
fn headings_know_where_their_element_starts() {
    let md = "# T\n\nabc\n\n## A\n\nx\n\n```klpscope\n% rmmod x\n```\n\n## A\n\n## `B` <i>\n";
    for target in [
        Target::App,
        Target::Page {
            app: "../index.html",
        },
        Target::Print { app: "a" },
    ] {
        let r = render_for(target, "ch", md);
        assert_eq!(r.headings.len(), 4);
        for h in &r.headings {
            let Some(Segment::Html(html)) = r.segments.get(h.at.0) else {
                panic!("{h:?} points at no html segment")
            };
            assert!(
                html[h.at.1..].starts_with(&format!("<h{} id=\"", h.level)),
                "{h:?}: {html}"
            );
        }
        assert_eq!(r.headings[0].at, (0, 0));
        assert_eq!(r.headings[3].at.0, 2);
        assert_ne!(r.headings[1].at, r.headings[2].at);
    }
}

#[test]
fn book_targets_rewrite_intra_doc_links() {
    let md = "# T\n\nSee [m](#doc=modules), [h](#doc=modules/a-b), [s](#doc=x&s=rmmod+m), \
              [t](#s=rmmod+m) and [w](https://kernel.org/).\n";
    let page = render_for(
        Target::Page {
            app: "../index.html",
        },
        "ch",
        md,
    );
    let Segment::Html(html) = &page.segments[0] else {
        panic!()
    };
    assert!(html.contains("href=\"modules.html\""), "{html}");
    assert!(html.contains("href=\"modules.html#doc-a-b\""), "{html}");
    assert!(
        html.contains("href=\"../index.html#doc=x&amp;s=rmmod+m\""),
        "{html}"
    );
    assert!(html.contains("href=\"../index.html#s=rmmod+m\""), "{html}");
    assert!(html.contains("href=\"https://kernel.org/\""), "{html}");
    assert!(
        html.contains("<h1 id=\"doc-t\">T<a class=\"anchor\" href=\"#doc-t\""),
        "{html}"
    );

    let print = render_for(
        Target::Print {
            app: "../index.html",
        },
        "ch",
        md,
    );
    let Segment::Html(html) = &print.segments[0] else {
        panic!()
    };
    assert!(html.contains("href=\"#modules\""), "{html}");
    assert!(html.contains("href=\"#modules--a-b\""), "{html}");
    assert!(html.contains("<h1 id=\"ch--t\">"), "{html}");

    let app = render("ch", md);
    let Segment::Html(html) = &app.segments[0] else {
        panic!()
    };
    assert!(html.contains("href=\"#doc=modules/a-b\""), "{html}");
}

#[test]
fn a_hostile_link_target_stays_an_escaped_fragment() {
    let r = render_for(
        Target::Page {
            app: "../index.html",
        },
        "ch",
        "[x](#doc=\"><script>)\n",
    );
    let Segment::Html(html) = &r.segments[0] else {
        panic!()
    };
    assert!(!html.contains("<script>"), "{html}");
}

#[test]
fn escape_covers_markup_and_quotes() {
    assert_eq!(
        escape("<a href='x'>&\"</a>"),
        "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
    );
}

#[test]
fn exercise_blocks_become_forms_and_a_broken_one_stays_text() {
    let md = "# T\n\n```klpscope-quiz\ntitle: Enable\nskill: s\n\
              next: % insmod test_modules/test_klp_callbacks_demo.ko\n\
              docs: #doc=callbacks/enabling-a-patch\n```\n\n\
              ```klpscope-quiz\ntitle: no next line\n```\n";
    let r = render("ch", md);
    assert_eq!(r.segments.len(), 3, "{:?}", r.segments);
    let Segment::Quiz { html, form } = &r.segments[1] else {
        panic!("a quiz segment: {:?}", r.segments[1])
    };
    assert_eq!(form.exercise.id, "enable");
    assert!(html.contains("<h3 id=\"quiz-enable\""), "{html}");
    // The site draws the answer form from the Form: the chapter holds
    // the exercise's text and how to answer, no form.
    assert!(html.contains("one row per callback"), "{html}");
    assert!(
        !html.contains("<select") && !html.contains("<button"),
        "{html}"
    );
    assert!(html.contains("href=\"#quiz=enable\""), "{html}");
    assert!(
        html.contains("<mark>% insmod test_modules/test_klp_callbacks_demo.ko</mark>"),
        "{html}"
    );
    assert_eq!(form.objects[0], "vmlinux");
    let Segment::Html(last) = &r.segments[2] else {
        panic!("html last")
    };
    assert!(last.contains("title: no next line"), "{last}");
    let file = segments_file(&r.segments);
    assert!(
        file.contains(&format!("{SEGMENT_END}Q<h3 id=\"quiz-enable\"")),
        "{file}"
    );
    assert!(
        file.contains(&format!("{QUIZ_FORM}enable\nEnable\n")),
        "{file}"
    );
    // In a book page the docs link points at the book's page.
    let page = render_for(
        Target::Page {
            app: "../index.html",
        },
        "ch",
        md,
    );
    let Segment::Quiz { form, html } = &page.segments[1] else {
        panic!("a quiz segment")
    };
    assert!(
        !html.contains("<select") && !html.contains("data-act"),
        "{html}"
    );
    assert_eq!(
        form.exercise.docs.as_deref(),
        Some("callbacks.html#doc-enabling-a-patch")
    );
}

#[test]
fn ask_blocks_list_their_questions_with_buttons_in_the_site_and_commands_in_the_book() {
    let md = "# Ask\n\n```klpscope-ask\n```\n\n```klpscope-ask\npost-patch-twice\n```\n\n```klpscope-ask\nno-such-question\n```\n";
    let site = render("ask", md);
    let asks: Vec<&String> = site
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Ask { html, .. } => Some(html),
            _ => None,
        })
        .collect();
    assert_eq!(asks.len(), 2, "an unknown id leaves its block as code");
    let ids: Vec<&Vec<&str>> = site
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Ask { ids, .. } => Some(ids),
            _ => None,
        })
        .collect();
    let all: Vec<&str> = crate::ask::QUESTIONS.iter().map(|n| n.id).collect();
    assert_eq!(ids, [&all, &vec!["post-patch-twice"]]);
    for n in crate::ask::QUESTIONS {
        assert!(
            asks[0].contains(&format!("<li id=\"ask-{}\">", n.id)),
            "{}",
            n.id
        );
        assert!(
            asks[0].contains(&format!("data-ask=\"{}\"", n.id)),
            "{}",
            n.id
        );
        assert!(asks[0].contains(&escape(n.reason)), "{}", n.id);
    }
    assert_eq!(asks[1].matches("<li id=").count(), 1);
    // The builder offers the engine's choices, and the answer box follows it.
    assert!(asks[0].contains("<option value=\"MODULE_STATE_GOING\">"));
    assert!(asks[0].contains("<option value=\"test_klp_callbacks_mod\">"));
    assert!(asks[0].contains("data-ask=\"build\"") && asks[0].contains("data-testid=\"ask-out\""));
    let Segment::Html(last) = site.segments.last().unwrap() else {
        panic!("the unknown block stays HTML");
    };
    assert!(last.contains("no-such-question"));
    // The site's chapter file names the questions; the site draws them.
    assert!(
        segments_file(&site.segments).contains(&format!("\u{1e}A{}\u{1e}", all.join(" "))),
        "{}",
        segments_file(&site.segments)
    );

    let book = render_for(
        Target::Page {
            app: "../index.html",
        },
        "ask",
        md,
    );
    let Some(Segment::Ask { html: page, .. }) = book
        .segments
        .iter()
        .find(|s| matches!(s, Segment::Ask { .. }))
    else {
        panic!("an ask segment in the book");
    };
    assert!(page.contains("klpscope explore --ask post-unpatch-without-pre-patch"));
    assert!(!page.contains("<button") && !page.contains("<select"));
}
