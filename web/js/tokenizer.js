// Text to tokens. Word mode uses Intl.Segmenter's word granularity, which handles punctuation,
// emoji and CJK; character mode splits into grapheme clusters (what a reader calls a character,
// so an emoji or an accented letter stays whole). Whitespace is not a token in word mode; in
// character mode a space is, shown as "␣".
'use strict';
(function tokenizerModule(Spotlight) {
  const segmenters = {};

  function segmenter(granularity) {
    if (!segmenters[granularity] && typeof Intl !== 'undefined' && Intl.Segmenter) {
      segmenters[granularity] = new Intl.Segmenter(undefined, { granularity });
    }
    return segmenters[granularity] || null;
  }

  function words(text) {
    const words = segmenter('word');
    if (!words) return text.split(/\s+/).filter(Boolean);  // browsers without Intl.Segmenter
    const tokens = [];
    for (const { segment } of words.segment(text)) {
      if (segment.trim() !== '') tokens.push(segment);
    }
    return tokens;
  }

  function characters(text) {
    const graphemes = segmenter('grapheme');
    const pieces = graphemes ? Array.from(graphemes.segment(text), (s) => s.segment) : Array.from(text);
    return pieces
      .filter((piece) => piece !== '\n' && piece !== '\r' && piece !== '\r\n' && piece !== '\t')
      .map((piece) => (piece === ' ' ? '␣' : piece));
  }

  // Returns {tokens, total}: at most `limit` tokens, and how many the text had in all.
  function tokenize(text, { mode = 'word', lowercase = false, limit = Infinity } = {}) {
    const source = lowercase ? text.toLowerCase() : text;
    const all = mode === 'char' ? characters(source) : words(source);
    return { tokens: all.slice(0, limit), total: all.length };
  }

  Spotlight.tokenize = tokenize;
}(window.Spotlight));
