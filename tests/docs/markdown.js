// Reads the project's documentation (README.md and docs/*.md) for the no-drift tests: its fenced
// code blocks, the output each block claims, and its links to the page.
//
// Conventions the documents follow (README.md, "Documentation that is tested"):
// - ```js, ```cpp and ```python blocks are whole programs that the tests run as they are.
//   A block whose info string also says `no-run` is shown only; the tests count and list those.
// - A line's trailing comment `// prints: TEXT` (`# prints: TEXT` in Python) claims one line of
//   output; the block's output must be exactly its claims, in order.
// - Links to the page are any link ending in index.html#FRAGMENT. They are relative to the
//   document, except in docs/slides.md, whose links are relative to the rendered slides in
//   web/slides/ (the slides are published with the page).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const WEB_PAGE = path.join(ROOT, 'web', 'index.html');
const SLIDES_SOURCE = path.join(ROOT, 'docs', 'slides.md');
const SLIDES_OUTPUT = path.join(ROOT, 'web', 'slides', 'index.html');

// README.md and every docs/*.md, as paths relative to the repository.
function documents() {
  const docs = fs.readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

function read(document) {
  return fs.readFileSync(path.join(ROOT, document), 'utf8');
}

// Every fenced block: {document, line (1-based, of the opening fence), language, flags, code}.
function codeBlocks(document) {
  const lines = read(document).split('\n');
  const blocks = [];
  let open = null;
  lines.forEach((text, index) => {
    const fence = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(text);
    if (!open) {
      if (!fence) return;
      const [language = '', ...flags] = fence[3].trim().split(/\s+/).filter(Boolean);
      open = { document, line: index + 1, language: language.toLowerCase(), flags, fence: fence[2],
        body: [] };
    } else if (fence && fence[2].startsWith(open.fence) && fence[3].trim() === '') {
      blocks.push({ document: open.document, line: open.line, language: open.language,
        flags: open.flags, code: `${open.body.join('\n')}\n` });
      open = null;
    } else {
      open.body.push(text);
    }
  });
  if (open) throw new Error(`${document}:${open.line}: code block is never closed`);
  return blocks;
}

const LANGUAGE_NAMES = { javascript: 'js', 'c++': 'cpp', py: 'python' };

function languageOf(block) {
  return LANGUAGE_NAMES[block.language] || block.language;
}

// The blocks of `language` ('js', 'cpp', 'python') in every document: {run: [...], shown: [...]}.
function examples(language) {
  const all = documents().flatMap(codeBlocks).filter((block) => languageOf(block) === language);
  return {
    run: all.filter((block) => !block.flags.includes('no-run')),
    shown: all.filter((block) => block.flags.includes('no-run')),
  };
}

// The output lines a block claims through its `prints:` comments, in order.
function claimedOutput(block) {
  const marker = languageOf(block) === 'python' ? /#\s*prints:\s?(.*)$/ : /\/\/\s*prints:\s?(.*)$/;
  return block.code.split('\n').map((line) => marker.exec(line)).filter(Boolean)
    .map((match) => match[1].trimEnd());
}

function label(block) {
  return `${block.document}:${block.line}`;
}

// The file a document's relative links are resolved against.
function linkBase(document) {
  return path.join(ROOT, document) === SLIDES_SOURCE ? SLIDES_OUTPUT : path.join(ROOT, document);
}

// Every link to the page: {document, line, href, target (absolute path), fragment (no '#')}.
// Markdown links [text](href) and autolinks <href>; code blocks are skipped.
function pageLinks(document) {
  const links = [];
  let inFence = false;
  read(document).split('\n').forEach((text, index) => {
    if (/^\s*(`{3,}|~{3,})/.test(text)) inFence = !inFence;
    if (inFence) return;
    for (const match of text.matchAll(/\]\(([^()\s]+)\)|<([^<>\s]+)>/g)) {
      const href = match[1] || match[2];
      const hash = href.indexOf('#');
      if (hash < 0 || !href.slice(0, hash).endsWith('index.html')) continue;
      links.push({
        document, line: index + 1, href,
        target: path.resolve(path.dirname(linkBase(document)), decodeURI(href.slice(0, hash))),
        fragment: href.slice(hash + 1),
      });
    }
  });
  return links;
}

function allPageLinks() {
  return documents().flatMap(pageLinks);
}

module.exports = {
  ROOT, WEB_PAGE, SLIDES_SOURCE, SLIDES_OUTPUT, documents, read, codeBlocks, examples,
  claimedOutput, label, pageLinks, allPageLinks, languageOf,
};
