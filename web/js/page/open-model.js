// Opening a GPT-2-family model: its files chosen, a folder chosen, or either dropped on the page.
// The Files go to a new worker (pretrained-client.js), which reads them piece by piece; the main
// thread only shows the progress. A set that fails to open (a missing, wrong or damaged file,
// another architecture, a model too large) is named in the status line and the page keeps what it
// had: the worker is closed, the model shown before stays.
'use strict';
(function pageOpenModelModule(Spotlight) {
  const { $, page } = Spotlight;
  const { state, view, showMessages } = page;
  // The detectors' repeated random tokens, asked for a sequence at a time so that a keystroke's
  // view is never queued behind all of them in the worker.
  const DETECT_SEQUENCES = 8;

  let opening = null;  // the open in progress: {cancelled}

  function status(text) {
    $('model-status').textContent = text;
  }

  function megabytes(bytes) {
    return `${Math.round(bytes / 1048576).toLocaleString('en')} MB`;
  }

  async function openFiles(list, folder = '') {
    if (opening) opening.cancelled = true;
    const attempt = { cancelled: false };
    opening = attempt;
    const progress = $('model-progress');
    const weights = Array.from(list).find((f) => f.name === 'model.safetensors');
    progress.hidden = false;
    progress.value = 0;
    status(weights ? `Reading model.safetensors (${megabytes(weights.size)})…` : 'Reading the files…');
    const started = performance.now();
    let model;
    try {
      model = await Spotlight.openPretrained(list, {
        folder,
        onProgress: ({ bytesRead, size }) => {
          if (attempt.cancelled) return;
          progress.value = size > 0 ? bytesRead / size : 1;
          status(`Reading model.safetensors: ${megabytes(bytesRead)} of ${megabytes(size)}…`);
        },
      });
    } catch (error) {
      if (attempt.cancelled) return;
      opening = null;
      progress.hidden = true;
      const kept = view.models.gpt2 ? `; ${view.models.gpt2.name} stays open` : '';
      status(`Could not open the model: ${error.message}${kept}.`);
      view.modelOpenProblem = error.message;
      return;
    }
    if (attempt.cancelled) {
      model.delete();
      return;
    }
    opening = null;
    progress.hidden = true;
    view.modelOpenProblem = null;
    view.timings.pretrainedOpen = performance.now() - started;
    const previous = view.models.gpt2;
    view.models.gpt2 = model;
    if (previous) previous.delete();
    const c = model.config;
    status(`Opened ${model.name}: ${c.numLayers} layers of ${c.numHeads} heads, ${model.raw.parameters.toLocaleString('en')} ` +
      `parameters (${megabytes(model.raw.parameters * 4)} as float32); its worker holds ${megabytes(model.memory.heapBytes)}. ` +
      `Read in ${(view.timings.pretrainedOpen / 1000).toFixed(1)} s.`);
    show(model);
    measureHeads(model);
  }

  // Switches the views to the opened model, on the layer and head the state (or a link) names.
  function show(model) {
    // A link to a GPT-2 view keeps its layer and head; otherwise the model opens on the first.
    const linked = Boolean(view.linkedModel);
    const wanted = linked && view.linkedModel !== model.name ? view.linkedModel : null;
    if (linked && view.linkedView) Object.assign(state, view.linkedView);
    view.linkedModel = null;
    view.linkedView = null;
    view.linkNotice = null;
    if (!linked) {
      state.layer = 0;
      state.head = 0;
    }
    // A pinned row named another model's token.
    if (view.heatmap) view.heatmap.pinned = null;
    state.model = 'gpt2';
    state.modelName = model.name;
    if (state.layer >= model.config.numLayers) state.layer = 0;
    if (typeof state.head === 'number' && state.head >= model.config.numHeads) state.head = 0;
    view.arcHeads = new Set([typeof state.head === 'number' ? state.head : 0]);
    if (wanted) view.linkProblems.push(`the link was made with ${wanted}; this is ${model.name}`);
    page.update();
  }

  // The detectors' labels of every head, averaged over sequences measured one by one.
  async function measureHeads(model) {
    const sums = {};
    let done = 0;
    try {
      for (let seed = 1; seed <= DETECT_SEQUENCES; seed += 1) {
        if (model.client.failed) return;
        const scores = await model.client.request('detect', { options: { repeatLength: Math.min(50, Math.floor((model.config.contextLength - 1) / 2)), sequences: 1, seed } });
        for (const key of ['previousToken', 'firstToken', 'duplicateToken', 'induction']) {
          if (!sums[key]) sums[key] = new Float64Array(scores[key].length);
          scores[key].forEach((v, i) => { sums[key][i] += v; });
        }
        done += 1;
      }
    } catch (error) {
      if (!model.client.failed) showMessages([`Could not measure the heads: ${error.message}`]);
      return;
    }
    const mean = (key) => Array.from(sums[key], (v) => v / done);
    model.setLabels({ previousToken: mean('previousToken'), firstToken: mean('firstToken'),
      duplicateToken: mean('duplicateToken'), induction: mean('induction'), sequences: done });
    if (page.currentModel() === model) {
      page.syncControls();
      page.render();
    }
  }

  // Every File of a dropped folder (its entries read recursively), or the dropped files.
  async function droppedFiles(dataTransfer) {
    const entries = Array.from(dataTransfer.items || [])
      .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null)).filter(Boolean);
    const folder = entries.length === 1 && entries[0].isDirectory ? entries[0].name : '';
    if (!entries.some((e) => e.isDirectory)) return { files: Array.from(dataTransfer.files), folder };
    const files = [];
    const visit = async (entry, depth) => {
      if (entry.isFile) {
        files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
      } else if (entry.isDirectory && depth < 3) {
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
          if (batch.length === 0) break;
          for (const child of batch) await visit(child, depth + 1);
        }
      }
    };
    for (const entry of entries) await visit(entry, 0);
    return { files, folder };
  }

  function folderOf(list) {
    const first = list[0] && list[0].webkitRelativePath ? list[0].webkitRelativePath.split('/')[0] : '';
    return first;
  }

  function bindOpenModel() {
    $('model-files').addEventListener('change', () => {
      const list = Array.from($('model-files').files);
      $('model-files').value = '';
      if (list.length > 0) openFiles(list);
    });
    $('model-folder').addEventListener('change', () => {
      const list = Array.from($('model-folder').files);
      $('model-folder').value = '';
      if (list.length > 0) openFiles(list, folderOf(list));
    });
    document.addEventListener('dragover', (event) => {
      if (event.dataTransfer && Array.from(event.dataTransfer.types || []).includes('Files')) {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }
    });
    document.addEventListener('drop', (event) => {
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
      event.preventDefault();
      droppedFiles(event.dataTransfer).then(({ files, folder }) => openFiles(files, folder),
        (error) => status(`Could not read the dropped files: ${error.message}.`));
    });
  }

  Object.assign(page, { bindOpenModel, openModelFiles: openFiles });
}(window.Spotlight));
