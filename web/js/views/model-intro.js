// What the weights shown are: the lines under the model switch (for a trained model and a preset,
// what its head does) and the matching "What you are looking at" paragraph.
'use strict';
(function modelIntroViewModule(Spotlight) {
  const { settings: config, $, page } = Spotlight;
  const { state, view, currentModel } = page;

  // What the model learned from, and for a preset what its head does: the first thing a
  // newcomer reads.
  function renderIntro() {
    const box = $('model-intro');
    box.textContent = '';
    const model = currentModel();
    $('about-trained').hidden = !model || Boolean(model.remote);
    $('about-random').hidden = Boolean(model);
    if (!model) {
      box.appendChild(paragraph('Random weights: the mechanism, not meaning. Every pattern here is an accident of the seed.'));
      return;
    }
    if (model.remote) {
      renderPretrainedIntro(box, model);
      return;
    }
    const m = model.metadata || {};
    if (state.model === 'yours') {
      box.appendChild(paragraph(`Your model, trained here in this tab: ${describeYours(m)}`));
    } else if (m.task === 'workshop') {
      box.appendChild(paragraph(`This model was trained by the project's C++ core on ${Number(m.trainSentences).toLocaleString('en')} ` +
        `sentences of a small made-up grammar (${model.vocabulary.length - 2} words: pronouns that refer back to a noun, ` +
        `verbs that agree with a subject across a phrase, relative clauses), for ${Number(m.steps).toLocaleString('en')} steps ` +
        `of ${m.batch} sentences. It learned these relations because its small corpus required them; large models learn them ` +
        'from billions of words, and less cleanly (Clark et al. 2019: BERT\'s best coreference head finds the antecedent ' +
        '65% of the time).'));
    }
    const preset = config.PRESETS.find((p) => p.text === state.text);
    const relation = preset ? model.relationOf(preset.id) : null;
    if (relation && view.result) {
      const n = view.result.n;
      const row = view.tokens.indexOf(relation.query);
      const col = view.tokens.indexOf(relation.key);
      const layerWeights = view.result.allLayers[relation.layer][relation.head];
      const weight = row >= 0 && col >= 0 ? layerWeights[row * n + col] : NaN;
      const p = paragraph(`Head ${relation.layer}.${relation.head} links "${relation.query}" to "${relation.key}" ` +
        `(weight ${Number.isFinite(weight) ? weight.toFixed(2) : '-'}). On ${Number(m.heldOutSentences).toLocaleString('en')} held-out ` +
        `sentences it puts its largest weight on the ${relation.label === 'coreference' ? 'antecedent' : relation.label === 'agreement' ? 'subject' : 'head noun'} ` +
        `${(100 * relation.heldOutAccuracy).toFixed(1)}% of the time, and ${(100 * relation.novelAccuracy).toFixed(1)}% on ` +
        `${Number(m.novelSentences).toLocaleString('en')} sentences of shapes it never saw.`);
      p.className = 'relation-line';
      box.appendChild(p);
    } else if (preset === undefined) {
      box.appendChild(paragraph('On your own text the model reads only the words it knows; the presets ask the workshop\'s three questions.'));
    }
  }

  // An opened GPT-2-family model: what it is, as far as its files say, and how to read its maps.
  function renderPretrainedIntro(box, model) {
    const c = model.raw;
    const shape = model.shape ? ` It has the shape of OpenAI's ${model.shape}.` : '';
    box.appendChild(paragraph(`${model.name}, opened from your files: ${c.numLayers} layers of ${c.numHeads} heads, ` +
      `d_model ${c.embedDim}, ${c.parameters.toLocaleString('en')} parameters, a context of ${c.contextLength.toLocaleString('en')} ` +
      `tokens.${shape} Its files do not say what it learned from: OpenAI's gpt2 learned from WebText, 8 million web ` +
      'pages (Radford et al. 2019), and a fine-tuned checkpoint learned more after that. A pretrained model\'s heads ' +
      'are not designed and rarely do one clean thing: the labels say what the detectors measure, not what a head "means".'));
    const preset = config.PRESETS.find((p) => p.text === state.text);
    const relation = preset ? model.relationOf(preset.id) : null;
    if (relation && view.result && view.result.layer === relation.layer) {
      const n = view.result.n;
      const row = view.tokens.indexOf(relation.query);
      const col = view.tokens.indexOf(relation.key);
      const weight = row >= 0 && col >= 0 ? view.result.weights[relation.head][row * n + col] : NaN;
      const line = paragraph(`Its best head for ${relation.label}, ${relation.layer}.${relation.head}, gives "${relation.query.slice(1)}" → ` +
        `"${relation.key.slice(1)}" weight ${Number.isFinite(weight) ? weight.toFixed(2) : '-'} here. On ` +
        `${relation.heldOutSentences} held-out workshop sentences its largest weight falls on the ${relation.key === '␣cat' ? 'antecedent'
          : relation.key === '␣dogs' ? 'subject' : 'head noun'} ${(100 * relation.heldOutAccuracy).toFixed(1)}% of the time ` +
        `(see "The workshop's questions" below).`);
      line.className = 'relation-line';
      box.appendChild(line);
    }
  }

  function describeYours(m) {
    if (!m || !m.task) return 'see "Train it yourself" below.';
    return `${m.task} task, ${Number(m.steps || 0).toLocaleString('en')} steps so far. Its heads are labelled by what the detectors measure.`;
  }

  function paragraph(text) {
    const p = document.createElement('p');
    p.textContent = text;
    return p;
  }

  Spotlight.views.modelIntro = { render: renderIntro };
}(window.Spotlight));
