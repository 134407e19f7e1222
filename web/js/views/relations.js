// "The workshop's questions, asked of this model": every head of an opened model measured on the
// workshop report's held-out and novel sentences (in its worker, a few sentences a request, so
// that the text's own views are never queued behind the whole measurement), each relation's best
// head beside the workshop model's.
'use strict';
(function relationsViewModule(Spotlight) {
  const { $, page } = Spotlight;
  const { state, view, currentModel } = page;
  const CHUNK = 20;  // sentences a request: at gpt2's size about a second of the worker's time
  const SETS = [['heldOut', 'held-out'], ['novel', 'novel']];

  function status(text) {
    $('relations-status').textContent = text;
  }

  // Per relation name: {accuracy (per head), instances, sequences}, summed over the pieces by
  // their instances.
  async function measureSet(model, set, onPiece) {
    const sums = new Map();
    let first = 0;
    let total = Infinity;
    let skipped = 0;
    while (first < total) {
      const reply = await model.client.request('relations', { set, first, count: CHUNK });
      total = reply.total;
      skipped += reply.skipped;
      for (const r of reply.relations) {
        if (!sums.has(r.name)) sums.set(r.name, { correct: new Float64Array(r.accuracy.length), instances: 0, sequences: 0 });
        const entry = sums.get(r.name);
        r.accuracy.forEach((a, k) => { entry.correct[k] += a * r.instances; });
        entry.instances += r.instances;
        entry.sequences += r.sequences;
      }
      first += CHUNK;
      onPiece(Math.min(first, total), total);
    }
    const result = new Map();
    result.skipped = skipped;
    result.total = total;
    for (const [name, entry] of sums) {
      result.set(name, { accuracy: Array.from(entry.correct, (c) => c / entry.instances), instances: entry.instances, sequences: entry.sequences });
    }
    return result;
  }

  async function measure() {
    const model = currentModel();
    if (!model || !model.remote) return;
    $('relations-start').disabled = true;
    const progress = $('relations-progress');
    progress.hidden = false;
    const started = performance.now();
    try {
      const measured = {};
      for (const [index, [set, name]] of SETS.entries()) {
        measured[set] = await measureSet(model, set, (done, total) => {
          progress.value = (index + done / total) / SETS.length;
          status(`Measuring every head on the ${name} sentences: ${done} of ${total}…`);
        });
      }
      const { numHeads } = model.config;
      model.relations = [];
      for (const relation of Spotlight.RELATIONS) {
        const held = measured.heldOut.get(relation.name);
        if (!held) continue;
        // The best head on the held-out sentences (the lowest index among equals), and its score on
        // the novel ones: the workshop report's rule.
        let best = 0;
        held.accuracy.forEach((a, k) => { if (a > held.accuracy[best]) best = k; });
        const novel = measured.novel.get(relation.name);
        model.relations.push({
          name: relation.name, layer: Math.floor(best / numHeads), head: best % numHeads,
          heldOutAccuracy: held.accuracy[best], heldOutSentences: held.sequences,
          novelAccuracy: novel ? novel.accuracy[best] : NaN, novelSentences: novel ? novel.sequences : 0,
          accuracy: held.accuracy,
        });
      }
      model.relationsMs = performance.now() - started;
      const skipped = measured.heldOut.skipped + measured.novel.skipped;
      status(`Measured ${model.config.numLayers * numHeads} heads in ${(model.relationsMs / 1000).toFixed(1)} s` +
        (skipped > 0 ? `; ${skipped} of ${measured.heldOut.total + measured.novel.total} sentences were longer than the ` +
          `model's context of ${model.config.contextLength} tokens and were left out` : '') +
        (model.relations.length === 0 ? ': no sentence fits its context, so nothing could be measured.' : '.'));
      if (currentModel() === model) page.render();
    } catch (error) {
      status(`Could not measure the heads: ${error.message}`);
    } finally {
      progress.hidden = true;
      $('relations-start').disabled = false;
    }
  }

  function percent(value) {
    return Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : '-';
  }

  function render() {
    const model = currentModel();
    const panel = $('relations-panel');
    panel.hidden = !(model && model.remote);
    if (panel.hidden) return;
    const table = $('relations-table');
    const measured = model.relations;
    table.hidden = !measured;
    $('relations-reading').hidden = !measured;
    if (!measured) return;
    const body = table.querySelector('tbody');
    body.textContent = '';
    const toy = view.models.trained && view.models.trained.metadata ? view.models.trained.metadata : null;
    for (const entry of measured) {
      const relation = Spotlight.RELATIONS.find((r) => r.name === entry.name);
      const theirs = toy && Array.isArray(toy.relations) ? toy.relations.find((r) => r.name === entry.name) : null;
      const cells = [relation.label, relation.question, `head ${entry.layer}.${entry.head}`,
        `${percent(entry.heldOutAccuracy)} of ${entry.heldOutSentences}`, `${percent(entry.novelAccuracy)} of ${entry.novelSentences}`,
        theirs ? `head ${theirs.layer}.${theirs.head}: ${percent(theirs.heldOutAccuracy)} held out, ${percent(theirs.novelAccuracy)} novel` : '-'];
      const row = document.createElement('tr');
      for (const text of cells) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.appendChild(cell);
      }
      body.appendChild(row);
    }
    $('relations-reading').textContent = `How to read it: ${model.name} was never trained on this grammar, and its ` +
      'heads each do several things at once, so the best head is the one whose largest weight most often lands on the ' +
      'key word; it was chosen on the held-out sentences, and the novel ones check it on shapes the grammar never makes. ' +
      'Guessing a uniformly random earlier token would be right about one time in eight on these sentences. The workshop ' +
      'model was trained on this grammar alone, so its heads had every reason to learn exactly these links. Pick a preset ' +
      'to see the best head on it.';
  }

  function bind() {
    $('relations-start').addEventListener('click', () => { measure(); });
  }

  Spotlight.views.relations = { render, bind };
}(window.Spotlight));
