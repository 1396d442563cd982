//! A recursive-descent parser for Mermaid's flowchart grammar, modelled on Mermaid's own lexer
//! rules (`flow.jison`): the same keywords, link forms, node shapes and text rules, so that what
//! Mermaid rejects is rejected here too, with the line and column of the offending character.

use std::borrow::Cow;

use super::MermaidError;
use super::ast::{Chain, Diagram, Label, Link, Node, Pos, Shape, Stmt, Stroke, Subgraph};
use super::lexer::{Lines, Prepass};
use super::shapes;
use super::{lexer, text};
use crate::model::Direction;

/// Deepest subgraph nesting accepted; far beyond real diagrams, low enough to keep the stack safe.
const MAX_DEPTH: usize = 100;

/// Parses a flowchart, from the text the pre-pass left.
pub fn parse<'a>(pre: &'a Prepass<'a>, lines: &Lines<'_>) -> Result<Diagram<'a>, MermaidError> {
    let mut p =
        Parser { s: &pre.code, b: pre.code.as_bytes(), pos: 0, lines, edges: 0, depth: 0, diagram: Diagram::default() };
    p.diagram.title.clone_from(&pre.title);
    p.diagram.skipped.clone_from(&pre.skipped);
    p.header()?;
    let statements = p.statements(None)?;
    p.diagram.statements = statements;
    Ok(p.diagram)
}

/// The comment lines that hold Threatboard metadata (offset and trimmed text), in text order.
pub fn meta_lines<'a>(pre: &Prepass<'a>) -> Vec<(Pos, &'a str)> {
    pre.comments
        .iter()
        .copied()
        .filter(|(_, t)| t.trim_start().starts_with("threatboard:"))
        .map(|(pos, t)| (pos, t.trim()))
        .collect()
}

struct Parser<'a, 'l> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    lines: &'l Lines<'l>,
    /// Links created so far, which `linkStyle` indices refer to.
    edges: usize,
    depth: usize,
    diagram: Diagram<'a>,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Keywords that Mermaid's lexer matches before node ids (each with a word boundary after it).
const KEYWORDS: &[&str] = &[
    "flowchart-elk",
    "flowchart",
    "graph",
    "subgraph",
    "end",
    "style",
    "classDef",
    "class",
    "linkStyle",
    "interpolate",
    "_self",
    "_blank",
    "_parent",
    "_top",
];

/// The keyword a node id would be lexed as by Mermaid, if any.
pub fn keyword_prefix(id: &str) -> Option<&'static str> {
    KEYWORDS.iter().copied().find(|k| id.starts_with(k) && !id.as_bytes().get(k.len()).copied().is_some_and(is_word))
}

impl<'a> Parser<'a, '_> {
    fn err(&self, pos: Pos, message: impl Into<String>) -> MermaidError {
        self.lines.error(pos, message)
    }

    fn skip(&mut self, pos: Pos, message: impl Into<String>) {
        self.diagram.skipped.push((pos, message.into()));
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn current_char(&self) -> String {
        self.rest().chars().next().map_or_else(|| "end of text".to_owned(), |c| format!("`{c}`"))
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            self.pos += 1;
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// True when the text at the cursor is `word` followed by a word boundary.
    fn at_keyword(&self, word: &str) -> bool {
        self.rest().starts_with(word) && !self.b.get(self.pos + word.len()).copied().is_some_and(is_word)
    }

    fn at_separator(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n' | b';'))
    }

    fn header(&mut self) -> Result<(), MermaidError> {
        self.skip_ws();
        let start = self.pos;
        let keyword = ["flowchart-elk", "flowchart", "graph"].into_iter().find(|k| self.at_keyword(k));
        let Some(keyword) = keyword else {
            let word: String = self.rest().chars().take_while(|c| c.is_alphanumeric() || *c == '-').collect();
            let found = if word.is_empty() { self.current_char() } else { format!("`{word}`") };
            return Err(self.err(start, format!("expected `flowchart` or `graph` to start a flowchart, found {found}")));
        };
        self.pos += keyword.len();
        self.skip_spaces();
        let dir_pos = self.pos;
        let word: String = self.rest().chars().take_while(char::is_ascii_alphanumeric).collect();
        let direction = match word.to_ascii_uppercase().as_str() {
            "" => match self.peek() {
                Some(b'>') => Some(Direction::LR),
                Some(b'<') => Some(Direction::RL),
                Some(b'^') => Some(Direction::BT),
                _ => None,
            },
            "V" => Some(Direction::TB),
            w => Direction::parse(w),
        };
        match direction {
            Some(d) => {
                self.diagram.direction = d;
                self.pos += word.len().max(1);
            }
            None if !word.is_empty() => {
                return Err(self.err(dir_pos, format!("unknown direction `{word}`; use TB, TD, BT, LR or RL")));
            }
            None => {}
        }
        self.skip_spaces();
        if !self.at_separator() {
            return Err(self.err(self.pos, format!("unexpected {} after the flowchart header", self.current_char())));
        }
        Ok(())
    }

    fn statements(&mut self, subgraph: Option<Pos>) -> Result<Vec<Stmt>, MermaidError> {
        let mut out = Vec::new();
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n' | b';')) {
                self.pos += 1;
            }
            let start = self.pos;
            if self.peek().is_none() {
                return match subgraph {
                    Some(open) => Err(self.err(open, "this subgraph is never closed: `end` is missing")),
                    None => Ok(out),
                };
            }
            if self.at_keyword("end") {
                self.pos += 3;
                if subgraph.is_some() {
                    return Ok(out);
                }
                return Err(self.err(start, "`end` without a subgraph to close"));
            }
            if self.at_keyword("subgraph") {
                out.push(Stmt::Subgraph(self.subgraph()?));
                continue;
            }
            match self.keyword_statement()? {
                Keyword::Statement(stmt) => {
                    out.push(stmt);
                    continue;
                }
                Keyword::Read => continue,
                Keyword::None => {}
            }
            let chain = self.chain()?;
            self.skip_spaces();
            if !self.at_separator() {
                let msg =
                    format!("unexpected {}; expected a link, `&` or the end of the statement", self.current_char());
                return Err(self.err(self.pos, msg));
            }
            out.push(Stmt::Chain(chain));
        }
    }

    /// The rest of a statement, up to a newline or a `;` outside quotes.
    fn rest_of_statement(&mut self) -> &str {
        let start = self.pos;
        let mut quoted = false;
        while let Some(b) = self.peek() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' => break,
                b';' if !quoted => break,
                _ => {}
            }
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    /// Statements introduced by a keyword other than `subgraph`; `None` when there is none here.
    fn keyword_statement(&mut self) -> Result<Keyword, MermaidError> {
        let start = self.pos;
        let spaced = |p: &Self, w: &str| p.at_keyword(w) && matches!(p.b.get(p.pos + w.len()), Some(b' ' | b'\t'));
        if spaced(self, "direction") {
            self.rest_of_statement();
            return Ok(Keyword::Statement(Stmt::Styling { pos: start, keyword: "direction", name: String::new() }));
        }
        for keyword in ["classDef", "style", "click"] {
            if spaced(self, keyword) {
                self.pos += keyword.len();
                let rest = self.rest_of_statement().trim().to_owned();
                let name = rest.split_whitespace().next().unwrap_or_default().to_owned();
                return Ok(Keyword::Statement(Stmt::Styling { pos: start, keyword, name }));
            }
        }
        if spaced(self, "linkStyle") {
            self.pos += "linkStyle".len();
            self.skip_spaces();
            if !self.at_keyword("default") {
                loop {
                    let at = self.pos;
                    let digits = self.rest().bytes().take_while(u8::is_ascii_digit).count();
                    if digits == 0 {
                        return Err(self.err(at, "expected a link number or `default` after `linkStyle`"));
                    }
                    let n: usize = self.s[at..at + digits].parse().unwrap_or(usize::MAX);
                    if n >= self.edges {
                        let msg = format!(
                            "linkStyle {n}: there is no link {n}; links are numbered from 0 and {} defined so far",
                            match self.edges {
                                0 => "none is".to_owned(),
                                1 => "1 is".to_owned(),
                                k => format!("{k} are"),
                            }
                        );
                        return Err(self.err(at, msg));
                    }
                    self.pos += digits;
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
            }
            self.rest_of_statement();
            return Ok(Keyword::Statement(Stmt::Styling { pos: start, keyword: "linkStyle", name: String::new() }));
        }
        if spaced(self, "class") {
            self.pos += "class".len();
            self.skip_spaces();
            let ids_start = self.pos;
            while self.peek().is_some_and(|b| !b.is_ascii_whitespace() && b != b';') {
                self.pos += 1;
            }
            let ids: Vec<String> = self.s[ids_start..self.pos].split(',').map(str::to_owned).collect();
            self.skip_spaces();
            let class = self.rest_of_statement().trim().to_owned();
            if class.is_empty() {
                return Err(self.err(self.pos, "expected a class name after the node ids"));
            }
            return Ok(Keyword::Statement(Stmt::Class { pos: start, ids, class }));
        }
        for (keyword, title) in [("accTitle", true), ("accDescr", false)] {
            if self.rest().starts_with(keyword) {
                let after = self.pos + keyword.len();
                let gap = self.s[after..].len() - self.s[after..].trim_start_matches([' ', '\t']).len();
                match self.b.get(after + gap) {
                    Some(b':') => {
                        self.pos = after + gap + 1;
                        let end = self.rest().find('\n').map_or(self.s.len(), |n| self.pos + n);
                        let value = self.s[self.pos..end].trim().to_owned();
                        self.pos = end;
                        if title {
                            self.diagram.acc_title = Some(value);
                        } else {
                            self.diagram.acc_descr = Some(value);
                        }
                        return Ok(Keyword::Read);
                    }
                    Some(b'{') if !title => {
                        self.pos = after + gap + 1;
                        let Some(close) = self.rest().find('}') else {
                            return Err(self.err(start, "`accDescr {` is never closed with `}`"));
                        };
                        let value = self.s[self.pos..self.pos + close].trim();
                        let value = value.lines().map(str::trim).collect::<Vec<_>>().join("\n");
                        self.diagram.acc_descr = Some(value);
                        self.pos += close + 1;
                        return Ok(Keyword::Read);
                    }
                    _ => {}
                }
            }
        }
        Ok(Keyword::None)
    }

    fn subgraph(&mut self) -> Result<Subgraph, MermaidError> {
        let pos = self.pos;
        self.pos += "subgraph".len();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(pos, format!("subgraphs are nested more than {MAX_DEPTH} deep")));
        }
        self.skip_spaces();
        let (mut id, mut title) = (None, None);
        if !self.at_separator() {
            let raw = if self.peek() == Some(b'"') {
                let l = self.quoted()?;
                self.skip_spaces();
                l.text.into_owned()
            } else {
                let start = self.pos;
                while self.peek().is_some_and(|b| !matches!(b, b'[' | b'\n' | b';')) {
                    self.pos += 1;
                }
                text::decode(&self.s[start..self.pos]).into_owned()
            };
            if self.peek() == Some(b'[') {
                let open = self.pos;
                self.pos += 1;
                let label = self.shape_text(open, &["]"], TextRule::Plain)?.0;
                id = Some(raw.trim().to_owned()).filter(|s| !s.is_empty());
                title = Some(label.text.into_owned());
                self.skip_spaces();
            } else {
                if !raw.contains(char::is_whitespace) && !raw.is_empty() {
                    id = Some(raw.clone());
                }
                title = Some(raw);
            }
            if !self.at_separator() {
                return Err(self.err(self.pos, format!("unexpected {} after the subgraph title", self.current_char())));
            }
        }
        let body = self.statements(Some(pos))?;
        self.depth -= 1;
        Ok(Subgraph { pos, id, title, body })
    }

    /// A chain; its groups, nodes and links go to the diagram's lists.
    fn chain(&mut self) -> Result<Chain, MermaidError> {
        let (first_group, first_link) = (self.diagram.groups.len(), self.diagram.links.len());
        let mut last = self.group()?;
        loop {
            let save = self.pos;
            self.skip_spaces();
            let Some(link) = self.link()? else {
                self.pos = save;
                break;
            };
            self.skip_ws();
            if self.at_separator() {
                return Err(self.err(self.pos, "a link needs a node after it"));
            }
            let size = self.group()?;
            self.edges += last * size;
            last = size;
            self.diagram.links.push(link);
        }
        Ok(Chain { groups: first_group..self.diagram.groups.len(), links: first_link..self.diagram.links.len() })
    }

    /// A node group (`a & b`), added to the diagram's lists; returns how many nodes it has.
    fn group(&mut self) -> Result<usize, MermaidError> {
        let first = self.diagram.nodes.len();
        let node = self.node()?;
        self.diagram.nodes.push(node);
        loop {
            let save = self.pos;
            self.skip_spaces();
            if self.peek() == Some(b'&') && self.pos > save {
                self.pos += 1;
                self.skip_ws();
                let node = self.node()?;
                self.diagram.nodes.push(node);
            } else {
                self.pos = save;
                self.diagram.groups.push(first..self.diagram.nodes.len());
                return Ok(self.diagram.nodes.len() - first);
            }
        }
    }

    /// Length of the node id at the cursor (Mermaid's `NODE_STRING` and friends).
    fn id_len(&self) -> usize {
        let mut i = self.pos;
        while let Some(c) = self.s[i..].chars().next() {
            let next = self.b.get(i + c.len_utf8()).copied();
            let ok = match c {
                'a'..='z'
                | 'A'..='Z'
                | '0'..='9'
                | '!'
                | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '.'
                | '`'
                | '?'
                | '\\'
                | '_'
                | '/'
                | ',' => true,
                ':' => !self.s[i..].starts_with(":::"),
                // A dash starts a link when another dash or a dot follows; otherwise it is part of the id.
                '-' => !matches!(next, Some(b'-' | b'.')),
                '=' => next != Some(b'='),
                c => !c.is_ascii() && c.is_alphanumeric(),
            };
            if !ok {
                break;
            }
            i += c.len_utf8();
        }
        i - self.pos
    }

    fn node(&mut self) -> Result<Node<'a>, MermaidError> {
        let pos = self.pos;
        let len = self.id_len();
        if len == 0 {
            return Err(self.err(pos, format!("expected a node id, found {}", self.current_char())));
        }
        let id = &self.s[pos..pos + len];
        if let Some(k) = keyword_prefix(id) {
            return Err(self.err(pos, format!("`{k}` is a Mermaid keyword and cannot start a node id")));
        }
        self.pos += len;
        if ["click", "call", "href"].contains(&id) && matches!(self.peek(), Some(b' ' | b'\t')) {
            return Err(self.err(pos, format!("`{id}` is a Mermaid keyword and cannot be a node id")));
        }
        let mut node =
            Node { pos, id, shape: None, label: None, classes: Vec::new(), ignored_data: Vec::new(), has_data: false };
        if let Some((shape, label)) = self.shape()? {
            node.shape = Some(shape);
            node.label = Some(label);
        }
        loop {
            if self.rest().starts_with("@{") {
                self.shape_data(&mut node)?;
            } else if self.rest().starts_with(":::") {
                self.pos += 3;
                let start = self.pos;
                let n = self.id_len();
                if n == 0 {
                    return Err(self.err(start, "expected a class name after `:::`"));
                }
                node.classes.push(self.s[start..start + n].to_owned());
                self.pos += n;
            } else {
                return Ok(node);
            }
        }
    }

    fn shape(&mut self) -> Result<Option<(Shape, Label<'a>)>, MermaidError> {
        const OPENERS: &[(&str, Shape, &[&str], TextRule)] = &[
            ("(((", Shape::DoubleCircle, &[")))"], TextRule::Plain),
            ("((", Shape::Circle, &["))"], TextRule::Plain),
            ("([", Shape::Stadium, &["])"], TextRule::Plain),
            ("(-", Shape::Ellipse, &["-)"], TextRule::Plain),
            ("(", Shape::Round, &[")"], TextRule::Plain),
            ("[[", Shape::Subroutine, &["]]"], TextRule::Plain),
            ("[(", Shape::Cylinder, &[")]"], TextRule::Plain),
            ("[/", Shape::LeanRight, &["/]", "\\]"], TextRule::Slanted),
            ("[\\", Shape::LeanLeft, &["\\]", "/]"], TextRule::Slanted),
            ("[", Shape::Rect, &["]"], TextRule::Plain),
            ("{{", Shape::Hexagon, &["}}"], TextRule::Plain),
            ("{", Shape::Diamond, &["}"], TextRule::Plain),
            (">", Shape::Odd, &["]"], TextRule::Plain),
        ];
        let open = self.pos;
        let Some(&(opener, shape, closers, rule)) = OPENERS.iter().find(|(o, ..)| self.rest().starts_with(o)) else {
            return Ok(None);
        };
        self.pos += opener.len();
        if opener == "[" && self.peek() == Some(b'|') {
            // `[|field:value|text]`: a property list before the text.
            let Some(close) = self.rest()[1..].find('|') else {
                return Err(self.err(self.pos, "the `[|` property list is never closed with `|`"));
            };
            self.pos += close + 2;
        }
        let (label, which) = self.shape_text(open, closers, rule)?;
        let shape = match (shape, which) {
            (Shape::LeanRight, 1) => Shape::Trapezoid,
            (Shape::LeanLeft, 1) => Shape::InvTrapezoid,
            (s, _) => s,
        };
        Ok(Some((shape, label)))
    }

    /// A `"…"` string or a "`…`" markdown string at the cursor.
    fn quoted(&mut self) -> Result<Label<'a>, MermaidError> {
        let open = self.pos;
        if self.rest().starts_with("\"`") {
            let body = open + 2;
            let Some(end) = self.s[body..].find("`\"") else {
                return Err(self.err(open, "this markdown string is never closed with `\"` after a backtick"));
            };
            if let Some(q) = self.s[body..body + end].find('"') {
                return Err(self.err(body + q, "a markdown string cannot contain `\"`"));
            }
            self.pos = body + end + 2;
            return Ok(Label { pos: open, text: text::decode(&self.s[body..body + end]) });
        }
        let body = open + 1;
        let Some(end) = self.s[body..].find('"') else {
            return Err(self.err(open, "this string is never closed with `\"`"));
        };
        self.pos = body + end + 1;
        Ok(Label { pos: open, text: text::decode(&self.s[body..body + end]) })
    }

    /// The text of a shape up to one of its closers; returns the label and which closer ended it.
    fn shape_text(&mut self, open: Pos, closers: &[&str], rule: TextRule) -> Result<(Label<'a>, usize), MermaidError> {
        let closing = |p: &Self| closers.iter().position(|c| p.rest().starts_with(c));
        if self.peek() == Some(b'"') {
            let label = self.quoted()?;
            self.skip_spaces();
            let Some(which) = closing(self) else {
                let msg = match self.peek() {
                    None => format!("`{}` is never closed", &self.s[open..=open]),
                    Some(_) => format!(
                        "unexpected {} after a quoted label; a label is either quoted or not",
                        self.current_char()
                    ),
                };
                return Err(self.err(self.pos, msg));
            };
            self.pos += closers[which].len();
            return Ok((label, which));
        }
        let start = self.pos;
        loop {
            if let Some(which) = closing(self) {
                let label = Label { pos: start, text: text::decode(&self.s[start..self.pos]) };
                self.pos += closers[which].len();
                return Ok((label, which));
            }
            let Some(c) = self.rest().chars().next() else {
                let opener: String = self.s[open..].chars().take(2).collect();
                return Err(self.err(open, format!("`{opener}` is never closed (expected `{}`)", closers[0])));
            };
            let bad = match c {
                '"' => Some("a label cannot mix quoted and unquoted text; quote all of it"),
                '[' | ']' | '(' | ')' | '{' | '}' => {
                    Some("brackets cannot appear in an unquoted label; put the label in quotes")
                }
                '|' if rule == TextRule::Plain => {
                    Some("`|` cannot appear in an unquoted label; put the label in quotes")
                }
                _ => None,
            };
            if let Some(why) = bad {
                return Err(self.err(self.pos, format!("unexpected `{c}`: {why}")));
            }
            self.pos += c.len_utf8();
        }
    }

    fn shape_data(&mut self, node: &mut Node<'a>) -> Result<(), MermaidError> {
        let open = self.pos;
        self.pos += 2;
        let body = self.pos;
        let mut quote = None;
        loop {
            match (self.peek(), quote) {
                (None, _) => return Err(self.err(open, "`@{` is never closed with `}`")),
                (Some(b'}'), None) => break,
                (Some(q @ (b'"' | b'\'')), None) => quote = Some(q),
                (Some(q), Some(open_q)) if q == open_q => quote = None,
                _ => {}
            }
            self.pos += 1;
        }
        let content = &self.s[body..self.pos];
        self.pos += 1;
        node.has_data = true;
        for (key_pos, key, value_pos, value) in data_entries(content, body) {
            match key.as_str() {
                "shape" => {
                    let name = value.trim();
                    let Some(canonical) = shapes::lookup(name) else {
                        let msg = if name != name.to_lowercase() || name.contains('_') {
                            format!("no such shape `{name}`: shape names are lower case, with `-` between words")
                        } else {
                            format!("no such shape `{name}`")
                        };
                        return Err(self.err(value_pos, msg));
                    };
                    node.shape = Some(Shape::Named(canonical));
                }
                "label" => {
                    node.label = Some(Label { pos: value_pos, text: Cow::Owned(text::decode(&value).into_owned()) });
                }
                _ => node.ignored_data.push((key_pos, key)),
            }
        }
        Ok(())
    }

    /// A link at the cursor, with its text, or `None` (cursor unchanged) when there is none.
    fn link(&mut self) -> Result<Option<Link<'a>>, MermaidError> {
        let start = self.pos;
        let mut id = None;
        // `e1@-->`: an edge id is a run of non-space characters ending in `@`, right before the link.
        let run = self.rest().find(|c: char| c.is_whitespace() || c == '"').unwrap_or(self.rest().len());
        if let Some(at) = self.rest()[..run].rfind('@')
            && at > 0
            && !matches!(self.b.get(self.pos + at + 1), Some(b'{' | b'"') | None)
        {
            id = Some(self.s[self.pos..self.pos + at].to_owned());
            self.pos += at + 1;
        }
        let Some(token) = self.link_token() else {
            self.pos = start;
            return Ok(None);
        };
        let mut link = Link {
            pos: start,
            id,
            stroke: token.stroke,
            head_at_start: token.head_at_start,
            head_at_end: token.head_at_end,
            label: None,
        };
        if token.opens_text {
            self.skip_ws();
            let text_start = self.pos;
            let label = if self.peek() == Some(b'"') {
                let l = self.quoted()?;
                let save = self.pos;
                if self.end_link(token.stroke).is_none() {
                    self.pos = save;
                    let msg = format!("expected the end of the link after its text, found {}", self.current_char());
                    return Err(self.err(self.pos, msg));
                }
                self.pos = save;
                l
            } else {
                loop {
                    let here = self.pos;
                    if self.end_link(token.stroke).is_some() {
                        self.pos = here;
                        break;
                    }
                    self.pos = here;
                    let Some(c) = self.rest().chars().next() else {
                        return Err(self.err(start, "the text of this link never ends: the closing `-->` is missing"));
                    };
                    let doubled = match token.stroke {
                        Stroke::Thick => self.rest().starts_with("=="),
                        Stroke::Dotted => false,
                        _ => self.rest().starts_with("--"),
                    };
                    if doubled {
                        return Err(self.err(self.pos, format!("unexpected `{c}{c}` inside the text of a link")));
                    }
                    self.pos += c.len_utf8();
                }
                Label { pos: text_start, text: text::decode(&self.s[text_start..self.pos]) }
            };
            let Some(head) = self.end_link(token.stroke) else {
                return Err(self.err(self.pos, "expected the end of the link after its text"));
            };
            link.head_at_end = head;
            link.label = Some(label);
            return Ok(Some(link));
        }
        self.skip_ws();
        if self.peek() == Some(b'|') {
            link.label = Some(self.pipe_text()?);
            self.skip_spaces();
        }
        Ok(Some(link))
    }

    /// `|text|` after a link.
    fn pipe_text(&mut self) -> Result<Label<'a>, MermaidError> {
        let open = self.pos;
        self.pos += 1;
        let save = self.pos;
        self.skip_spaces();
        if self.peek() == Some(b'"') {
            let label = self.quoted()?;
            self.skip_spaces();
            if self.peek() != Some(b'|') {
                let msg = format!("unexpected {} after the quoted link text; expected `|`", self.current_char());
                return Err(self.err(self.pos, msg));
            }
            self.pos += 1;
            return Ok(label);
        }
        self.pos = save;
        let mut warned = false;
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(self.err(open, "the link text opened by `|` is never closed"));
            };
            match c {
                '|' => break,
                '"' => return Err(self.err(self.pos, "unexpected `\"`: link text is either quoted or not")),
                '[' | ']' | '{' | '}' => {
                    return Err(self.err(self.pos, format!("unexpected `{c}` in link text; put the text in quotes")));
                }
                '(' | ')' if !warned => {
                    warned = true;
                    self.skip(self.pos, "parentheses in unquoted link text may be rejected by Mermaid; quote the text");
                }
                _ => {}
            }
            self.pos += c.len_utf8();
        }
        let label = Label { pos: save, text: text::decode(&self.s[save..self.pos]) };
        self.pos += 1;
        Ok(label)
    }

    /// A whole link token at the cursor (`-->`, `<==>`, `-.-`, `~~~`, or an opening `--` before text).
    fn link_token(&mut self) -> Option<LinkToken> {
        let start = self.pos;
        let count = |p: &Self, at: usize, ch: u8| p.b[at..].iter().take_while(|&&b| b == ch).count();
        let mut at = start;
        let mut head_at_start = false;
        if matches!(self.b.get(at), Some(b'<' | b'x' | b'o')) && matches!(self.b.get(at + 1), Some(b'-' | b'=' | b'.'))
        {
            head_at_start = true;
            at += 1;
        }
        let head = |b: Option<&u8>| matches!(b, Some(b'>' | b'x' | b'o'));
        let token = match self.b.get(at) {
            Some(&ch @ (b'-' | b'=')) => {
                let n = count(self, at, ch);
                let stroke = if ch == b'=' { Stroke::Thick } else { Stroke::Normal };
                if ch == b'-' && n == 1 && self.b.get(at + 1) == Some(&b'.') {
                    let dots = count(self, at + 1, b'.');
                    if self.b.get(at + 1 + dots) == Some(&b'-') {
                        let end = at + 2 + dots;
                        let h = head(self.b.get(end));
                        self.pos = end + usize::from(h);
                        LinkToken { stroke: Stroke::Dotted, head_at_start, head_at_end: h, opens_text: false }
                    } else if dots == 1 {
                        self.pos = at + 2;
                        LinkToken { stroke: Stroke::Dotted, head_at_start, head_at_end: false, opens_text: true }
                    } else {
                        return None;
                    }
                } else if n >= 2 && head(self.b.get(at + n)) {
                    self.pos = at + n + 1;
                    LinkToken { stroke, head_at_start, head_at_end: true, opens_text: false }
                } else if n >= 3 {
                    self.pos = at + n;
                    LinkToken { stroke, head_at_start, head_at_end: false, opens_text: false }
                } else if n == 2 {
                    self.pos = at + 2;
                    LinkToken { stroke, head_at_start, head_at_end: false, opens_text: true }
                } else {
                    return None;
                }
            }
            Some(b'.') => {
                let dots = count(self, at, b'.');
                if self.b.get(at + dots) != Some(&b'-') {
                    return None;
                }
                let end = at + dots + 1;
                let h = head(self.b.get(end));
                self.pos = end + usize::from(h);
                LinkToken { stroke: Stroke::Dotted, head_at_start, head_at_end: h, opens_text: false }
            }
            Some(b'~') if !head_at_start => {
                let n = count(self, at, b'~');
                if n < 3 {
                    return None;
                }
                self.pos = at + n;
                LinkToken { stroke: Stroke::Invisible, head_at_start: false, head_at_end: false, opens_text: false }
            }
            _ => return None,
        };
        Some(token)
    }

    /// The closing part of a link with text (`-->` after `-- text`); returns whether it has a head.
    /// Leaves the cursor after it and the whitespace that follows.
    fn end_link(&mut self, stroke: Stroke) -> Option<bool> {
        let save = self.pos;
        self.skip_ws();
        let mut at = self.pos;
        if matches!(self.b.get(at), Some(b'x' | b'o' | b'<')) && matches!(self.b.get(at + 1), Some(b'-' | b'=' | b'.'))
        {
            at += 1;
        }
        let head = |b: Option<&u8>| matches!(b, Some(b'>' | b'x' | b'o'));
        let run = |ch: u8| self.b[at..].iter().take_while(|&&b| b == ch).count();
        let result = match stroke {
            Stroke::Normal | Stroke::Thick => {
                let ch = if stroke == Stroke::Thick { b'=' } else { b'-' };
                let n = run(ch);
                if n >= 2 && head(self.b.get(at + n)) {
                    Some((at + n + 1, true))
                } else if n >= 3 {
                    Some((at + n, false))
                } else {
                    None
                }
            }
            Stroke::Dotted => {
                let dash = usize::from(self.b.get(at) == Some(&b'-'));
                let dots = self.b[at + dash..].iter().take_while(|&&b| b == b'.').count();
                if dots > 0 && self.b.get(at + dash + dots) == Some(&b'-') {
                    let end = at + dash + dots + 1;
                    let h = head(self.b.get(end));
                    Some((end + usize::from(h), h))
                } else {
                    None
                }
            }
            Stroke::Invisible => None,
        };
        if let Some((end, h)) = result {
            self.pos = end;
            self.skip_ws();
            Some(h)
        } else {
            self.pos = save;
            None
        }
    }
}

/// What a keyword at the start of a statement turned out to be.
enum Keyword {
    /// A statement for the tree.
    Statement(Stmt),
    /// Something read into the diagram itself (`accTitle`, `accDescr`).
    Read,
    /// No keyword here.
    None,
}

struct LinkToken {
    stroke: Stroke,
    head_at_start: bool,
    head_at_end: bool,
    opens_text: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextRule {
    /// Text inside `[]`, `()`, `{}` and friends.
    Plain,
    /// Text of `[/…/]` and `[\…\]`, where `/` and `\` are allowed.
    Slanted,
}

/// The `key: value` entries of `@{…}` shape data, as offsets and text (a small subset of YAML:
/// flow or block mappings, quoted or plain scalars, and `|` / `>` block scalars).
fn data_entries(content: &str, offset: usize) -> Vec<(Pos, String, Pos, String)> {
    let mut out = Vec::new();
    if !content.contains('\n') {
        let mut start = 0;
        let mut quote = None;
        let bytes = content.as_bytes();
        for i in 0..=bytes.len() {
            let b = bytes.get(i).copied();
            match (b, quote) {
                (Some(q @ (b'"' | b'\'')), None) => quote = Some(q),
                (Some(q), Some(open)) if q == open => quote = None,
                (None | Some(b','), None) => {
                    entry(&content[start..i], offset + start, &mut out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return out;
    }
    let lines: Vec<(usize, &str)> = content
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let s = *at;
            *at += l.len();
            Some((s, l.trim_end_matches(['\n', '\r'])))
        })
        .collect();
    let mut i = 0;
    while i < lines.len() {
        let (at, line) = lines[i];
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        i += 1;
        if trimmed.is_empty() {
            continue;
        }
        if let Some((key, value)) = trimmed.split_once(':')
            && matches!(value.trim(), "|" | ">" | "|-" | ">-")
        {
            let fold = value.trim().starts_with('>');
            let mut block = Vec::new();
            while i < lines.len() {
                let (_, l) = lines[i];
                let li = l.len() - l.trim_start().len();
                if !l.trim().is_empty() && li <= indent {
                    break;
                }
                block.push(l.trim());
                i += 1;
            }
            let text = block.join(if fold { " " } else { "\n" });
            let value_pos = offset + at + indent + key.len() + 1;
            out.push((offset + at + indent, key.trim().to_owned(), value_pos, text.trim().to_owned()));
            continue;
        }
        entry(trimmed, offset + at + indent, &mut out);
    }
    out
}

fn entry(s: &str, offset: usize, out: &mut Vec<(Pos, String, Pos, String)>) {
    let lead = s.len() - s.trim_start().len();
    let Some((key, value)) = s.split_once(':') else {
        if !s.trim().is_empty() {
            out.push((offset + lead, s.trim().to_owned(), offset + lead, String::new()));
        }
        return;
    };
    let value_lead = value.len() - value.trim_start().len();
    let value_pos = offset + key.len() + 1 + value_lead;
    out.push((offset + lead, key.trim().to_owned(), value_pos, lexer::yaml_scalar(value.trim())));
}
