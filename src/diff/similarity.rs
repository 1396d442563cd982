//! How alike two labels or two neighbourhoods are, on a scale from 0 (nothing shared) to 1 (the same).

/// Lower case, every run of characters that are not letters or digits turned into one space.
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(ch.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// A label prepared for comparison: normalised, with its numbers and sorted character pairs.
#[derive(Debug, Clone)]
pub(super) struct Label {
    norm: String,
    numbers: Vec<String>,
    bigrams: Vec<(char, char)>,
}

impl Label {
    /// Prepares `text`.
    pub fn new(text: &str) -> Self {
        let norm = normalise(text);
        let numbers = norm.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        let chars: Vec<char> = norm.chars().collect();
        let mut bigrams: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        bigrams.sort_unstable();
        Self { norm, numbers, bigrams }
    }

    /// The normalised text.
    pub fn key(&self) -> &str {
        &self.norm
    }

    /// Similarity to another label: the Dice coefficient of their character pairs.
    ///
    /// Labels that differ in a number (`cache 1`, `cache 2`) are not similar at all: numbered items are
    /// usually siblings, not the same thing renamed. Two labels that normalise to the same text score 1.
    pub fn similarity(&self, other: &Label) -> f64 {
        if self.norm == other.norm {
            return if self.norm.is_empty() { 0.0 } else { 1.0 };
        }
        if self.numbers != other.numbers || self.bigrams.is_empty() || other.bigrams.is_empty() {
            return 0.0;
        }
        let (a, b) = (&self.bigrams, &other.bigrams);
        2.0 * shared(a, b) as f64 / (a.len() + b.len()) as f64
    }
}

/// Label similarity of two texts (see [`Label::similarity`]).
pub(super) fn label(a: &str, b: &str) -> f64 {
    Label::new(a).similarity(&Label::new(b))
}

/// One side of a neighbourhood comparison: the neighbours both versions know (as sorted tokens in the
/// new version's numbering) and how many neighbours only this version has.
#[derive(Debug, Default, Clone)]
pub(super) struct Neighbourhood {
    /// Tokens of matched neighbours, sorted and without duplicates.
    pub known: Vec<u64>,
    /// Neighbours with no counterpart in the other version.
    pub unknown: usize,
}

impl Neighbourhood {
    /// Sorts and de-duplicates the known tokens.
    pub fn finish(&mut self) {
        self.known.sort_unstable();
        self.known.dedup();
    }

    fn len(&self) -> usize {
        self.known.len() + self.unknown
    }
}

/// Jaccard similarity of two neighbourhoods; `None` when either is empty (nothing to compare).
pub(super) fn neighbourhood(a: &Neighbourhood, b: &Neighbourhood) -> Option<f64> {
    if a.len() == 0 || b.len() == 0 {
        return None;
    }
    let shared = shared(&a.known, &b.known);
    Some(shared as f64 / (a.len() + b.len() - shared) as f64)
}

/// How many items two sorted lists have in common, a repeated item counting as often as both hold it.
fn shared<T: Ord>(a: &[T], b: &[T]) -> usize {
    let mut shared = 0;
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!((label("GitLab RoR", "gitlab-ror") - 1.0).abs() < 1e-9);
        assert!(label("GitLab RoR", "GitLab Rails") > 0.5);
        assert!(label("kgb", "kas") < 0.1);
        assert!(label("cache 1", "cache 2") < 0.1);
        assert!(label("", "") < 0.1);
        assert!(label("Front proxy (nginx)", "Front proxy") > 0.7);
    }

    #[test]
    fn neighbourhoods() {
        let a = Neighbourhood { known: vec![1, 2, 3], unknown: 1 };
        let b = Neighbourhood { known: vec![1, 2, 3], unknown: 1 };
        // 3 shared of 5 distinct (the two unknowns never match each other).
        assert!((neighbourhood(&a, &b).unwrap_or_default() - 0.6).abs() < 1e-9);
        assert_eq!(neighbourhood(&a, &Neighbourhood::default()), None);
    }
}
